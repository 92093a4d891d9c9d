// Package sensitivity owns the proof that every rule of the catalogue can
// fail: it runs the conformance suites against the embedded mock once with
// no violation switch (the baseline, which must pass) and once per switch
// (SCIMCONF_VIOLATE=<switch>), reads which rules' specs failed from Ginkgo's
// JSON reports, and judges the kill matrix against the catalogue
// (catalogue): each switch must fail the rules it proves, may fail the
// cross-effects declared for it, and must fail nothing else; every rule of
// the checked profiles must have a switch; the catalogue's switches and
// the mock's (server/violation) must be the same set.
//
// It is the one place allowed to know both the mock's switches and the
// catalogue; the suites never import the mock's packages, and the mock
// never learns the catalogue. `make sensitivity` and `scimconf sensitivity`
// call Run.
package sensitivity

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/scimconf/scimconf/server/mock"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scimconf/scimconf/catalogue"
	"github.com/scimconf/scimconf/internal/sourcetree"
	"github.com/scimconf/scimconf/reports"
)

// Options configure Run. The zero value runs the full matrix of the rfc,
// dynatrace and idp suites with both schema sets, two switches at a time.
type Options struct {
	// Dir is any directory inside the module; default ".".
	Dir string
	// Profiles are the suites to run (suites/<profile>); default
	// DefaultProfiles.
	Profiles []catalogue.Profile
	// Schemas are the embedded mock's schema sets each suite runs with;
	// default dynatrace and full. A rule is killed when it fails under any.
	Schemas []string
	// Switches limits the run to these switches; empty means every switch
	// the mock has.
	Switches []string
	// Sample, when positive, runs only that many switches, chosen by Seed
	// (a commit hash in CI, so the sample changes with every commit).
	Sample int
	Seed   string
	// Parallel is how many switches run at once; default 2.
	Parallel int
	// Timeout bounds one suite run; default 3 minutes.
	Timeout time.Duration
	// WorkDir keeps the test binaries and reports; default a temporary
	// directory that Run removes.
	WorkDir string
	// Log receives progress lines; nil discards them.
	Log io.Writer
	// Variants are variant switches (choices the RFC permits) on in every
	// run, the baseline included (SCIMCONF_VARIANTS): a rule still killed
	// with them on does not lean on what they take away.
	Variants []string
}

// Cell is what one switch did to one rule.
type Cell string

const (
	Killed     Cell = "killed"     // a rule the switch proves failed
	Cross      Cell = "cross"      // a declared cross-effect failed
	Unexpected Cell = "UNEXPECTED" // a rule neither proved nor declared failed
	Survived   Cell = "SURVIVED"   // a rule the switch proves did not fail
	Stale      Cell = "stale"      // a declared cross-effect did not fail
)

// SwitchResult is one switch's row of the matrix.
type SwitchResult struct {
	Switch string
	// Failed are the rule IDs whose specs failed, sorted.
	Failed []string
	Cells  map[string]Cell
	// Runs are the suite runs behind the row.
	Runs []RunResult
	Took time.Duration
}

// RunResult is one suite binary run.
type RunResult struct {
	Profile catalogue.Profile
	Schema  string
	Failed  []string // rule IDs
	// FailedSpecs are the failed specs, for the log.
	FailedSpecs []FailedSpec
	// SuiteFailure is set when the suite itself failed (setup, a report
	// that could not be read): no rule can be judged then.
	SuiteFailure string
}

// FailedSpec is one failed spec and the rules it checks.
type FailedSpec struct {
	Text  string
	Rules []string
}

// Result is the outcome of Run.
type Result struct {
	Rules    []catalogue.Rule // the rules of the checked profiles, in catalogue order
	Baseline []RunResult
	Switches []SwitchResult
	// Problems make the run fail; Warnings do not.
	Problems []string
	Warnings []string
	// Sampled is true when only a sample of the switches ran.
	Sampled bool
	Took    time.Duration
}

// OK reports whether the run proved every rule it checked.
func (r *Result) OK() bool { return len(r.Problems) == 0 }

