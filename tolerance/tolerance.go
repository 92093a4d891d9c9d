// Package tolerance owns the proof that no rule of the catalogue fails a
// server for a choice RFC 7643/7644 permits: it runs the rfc suite against
// the embedded mock with each of the mock's variant switches on alone, and
// with all compatible variants at once, under each of the mock's rules
// (rfc, dynatrace), reads which rules' specs failed from Ginkgo's JSON
// reports, and judges every failure:
//
//   - a finding the catalogue declares for the variant (catalogue
//     VariantFindings: a rule below MUST whose words the choice departs
//     from, with the sentence) is expected;
//   - a known false failure of the harness that waits for harness
//     machinery (Pending, with its owner and reason) is reported, not
//     counted, and must still fail (a pending entry that passes is stale);
//   - anything else is an unexpected failure, and fails the run, as does
//     a MUST rule among the declared findings of a permitted variant.
//
// It is the dual of package sensitivity (every rule can fail), whose suite
// runner it uses. `make tolerance` and `scimconf tolerance` call Run.
package tolerance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scimconf/scimconf/catalogue"
	"github.com/scimconf/scimconf/reports"
	"github.com/scimconf/scimconf/sensitivity"
	"github.com/scimconf/scimconf/server/mock"
)

// Options configure Run. The zero value runs every variant alone and the
// compatible sets together, under both rules, with the full schema set.
type Options struct {
	// Dir is any directory inside the module; default ".".
	Dir string
	// Variants limits the single-variant rows to these; empty means every
	// variant the mock has. The combined rows always use every variant.
	Variants []string
	// Rules are the embedded mock's rules each row runs under; default
	// rfc and dynatrace.
	Rules []string
	// Schema is the embedded mock's schema set; empty pairs each rules
	// setting with its own: rfc with "full" (RFC 7643's User,
	// EnterpriseUser and Group), dynatrace with "dynatrace".
	Schema string
	// NoCombined leaves out the rows with all compatible variants on.
	NoCombined bool
	// Parallel is how many suite runs go at once; default 2.
	Parallel int
	// Timeout bounds one suite run; default 3 minutes.
	Timeout time.Duration
	// WorkDir keeps the test binary and reports; default a temporary
	// directory that Run removes.
	WorkDir string
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Cell is what a row did to one rule.
type Cell string

const (
	Pass       Cell = ""           // not failed
	Expected   Cell = "expected"   // a declared finding of the variant failed
	Harness    Cell = "harness"    // a known false failure waiting for harness work failed
	Unexpected Cell = "UNEXPECTED" // anything else failed
	NotJudged  Cell = "not judged" // the suite did not run (a set-up failure declared pending)
	Skipped    Cell = "skipped"    // every spec of the rule skipped (the server lacks what it needs)
)

// Row is one line of the matrix: a set of variants under one rules
// setting.
type Row struct {
	// Name is the variant, or "all compatible (...)" for a combined row.
	Name     string
	Variants []string
	Rules    string
	// Failed are the rule IDs whose specs failed, sorted.
	Failed []string
	Cells  map[string]Cell
	Run    sensitivity.RunResult
	// Problems make the run fail; Warnings do not.
	Problems, Warnings []string
	Took               time.Duration
}

// Result is the outcome of Run.
type Result struct {
	Rules    []catalogue.Rule // the rfc profile's rules, in catalogue order
	Baseline []sensitivity.RunResult
	Rows     []Row
	Problems []string
	Warnings []string
	Took     time.Duration
}

// OK reports whether no row failed a rule it should not have.
func (r *Result) OK() bool { return len(r.Problems) == 0 }

// ErrIntolerant is what a caller returns when Result.OK is false.
var ErrIntolerant = errors.New("tolerance: a variant the RFC permits fails a rule it should not")

// Check compares the catalogue's variants with the mock's and checks the
// declared findings: each names a rule of the catalogue, and a permitted
// variant's findings are below MUST. It runs nothing.
func Check() []string {
	var problems []string
	known := mock.VariantNames()
	for _, v := range catalogue.Variants() {
		if !slices.Contains(known, v) {
			problems = append(problems, fmt.Sprintf("the catalogue names variant %q, which the mock does not have (server/internal/variant)", v))
		}
	}
	for _, v := range known {
		if !slices.Contains(catalogue.Variants(), v) {
			problems = append(problems, fmt.Sprintf("the mock's variant %q is not in the catalogue: add it to catalogue/variants.go", v))
		}
	}
	for _, v := range catalogue.VariantsWithFindings() {
		for _, f := range catalogue.VariantFindings(v) {
			r, ok := catalogue.ByID(f.Rule)
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("variant %s declares a finding of rule %q, which is not in the catalogue", v, f.Rule))
			case r.Level == catalogue.Must && catalogue.VariantPermitted(v):
				problems = append(problems, fmt.Sprintf("variant %s declares a finding of %s, a MUST rule: a permitted choice cannot fail a MUST; fix the rule's specs or its level", v, f.Rule))
			case f.Quote.Text == "":
				problems = append(problems, fmt.Sprintf("variant %s declares a finding of %s without the sentence behind it", v, f.Rule))
			}
		}
	}
	for _, p := range pending {
		if !slices.Contains(known, p.Variant) {
			problems = append(problems, fmt.Sprintf("a pending harness entry names variant %q, which the mock does not have", p.Variant))
		}
	}
	return problems
}

