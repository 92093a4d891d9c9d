package reports

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/scimconf/scimconf/catalogue"
)

// Options shape the rendered reports and the verdict.
type Options struct {
	// Title heads the pages; "" gives "SCIM conformance report".
	Title string
	// StrictShould makes a failed SHOULD rule fail the verdict; by default
	// it is a warning. A MAY rule never fails the verdict.
	StrictShould bool
	// Switches maps a rule ID to the mock's violation switches that prove
	// the rule's specs can fail; the HTML matrix shows them in a "proved
	// by" column, hidden when Switches is nil.
	Switches map[string][]string
	// Generated is the time the pages say they were made; zero means now.
	Generated time.Time
}

func (o Options) title() string {
	if o.Title != "" {
		return o.Title
	}
	return "SCIM conformance report"
}

func (o Options) generated() time.Time {
	if o.Generated.IsZero() {
		return time.Now()
	}
	return o.Generated
}

// Verdict judges the runs for CI: exit code 1 when a MUST rule failed in
// any run (or a SHOULD rule with opts.StrictShould), and also when a run
// cannot vouch for its matrix: a suite-level node failed (setup or
// cleanup), Ginkgo failed a suite for another reason (interrupted, focus),
// a spec naming no known rule failed, or no rule was checked at all.
// Otherwise 0; failed SHOULD rules are then warnings and failed MAY rules
// notes. The summary has one line per finding, a verdict line per profile
// that ran (the overall verdict fails exactly when one of them fails, so
// the exit status and every printed verdict agree), saying how many MUST
// rules were not run and why, and ends with the overall verdict.
func Verdict(runs []Run, opts Options) (exitCode int, summary string) {
	v := judge(runs, opts)
	return v.Code, strings.Join(v.Lines, "\n")
}

type verdict struct {
	Code  int
	Lines []string
}

func (v verdict) Passed() bool { return v.Code == 0 }

func judge(runs []Run, opts Options) verdict {
	var v verdict
	fail := func(format string, args ...any) {
		v.Code = 1
		v.Lines = append(v.Lines, fmt.Sprintf(format, args...))
	}
	note := func(format string, args ...any) {
		v.Lines = append(v.Lines, fmt.Sprintf(format, args...))
	}
	if len(runs) == 0 {
		fail("FAIL: no run to judge")
	}
	for i := range runs {
		r := &runs[i]
		matrix := r.Matrix()
		// Run-level findings: the suites could not vouch for the matrix.
		vouch := true
		for _, s := range r.Suites {
			for _, nf := range s.NodeFailures {
				vouch = false
				fail("%s: FAIL: suite %s: %s failed: %s", r.Target, s.Description, nf.Text, headline(nf.Message))
			}
			for _, p := range s.Problems {
				vouch = false
				fail("%s: FAIL: suite %s: %s", r.Target, s.Description, p)
			}
		}
		var unmapped []string
		for _, spec := range r.Unmapped() {
			if spec.Outcome() == StatusFail {
				unmapped = append(unmapped, fmt.Sprintf("%q", spec.Text))
			}
		}
		if len(unmapped) > 0 {
			vouch = false
			fail("%s: FAIL: %s naming no known rule failed: %s", r.Target, plural(len(unmapped), "spec"), strings.Join(unmapped, ", "))
		}
		ran := 0
		for _, p := range catalogue.Profiles() {
			pv, ok := judgeProfile(r.Target, p, matrix, vouch, opts)
			if !ok {
				continue // the profile was not run: none of its specs is in the report
			}
			ran++
			v.Lines = append(v.Lines, pv.Lines...)
			if pv.Code != 0 {
				v.Code = 1
			}
		}
		if ran == 0 {
			fail("%s: FAIL: no rule was checked: the report holds no spec of any rule", r.Target)
		}
		if n := len(r.leftoverList()); n > 0 {
			note("%s: warning: the run left %s behind (removed afterwards)", r.Target, plural(n, "resource"))
		}
	}
	if v.Code == 0 {
		v.Lines = append(v.Lines, "verdict: PASS")
	} else {
		v.Lines = append(v.Lines, "verdict: FAIL")
	}
	return v
}