// Check compares the catalogue's switches with the mock's: every switch a
// rule names exists, every switch of the mock proves some rule, and every
// rule of profiles has a switch. It runs nothing.
func Check(profiles []catalogue.Profile) []string {
	var problems []string
	known := mock.SwitchNames()
	named := catalogue.Switches()
	for _, s := range named {
		if !slices.Contains(known, s) {
			problems = append(problems, fmt.Sprintf("the catalogue names switch %q, which the mock does not have (server/violation)", s))
		}
	}
	proving := map[string]bool{}
	for _, r := range catalogue.All() {
		for _, s := range r.Switches {
			proving[s] = true
		}
		if slices.Contains(profiles, r.Profile) && len(r.Switches) == 0 {
			problems = append(problems, fmt.Sprintf("rule %s has no switch: add one to the mock (server/violation) and to catalogue/switches.go", r.ID))
		}
	}
	for _, s := range known {
		if !proving[s] {
			problems = append(problems, fmt.Sprintf("the mock's switch %q proves no rule: name it in catalogue/switches.go", s))
		}
	}
	for sw, ids := range catalogue.CrossEffects() {
		for _, id := range ids {
			if _, ok := catalogue.ByID(id); !ok {
				problems = append(problems, fmt.Sprintf("cross-effect of %s names rule %q, which is not in the catalogue", sw, id))
			}
		}
	}
	return problems
}

// Select returns the switches a run covers: opts.Switches or every known
// switch, then a sample of opts.Sample of them drawn with opts.Seed.
func Select(opts Options) []string {
	all := opts.Switches
	if len(all) == 0 {
		all = mock.SwitchNames()
	}
	all = slices.Clone(all)
	slices.Sort(all)
	if opts.Sample <= 0 || opts.Sample >= len(all) {
		return all
	}
	sum := sha256.Sum256([]byte(opts.Seed))
	rng := rand.New(rand.NewPCG(binary.LittleEndian.Uint64(sum[:8]), binary.LittleEndian.Uint64(sum[8:16])))
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	out := all[:opts.Sample]
	slices.Sort(out)
	return out
}

// Workspace finds the module root from dir and the directory the suite
// binaries and reports go to: workDir, created when missing and kept, or a
// new temporary directory (named with prefix) that cleanup removes.
func Workspace(dir, workDir, prefix string) (root, work string, cleanup func(), err error) {
	cleanup = func() {}
	if root, err = sourcetree.Root(dir); err != nil {
		return "", "", cleanup, err
	}
	if workDir != "" {
		return root, workDir, cleanup, os.MkdirAll(workDir, 0o755)
	}
	if work, err = os.MkdirTemp("", prefix); err != nil {
		return "", "", cleanup, err
	}
	return root, work, func() { os.RemoveAll(work) }, nil
}

