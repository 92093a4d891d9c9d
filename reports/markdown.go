package reports

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/scimconf/scimconf/reportpage"
)

// Markdown writes the runs' summary for a CI job page or a pull request:
// the verdict, then per run the totals per profile, the failed rules (ID,
// level, source, spec names, the failure's headline), suite problems, the
// skipped rules with their reasons, the rules not run and the leftovers.
// With several runs it starts with the rules that did not pass everywhere,
// server by server. Transcripts are in the HTML page only.
func Markdown(w io.Writer, runs []Run, opts Options) error {
	b := bufio.NewWriter(w)
	v := judge(runs, opts)
	fmt.Fprintf(b, "# %s\n\n", reportpage.MDText(opts.title()))
	word := "PASS"
	if !v.Passed() {
		word = "FAIL"
	}
	fmt.Fprintf(b, "Verdict: **%s** · generated %s\n\n```\n%s\n```\n", word, opts.generated().UTC().Format(time.RFC3339), strings.Join(v.Lines, "\n"))

	if len(runs) > 1 {
		mdComparison(b, runs)
	}
	for i := range runs {
		mdRun(b, &runs[i])
	}
	return b.Flush()
}

func mdComparison(b *bufio.Writer, runs []Run) {
	matrices := make([][]RuleResult, len(runs))
	for i := range runs {
		matrices[i] = runs[i].Matrix()
	}
	fmt.Fprintf(b, "\n## Comparison\n\nRules that did not pass on every target.\n\n| rule | level |")
	for _, r := range runs {
		fmt.Fprintf(b, " %s |", reportpage.MDCell(r.Target))
	}
	fmt.Fprintf(b, "\n|---|---|%s\n", strings.Repeat("---|", len(runs)))
	rows := 0
	for j, rr := range matrices[0] {
		all := true
		for i := range runs {
			all = all && matrices[i][j].Status == StatusPass
		}
		if all {
			continue
		}
		rows++
		fmt.Fprintf(b, "| %s | %s |", rr.Rule.ID, rr.Rule.Level)
		for i := range runs {
			fmt.Fprintf(b, " %s |", mdStatus(matrices[i][j].Status))
		}
		b.WriteString("\n")
	}
	if rows == 0 {
		b.WriteString("| every rule passed everywhere | |" + strings.Repeat(" |", len(runs)) + "\n")
	}
}

func mdStatus(s Status) string {
	switch s {
	case StatusFail:
		return "**fail**"
	case StatusNotRun:
		return "–"
	}
	return string(s)
}

