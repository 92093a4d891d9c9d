package sensitivity

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scimconf/scimconf/catalogue"
)

// Print writes the kill matrix and the verdict: one row per switch, one
// column per rule (numbered, with a legend), then every problem and
// warning, then the run time.
//
//	K  killed: a rule the switch proves failed
//	x  a declared cross-effect failed
//	!  UNEXPECTED: a rule neither proved nor declared failed
//	S  SURVIVED: a rule the switch proves did not fail
//	-  a declared cross-effect did not fail (stale)
//	.  not failed, not expected
func Print(w io.Writer, res *Result) {
	width := 6
	for _, row := range res.Switches {
		width = max(width, len(row.Switch))
	}
	fmt.Fprintf(w, "\nKill matrix: %d switches x %d rules (K killed, x declared cross-effect, ! UNEXPECTED, S SURVIVED, - stale cross-effect)\n\n", len(res.Switches), len(res.Rules))
	// Column headers: the rule numbers written vertically, tens above ones.
	var tens, ones strings.Builder
	for i := range res.Rules {
		n := i + 1
		if n < 10 {
			tens.WriteByte(' ')
		} else {
			tens.WriteByte(byte('0' + n/10%10))
		}
		ones.WriteByte(byte('0' + n%10))
	}
	fmt.Fprintf(w, "%*s  %s\n%*s  %s\n", width, "", tens.String(), width, "", ones.String())
	for _, row := range res.Switches {
		var b strings.Builder
		for _, r := range res.Rules {
			b.WriteByte(mark(row.Cells[r.ID]))
		}
		fmt.Fprintf(w, "%-*s  %s  %s\n", width, row.Switch, b.String(), row.Took.Round(10*time.Millisecond))
	}
	fmt.Fprintln(w, "\nRules:")
	for i, r := range res.Rules {
		killers := []string{}
		for _, row := range res.Switches {
			if c := row.Cells[r.ID]; c == Killed || c == Cross {
				killers = append(killers, row.Switch)
			}
		}
		fmt.Fprintf(w, "  %2d %-24s proved by %s; failed under %d switch(es)\n", i+1, r.ID, strings.Join(r.Switches, ", "), len(killers))
	}
	if len(res.Warnings) > 0 {
		fmt.Fprintln(w, "\nWarnings:")
		for _, s := range res.Warnings {
			fmt.Fprintln(w, "  - "+s)
		}
	}
	if len(res.Problems) > 0 {
		fmt.Fprintln(w, "\nProblems:")
		for _, s := range res.Problems {
			fmt.Fprintln(w, "  - "+s)
		}
	}
	if lines := declarations(res); len(lines) > 0 {
		fmt.Fprintln(w, "\nIf these failures are right (the switch breaks a behaviour those rules' specs lean on),\ndeclare them in crossEffects (catalogue/switches.go):")
		for _, l := range lines {
			fmt.Fprintln(w, "\t"+l)
		}
	}
	runs := len(res.Baseline)
	for _, row := range res.Switches {
		runs += len(row.Runs)
	}
	sample := ""
	if res.Sampled {
		sample = " (a sample of the switches; make sensitivity runs them all)"
	}
	verdict := "every rule checked is proved both ways"
	if !res.OK() {
		verdict = fmt.Sprintf("NOT PROVED: %d problem(s)", len(res.Problems))
	}
	killed := 0
	for _, r := range res.Rules {
		if slices.ContainsFunc(res.Switches, func(row SwitchResult) bool { return row.Cells[r.ID] == Killed }) {
			killed++
		}
	}
	fmt.Fprintf(w, "\n%s: %d switches x %d rules%s, %d of the rules killed by their own switch, %d suite runs in %s\n",
		verdict, len(res.Switches), len(res.Rules), sample, killed, runs, res.Took.Round(100*time.Millisecond))
}

// declarations renders, for every switch with UNEXPECTED failures, its
// crossEffects entry with them added.
func declarations(res *Result) []string {
	var out []string
	for _, row := range res.Switches {
		unexpected := sortedCells(row, Unexpected)
		if len(unexpected) == 0 {
			continue
		}
		_, cross := catalogue.Expected(row.Switch)
		ids := append(slices.Clone(cross), unexpected...)
		slices.Sort(ids)
		quoted := make([]string, len(ids))
		for i, id := range ids {
			quoted[i] = strconv.Quote(id)
		}
		out = append(out, fmt.Sprintf("%q: {%s},", row.Switch, strings.Join(quoted, ", ")))
	}
	return out
}

func mark(c Cell) byte {
	switch c {
	case Killed:
		return 'K'
	case Cross:
		return 'x'
	case Unexpected:
		return '!'
	case Survived:
		return 'S'
	case Stale:
		return '-'
	}
	return '.'
}
