// Package conformance runs the profile suites compiled into this binary
// (suites/rfc, suites/dynatrace, suites/idp) in this process: one Ginkgo
// RunSpecs over the requested profiles, with the suite and reporter
// configuration set from code, as Kubernetes' e2e binary does. The specs
// register themselves when their packages are imported; a label filter
// built from the catalogue keeps the profiles that were asked for.
//
// It owns the run, not its reports: Run returns Ginkgo's report split into
// one report per profile, in the shape `ginkgo --json-report` writes, and
// the caller (cmd/scimconf) renders them with the reports package.
// Ginkgo runs a suite once per process, so Run can be called once.
package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/scimconf/scimconf/catalogue"
	"github.com/scimconf/scimconf/suites/scimtest"

	// The profile suites: importing them registers their specs.
	_ "github.com/scimconf/scimconf/suites/dynatrace"
	_ "github.com/scimconf/scimconf/suites/idp"
	_ "github.com/scimconf/scimconf/suites/rfc"
)

// Options say what to run and against what.
type Options struct {
	// Config is the target (empty BaseURL: the embedded mock).
	Config scimtest.Config
	// Profiles are the profiles to run, at least one.
	Profiles []catalogue.Profile
	// LabelFilter narrows the specs further (Ginkgo's label filter
	// syntax, e.g. "RFC-CREATE || DT-USER-EMAIL").
	LabelFilter string
	// Progress receives one line per finished spec group (with counts), a
	// line per failure, and a line when a spec has run for a while; nil
	// prints nothing.
	Progress io.Writer
	// Color marks failures in red on Progress (a terminal).
	Color bool
	// GinkgoOutput, when set, receives Ginkgo's own default reporter
	// output (dots and failure details); nil discards it.
	GinkgoOutput io.Writer
	// Quiet is how long a spec may run before Progress says which one is
	// running; 0 means 5s.
	Quiet time.Duration
}

// Result is a finished run.
type Result struct {
	// Reports holds one report per profile, in Options.Profiles order,
	// each with that profile's specs only; the suite-level nodes
	// (setup, cleanup) are in the first.
	Reports []types.Report
	// Specs counts the specs that ran (not those filtered out).
	Specs int
	// Took is the suite's wall time.
	Took time.Duration
}

var ran bool

// Run runs the requested profiles' specs once against opts.Config.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if ran {
		return nil, errors.New("the suites already ran in this process (Ginkgo runs a suite once per process)")
	}
	if len(opts.Profiles) == 0 {
		return nil, errors.New("no profile to run")
	}
	ran = true
	filter, err := LabelFilter(opts.Profiles, opts.LabelFilter)
	if err != nil {
		return nil, err
	}
	scimtest.Configure(opts.Config)
	gomega.RegisterFailHandler(scimtest.Fail)

	suiteConfig, reporterConfig := ginkgo.GinkgoConfiguration()
	suiteConfig.LabelFilter = filter
	suiteConfig.ParallelProcess, suiteConfig.ParallelTotal = 1, 1
	reporterConfig.NoColor = !opts.Color
	reporterConfig.SilenceSkips = true
	// Ginkgo's default reporter writes to formatter.ColorableStdOut; the
	// binary's own progress lines replace it unless asked for.
	formatter.ColorableStdOut = orDiscard(opts.GinkgoOutput)

	// No PreviewSpecs before RunSpecs to count the specs ahead: Ginkgo's
	// preview leaves the suite without its top-level setup nodes (the
	// clone it restores keeps containers and suite nodes only), and
	// scimtest's BeforeEach, which skips what the target cannot run, is one.
	p := newProgress(opts)

	var report types.Report
	ginkgo.ReportBeforeSuite(p.start)
	ginkgo.ReportBeforeEach(p.before)
	ginkgo.ReportAfterEach(p.after)
	ginkgo.ReportAfterSuite("scimconf conformance report", func(r ginkgo.Report) { report = r })

	stop := p.heartbeat(ctx)
	start := time.Now()
	ginkgo.RunSpecs(failer{}, "scimconf conformance", suiteConfig, reporterConfig)
	stop()
	p.flush()
	return &Result{Reports: Split(report, opts.Profiles), Specs: p.done, Took: time.Since(start)}, nil
}

// failer is the GinkgoTestingT outside go test: the verdict comes from
// the report, not from here.
type failer struct{}

func (failer) Fail() {}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// LabelFilter returns the Ginkgo label filter that selects the specs of
// profiles (a spec belongs to the profiles of the rules it names), and'ed
// with extra when that is not empty.
func LabelFilter(profiles []catalogue.Profile, extra string) (string, error) {
	var ids []string
	for _, r := range catalogue.All() {
		if slices.Contains(profiles, r.Profile) {
			ids = append(ids, regexp.QuoteMeta(r.ID))
		}
	}
	if len(ids) == 0 {
		return "", fmt.Errorf("profiles %v have no rules", profiles)
	}
	f := "/^(" + strings.Join(ids, "|") + ")$/"
	if extra = strings.TrimSpace(extra); extra != "" {
		if _, err := types.ParseLabelFilter(extra); err != nil {
			return "", fmt.Errorf("label filter %q: %w", extra, err)
		}
		f = "(" + f + ") && (" + extra + ")"
	}
	return f, nil
}

// ProfileOf returns the profile of the first label of labels that names
// a rule of the catalogue, and false when none does.
func ProfileOf(labels []string) (catalogue.Profile, bool) {
	for _, l := range labels {
		if r, ok := catalogue.ByID(l); ok {
			return r.Profile, true
		}
	}
	return "", false
}

