package rules

import (
	"fmt"
	"strings"
)

// Markdown renders the catalogue as suites/RULES.md: one table per profile.
func Markdown() string {
	var b strings.Builder
	b.WriteString("# Rule catalogue\n\n")
	b.WriteString("Generated from `suites/rules/rules.go` by `go test ./suites/rules -update`; a test fails when this file is stale.\n")
	b.WriteString("Every rule has at least one spec labelled with its ID in the profile's suite (`suites/<profile>`).\n")
	for _, p := range Profiles() {
		var rows []Rule
		for _, r := range All() {
			if r.Profile == p {
				rows = append(rows, r)
			}
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n## Profile `%s` (%d rules)\n\n| ID | level | source | rule |\n|---|---|---|---|\n", p, len(rows))
		for _, r := range rows {
			src := r.Source
			if u := r.URL(); u != "" {
				src = "[" + r.Source + "](" + u + ")"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", r.ID, r.Level, src, strings.ReplaceAll(r.Summary, "|", "\\|"))
		}
	}
	return b.String()
}
