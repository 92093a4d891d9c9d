// Command runner is `make interop`: it builds and starts each third-party SCIM
// server under interop/ on loopback, runs scimconf's rfc profile against it,
// compares the specs that failed with the server's expectations.json, and
// writes interop/MATRIX.md. It exits 1 when any server's failures differ from
// its file (a new failure or a vanished one), printing the difference.
//
// It is a module of its own, like each Go server here, so that the main module
// neither depends on it nor places it in a layer of ARCHITECTURE.md.
//
// Usage (from the repository root, as the Makefile does):
//
//	go -C interop/runner run . [-servers elimity,scimmy] [-update]
//
// -update adds every observed failure missing from an expectations file as an
// "unclassified" entry with its request and answer (and drops vanished ones),
// for a person to classify; the run still fails while any entry is
// unclassified.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// server is one third-party implementation: how to build it, how to start it.
type server struct {
	name     string
	language string
	library  string
	build    [][]string // run in its directory, in order
	start    []string   // run in its directory; prints SCIM_BASE_URL= and SCIM_TOKEN=
}

var servers = []server{
	{
		name: "elimity", language: "Go", library: "github.com/elimity-com/scim",
		build: [][]string{{"go", "build", "-o", "../out/bin/elimity", "."}},
		start: []string{"../out/bin/elimity"},
	},
	{
		name: "scimmy", language: "JavaScript (Node)", library: "scimmy + scimmy-routers",
		build: [][]string{{"npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"}},
		start: []string{"node", "server.js"},
	},
	{
		name: "betterauth", language: "TypeScript (Node)", library: "better-auth + @better-auth/scim",
		build: [][]string{{"npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"}},
		start: []string{"node", "server.js"},
	},
}

func main() {
	root := flag.String("root", "../..", "the scimconf checkout (where go run ./cmd/scimconf works)")
	only := flag.String("servers", "", "comma-separated servers to run; empty: all")
	update := flag.Bool("update", false, "rewrite the expectations files: add new failures as unclassified, drop vanished ones")
	skipBuild := flag.Bool("skip-build", false, "do not build or npm ci (the servers are built already)")
	flag.Parse()

	rootDir, err := filepath.Abs(*root)
	if err != nil {
		fatal(err)
	}
	interop := filepath.Join(rootDir, "interop")
	var results []result
	failed := false
	passedServers, failedServers := 0, 0
	for _, s := range servers {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), s.name) {
			continue
		}
		res, err := run(rootDir, interop, s, *skipBuild)
		if err != nil {
			fmt.Fprintf(os.Stderr, "interop: %s: %v\n", s.name, err)
			failed = true
			failedServers++
			continue
		}
		expPath := filepath.Join(interop, s.name, "expectations.json")
		exp, err := readExpectations(expPath)
		if err != nil {
			fmt.Fprintf(os.Stderr, "interop: %s: %v\n", s.name, err)
			failed = true
			continue
		}
		res.expectations = exp
		diff := compare(res, exp)
		// A server may close a keep-alive connection at any time (RFC 9112
		// section 9.5), and the suites report the reset as the spec's failure
		// (a harness defect, reported). A run whose only differences are such
		// transport errors is run once more rather than failed.
		if len(diff) > 0 && !*update && onlyTransportErrors(res, exp) {
			fmt.Printf("%s: the only new failures are transport errors; running it once more\n", s.name)
			if again, err := run(rootDir, interop, s, true); err == nil {
				again.expectations = exp
				res, diff = again, compare(again, exp)
			}
		}
		if *update {
			exp = updated(res, exp)
			if err := writeExpectations(expPath, exp); err != nil {
				fatal(err)
			}
			res.expectations = exp
		}
		unclassified := 0
		for _, f := range exp.Failures {
			if c, ok := exp.Causes[f.Cause]; !ok || c.Verdict == "" || c.Verdict == "unclassified" {
				unclassified++
			}
		}
		fmt.Printf("== %s (%s): %d specs, %d passed, %d failed, %d skipped; expectations: %d failures, %d unclassified\n",
			s.name, s.library, len(res.specs), res.count("passed"), len(res.failures()), res.count("skipped"), len(exp.Failures), unclassified)
		if len(diff) > 0 {
			failed = true
			fmt.Printf("%s: the observed failures differ from %s:\n", s.name, rel(rootDir, expPath))
			for _, d := range diff {
				fmt.Println("  " + d)
			}
		}
		if unclassified > 0 {
			failed = true
			fmt.Printf("%s: %d failures in %s are not classified (server or harness, with the RFC sentence)\n", s.name, unclassified, rel(rootDir, expPath))
		}
		if len(diff) > 0 || unclassified > 0 {
			failedServers++
		} else {
			passedServers++
		}
		results = append(results, res)
	}
	if len(results) > 0 {
		if err := os.WriteFile(filepath.Join(interop, "MATRIX.md"), []byte(matrix(results)), 0o644); err != nil {
			fatal(err)
		}
		fmt.Println("wrote interop/MATRIX.md")
	}
	// The closing line counts servers: passed when its failures are exactly
	// those of its expectations file, every one classified.
	fmt.Printf("interop: %d passed, %d failed\n", passedServers, failedServers)
	if failed {
		os.Exit(1)
	}
}