// judgeProfile judges one profile of one run; ok is false when the run
// holds no spec of the profile. vouch is false when the run's suites
// could not vouch for their results, which fails every profile.
func judgeProfile(target string, p catalogue.Profile, matrix []RuleResult, vouch bool, opts Options) (v verdict, ok bool) {
	var must, should, may []string
	checked, passed, skipped, notRun := 0, 0, 0, 0
	var mustNotRun []RuleResult
	for _, rr := range matrix {
		if rr.Rule.Profile != p {
			continue
		}
		if len(rr.Specs) > 0 {
			ok = true
		}
		switch rr.Status {
		case StatusFail:
			checked++
			switch rr.Rule.Level {
			case catalogue.Must:
				must = append(must, rr.Rule.ID)
			case catalogue.Should:
				should = append(should, rr.Rule.ID)
			default:
				may = append(may, rr.Rule.ID)
			}
		case StatusPass:
			checked++
			passed++
		case StatusSkip:
			skipped++
		case StatusNotRun:
			notRun++
		}
		if rr.Rule.Level == catalogue.Must && (rr.Status == StatusSkip || rr.Status == StatusNotRun) {
			mustNotRun = append(mustNotRun, rr)
		}
	}
	if !ok {
		return v, false
	}
	name := target + ": " + string(p)
	var reasons []string
	if !vouch {
		v.Code = 1
		reasons = append(reasons, "the suites could not vouch for their results (see above)")
	}
	if len(must) > 0 {
		v.Code = 1
		reasons = append(reasons, fmt.Sprintf("%s failed: %s", plural(len(must), "MUST rule"), strings.Join(must, ", ")))
	}
	if len(should) > 0 {
		if opts.StrictShould {
			v.Code = 1
			reasons = append(reasons, fmt.Sprintf("%s failed (SHOULD is strict): %s", plural(len(should), "SHOULD rule"), strings.Join(should, ", ")))
		} else {
			v.Lines = append(v.Lines, fmt.Sprintf("%s: warning: %s failed: %s", name, plural(len(should), "SHOULD rule"), strings.Join(should, ", ")))
		}
	}
	if len(may) > 0 {
		v.Lines = append(v.Lines, fmt.Sprintf("%s: note: %s failed (never fatal): %s", name, plural(len(may), "MAY rule"), strings.Join(may, ", ")))
	}
	if checked == 0 {
		v.Code = 1
		reasons = append(reasons, fmt.Sprintf("no rule was checked (%d skipped, %d not run)", skipped, notRun))
	}
	word := "PASS"
	if v.Code != 0 {
		word = "FAIL"
	}
	line := fmt.Sprintf("%s: %s: %d rules passed, %d failed, %d skipped, %d not run", name, word, passed, checked-passed, skipped, notRun)
	if len(reasons) > 0 {
		line += "; " + strings.Join(reasons, "; ")
	}
	if len(mustNotRun) > 0 {
		line += "; " + mustNotRunText(mustNotRun, vouch)
	}
	v.Lines = append(v.Lines, line)
	return v, true
}

// Reasons a rule was not run, as the verdict and the pages name them.
const (
	NotRunAdmin       = "need the management API (no ADMIN_URL)"
	NotRunReadOnly    = "change resources (READ_ONLY)"
	NotRunUnsupported = "declared or found unsupported by the target"
	NotRunFiltered    = "filtered out (label filter)"
	NotRunStopped     = "not reached (the run stopped early)"
	NotRunOther       = "could not be judged on this target"
)

// NotRunReason says why a rule that did not pass or fail was not
// checked: from its specs' skip reasons (the first that names a known
// cause wins), or NotRunFiltered when the report holds none of its specs
// although its profile ran.
func NotRunReason(rr RuleResult) string {
	if rr.Status == StatusNotRun {
		return NotRunFiltered
	}
	reason := NotRunOther
	for _, msg := range rr.SkipReasons {
		if r := skipCause(msg); r != NotRunOther {
			return r
		}
	}
	return reason
}

// skipCause sorts a skip message (the suites' Skip calls) into a cause.
func skipCause(msg string) string {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "admin_url") || strings.Contains(m, "management api"):
		return NotRunAdmin
	case strings.Contains(m, "read_only"):
		return NotRunReadOnly
	case strings.Contains(m, "declares") || strings.Contains(m, "does not advertise") || strings.Contains(m, "does not declare") ||
		strings.Contains(m, "does not offer") || strings.Contains(m, "not supported") || strings.Contains(m, "unsupported") ||
		strings.Contains(m, "declined") || strings.Contains(m, "declines"):
		return NotRunUnsupported
	}
	return NotRunOther
}