// Run builds the suite binaries once, runs the baseline and every selected
// switch, and judges the matrix. The error is for a run that could not be
// made (no module, a build failure); a matrix that proves too little is a
// Result whose Problems say why.
func Run(ctx context.Context, opts Options) (*Result, error) {
	start := time.Now()
	opts = withDefaults(opts)
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, format+"\n", args...)
		}
	}
	root, work, cleanup, err := Workspace(opts.Dir, opts.WorkDir, "scimconf-sensitivity-")
	if err != nil {
		return nil, err
	}
	defer cleanup()

	res := &Result{Problems: Check(opts.Profiles)}
	for _, r := range catalogue.All() {
		if slices.Contains(opts.Profiles, r.Profile) {
			res.Rules = append(res.Rules, r)
		}
	}

	logf("building the suite binaries (%s)", profileList(opts.Profiles))
	bins, err := BuildSuites(ctx, root, work, opts.Profiles)
	if err != nil {
		return nil, err
	}
	suite := func(ctx context.Context, sw string) []RunResult {
		var out []RunResult
		for _, p := range opts.Profiles {
			for _, schema := range opts.Schemas {
				out = append(out, runSuite(ctx, root, work, bins[p], p, schema, sw, opts.Variants, opts.Timeout))
			}
		}
		return out
	}

	logf("baseline: no switch")
	res.Baseline = suite(ctx, "")
	for _, r := range res.Baseline {
		switch {
		case r.SuiteFailure != "":
			res.Problems = append(res.Problems, fmt.Sprintf("baseline %s/%s: %s", r.Profile, r.Schema, r.SuiteFailure))
		case len(r.Failed) > 0:
			var texts []string
			for _, s := range r.FailedSpecs {
				texts = append(texts, s.Text)
			}
			res.Problems = append(res.Problems, fmt.Sprintf("baseline %s/%s: the mock with no switch fails rules %s (specs: %s)",
				r.Profile, r.Schema, strings.Join(r.Failed, ", "), strings.Join(texts, "; ")))
		}
	}

	selected := Select(opts)
	res.Sampled = len(selected) < len(mock.SwitchNames())
	logf("running %d switches, %d at a time, %d suite runs each", len(selected), opts.Parallel, len(opts.Profiles)*len(opts.Schemas))
	rows := make([]SwitchResult, len(selected))
	sem := make(chan struct{}, opts.Parallel)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for i, sw := range selected {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			t0 := time.Now()
			runs := suite(ctx, sw)
			rows[i] = Judge(sw, runs, res.Rules)
			rows[i].Took = time.Since(t0)
			mu.Lock()
			done++
			logf("[%d/%d] %-38s %s (%s)", done, len(selected), sw, summary(rows[i]), rows[i].Took.Round(10*time.Millisecond))
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.Switches = rows
	for _, row := range rows {
		res.Problems = append(res.Problems, rowProblems(row)...)
		for _, id := range sortedCells(row, Stale) {
			res.Warnings = append(res.Warnings, fmt.Sprintf("switch %s is declared to fail %s too, but did not: drop the cross-effect from catalogue/switches.go if it is gone for good", row.Switch, id))
		}
	}
	res.Took = time.Since(start)
	return res, nil
}

// DefaultProfiles are the profiles a run checks unless told otherwise:
// every profile whose rules the mock's switches prove.
func DefaultProfiles() []catalogue.Profile {
	return []catalogue.Profile{catalogue.RFC, catalogue.Dynatrace, catalogue.IdP}
}

func withDefaults(o Options) Options {
	if o.Dir == "" {
		o.Dir = "."
	}
	if len(o.Profiles) == 0 {
		o.Profiles = DefaultProfiles()
	}
	if len(o.Schemas) == 0 {
		o.Schemas = []string{"dynatrace", "full"}
	}
	if o.Parallel <= 0 {
		o.Parallel = 2
	}
	if o.Timeout <= 0 {
		o.Timeout = 3 * time.Minute
	}
	return o
}

func profileList(ps []catalogue.Profile) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = string(p)
	}
	return strings.Join(s, ", ")
}

// targetEnv are the variables that would point a suite at another target
// or change what it runs; a sensitivity run always uses the embedded mock
// with everything on.
var targetEnv = []string{"SCIM_BASE_URL", "SCIM_TOKEN", "VERIFIED_DOMAIN", "UNVERIFIED_DOMAIN", "ADMIN_URL", "ADMIN_TOKEN", "READ_ONLY", "SCIMCONF_SCHEMA", "SCIMCONF_VIOLATE", "SCIMCONF_VARIANTS", "SCIMCONF_STRICT"}

// BuildSuites compiles the suite binary of each profile into work (go test
// -c, run in the module at root) and returns their paths by profile.
func BuildSuites(ctx context.Context, root, work string, profiles []catalogue.Profile) (map[catalogue.Profile]string, error) {
	bins := map[catalogue.Profile]string{}
	for _, p := range profiles {
		bin := filepath.Join(work, string(p)+".test")
		if runtime.GOOS == "windows" {
			bin += ".exe"
		}
		cmd := exec.CommandContext(ctx, "go", "test", "-c", "-o", bin, "./suites/"+string(p))
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("building suites/%s: %v\n%s", p, err, out)
		}
		bins[p] = bin
	}
	return bins, nil
}