// Split turns the one report of a run over several profiles into one
// report per profile, as the Ginkgo CLI writes for one suite per
// package: each with its profile as description and that profile's specs.
// Specs the label filter left out (never attempted) are dropped: they did
// not run, and the reports say "not run" for rules without specs. The
// suite-level nodes go to the first profile's report.
func Split(r types.Report, profiles []catalogue.Profile) []types.Report {
	out := make([]types.Report, len(profiles))
	for i, p := range profiles {
		out[i] = r
		out[i].SuiteDescription = string(p)
		out[i].SpecReports = nil
	}
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType.Is(types.NodeTypesForSuiteLevelNodes) {
			out[0].SpecReports = append(out[0].SpecReports, sr)
			continue
		}
		if notAttempted(sr) {
			continue // filtered out
		}
		p, _ := ProfileOf(sr.Labels())
		i := slices.Index(profiles, p)
		if i < 0 {
			i = 0 // a spec naming no rule: keep it, the verdict flags it
		}
		out[i].SpecReports = append(out[i].SpecReports, sr)
	}
	return out
}

// notAttempted reports whether Ginkgo skipped a spec without attempting
// it and without a reason: filtered out, or not reached after an
// interrupt (reports.NotAttempted, which this layer may not import, says
// the same). A spec skipped after an earlier failure in its Ordered
// container has Ginkgo's reason and counts as skipped.
func notAttempted(sr types.SpecReport) bool {
	return sr.State.Is(types.SpecStateSkipped) && sr.NumAttempts == 0 && sr.Failure.Message == ""
}

// progress prints a line per finished spec group: the profile, the
// group (the spec's outermost container), its counts and how far the run
// is; a line per failure; and, when a spec runs longer than opts.Quiet,
// which one.
type progress struct {
	w     io.Writer
	color bool
	quiet time.Duration

	mu      sync.Mutex
	total   int
	group   string
	profile catalogue.Profile
	counts  [3]int // passed, failed, skipped in the current group
	current string
	since   time.Time
	last    time.Time
	done    int
}

func newProgress(opts Options) *progress {
	p := &progress{w: opts.Progress, color: opts.Color, quiet: opts.Quiet, last: time.Now()}
	if p.quiet <= 0 {
		p.quiet = 5 * time.Second
	}
	return p
}

// start learns how many specs will run.
func (p *progress) start(r types.Report) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total = r.PreRunStats.SpecsThatWillRun
	if p.w != nil {
		fmt.Fprintf(p.w, "%d specs to run\n", p.total)
		p.last = time.Now()
	}
}

func groupOf(sr types.SpecReport) string {
	if len(sr.ContainerHierarchyTexts) > 0 {
		return sr.ContainerHierarchyTexts[0]
	}
	return sr.LeafNodeText
}

func (p *progress) before(sr types.SpecReport) {
	if notAttempted(sr) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.current, p.since = sr.FullText(), time.Now()
}

func (p *progress) after(sr types.SpecReport) {
	if sr.LeafNodeType != types.NodeTypeIt || (notAttempted(sr)) {
		return // filtered out: not run, not counted
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	prof, _ := ProfileOf(sr.Labels())
	if g := groupOf(sr); g != p.group || prof != p.profile {
		p.flushLocked()
		p.group, p.profile = g, prof
	}
	p.done++
	p.current = ""
	switch {
	case sr.State.Is(types.SpecStatePassed):
		p.counts[0]++
	case sr.State.Is(types.SpecStateSkipped | types.SpecStatePending):
		p.counts[2]++
	default:
		p.counts[1]++
		if p.w != nil {
			fail := "FAIL"
			if p.color {
				fail = "\x1b[31mFAIL\x1b[0m"
			}
			fmt.Fprintf(p.w, "  %s %s: %s\n", fail, sr.FullText(), firstLine(sr.Failure.Message))
			p.last = time.Now()
		}
	}
}

// flush prints the last group's line.
func (p *progress) flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.flushLocked()
}

func (p *progress) flushLocked() {
	if p.group == "" || p.w == nil {
		p.counts = [3]int{}
		return
	}
	c := p.counts
	line := fmt.Sprintf("[%d/%d] %s · %s: %d passed", p.done, p.total, p.profile, p.group, c[0])
	if c[1] > 0 {
		line += fmt.Sprintf(", %d failed", c[1])
	}
	if c[2] > 0 {
		line += fmt.Sprintf(", %d skipped", c[2])
	}
	fmt.Fprintln(p.w, line)
	p.counts, p.group, p.last = [3]int{}, "", time.Now()
}

// heartbeat says which spec is running when nothing was printed for
// p.quiet; the returned func stops it.
func (p *progress) heartbeat(ctx context.Context) func() {
	if p.w == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case now := <-t.C:
				p.mu.Lock()
				if p.current != "" && now.Sub(p.last) >= p.quiet && now.Sub(p.since) >= p.quiet {
					fmt.Fprintf(p.w, "  ... still running (%s): %s\n", now.Sub(p.since).Round(time.Second), p.current)
					p.last = now
				}
				p.mu.Unlock()
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// firstLine is a failure's first line that says something: the rule
// header the suites' fail handler writes first is left out (the spec's
// labels name the rules).
func firstLine(msg string) string {
	for _, l := range strings.Split(msg, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "rule ") {
			continue
		}
		if r := []rune(l); len(r) > 160 {
			l = string(r[:159]) + "…"
		}
		return l
	}
	return ""
}
