// Package reports owns what a conformance run tells people: it reads the
// Ginkgo JSON reports of the profile suites, maps every spec to the rules
// its labels name (catalogue), and renders the rule matrix as a Markdown
// summary, one self-contained HTML page (with the HTTP transcript of every
// failure) and a verdict for CI. Several runs (one per target) render side
// by side, server by server.
//
// It reads reports only: it never talks to a target and never imports the
// suites' helpers, so the JSON report is the whole contract.
package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/scimconf/scimconf/catalogue"
	"github.com/scimconf/scimconf/reportpage"
)

// Report entry names the suites write (suites/scimtest).
const (
	// EntryLeftovers names the suite-level entry listing the resources a run
	// left behind (and the harness then removed), one per line.
	EntryLeftovers = "leftovers"
)

// Run is one target's conformance run: every suite of one or more JSON
// report files given the same target name.
type Run struct {
	// Target names the server under test: the name of a name=path
	// argument, else the report file's directory name.
	Target string
	// Files are the report files read.
	Files []string
	// BaseURL is the scheme and host the specs talked to, taken from the
	// first recorded exchange; "" when nothing was recorded.
	BaseURL string
	// Start and End span the suites' run times.
	Start, End time.Time
	Suites     []Suite
}

// Suite is one profile suite's report.
type Suite struct {
	Description string // "rfc", "dynatrace", ...
	Path        string
	Succeeded   bool
	// Problems are Ginkgo's reasons for failing the suite beyond its specs
	// (interrupted, programmatic focus, ...).
	Problems []string
	// NodeFailures are the suite-level nodes (BeforeSuite, AfterSuite, ...)
	// that failed: when setup fails no spec runs, so the rule matrix alone
	// would look clean.
	NodeFailures []*Spec
	// Specs are the suite's It nodes, in report order.
	Specs []*Spec
	// Leftovers lists the resources the run did not remove itself.
	Leftovers  []string
	Start, End time.Time
}

// Spec is one spec's outcome.
type Spec struct {
	Suite string
	// Text is the spec's full text: its containers and its own text.
	Text string
	// Node is the leaf node's type: It, or a suite-level node such as
	// BeforeSuite.
	Node types.NodeType
	// Rules are the spec's labels that name a rule of the catalogue; Tags
	// are its other labels ("read-only", "admin", unknown ones).
	Rules []string
	Tags  []string
	State types.SpecState
	// Message is the failure message, or the reason given to Skip.
	Message string
	// Location is where the failure or skip happened, as file:line.
	Location string
	Attempts int
	RunTime  time.Duration
	// Exchanges are the HTTP exchanges the spec recorded, in order.
	Exchanges []reportpage.Exchange
}

// Outcome reduces the spec's state to pass, fail or skip. A state Ginkgo
// does not define counts as a failure: a report that cannot be read must
// not pass.
func (s *Spec) Outcome() Status {
	switch {
	case s.State.Is(types.SpecStatePassed):
		return StatusPass
	case s.State.Is(types.SpecStateSkipped | types.SpecStatePending):
		return StatusSkip
	}
	return StatusFail
}

// Load reads Ginkgo JSON reports (ginkgo --json-report), each holding the
// suites of one target's run. An argument is a path, or name=path to name
// the target; without a name the target is the file's directory name.
// Files given the same target name form one run (e.g. one file per suite
// with --keep-separate-reports). Runs keep the order of first appearance.
func Load(paths ...string) ([]Run, error) {
	if len(paths) == 0 {
		return nil, errors.New("no report file given")
	}
	var runs []Run
	for _, arg := range paths {
		name, path := splitArg(arg)
		suites, err := readFile(path)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(runs, func(r Run) bool { return r.Target == name })
		if i < 0 {
			runs = append(runs, Run{Target: name})
			i = len(runs) - 1
		}
		r := &runs[i]
		r.Files = append(r.Files, path)
		r.Suites = append(r.Suites, suites...)
	}
	for i := range runs {
		runs[i].span()
	}
	return runs, nil
}