// runSuite runs one suite binary against a fresh embedded mock with switch
// sw on ("" for none) and the variants on, and reads its JSON report.
func runSuite(ctx context.Context, root, work, bin string, p catalogue.Profile, schema, sw string, variants []string, timeout time.Duration) RunResult {
	name := sw
	if name == "" {
		name = "baseline"
	}
	return RunSuite(ctx, Suite{
		Root: root, Bin: bin, Profile: p, Schema: schema, Timeout: timeout,
		Report: filepath.Join(work, fmt.Sprintf("%s.%s.%s.json", name, p, schema)),
		Env:    []string{"SCIMCONF_VIOLATE=" + sw, "SCIMCONF_VARIANTS=" + strings.Join(variants, ",")},
	})
}

// Suite is one run of a suite binary against a fresh embedded mock.
type Suite struct {
	Root    string // the module's root
	Bin     string // the suite binary (BuildSuites)
	Profile catalogue.Profile
	Schema  string // the embedded mock's schema set (SCIMCONF_SCHEMA)
	// Env are KEY=value settings of the embedded mock on top of the
	// schema: SCIMCONF_VIOLATE, SCIMCONF_VARIANTS, SCIMCONF_RULES.
	Env     []string
	Report  string // where Ginkgo writes its JSON report
	Timeout time.Duration
}

