package clientreport

import (
	"bufio"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/scimconf/scimconf/reportpage"
)

// Page is the report as it is rendered: a verdict, facts, and rules grouped
// by kind with what was found. pageHTML and pageMarkdown render it in the
// conformance report's styling and conventions (package reportpage).
type Page struct {
	Title string
	// Subject says, in one line, what was graded.
	Subject   string
	Generated time.Time
	Passed    bool
	// Lines explain the verdict, one finding per line.
	Lines  []string
	Facts  []Fact
	Groups []Group
	// Refused is every request the mock refused because of what it asked,
	// shown in one place after the groups.
	Refused []RefusedRow
}

// RefusedRow is one refused request: what was sent, why it was refused,
// the rule it is graded under and what to send instead.
type RefusedRow struct {
	Refusal
	// Status is the badge of the refusal's verdict.
	Status   badge
	Exchange *reportpage.Exchange
}

// Fact is a name and a value shown under the verdict.
type Fact struct{ Name, Value string }

// Group is one kind of rule, e.g. "Dynatrace's rules".
type Group struct {
	Name, Intro string
	Rows        []Row
}

// Row is one rule and how the client fared.
type Row struct {
	ID, Summary, Source string
	// URL links Source; it must come from code, never from a request.
	URL string
	// Status is badgePass (met), badgeFail (broken), badgeSkip (a
	// warning) or badgeNotRun (not exercised); it picks the badge colour.
	Status badge
	// Label is the word on the badge; "" shows Status.
	Label string
	// Checked counts the exchanges the rule looked at.
	Checked  int
	Findings []PageFinding
}

// PageFinding is one thing found, with the exchange it is about.
type PageFinding struct {
	Text     string
	Exchange *reportpage.Exchange
}

// badge is a row's badge colour, in the conformance report's words (its
// CSS classes are reportpage's).
type badge string

const (
	badgePass   badge = "pass"
	badgeFail   badge = "fail"
	badgeSkip   badge = "skip"
	badgeNotRun badge = "not run"
)

// label is the badge's word.
func (r Row) label() string {
	if r.Label != "" {
		return r.Label
	}
	return string(r.Status)
}

// htmlPage is what the client template executes: the page, the
// generation time as text, and rows with their badge words.
type htmlPage struct {
	Page
	Generated string
	Groups    []htmlGroup
}

type htmlGroup struct {
	Group
	Anchor string
	Rows   []htmlRow
}

type htmlRow struct {
	Row
	Word string
}

// clientTemplate shares the conformance page's stylesheet, functions and
// "exchange" transcript block.
var clientTemplate = template.Must(reportpage.Template("client").Funcs(template.FuncMap{
	"refusedIntro": func() string { return refusedIntro },
}).Parse(clientHTML))

// pageHTML writes p as one self-contained page (inline CSS, no script),
// styled as HTML's conformance report. Every value is escaped: findings
// quote what a client sent.
func pageHTML(w io.Writer, p Page) error {
	cp := htmlPage{Page: p, Generated: generated(p.Generated)}
	for i, g := range p.Groups {
		cg := htmlGroup{Group: g, Anchor: fmt.Sprintf("g%d", i)}
		for _, r := range g.Rows {
			cg.Rows = append(cg.Rows, htmlRow{Row: r, Word: r.label()})
		}
		cp.Groups = append(cp.Groups, cg)
	}
	return clientTemplate.ExecuteTemplate(w, "client", cp)
}

func generated(t time.Time) string {
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Format(time.RFC3339)
}

// pageMarkdown writes p for a CI job page or a pull request: the
// verdict, the facts, one table per group, then the findings of every rule
// that has some. Transcripts are in the HTML page only.
func pageMarkdown(w io.Writer, p Page) error {
	b := bufio.NewWriter(w)
	title := p.Title
	if title == "" {
		title = "SCIM client report"
	}
	word := "PASS"
	if !p.Passed {
		word = "FAIL"
	}
	fmt.Fprintf(b, "# %s\n\n", reportpage.MDText(title))
	if p.Subject != "" {
		fmt.Fprintf(b, "%s\n\n", reportpage.MDText(p.Subject))
	}
	fmt.Fprintf(b, "Verdict: **%s** · generated %s\n\n", word, generated(p.Generated))
	if len(p.Lines) > 0 {
		fmt.Fprintf(b, "```\n%s\n```\n\n", strings.Join(p.Lines, "\n"))
	}
	for _, f := range p.Facts {
		fmt.Fprintf(b, "- %s: %s\n", reportpage.MDText(f.Name), reportpage.MDText(f.Value))
	}
	mdRefused(b, p.Refused)
	for _, g := range p.Groups {
		fmt.Fprintf(b, "\n## %s\n\n", reportpage.MDText(g.Name))
		if g.Intro != "" {
			fmt.Fprintf(b, "%s\n\n", reportpage.MDText(g.Intro))
		}
		fmt.Fprintf(b, "| rule | verdict | checked | source |\n|---|---|---|---|\n")
		for _, r := range g.Rows {
			fmt.Fprintf(b, "| `%s` %s | %s | %d | %s |\n", r.ID, reportpage.MDCell(r.Summary), mdBadge(r), r.Checked, reportpage.MDCell(r.Source))
		}
		for _, r := range g.Rows {
			if len(r.Findings) == 0 {
				continue
			}
			fmt.Fprintf(b, "\n**`%s`** (%s):\n\n", r.ID, r.label())
			for _, f := range r.Findings {
				fmt.Fprintf(b, "- %s\n", reportpage.MDText(strings.Join(strings.Fields(f.Text), " ")))
			}
		}
	}
	return b.Flush()
}