func rel(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil {
		return r
	}
	return p
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "interop:", err)
	os.Exit(2)
}

// spec is one Ginkgo spec of the run: its full text, rule labels and outcome.
type spec struct {
	Name    string
	Rules   []string
	State   string
	Message string
}

type result struct {
	server       server
	specs        []spec
	expectations expectations
}

func (r result) count(state string) int {
	n := 0
	for _, s := range r.specs {
		if s.State == state {
			n++
		}
	}
	return n
}

func (r result) failures() []spec {
	var out []spec
	for _, s := range r.specs {
		if failedState(s.State) {
			out = append(out, s)
		}
	}
	return out
}

func failedState(state string) bool {
	switch state {
	case "failed", "panicked", "timedout", "aborted", "interrupted":
		return true
	}
	return false
}

// run builds and starts s, runs the rfc profile against it and reads the
// report; the server is stopped before it returns.
func run(root, interop string, s server, skipBuild bool) (result, error) {
	dir := filepath.Join(interop, s.name)
	if !skipBuild {
		for _, argv := range s.build {
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Dir, cmd.Stdout, cmd.Stderr = dir, os.Stderr, os.Stderr
			if err := cmd.Run(); err != nil {
				return result{}, fmt.Errorf("build %s: %w", strings.Join(argv, " "), err)
			}
		}
	}
	outDir := filepath.Join(interop, "out", s.name)
	if err := os.RemoveAll(outDir); err != nil {
		return result{}, err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return result{}, err
	}
	logFile, err := os.Create(filepath.Join(outDir, "server.log"))
	if err != nil {
		return result{}, err
	}
	defer logFile.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, s.start[0], s.start[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PORT=0", "SCIM_TOKEN=")
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return result{}, err
	}
	cmd.Cancel = func() error { return cmd.Process.Kill() }
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return result{}, fmt.Errorf("start: %w", err)
	}
	defer func() { cancel(); _ = cmd.Wait() }()

	found := make(chan [2]string, 1)
	go func() {
		var url, token string
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(logFile, line)
			if v, ok := strings.CutPrefix(line, "SCIM_BASE_URL="); ok {
				url = v
			}
			if v, ok := strings.CutPrefix(line, "SCIM_TOKEN="); ok {
				token = v
			}
			if url != "" && token != "" {
				found <- [2]string{url, token}
				url = ""
			}
		}
		_, _ = io.Copy(logFile, stdout)
	}()
	var target [2]string
	select {
	case target = <-found:
	case <-time.After(60 * time.Second):
		return result{}, fmt.Errorf("did not print SCIM_BASE_URL and SCIM_TOKEN within 60 s (log: %s)", rel(root, logFile.Name()))
	}
	fmt.Printf("== %s listens at %s\n", s.name, target[0])

	// The token goes through the environment, not argv, so no process list
	// shows it. The binary runs the specs in one process, one after the
	// other: the server sees the same requests in the same order on every
	// run, so its failures do not change with the interleaving of parallel
	// specs (the expectations file is exact).
	conf := exec.Command("go", "run", "./cmd/scimconf", "conformance", "--target", target[0],
		"--profile", "rfc", "--out", outDir, "--name", s.name)
	conf.Dir = root
	conf.Env = append(os.Environ(), "SCIM_TOKEN="+target[1])
	confLog, err := os.Create(filepath.Join(outDir, "conformance.log"))
	if err != nil {
		return result{}, err
	}
	defer confLog.Close()
	conf.Stdout, conf.Stderr = confLog, confLog
	err = conf.Run()
	reportPath := filepath.Join(outDir, "report.json")
	specs, rerr := readReport(reportPath)
	if rerr != nil {
		return result{}, fmt.Errorf("conformance run (%v) left no readable report (%v); see %s", err, rerr, rel(root, confLog.Name()))
	}
	return result{server: s, specs: specs}, nil
}