// RunSuite runs s, with every variable that would point the suite at
// another target or change what it runs removed from the environment, and
// reads which rules failed from its report.
func RunSuite(ctx context.Context, s Suite) RunResult {
	rr := RunResult{Profile: s.Profile, Schema: s.Schema}
	root, bin, p, schema, report, timeout := s.Root, s.Bin, s.Profile, s.Schema, s.Report, s.Timeout
	if timeout <= 0 {
		timeout = 3 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// -test.short skips the suites' own slow self-checks (the idp suite's
	// TestDialects replays it twice more, strict and not): they judge the
	// fixtures, not the target, and a switch would only fail them again.
	cmd := exec.CommandContext(ctx, bin, "-test.run", "^Test", "-test.short", "-ginkgo.json-report="+report, "-ginkgo.no-color")
	cmd.Dir = filepath.Join(root, "suites", string(p))
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return slices.Contains(targetEnv, k)
	})
	cmd.Env = append(append(env, "SCIMCONF_SCHEMA="+schema), s.Env...)
	out, runErr := cmd.CombinedOutput()
	if ctx.Err() != nil {
		rr.SuiteFailure = fmt.Sprintf("the suite did not finish within %s", timeout)
		return rr
	}
	failed, specs, suiteErr := ReadReport(report)
	if suiteErr != "" {
		rr.SuiteFailure = suiteErr
		if runErr != nil {
			rr.SuiteFailure += "; output:\n" + tail(string(out), 2000)
		}
		return rr
	}
	rr.Failed, rr.FailedSpecs = failed, specs
	if runErr != nil && len(failed) == 0 {
		// The binary failed for a reason the report does not show (the
		// catalogue test, a build of the mock that refuses the switch...).
		rr.SuiteFailure = "the suite failed but no spec with a rule label did:\n" + tail(string(out), 2000)
	}
	return rr
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// ReadReport reads a Ginkgo JSON report (with package reports' reader)
// and returns the rule IDs whose specs failed (a failed spec fails every
// rule it is labelled with), the failed specs, and why the suite as a whole
// failed ("" when it ran).
func ReadReport(path string) (failed []string, specs []FailedSpec, suiteFailure string) {
	runs, err := reports.Load(path)
	if err != nil {
		return nil, nil, "no Ginkgo report: " + err.Error()
	}
	seen := map[string]bool{}
	for _, run := range runs {
		for _, suite := range run.Suites {
			if len(suite.NodeFailures) > 0 {
				n := suite.NodeFailures[0]
				return nil, nil, fmt.Sprintf("%s failed: %s", n.Node, firstLine(n.Message))
			}
		}
		for _, s := range run.Specs() {
			if s.Outcome() != reports.StatusFail {
				continue
			}
			specs = append(specs, FailedSpec{Text: s.Text, Rules: s.Rules})
			for _, id := range s.Rules {
				if !seen[id] {
					seen[id] = true
					failed = append(failed, id)
				}
			}
		}
	}
	slices.Sort(failed)
	return failed, specs, ""
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Judge turns a switch's runs into its matrix row against the rules
// checked, using the catalogue's proofs and cross-effects.
func Judge(sw string, runs []RunResult, checked []catalogue.Rule) SwitchResult {
	row := SwitchResult{Switch: sw, Runs: runs, Cells: map[string]Cell{}}
	failed := map[string]bool{}
	for _, r := range runs {
		for _, id := range r.Failed {
			failed[id] = true
		}
	}
	proves, cross := catalogue.Expected(sw)
	for _, r := range checked {
		id := r.ID
		switch {
		case slices.Contains(proves, id) && failed[id]:
			row.Cells[id] = Killed
		case slices.Contains(proves, id):
			row.Cells[id] = Survived
		case slices.Contains(cross, id) && failed[id]:
			row.Cells[id] = Cross
		case slices.Contains(cross, id):
			row.Cells[id] = Stale
		case failed[id]:
			row.Cells[id] = Unexpected
		}
	}
	for id := range failed {
		row.Failed = append(row.Failed, id)
	}
	slices.Sort(row.Failed)
	return row
}

func sortedCells(row SwitchResult, c Cell) []string {
	var out []string
	for id, x := range row.Cells {
		if x == c {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

func rowProblems(row SwitchResult) []string {
	var out []string
	for _, r := range row.Runs {
		if r.SuiteFailure != "" {
			out = append(out, fmt.Sprintf("switch %s, suite %s/%s: %s", row.Switch, r.Profile, r.Schema, r.SuiteFailure))
		}
	}
	if len(row.Failed) == 0 {
		out = append(out, fmt.Sprintf("switch %s is caught by no spec: the suites pass with it on", row.Switch))
	}
	for _, id := range sortedCells(row, Survived) {
		out = append(out, fmt.Sprintf("switch %s does not fail rule %s, which it is meant to prove: strengthen the rule's specs", row.Switch, id))
	}
	if ids := sortedCells(row, Unexpected); len(ids) > 0 {
		out = append(out, fmt.Sprintf("switch %s fails rules it is not declared for: %s (specs: %s); narrow the switch or declare the cross-effect in catalogue/switches.go",
			row.Switch, strings.Join(ids, ", "), strings.Join(specsOf(row, ids), "; ")))
	}
	return out
}

// specsOf lists the failed specs of row that carry one of ids.
func specsOf(row SwitchResult, ids []string) []string {
	var out []string
	for _, r := range row.Runs {
		for _, s := range r.FailedSpecs {
			if !slices.ContainsFunc(s.Rules, func(id string) bool { return slices.Contains(ids, id) }) {
				continue
			}
			if t := fmt.Sprintf("[%s/%s] %s", r.Profile, r.Schema, s.Text); !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

func summary(row SwitchResult) string {
	k, c, u, s := len(sortedCells(row, Killed)), len(sortedCells(row, Cross)), len(sortedCells(row, Unexpected)), len(sortedCells(row, Survived))
	verdict := "ok"
	if u > 0 || s > 0 || len(row.Failed) == 0 || slices.ContainsFunc(row.Runs, func(r RunResult) bool { return r.SuiteFailure != "" }) {
		verdict = "PROBLEM"
	}
	return fmt.Sprintf("%-7s killed %d, cross %d, unexpected %d, survived %d", verdict, k, c, u, s)
}

// ErrNotProved is what a caller returns when Result.OK is false.
var ErrNotProved = errors.New("sensitivity: not every rule is proved")
