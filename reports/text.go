package reports

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Text writes the totals per profile of every run as aligned plain text,
// for a terminal or a CI log; the verdict is Verdict's summary.
func Text(w io.Writer, runs []Run) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i := range runs {
		r := &runs[i]
		var suites []string
		for _, s := range r.Suites {
			suites = append(suites, s.Description)
		}
		where := ""
		if r.BaseURL != "" {
			where = " at " + r.BaseURL
		}
		fmt.Fprintf(tw, "target %s%s (suites %s)\n", r.Target, where, strings.Join(suites, ", "))
		fmt.Fprintf(tw, "profile\trules\tpassed\tfailed\tskipped\tnot run\tMUST failed\tSHOULD failed\tMAY failed\n")
		for _, t := range r.Totals() {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", t.Profile, t.Rules, t.Passed, t.Failed, t.Skipped, t.NotRun, t.MustFailed, t.ShouldFailed, t.MayFailed)
		}
		textCapabilities(tw, r)
		if i < len(runs)-1 {
			fmt.Fprintln(tw)
		}
	}
	return tw.Flush()
}