// mustNotRunText counts the MUST rules not run by reason: "3 MUST rules
// not run (2 need the management API (no ADMIN_URL), 1 filtered out
// (label filter))". Counts are of rules.
//
// When the run stopped early (interrupted, setup failed: complete is
// false), a rule with no spec in the report was not reached rather than
// filtered out.
func mustNotRunText(rrs []RuleResult, complete bool) string {
	count := map[string]int{}
	var order []string
	for _, rr := range rrs {
		r := NotRunReason(rr)
		if r == NotRunFiltered && !complete {
			r = NotRunStopped
		}
		if count[r] == 0 {
			order = append(order, r)
		}
		count[r]++
	}
	var parts []string
	for _, r := range order {
		parts = append(parts, fmt.Sprintf("%d %s", count[r], r))
	}
	return fmt.Sprintf("%s not run (%s)", plural(len(rrs), "MUST rule"), strings.Join(parts, ", "))
}

func (r *Run) leftoverList() []string {
	var out []string
	for _, s := range r.Suites {
		out = append(out, s.Leftovers...)
	}
	return out
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// headline shortens a failure message to one line for tables and
// summaries. It drops the rule header the suites' fail handler puts first
// (the report shows the rule anyway) and transcript lines ("> " and "< ",
// shown in full in the HTML), keeps the first paragraph, and reduces
// Gomega's "Expected\n  <value>\nto equal\n  <value>" to one line with the
// values cut short: its bare first line, "Expected", says nothing.
func headline(msg string) string {
	lines := strings.Split(strings.ReplaceAll(msg, "\r\n", "\n"), "\n")
	for len(lines) > 0 && (strings.TrimSpace(lines[0]) == "" || isRuleHeader(lines[0])) {
		lines = lines[1:]
	}
	var parts []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || t == "Expected" || isTranscript(l) {
			break
		}
		parts = append(colon(parts), t)
	}
	if j := slices.IndexFunc(lines, func(l string) bool { return strings.TrimSpace(l) == "Expected" }); j >= 0 {
		parts = append(colon(parts), "Expected", shorten(indented(lines[j+1:])))
		for k := j + 1; k < len(lines); k++ {
			if t := lines[k]; strings.HasPrefix(t, "to ") || strings.HasPrefix(t, "not to ") {
				parts = append(parts, strings.TrimSpace(t), shorten(indented(lines[k+1:])))
				break
			}
		}
	}
	s := strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
	if s == "" {
		for _, l := range lines {
			if s = strings.TrimSpace(l); s != "" {
				break
			}
		}
	}
	if r := []rune(s); len(r) > 200 {
		s = string(r[:199]) + "…"
	}
	return s
}

// colon ends the last part with a colon unless it ends in punctuation: an
// annotation ("creating a fixture") then the matcher's message, kept apart.
func colon(parts []string) []string {
	if n := len(parts); n > 0 && !strings.ContainsAny(parts[n-1][len(parts[n-1])-1:], ":;,.") {
		parts[n-1] += ":"
	}
	return parts
}

// isRuleHeader matches the line scimtest.RuleHeader writes for a rule:
// "rule ID (LEVEL, source): summary".
func isRuleHeader(line string) bool {
	id, ok := strings.CutPrefix(line, "rule ")
	if !ok {
		return false
	}
	id, _, ok = strings.Cut(id, " (")
	if !ok {
		return false
	}
	_, known := catalogue.ByID(id)
	return known
}

func isTranscript(line string) bool {
	return strings.HasPrefix(line, "> ") || strings.HasPrefix(line, "< ")
}

// indented returns the leading lines that are indented (a Gomega value).
func indented(lines []string) string {
	var out []string
	for _, l := range lines {
		if l == "" || (l[0] != ' ' && l[0] != '\t') {
			break
		}
		out = append(out, l)
	}
	return strings.Join(out, " ")
}

func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:59]) + "…"
	}
	return s
}