// refusedIntro introduces the list of refused requests.
const refusedIntro = "Every request the mock refused because of what it asked (a 4xx other than 429, not an injected fault), in the order sent, with its scimType, the mock's detail, the rule it is graded under and what to send instead. Paths are relative to the SCIM base URL."

// mdRefused writes the refused requests as one table.
func mdRefused(b *bufio.Writer, rows []RefusedRow) {
	fmt.Fprintf(b, "\n## Refused requests\n\n%s\n\n", reportpage.MDText(refusedIntro))
	if len(rows) == 0 {
		fmt.Fprintf(b, "The mock refused none of the client's requests.\n")
		return
	}
	fmt.Fprintf(b, "| # | request | status | scimType | detail | rule | send instead |\n|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(b, "| %d | %s | %d | %s | %s | %s `%s` | %s |\n", r.Seq, reportpage.MDCell(r.Method+" "+r.Path), r.Refusal.Status,
			reportpage.MDCell(r.SCIMType), reportpage.MDCell(r.Detail), mdVerdict(r.Status, string(r.Verdict)), r.Rule, reportpage.MDCell(r.Fix))
	}
}

func mdBadge(r Row) string { return mdVerdict(r.Status, r.label()) }

func mdVerdict(status badge, label string) string {
	r := Row{Status: status, Label: label}
	switch r.Status {
	case badgeFail:
		return "❌ " + r.label()
	case badgePass:
		return "✅ " + r.label()
	case badgeSkip:
		return "⚠️ " + r.label()
	}
	return "➖ " + r.label()
}

const clientHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{with .Title}}{{.}}{{else}}SCIM client report{{end}}</title>
<style>{{style}}</style>
</head>
<body>
<header>
<h1>{{with .Title}}{{.}}{{else}}SCIM client report{{end}}</h1>
<p class="muted">Generated {{.Generated}}{{with .Subject}} · {{.}}{{end}}</p>
<div class="verdict {{if .Passed}}pass{{else}}fail{{end}}">
<strong>{{if .Passed}}PASS{{else}}FAIL{{end}}</strong>
<span class="muted">— a client fails when it broke a rule; warnings and rules it never exercised do not fail it</span>
<ul>{{range .Lines}}<li>{{.}}</li>{{end}}</ul>
</div>
{{if .Facts}}<dl class="facts">{{range .Facts}}<dt>{{.Name}}</dt><dd>{{.Value}}</dd>{{end}}</dl>{{end}}
<nav><a href="#refused">Refused requests ({{len .Refused}})</a>{{range .Groups}}<a href="#{{.Anchor}}">{{.Name}}</a>{{end}}</nav>
</header>
<section id="refused">
<h2>Refused requests</h2>
<p class="muted">{{refusedIntro}}</p>
{{if .Refused}}<table>
<thead><tr><th class="n">#</th><th>request</th><th class="n">status</th><th>scimType</th><th>detail</th><th>rule</th><th>send instead</th></tr></thead>
<tbody>{{range .Refused}}
<tr>
<td class="n">{{.Seq}}</td>
<td><code>{{.Method}} {{.Path}}</code>{{with .Exchange}}<details class="spec"><summary>exchange</summary>{{template "exchange" .}}</details>{{end}}</td>
<td class="n">{{.Refusal.Status}}</td>
<td>{{.SCIMType}}</td>
<td>{{.Detail}}</td>
<td><span class="badge {{cls .Status}}">{{.Verdict}}</span> <a href="#rule-{{.Rule}}"><code>{{.Rule}}</code></a></td>
<td>{{.Fix}}</td>
</tr>{{end}}
</tbody>
</table>{{else}}<p>The mock refused none of the client's requests.</p>{{end}}
</section>
{{range .Groups}}
<section id="{{.Anchor}}">
<h2>{{.Name}}</h2>
{{with .Intro}}<p class="muted">{{.}}</p>{{end}}
<table>
<thead><tr><th>rule</th><th>source</th><th>verdict</th><th class="n">checked</th><th>findings</th></tr></thead>
<tbody>{{range .Rows}}
<tr id="rule-{{.ID}}">
<td><code>{{.ID}}</code><div class="summary">{{.Summary}}</div></td>
<td>{{if .URL}}<a href="{{.URL}}">{{.Source}}</a>{{else}}{{.Source}}{{end}}</td>
<td><span class="badge {{cls .Status}}">{{.Word}}</span></td>
<td class="n">{{.Checked}}</td>
<td>{{if .Findings}}<details class="specs"><summary>{{len .Findings}} finding{{if gt (len .Findings) 1}}s{{end}}</summary>
<ol class="transcript">{{range .Findings}}<li>{{.Text}}{{with .Exchange}}<details class="spec"><summary>exchange</summary>{{template "exchange" .}}</details>{{end}}</li>{{end}}</ol>
</details>{{else}}<span class="muted">none</span>{{end}}</td>
</tr>{{end}}
</tbody>
</table>
</section>
{{end}}
</body>
</html>
`