func mdRun(b *bufio.Writer, r *Run) {
	const level = "###"
	fmt.Fprintf(b, "\n## Target %s\n", reportpage.MDText(r.Target))
	var facts []string
	if r.BaseURL != "" {
		facts = append(facts, "at "+reportpage.MDText(r.BaseURL))
	}
	var suites []string
	for _, s := range r.Suites {
		suites = append(suites, fmt.Sprintf("%s (%d specs)", reportpage.MDText(s.Description), len(s.Specs)))
	}
	facts = append(facts, "suites "+strings.Join(suites, ", "))
	if !r.Start.IsZero() {
		facts = append(facts, "started "+r.Start.UTC().Format(time.RFC3339), "took "+r.End.Sub(r.Start).Round(time.Millisecond).String())
	}
	fmt.Fprintf(b, "\n%s\n", strings.Join(facts, " · "))

	matrix := r.Matrix()
	fmt.Fprintf(b, "\n%s Totals\n\n| profile | rules | passed | failed | skipped | not run | MUST failed | SHOULD failed | MAY failed | specs passed / failed / skipped |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n", level)
	for _, t := range totals(matrix) {
		fmt.Fprintf(b, "| %s | %d | %d | %d | %d | %d | %d | %d | %d | %d / %d / %d |\n",
			t.Profile, t.Rules, t.Passed, t.Failed, t.Skipped, t.NotRun, t.MustFailed, t.ShouldFailed, t.MayFailed,
			t.SpecsPassed, t.SpecsFailed, t.SpecsSkipped)
	}
	mdCapabilities(b, r)

	var problems []string
	for _, s := range r.Suites {
		for _, nf := range s.NodeFailures {
			problems = append(problems, fmt.Sprintf("suite %s: %s failed at %s: %s", reportpage.MDText(s.Description), nf.Text, reportpage.MDText(nf.Location), reportpage.MDText(headline(nf.Message))))
		}
		for _, p := range s.Problems {
			problems = append(problems, fmt.Sprintf("suite %s: %s", reportpage.MDText(s.Description), reportpage.MDText(p)))
		}
	}
	for _, spec := range r.Unmapped() {
		if spec.Outcome() == StatusFail {
			problems = append(problems, fmt.Sprintf("spec %q names no known rule and failed: %s", reportpage.MDText(spec.Text), reportpage.MDText(headline(spec.Message))))
		}
	}
	if len(problems) > 0 {
		fmt.Fprintf(b, "\n%s Suite problems\n\nThe matrix cannot vouch for these suites.\n\n", level)
		for _, p := range problems {
			fmt.Fprintf(b, "- %s\n", p)
		}
	}

	var failed, skipped, notRun []RuleResult
	for _, rr := range matrix {
		switch rr.Status {
		case StatusFail:
			failed = append(failed, rr)
		case StatusSkip:
			skipped = append(skipped, rr)
		case StatusNotRun:
			notRun = append(notRun, rr)
		}
	}
	fmt.Fprintf(b, "\n%s Failed rules (%d)\n\n", level, len(failed))
	if len(failed) == 0 {
		b.WriteString("No rule failed.\n")
	} else {
		b.WriteString("| rule | level | source | specs | failure |\n|---|---|---|---|---|\n")
		for _, rr := range failed {
			var names, msgs []string
			for _, s := range rr.FailedSpecs() {
				names = append(names, reportpage.MDCell(s.Text))
				msgs = append(msgs, reportpage.MDCell(headline(s.Message)))
			}
			src := reportpage.MDCell(rr.Rule.Source)
			if u := rr.Rule.URL(); u != "" {
				src = "[" + src + "](" + u + ")"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", rr.Rule.ID, rr.Rule.Level, src, strings.Join(names, "<br>"), strings.Join(msgs, "<br>"))
		}
	}
	if len(skipped) > 0 {
		fmt.Fprintf(b, "\n%s Skipped rules (%d)\n\n", level, len(skipped))
		for _, rr := range skipped {
			reasons := make([]string, len(rr.SkipReasons))
			for i, s := range rr.SkipReasons {
				reasons[i] = reportpage.MDText(headline(s))
			}
			if len(reasons) == 0 {
				reasons = []string{"no reason given"}
			}
			fmt.Fprintf(b, "- **%s** (%s): %s\n", rr.Rule.ID, rr.Rule.Level, strings.Join(reasons, "; "))
		}
	}
	if len(notRun) > 0 {
		ids := make([]string, len(notRun))
		for i, rr := range notRun {
			ids[i] = rr.Rule.ID
		}
		fmt.Fprintf(b, "\n%s Not run (%d)\n\nNo spec of these rules is in the report (profile not selected, or filtered out): %s.\n", level, len(notRun), strings.Join(ids, ", "))
	}
	if left := r.Leftovers(); len(left) > 0 {
		fmt.Fprintf(b, "\n%s Leftovers\n\nResources the run did not remove itself; the harness removed them afterwards.\n\n", level)
		for _, suite := range slices.Sorted(maps.Keys(left)) {
			fmt.Fprintf(b, "- suite %s:\n", reportpage.MDText(suite))
			for _, l := range left[suite] {
				fmt.Fprintf(b, "  - %s\n", reportpage.MDText(l))
			}
		}
	}
}
