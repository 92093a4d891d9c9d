package reports

// The capability table (issue 19 item 4): what the target declared in
// /ServiceProviderConfig (or what the harness assumed without it) beside
// what its answers showed, so a reader sees at a glance what the server
// supports besides what it breaks. The suites write one report entry
// reportpage.EntryCapability per thing they learnt (suites/scimtest
// observe.go); this file reads them from the run's report files and
// renders the table for every report.

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/scimconf/scimconf/reportpage"
)

// CapabilityRow is one row of the capability table: a feature, or one
// detail of it (an operator on an attribute, a PATCH form, a limit).
type CapabilityRow struct {
	Feature, Detail string
	// Declared is what /ServiceProviderConfig said ("supported", "200");
	// Assumed what the harness assumed without it.
	Declared, Assumed string
	// Observed lists what answers showed, each with the number of specs
	// that saw it, most seen first.
	Observed []Seen
}

// Seen is one observed value and the number of specs that saw it.
type Seen struct {
	Value string
	Specs int
}

// String renders the observed values on one line.
func (r CapabilityRow) String() string {
	parts := make([]string, len(r.Observed))
	for i, s := range r.Observed {
		parts[i] = s.Value
		if s.Specs > 1 {
			parts[i] += fmt.Sprintf(" ×%d", s.Specs)
		}
	}
	return strings.Join(parts, "; ")
}

// Said is what the server said of the row, or what was assumed.
func (r CapabilityRow) Said() string {
	switch {
	case r.Declared != "":
		return r.Declared
	case r.Assumed != "":
		return "assumed: " + r.Assumed
	}
	return ""
}

// featureOrder is the table's order of features; others follow by name.
var featureOrder = []string{"discovery", "filter", "sort", "PATCH", "ETag", "Bulk", "/.search", "paging", "changePassword"}

// Capabilities returns the run's capability table, read from the
// capability entries of its report files; nil when there are none (a
// report written before the suites recorded them, or no spec ran).
func (r *Run) Capabilities() []CapabilityRow {
	type key struct{ feature, detail string }
	rows := map[key]*CapabilityRow{}
	counts := map[key]map[string]int{}
	for _, path := range r.Files {
		for _, c := range readCapabilityEntries(path) {
			k := key{c.Feature, c.Detail}
			row := rows[k]
			if row == nil {
				row = &CapabilityRow{Feature: c.Feature, Detail: c.Detail}
				rows[k] = row
				counts[k] = map[string]int{}
			}
			switch c.Source {
			case reportpage.SourceDeclared:
				row.Declared = c.Value
			case reportpage.SourceAssumed:
				if !strings.Contains(row.Assumed, c.Value) {
					row.Assumed = strings.TrimPrefix(row.Assumed+"; "+c.Value, "; ")
				}
			default:
				counts[k][c.Value]++
			}
		}
	}
	out := make([]CapabilityRow, 0, len(rows))
	for k, row := range rows {
		for v, n := range counts[k] {
			row.Observed = append(row.Observed, Seen{v, n})
		}
		slices.SortFunc(row.Observed, func(a, b Seen) int { return cmp.Or(b.Specs-a.Specs, strings.Compare(a.Value, b.Value)) })
		out = append(out, *row)
	}
	rank := func(f string) int {
		if i := slices.Index(featureOrder, f); i >= 0 {
			return i
		}
		return len(featureOrder)
	}
	slices.SortFunc(out, func(a, b CapabilityRow) int {
		return cmp.Or(rank(a.Feature)-rank(b.Feature), strings.Compare(a.Feature, b.Feature), strings.Compare(a.Detail, b.Detail))
	})
	return out
}

// readCapabilityEntries reads the capability entries of one report file.
// The file is read again here rather than in Load, so the capability
// table stays in this one file; an unreadable file gives none (Load has
// already reported it).
func readCapabilityEntries(path string) []reportpage.Capability {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var reports []types.Report
	if err := json.Unmarshal(b, &reports); err != nil {
		var one types.Report
		if json.Unmarshal(b, &one) != nil {
			return nil
		}
		reports = []types.Report{one}
	}
	var out []reportpage.Capability
	for _, rep := range reports {
		for _, sr := range rep.SpecReports {
			for _, e := range sr.ReportEntries {
				if e.Name != reportpage.EntryCapability {
					continue
				}
				var c reportpage.Capability
				if json.Unmarshal([]byte(e.Value.AsJSON), &c) == nil && c.Feature != "" {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// capabilityNote heads the table in every report.
const capabilityNote = "What the server declared in /ServiceProviderConfig (or what was assumed without it) and what its answers showed; counts are of specs. \"accepted\" says the server answered, not that the answer was right: the rule matrix judges that."

// mdCapabilities writes the run's capability table in Markdown.
func mdCapabilities(b *bufio.Writer, r *Run) {
	rows := r.Capabilities()
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(b, "\n### Capabilities\n\n%s\n\n| feature | detail | declared | observed |\n|---|---|---|---|\n", capabilityNote)
	for _, row := range rows {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", reportpage.MDCell(row.Feature), reportpage.MDCell(row.Detail), reportpage.MDCell(row.Said()), reportpage.MDCell(row.String()))
	}
}

// textCapabilities writes the run's capability table as aligned text.
func textCapabilities(w io.Writer, r *Run) {
	rows := r.Capabilities()
	if len(rows) == 0 {
		return
	}
	// Plain lines, no tabs: the values are too unequal for columns.
	fmt.Fprintf(w, "\ncapabilities (feature: declared · observed)\n")
	for _, row := range rows {
		name := row.Feature
		if row.Detail != "" {
			name += " " + row.Detail
		}
		var parts []string
		if said := row.Said(); said != "" {
			parts = append(parts, said)
		}
		if seen := row.String(); seen != "" {
			parts = append(parts, "seen: "+seen)
		}
		fmt.Fprintf(w, "  %s: %s\n", name, strings.Join(parts, " · "))
	}
}

// The HTML page's "capabilities" block, called once per run with the run.
var _ = template.Must(pageTemplate.New("capabilities").Parse(`{{with .Capabilities}}
<h3>{{$.Target}}</h3>
<p class="muted">` + capabilityNote + `</p>
<table>
<thead><tr><th>feature</th><th>detail</th><th>declared</th><th>observed</th></tr></thead>
<tbody>{{range .}}<tr><td>{{.Feature}}</td><td>{{.Detail}}</td><td>{{.Said}}</td><td>{{.String}}</td></tr>{{end}}</tbody>
</table>{{end}}`))