// readReport reads the Ginkgo JSON report scimconf writes as report.json.
func readReport(path string) ([]spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var suites []struct {
		SpecReports []struct {
			ContainerHierarchyTexts  []string
			ContainerHierarchyLabels [][]string
			LeafNodeType             string
			LeafNodeText             string
			LeafNodeLabels           []string
			State                    string
			Failure                  struct{ Message string }
		}
	}
	if err := json.Unmarshal(b, &suites); err != nil {
		return nil, err
	}
	var out []spec
	for _, su := range suites {
		for _, r := range su.SpecReports {
			if r.LeafNodeType != "It" {
				continue
			}
			var rules []string
			for _, ls := range append(r.ContainerHierarchyLabels, r.LeafNodeLabels) {
				for _, l := range ls {
					if ruleID.MatchString(l) && !slices.Contains(rules, l) {
						rules = append(rules, l)
					}
				}
			}
			out = append(out, spec{
				Name:    strings.Join(append(slices.Clone(r.ContainerHierarchyTexts), r.LeafNodeText), " "),
				Rules:   rules,
				State:   r.State,
				Message: r.Failure.Message,
			})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no specs in %s", path)
	}
	return out, nil
}

var ruleID = regexp.MustCompile(`^[A-Z]+(-[A-Z0-9]+)+$`)

// expectations is a server's expectations.json: every spec that fails there,
// each pointing at a cause that says whose fault it is and why, in the RFC's
// words.
type expectations struct {
	Server   string           `json:"server"`
	Library  string           `json:"library"`
	Versions string           `json:"versions"`
	Glue     string           `json:"glue"`
	Causes   map[string]cause `json:"causes"`
	Failures []failure        `json:"failures"`
}

// cause is one reason behind one or more failed specs.
type cause struct {
	// Verdict: "server" (the server breaks the quoted sentence) or "harness"
	// (the quoted sentence permits the server's answer: a false failure).
	Verdict string `json:"verdict"`
	// Kind of a harness false failure, e.g. "MUST-level failure for an
	// OPTIONAL feature", "assertion the RFC does not make", "failure charged
	// to the wrong spec"; for a server defect a word for the matrix.
	Kind string `json:"kind"`
	// RFC: the sentence, quoted exactly, with its section.
	RFC  string `json:"rfc"`
	Note string `json:"note,omitempty"`
	// Unstable: the specs of this cause fail in some runs and not in others
	// (their fixture depends on the suites' random order); neither a new nor
	// a vanished failure of them fails the run.
	Unstable bool `json:"unstable,omitempty"`
}

type failure struct {
	Spec    string   `json:"spec"`
	Rules   []string `json:"rules"`
	Cause   string   `json:"cause"`
	Request string   `json:"request,omitempty"`
	Answer  string   `json:"answer,omitempty"`
}

func readExpectations(path string) (expectations, error) {
	var e expectations
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return expectations{Causes: map[string]cause{}}, nil
	}
	if err != nil {
		return e, err
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return e, fmt.Errorf("%s: %w", path, err)
	}
	if e.Causes == nil {
		e.Causes = map[string]cause{}
	}
	return e, nil
}