// Combined returns the sets of variants run together: every permitted
// variant, one of each conflicting pair in each set, so that each is in at
// least one set. A variant that is no permitted choice runs alone.
func Combined() [][]string {
	all := slices.DeleteFunc(mock.VariantNames(), func(v string) bool { return !catalogue.VariantPermitted(v) })
	var sets [][]string
	covered := map[string]bool{}
	for len(covered) < len(all) {
		var set []string
		for _, v := range all {
			if slices.ContainsFunc(set, func(o string) bool { return slices.Contains(mock.VariantConflicts(v), o) }) {
				continue
			}
			// Prefer a variant not covered yet over one that conflicts
			// with it later in the list.
			if covered[v] && slices.ContainsFunc(all, func(o string) bool {
				return !covered[o] && slices.Contains(mock.VariantConflicts(v), o)
			}) {
				continue
			}
			set = append(set, v)
		}
		added := false
		for _, v := range set {
			if !covered[v] {
				covered[v], added = true, true
			}
		}
		if !added {
			break
		}
		sets = append(sets, set)
	}
	return sets
}

// Run builds the rfc suite once, runs the baseline (no variant) and every
// row, and judges them. The error is for a run that could not be made (no
// module, a build failure).
func Run(ctx context.Context, opts Options) (*Result, error) {
	start := time.Now()
	opts = withDefaults(opts)
	logf := func(format string, args ...any) {
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, format+"\n", args...)
		}
	}
	for _, v := range opts.Variants {
		if _, ok := mock.LookupVariant(v); !ok {
			return nil, mock.UnknownVariant(v)
		}
	}
	root, work, cleanup, err := sensitivity.Workspace(opts.Dir, opts.WorkDir, "scimconf-tolerance-")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	res := &Result{Problems: Check()}
	for _, r := range catalogue.All() {
		if r.Profile == catalogue.RFC {
			res.Rules = append(res.Rules, r)
		}
	}
	logf("building the rfc suite")
	bins, err := sensitivity.BuildSuites(ctx, root, work, []catalogue.Profile{catalogue.RFC})
	if err != nil {
		return nil, err
	}
	bin := bins[catalogue.RFC]
	run := func(ctx context.Context, name string, variants []string, rules string) sensitivity.RunResult {
		return sensitivity.RunSuite(ctx, sensitivity.Suite{
			Root: root, Bin: bin, Profile: catalogue.RFC, Schema: opts.schemaFor(rules), Timeout: opts.Timeout,
			Report: reportPath(work, name, rules),
			Env:    []string{"SCIMCONF_RULES=" + rules, "SCIMCONF_VARIANTS=" + strings.Join(variants, ",")},
		})
	}

	type job struct {
		name     string
		variants []string
		rules    string
	}
	var jobs []job
	for _, v := range opts.Variants {
		for _, rules := range opts.Rules {
			jobs = append(jobs, job{v, []string{v}, rules})
		}
	}
	if !opts.NoCombined {
		for i, set := range Combined() {
			for _, rules := range opts.Rules {
				jobs = append(jobs, job{fmt.Sprintf("all compatible %d", i+1), set, rules})
			}
		}
	}

	logf("baseline: no variant, rules %s", strings.Join(opts.Rules, ", "))
	for _, rules := range opts.Rules {
		b := run(ctx, "baseline", nil, rules)
		res.Baseline = append(res.Baseline, b)
		switch {
		case b.SuiteFailure != "":
			res.Problems = append(res.Problems, fmt.Sprintf("baseline (rules %s): %s", rules, b.SuiteFailure))
		case len(b.Failed) > 0:
			res.Problems = append(res.Problems, fmt.Sprintf("baseline (rules %s): the mock with no variant fails %s", rules, strings.Join(b.Failed, ", ")))
		}
	}

	logf("running %d suite runs, %d at a time", len(jobs), opts.Parallel)
	rows := make([]Row, len(jobs))
	sem := make(chan struct{}, opts.Parallel)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			t0 := time.Now()
			rr := run(ctx, j.name, j.variants, j.rules)
			rows[i] = Judge(j.name, j.variants, j.rules, rr, res.Rules)
			markSkipped(&rows[i], reportPath(work, j.name, j.rules))
			rows[i].Took = time.Since(t0)
			mu.Lock()
			done++
			logf("[%d/%d] %-30s rules %-9s %s (%s)", done, len(jobs), j.name, j.rules, summary(rows[i]), rows[i].Took.Round(10*time.Millisecond))
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.Rows = rows
	for _, row := range rows {
		res.Problems = append(res.Problems, row.Problems...)
		res.Warnings = append(res.Warnings, row.Warnings...)
	}
	res.Warnings = append(res.Warnings, stalePending(rows)...)
	res.Took = time.Since(start)
	return res, nil
}