// splitArg separates name=path. A path that exists as given wins, so a
// file whose name holds "=" can still be read.
func splitArg(arg string) (name, path string) {
	if name, path, ok := strings.Cut(arg, "="); ok && name != "" && !strings.ContainsAny(name, `/\`) {
		if _, err := os.Stat(arg); err != nil {
			return name, path
		}
	}
	abs, err := filepath.Abs(arg)
	if err != nil {
		abs = arg
	}
	return filepath.Base(filepath.Dir(abs)), arg
}

func readFile(path string) ([]Suite, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	var reports []types.Report
	if trimmed := bytes.TrimSpace(b); len(trimmed) > 0 && trimmed[0] == '{' {
		// One suite's report written on its own.
		var one types.Report
		if err := json.Unmarshal(b, &one); err != nil {
			return nil, fmt.Errorf("report %s: not a Ginkgo JSON report: %w", path, err)
		}
		reports = []types.Report{one}
	} else if err := json.Unmarshal(b, &reports); err != nil {
		return nil, fmt.Errorf("report %s: not a Ginkgo JSON report (ginkgo --json-report): %w", path, err)
	}
	if len(reports) == 0 {
		return nil, fmt.Errorf("report %s holds no suite", path)
	}
	suites := make([]Suite, 0, len(reports))
	for _, rep := range reports {
		suites = append(suites, fromReport(rep))
	}
	return suites, nil
}

func fromReport(rep types.Report) Suite {
	s := Suite{
		Description: rep.SuiteDescription,
		Path:        rep.SuitePath,
		Succeeded:   rep.SuiteSucceeded,
		Problems:    slices.Clone(rep.SpecialSuiteFailureReasons),
		Start:       rep.StartTime,
		End:         rep.EndTime,
	}
	if s.Description == "" && s.Path != "" {
		// Ginkgo leaves the description empty for a suite it did not
		// run (an earlier suite failed and --keep-going was not set).
		s.Description = filepath.Base(s.Path)
	}
	for _, sr := range rep.SpecReports {
		spec := fromSpecReport(s.Description, sr)
		if sr.LeafNodeType.Is(types.NodeTypesForSuiteLevelNodes) {
			// Entries added in suite-level nodes belong to the suite.
			for _, e := range sr.ReportEntries {
				if e.Name == EntryLeftovers {
					s.Leftovers = append(s.Leftovers, leftovers(e.Value)...)
				}
			}
			if spec.Outcome() == StatusFail {
				s.NodeFailures = append(s.NodeFailures, spec)
			}
			continue
		}
		if NotAttempted(sr) {
			// Filtered out (a label filter, a focus), or never reached
			// (interrupted): Ginkgo lists the spec as skipped, but it
			// never ran, so its rules count as not run rather than skipped.
			continue
		}
		s.Specs = append(s.Specs, spec)
	}
	return s
}

// NotAttempted reports whether Ginkgo skipped a spec without attempting
// it and without a reason: a label filter or focus left it out, or the
// run was interrupted before it. A spec skipped because an earlier spec
// of its Ordered container failed carries Ginkgo's reason, and stays a
// skipped spec.
func NotAttempted(sr types.SpecReport) bool {
	return sr.State.Is(types.SpecStateSkipped) && sr.NumAttempts == 0 && sr.Failure.Message == ""
}

func fromSpecReport(suite string, sr types.SpecReport) *Spec {
	spec := &Spec{
		Suite:    suite,
		Text:     sr.FullText(),
		Node:     sr.LeafNodeType,
		State:    sr.State,
		Message:  sr.Failure.Message,
		Attempts: sr.NumAttempts,
		RunTime:  sr.RunTime,
	}
	if spec.Text == "" {
		spec.Text = sr.LeafNodeType.String()
	}
	if p := sr.Failure.ForwardedPanic; p != "" {
		spec.Message = strings.TrimSpace(spec.Message + "\n" + p)
	}
	if af := sr.Failure.AdditionalFailure; af != nil && af.Failure.Message != "" {
		spec.Message = strings.TrimSpace(spec.Message + "\n\nthen (" + af.State.String() + "): " + af.Failure.Message)
	}
	if loc := sr.Failure.Location; loc.FileName != "" {
		spec.Location = fmt.Sprintf("%s:%d", loc.FileName, loc.LineNumber)
	}
	for _, l := range sr.Labels() {
		if _, ok := catalogue.ByID(l); ok {
			spec.Rules = append(spec.Rules, l)
		} else {
			spec.Tags = append(spec.Tags, l)
		}
	}
	for _, e := range sr.ReportEntries {
		if e.Name != reportpage.EntryHTTP {
			continue
		}
		var x reportpage.Exchange
		if err := json.Unmarshal([]byte(e.Value.AsJSON), &x); err != nil {
			// Keep the slot: a transcript with a hole says more than one
			// silently shorter.
			x = reportpage.Exchange{Error: "this exchange could not be read from the report: " + err.Error()}
		}
		spec.Exchanges = append(spec.Exchanges, x)
	}
	return spec
}

// leftovers reads the "leftovers" entry: one resource per line, or a JSON
// list.
func leftovers(v types.ReportEntryValue) []string {
	var lines []string
	var s string
	if err := json.Unmarshal([]byte(v.AsJSON), &s); err == nil {
		lines = strings.Split(s, "\n")
	} else if err := json.Unmarshal([]byte(v.AsJSON), &lines); err != nil {
		lines = strings.Split(v.Representation, "\n")
	}
	return slices.DeleteFunc(lines, func(l string) bool { return strings.TrimSpace(l) == "" })
}

// span fills the run's start, end and base URL from its suites.
func (r *Run) span() {
	for _, s := range r.Suites {
		if !s.Start.IsZero() && (r.Start.IsZero() || s.Start.Before(r.Start)) {
			r.Start = s.Start
		}
		if s.End.After(r.End) {
			r.End = s.End
		}
		for _, spec := range s.Specs {
			for _, x := range spec.Exchanges {
				if r.BaseURL != "" {
					break
				}
				if u, err := url.Parse(x.URL); err == nil && u.Host != "" {
					r.BaseURL = u.Scheme + "://" + u.Host
				}
			}
		}
	}
}

// Specs returns the run's specs of every suite, in report order.
func (r *Run) Specs() []*Spec {
	var out []*Spec
	for _, s := range r.Suites {
		out = append(out, s.Specs...)
	}
	return out
}

// Unmapped returns the specs that name no rule of the catalogue: the
// catalogue test should prevent them, so a report shows them rather than
// drop them.
func (r *Run) Unmapped() []*Spec {
	var out []*Spec
	for _, spec := range r.Specs() {
		if len(spec.Rules) == 0 {
			out = append(out, spec)
		}
	}
	return out
}

// Leftovers returns the resources the run left behind, per suite.
func (r *Run) Leftovers() map[string][]string {
	out := map[string][]string{}
	for _, s := range r.Suites {
		if len(s.Leftovers) > 0 {
			out[s.Description] = append(out[s.Description], s.Leftovers...)
		}
	}
	return out
}
