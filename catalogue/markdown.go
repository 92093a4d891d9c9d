package catalogue

import (
	"fmt"
	"strings"
)

// Markdown renders the catalogue as suites/RULES.md: one table per profile.
func Markdown() string {
	var b strings.Builder
	b.WriteString("# Rule catalogue\n\n")
	b.WriteString("Generated from `catalogue/rules.go` by `go test ./catalogue -update`; a test fails when this file is stale.\n")
	b.WriteString("Every rule has at least one spec labelled with its ID in the profile's suite (`suites/<profile>`).\n")
	b.WriteString("Each rule quotes the sentences of its source that it enforces, word for word; its level rests on them: MUST only where they say MUST, SHALL or REQUIRED (for Dynatrace's page, a plain word of obligation), SHOULD where they say SHOULD, and what a source leaves open is at most MAY. A \"decision\" quote is the project's own choice where the sources are silent (README.md).\n")
	b.WriteString("\"Proved by\" names the mock's violation switches that break the rule: `make sensitivity` runs the suites with each switch on and checks the rule's specs fail.\n")
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
		fmt.Fprintf(&b, "\n## Profile `%s` (%d rules)\n\n| ID | level | source | rule | proved by |\n|---|---|---|---|---|\n", p, len(rows))
		for _, r := range rows {
			src := r.Source
			if u := r.URL(); u != "" {
				src = "[" + r.Source + "](" + u + ")"
			}
			proved := make([]string, len(r.Switches))
			for i, s := range r.Switches {
				proved[i] = "`" + s + "`"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.ID, r.Level, src, strings.ReplaceAll(r.Summary, "|", "\\|"), strings.Join(proved, ", "))
		}
		// The words each rule's level rests on, under the table: a table
		// cell is no place for sentences.
		fmt.Fprintf(&b, "\n### What the rules of `%s` quote\n", p)
		for _, r := range rows {
			fmt.Fprintf(&b, "\n**%s** (%s)\n\n", r.ID, r.Level)
			for _, q := range r.Quotes {
				fmt.Fprintf(&b, "- %s: \"%s\"\n", q.Source, q.Text)
			}
		}
	}
	b.WriteString("\n## Violation switches\n\nEach switch of the mock (`scimconf serve --violate <switch>`) with the rules it proves and the other rules it is declared to fail too (cross-effects: specs of those rules lean on the broken behaviour).\n\n| switch | proves | also fails |\n|---|---|---|\n")
	for _, sw := range Switches() {
		proves, cross := Expected(sw)
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", sw, strings.Join(proves, ", "), strings.Join(cross, ", "))
	}
	return b.String()
}