func withDefaults(o Options) Options {
	if o.Dir == "" {
		o.Dir = "."
	}
	if len(o.Variants) == 0 {
		o.Variants = mock.VariantNames()
	}
	if len(o.Rules) == 0 {
		o.Rules = []string{mock.RulesRFC, mock.RulesDynatrace}
	}
	if o.Parallel <= 0 {
		o.Parallel = 2
	}
	if o.Timeout <= 0 {
		o.Timeout = 3 * time.Minute
	}
	return o
}

// reportPath is where the run of a row writes its Ginkgo report.
func reportPath(work, name, rules string) string {
	return filepath.Join(work, strings.ReplaceAll(name, " ", "-")+"."+rules+".json")
}

// markSkipped marks the rules none of whose specs ran in the row's report
// (every one skipped: the server lacks what they need, or declined it),
// so the matrix does not show a rule nothing judged as passed.
func markSkipped(row *Row, report string) {
	if row.Run.SuiteFailure != "" {
		return
	}
	runs, err := reports.Load(report)
	if err != nil {
		return
	}
	ran, skipped := map[string]bool{}, map[string]bool{}
	for _, run := range runs {
		for _, s := range run.Specs() {
			for _, id := range s.Rules {
				if s.Outcome() == reports.StatusSkip {
					skipped[id] = true
				} else {
					ran[id] = true
				}
			}
		}
	}
	for id := range skipped {
		if !ran[id] && row.Cells[id] == Pass {
			row.Cells[id] = Skipped
		}
	}
}

// schemaFor is the schema set a row under rules runs with.
func (o Options) schemaFor(rules string) string {
	switch {
	case o.Schema != "":
		return o.Schema
	case rules == mock.RulesRFC:
		return "full"
	}
	return "dynatrace"
}

