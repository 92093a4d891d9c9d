package reports

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/scimconf/scimconf/catalogue"
)

// GitHubAnnotations writes GitHub Actions workflow commands that put the
// failures on the job's page: one ::error line per failed MUST rule (and
// per failed SHOULD rule with opts.StrictShould), one ::warning per other
// failed SHOULD rule, one ::notice per failed MAY rule, each naming the
// rule, its first failed spec and what came back, and how many specs
// failed.
func GitHubAnnotations(w io.Writer, runs []Run, opts Options) error {
	b := bufio.NewWriter(w)
	for i := range runs {
		r := &runs[i]
		for _, rr := range r.Matrix() {
			if rr.Status != StatusFail {
				continue
			}
			cmd := "notice"
			switch {
			case rr.Rule.Level == catalogue.Must, rr.Rule.Level == catalogue.Should && opts.StrictShould:
				cmd = "error"
			case rr.Rule.Level == catalogue.Should:
				cmd = "warning"
			}
			specs := rr.FailedSpecs()
			title := fmt.Sprintf("%s (%s, %s) failed", rr.Rule.ID, rr.Rule.Level, rr.Rule.Source)
			if len(runs) > 1 {
				title = r.Target + ": " + title
			}
			msg := rr.Rule.Summary
			if len(specs) > 0 {
				msg = fmt.Sprintf("%s\n%s: %s", msg, specs[0].Text, headline(specs[0].Message))
				if len(specs) > 1 {
					msg += fmt.Sprintf("\n(%d specs failed; report.html has every transcript)", len(specs))
				}
			}
			fmt.Fprintf(b, "::%s title=%s::%s\n", cmd, ghProperty(title), ghData(msg))
		}
	}
	return b.Flush()
}

// ghData escapes a workflow command's message.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a workflow command's property value.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