func writeExpectations(path string, e expectations) error {
	sort.Slice(e.Failures, func(i, j int) bool { return e.Failures[i].Spec < e.Failures[j].Spec })
	// Requests and quotes hold & < > as they are: escaped, every update
	// would rewrite lines that did not change.
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(e); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// compare lists the specs that fail but are not expected to, and those
// expected to fail that no longer do.
func compare(r result, e expectations) []string {
	expected := map[string]bool{}
	unstable := map[string]bool{}
	for _, f := range e.Failures {
		expected[f.Spec] = true
		unstable[f.Spec] = e.Causes[f.Cause].Unstable
	}
	observed := map[string]spec{}
	for _, s := range r.failures() {
		observed[s.Name] = s
	}
	var out []string
	for _, s := range r.failures() {
		if !expected[s.Name] {
			out = append(out, fmt.Sprintf("+ new failure [%s] %s\n      %s", strings.Join(s.Rules, ","), s.Name, firstLines(s.Message, 3)))
		}
	}
	for _, f := range e.Failures {
		if _, ok := observed[f.Spec]; !ok && !unstable[f.Spec] {
			state := "not run"
			for _, s := range r.specs {
				if s.Name == f.Spec {
					state = s.State
				}
			}
			out = append(out, fmt.Sprintf("- vanished failure [%s] %s (now %s)", strings.Join(f.Rules, ","), f.Spec, state))
		}
	}
	return out
}

// onlyTransportErrors: every failure not in e is a transport error, and
// no expected failure vanished.
func onlyTransportErrors(r result, e expectations) bool {
	expected := map[string]bool{}
	for _, f := range e.Failures {
		expected[f.Spec] = true
	}
	for _, d := range compare(r, e) {
		if strings.HasPrefix(d, "- ") {
			return false
		}
	}
	for _, s := range r.failures() {
		if !expected[s.Name] && !strings.Contains(s.Message, "transport error") {
			return false
		}
	}
	return true
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n      ")
}

// updated is e with the observed failures: kept entries keep their cause,
// new ones get cause "unclassified" and the request and answer from the
// failure message.
func updated(r result, e expectations) expectations {
	old := map[string]failure{}
	for _, f := range e.Failures {
		old[f.Spec] = f
	}
	var fs []failure
	seen := map[string]bool{}
	for _, s := range r.failures() {
		seen[s.Name] = true
		if f, ok := old[s.Spec()]; ok {
			f.Rules = s.Rules
			fs = append(fs, f)
			continue
		}
		req, ans := exchange(s.Message)
		fs = append(fs, failure{Spec: s.Name, Rules: s.Rules, Cause: "unclassified", Request: req, Answer: ans})
	}
	for _, f := range e.Failures {
		if !seen[f.Spec] && e.Causes[f.Cause].Unstable {
			fs = append(fs, f)
		}
	}
	if _, ok := e.Causes["unclassified"]; !ok && slices.ContainsFunc(fs, func(f failure) bool { return f.Cause == "unclassified" }) {
		e.Causes["unclassified"] = cause{Verdict: "unclassified"}
	}
	e.Failures = fs
	return e
}

func (s spec) Spec() string { return s.Name }

// exchange pulls the last recorded request ("> " lines) and its answer
// ("< " lines) out of a failure message, shortened.
func exchange(msg string) (req, ans string) {
	var reqLines, ansLines []string
	inAnswer := false
	for _, line := range strings.Split(msg, "\n") {
		switch {
		case strings.HasPrefix(line, "> "):
			if inAnswer {
				reqLines, ansLines, inAnswer = nil, nil, false
			}
			reqLines = append(reqLines, strings.TrimPrefix(line, "> "))
		case strings.HasPrefix(line, "< "):
			inAnswer = true
			ansLines = append(ansLines, strings.TrimPrefix(line, "< "))
		}
	}
	req, ans = strings.Join(reqLines, "\n"), strings.Join(ansLines, "\n")
	if req == "" {
		// No transcript in the message: keep what it says came back.
		for _, line := range strings.Split(msg, "\n") {
			if strings.Contains(line, "want") || strings.Contains(line, "got") || strings.Contains(line, "expected") {
				ans = strings.TrimSpace(line)
			}
		}
	}
	return shorten(req, 600), shorten(ans, 900)
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// matrix renders servers x rules. A rule passes on a server when every spec
// carrying its label passed, is skipped when none ran, and fails otherwise;
// a failed cell names the verdict of the causes behind it.
func matrix(results []result) string {
	var b strings.Builder
	b.WriteString("# Interop matrix\n\n")
	b.WriteString("Generated by `make interop` (interop/runner): scimconf's `rfc` profile against third-party SCIM servers,\n")
	b.WriteString("each started on loopback from interop/<server>/. Do not edit by hand.\n\n")
	b.WriteString("A cell is `pass` when every spec carrying the rule passed, `skipped` when none of them ran (declared unsupported or\n")
	b.WriteString("needing what the server lacks), and `fail (server)` / `fail (harness)` / `fail (new)` when at least one failed: `server`\n")
	b.WriteString("when the server breaks the RFC sentence quoted in its expectations file, `harness` when the RFC permits the server's\n")
	b.WriteString("answer (a false failure to fix in the suites), `new` when the failure is not in the file. Counts are of specs;\n")
	b.WriteString("specs whose expected cause is `unstable` (they fail in some runs only) are counted apart, as `+N unstable` in a cell,\n")
	b.WriteString("so that the matrix reads the same from run to run; every one of them is a harness false failure.\n\n")
	rules := map[string]bool{}
	for _, r := range results {
		for _, s := range r.specs {
			for _, id := range s.Rules {
				rules[id] = true
			}
		}
	}
	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)

	b.WriteString("| server | library | language | specs | passed | failed | skipped | unstable | server defects | harness false failures |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, r := range results {
		passed, failed, skipped, unst, srv, har := 0, 0, 0, 0, 0, 0
		for _, s := range r.specs {
			switch {
			case unstable(r, s):
				unst++
			case failedState(s.State):
				failed++
				switch verdictOf(r, s) {
				case "server":
					srv++
				case "harness":
					har++
				}
			case s.State == "passed":
				passed++
			default:
				skipped++
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %d | %d | %d | %d | %d |\n", r.server.name, r.server.library, r.server.language,
			len(r.specs), passed, failed, skipped, unst, srv, har)
	}
	b.WriteString("\n| rule |")
	for _, r := range results {
		b.WriteString(" " + r.server.name + " |")
	}
	b.WriteString("\n| --- |")
	for range results {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for _, id := range ids {
		fmt.Fprintf(&b, "| %s |", id)
		for _, r := range results {
			b.WriteString(" " + cell(r, id) + " |")
		}
		b.WriteString("\n")
	}
	for _, r := range results {
		fmt.Fprintf(&b, "\n## %s\n\n", r.server.name)
		// The expected failures (all of them, unstable ones too, so the
		// list reads the same from run to run) and any new ones.
		byCause := map[string][]string{}
		for _, f := range r.expectations.Failures {
			byCause[f.Cause] = append(byCause[f.Cause], fmt.Sprintf("[%s] %s", strings.Join(f.Rules, ", "), f.Spec))
		}
		for _, s := range r.failures() {
			if c := causeOf(r, s); c == "(not in expectations.json)" {
				byCause[c] = append(byCause[c], fmt.Sprintf("[%s] %s", strings.Join(s.Rules, ", "), s.Name))
			}
		}
		if len(byCause) == 0 {
			b.WriteString("No spec failed.\n")
			continue
		}
		names := make([]string, 0, len(byCause))
		for c := range byCause {
			names = append(names, c)
		}
		sort.Slice(names, func(i, j int) bool {
			vi, vj := r.expectations.Causes[names[i]].Verdict, r.expectations.Causes[names[j]].Verdict
			if vi != vj {
				return vi < vj
			}
			return names[i] < names[j]
		})
		for _, c := range names {
			cs := r.expectations.Causes[c]
			verdict := cs.Verdict
			if verdict == "" {
				verdict = "new"
			}
			fmt.Fprintf(&b, "- **%s** (%s", c, verdict)
			if cs.Kind != "" {
				fmt.Fprintf(&b, ": %s", cs.Kind)
			}
			b.WriteString(")")
			if cs.RFC != "" {
				fmt.Fprintf(&b, ". %s", oneLine(cs.RFC))
			}
			if cs.Unstable {
				b.WriteString(" Unstable: fails in some runs only.")
			}
			b.WriteString("\n")
			lines := byCause[c]
			sort.Strings(lines)
			for _, l := range lines {
				fmt.Fprintf(&b, "  - %s\n", l)
			}
		}
	}
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// unstable: the spec's expected cause says it fails in some runs only; the
// matrix leaves such specs out of pass/fail/skipped so that it reads the same
// from run to run, and counts them apart.
func unstable(r result, s spec) bool {
	for _, f := range r.expectations.Failures {
		if f.Spec == s.Name {
			return r.expectations.Causes[f.Cause].Unstable
		}
	}
	return false
}

func causeOf(r result, s spec) string {
	for _, f := range r.expectations.Failures {
		if f.Spec == s.Name {
			return f.Cause
		}
	}
	return "(not in expectations.json)"
}

func verdictOf(r result, s spec) string {
	if c, ok := r.expectations.Causes[causeOf(r, s)]; ok && c.Verdict != "" {
		return c.Verdict
	}
	return "new"
}

func cell(r result, id string) string {
	ran, unst, failedSpecs := 0, 0, []spec{}
	for _, s := range r.specs {
		if !slices.Contains(s.Rules, id) {
			continue
		}
		if unstable(r, s) {
			unst++
			continue
		}
		if s.State != "skipped" && s.State != "pending" {
			ran++
		}
		if failedState(s.State) {
			failedSpecs = append(failedSpecs, s)
		}
	}
	suffix := ""
	if unst > 0 {
		suffix = fmt.Sprintf(" +%d unstable", unst)
	}
	switch {
	case len(failedSpecs) > 0:
		var verdicts []string
		for _, s := range failedSpecs {
			if v := verdictOf(r, s); !slices.Contains(verdicts, v) {
				verdicts = append(verdicts, v)
			}
		}
		sort.Strings(verdicts)
		return fmt.Sprintf("fail (%s) %d/%d", strings.Join(verdicts, ", "), len(failedSpecs), ran) + suffix
	case ran == 0 && unst > 0:
		return fmt.Sprintf("unstable (%d)", unst)
	case ran == 0:
		return "skipped"
	default:
		return "pass" + suffix
	}
}