// Judge turns one run into its row: every failed rule is an expected
// finding of one of the variants, a pending harness failure, or
// unexpected.
func Judge(name string, variants []string, rules string, rr sensitivity.RunResult, checked []catalogue.Rule) Row {
	row := Row{Name: name, Variants: variants, Rules: rules, Run: rr, Cells: map[string]Cell{}, Failed: rr.Failed}
	label := fmt.Sprintf("%s (rules %s)", name, rules)
	expected := map[string]bool{}
	harness := map[string]Pending{}
	suitePending := ""
	for _, v := range variants {
		for _, f := range catalogue.VariantFindings(v) {
			expected[f.Rule] = true
		}
		for _, p := range pending {
			if p.Variant != v {
				continue
			}
			if p.SetUp {
				suitePending = p.Why
			}
			for _, id := range p.Rules {
				harness[id] = p
			}
		}
	}
	if rr.SuiteFailure != "" {
		if suitePending == "" {
			row.Problems = append(row.Problems, fmt.Sprintf("%s: the suite did not run: %s", label, rr.SuiteFailure))
			return row
		}
		for _, r := range checked {
			row.Cells[r.ID] = NotJudged
		}
		return row
	}
	if suitePending != "" && len(variants) == 1 {
		row.Warnings = append(row.Warnings, fmt.Sprintf("%s: the suite ran although a set-up failure is declared pending (%s): drop the entry from tolerance/pending.go", label, suitePending))
	}
	var unexpected []string
	for _, id := range rr.Failed {
		switch {
		case expected[id]:
			row.Cells[id] = Expected
		case harness[id].Variant != "":
			row.Cells[id] = Harness
		default:
			row.Cells[id] = Unexpected
			unexpected = append(unexpected, id)
		}
	}
	if len(unexpected) > 0 {
		row.Problems = append(row.Problems, fmt.Sprintf("%s fails %s, which the variant does not excuse (specs: %s); fix the specs' expectations (accept every answer the RFC permits, quote the sentence), or declare a finding below MUST in catalogue/variants.go",
			label, strings.Join(unexpected, ", "), strings.Join(specsOf(rr, unexpected), "; ")))
	}
	if len(variants) == 1 {
		for id := range expected {
			if !slices.Contains(rr.Failed, id) {
				row.Warnings = append(row.Warnings, fmt.Sprintf("%s: the declared finding %s did not fail", label, id))
			}
		}
	}
	return row
}

// stalePending warns of each pending rule that failed in none of its
// variant's single-variant rows: the harness work has landed, and the
// entry should go.
func stalePending(rows []Row) []string {
	var out []string
	for _, p := range pending {
		ran := false
		failed := map[string]bool{}
		for _, row := range rows {
			if len(row.Variants) != 1 || row.Variants[0] != p.Variant {
				continue
			}
			ran = true
			for _, id := range row.Failed {
				failed[id] = true
			}
		}
		if !ran {
			continue
		}
		for _, id := range p.Rules {
			if !failed[id] {
				out = append(out, fmt.Sprintf("%s: %s passes under every rules setting although it is declared a pending harness failure (%s): drop it from tolerance/pending.go", p.Variant, id, p.Owner))
			}
		}
	}
	return out
}

// specsOf lists the failed specs of rr that carry one of ids.
func specsOf(rr sensitivity.RunResult, ids []string) []string {
	var out []string
	for _, s := range rr.FailedSpecs {
		if slices.ContainsFunc(s.Rules, func(id string) bool { return slices.Contains(ids, id) }) && !slices.Contains(out, s.Text) {
			out = append(out, s.Text)
		}
	}
	return out
}

func count(row Row, c Cell) int {
	n := 0
	for _, x := range row.Cells {
		if x == c {
			n++
		}
	}
	return n
}

func summary(row Row) string {
	verdict := "ok"
	if len(row.Problems) > 0 {
		verdict = "PROBLEM"
	}
	if count(row, NotJudged) > 0 {
		return fmt.Sprintf("%-7s not judged: set-up failure pending harness work", verdict)
	}
	return fmt.Sprintf("%-7s expected %d, harness %d, unexpected %d, all skipped %d", verdict, count(row, Expected), count(row, Harness), count(row, Unexpected), count(row, Skipped))
}
