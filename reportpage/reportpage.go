// Package reportpage owns what the conformance report (package reports)
// and the mock's client report (package server/clientreport) share: the
// recorded HTTP exchange (Exchange, the one JSON shape the suites write as
// report entry "http" and both reports read or fill), the pages' stylesheet,
// their template functions and the "exchange" transcript block, and
// Markdown escaping. It knows nothing of the suites, the rule catalogue or
// the mock, so the mock can render its report without importing the
// harness.
package reportpage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// EntryHTTP names a spec's report entry holding one Exchange.
const EntryHTTP = "http"

// Exchange is one recorded HTTP exchange. The suites write it into their
// Ginkgo reports (entry EntryHTTP), package reports decodes it from there,
// and the client report builds it from the mock's journal.
type Exchange struct {
	Method          string              `json:"method"`
	URL             string              `json:"url"`
	RequestHeaders  map[string][]string `json:"requestHeaders,omitempty"`
	RequestBody     string              `json:"requestBody,omitempty"`
	Status          int                 `json:"status"`
	ResponseHeaders map[string][]string `json:"responseHeaders,omitempty"`
	ResponseBody    string              `json:"responseBody,omitempty"`
	Error           string              `json:"error,omitempty"`
	Millis          float64             `json:"ms"`
}

// String renders the exchange like curl -v, for Ginkgo's console output.
func (e Exchange) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", e.Method, e.URL)
	for k, vs := range e.RequestHeaders {
		fmt.Fprintf(&b, "> %s: %s\n", k, strings.Join(vs, ", "))
	}
	if e.RequestBody != "" {
		fmt.Fprintf(&b, "> %s\n", e.RequestBody)
	}
	if e.Error != "" {
		fmt.Fprintf(&b, "< error: %s\n", e.Error)
		return b.String()
	}
	fmt.Fprintf(&b, "< %d %s (%.1f ms)\n", e.Status, http.StatusText(e.Status), e.Millis)
	for k, vs := range e.ResponseHeaders {
		fmt.Fprintf(&b, "< %s: %s\n", k, strings.Join(vs, ", "))
	}
	if e.ResponseBody != "" {
		fmt.Fprintf(&b, "< %s\n", e.ResponseBody)
	}
	return b.String()
}

// Template returns a new, empty HTML template named name that has the
// shared functions and the "exchange" block defined. A page puts
// <style>{{style}}</style> in its head to get the shared stylesheet.
func Template(name string) *template.Template {
	return template.Must(base.Clone()).New(name)
}

var base = template.Must(template.New("reportpage").Funcs(funcs).Parse(exchangeHTML))

var funcs = template.FuncMap{
	// style is the pages' stylesheet.
	"style": func() template.CSS { return template.CSS(style) },
	// cls turns a status word into a CSS class ("not run" has a space).
	"cls": func(s any) string { return strings.ReplaceAll(fmt.Sprint(s), " ", "") },
	// pretty indents a JSON body, and leaves anything else as sent.
	"pretty": func(body string) string {
		var b bytes.Buffer
		if json.Valid([]byte(body)) && json.Indent(&b, []byte(body), "", "  ") == nil {
			return b.String()
		}
		return body
	},
	"headers": func(h map[string][]string) string {
		var lines []string
		for _, k := range slices.Sorted(maps.Keys(h)) {
			lines = append(lines, k+": "+strings.Join(h[k], ", "))
		}
		return strings.Join(lines, "\n")
	},
	"statusText": func(code int) string {
		return strings.TrimSpace(fmt.Sprintf("%d %s", code, http.StatusText(code)))
	},
	"statusClass": func(code int) string {
		switch {
		case code >= 500:
			return "s5"
		case code >= 400:
			return "s4"
		case code >= 300:
			return "s3"
		}
		return "s2"
	},
	"ms": func(ms float64) string { return fmt.Sprintf("%.1f ms", ms) },
}

// MDText keeps text from being read as HTML by a Markdown renderer.
func MDText(s string) string {
	return strings.ReplaceAll(s, "<", "&lt;")
}

// MDCell makes text safe in a table cell: one line, no column breaks.
func MDCell(s string) string {
	return strings.ReplaceAll(MDText(strings.Join(strings.Fields(s), " ")), "|", `\|`)
}

const exchangeHTML = `{{define "exchange"}}<div class="req">→ <strong>{{.Method}}</strong> {{.URL}}</div>
{{with headers .RequestHeaders}}<pre class="headers">{{.}}</pre>{{end}}{{with .RequestBody}}<pre class="body">{{pretty .}}</pre>{{end}}
{{if .Error}}<div class="resp err">← error: {{.Error}}</div>{{else}}<div class="resp">← <strong class="{{statusClass .Status}}">{{statusText .Status}}</strong> <span class="muted">{{ms .Millis}}</span></div>
{{with headers .ResponseHeaders}}<pre class="headers">{{.}}</pre>{{end}}{{with .ResponseBody}}<pre class="body">{{pretty .}}</pre>{{end}}{{end}}{{end}}
`

const style = `
:root { color-scheme: light dark; --fg: #1f2328; --bg: #fff; --muted: #59636e; --line: #d1d9e0; --code: #f6f8fa; --head: #f6f8fa;
  --pass: #1a7f37; --fail: #cf222e; --skip: #9a6700; --notrun: #6e7781; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #3d444d; --code: #151b23; --head: #151b23;
    --pass: #2f9e48; --fail: #da3633; --skip: #bb8009; --notrun: #656c76; }
}
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg);
  margin: 0 auto; padding: 1rem 2rem 4rem; max-width: 1600px; }
h1 { font-size: 1.6rem; margin: .5rem 0; }
h2 { font-size: 1.3rem; margin-top: 2.5rem; border-bottom: 1px solid var(--line); padding-bottom: .3rem; }
h3 { font-size: 1.1rem; margin-top: 1.5rem; }
h4 { margin: .5rem 0 .2rem; font-size: 1rem; }
a { color: inherit; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: var(--code); border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; margin: .25rem 0;
  overflow-x: auto; white-space: pre-wrap; word-break: break-word; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .6rem; text-align: left; vertical-align: top; }
thead th { background: var(--head); position: sticky; top: 0; z-index: 1; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.muted, .summary { color: var(--muted); }
.summary { font-size: 12.5px; }
nav a { margin-right: 1rem; }
.verdict { border-radius: 6px; padding: .6rem 1rem; margin: 1rem 0; border: 2px solid; }
.verdict.pass { border-color: var(--pass); }
.verdict.fail { border-color: var(--fail); }
.verdict ul { margin: .3rem 0 0; padding-left: 1.2rem; }
.verdict strong { font-size: 1.2rem; }
.badge { display: inline-block; min-width: 4.5em; text-align: center; padding: 0 .5em; border-radius: 1em; color: #fff;
  font-weight: 600; font-size: 12px; white-space: nowrap; }
.badge.pass { background: var(--pass); } .badge.fail { background: var(--fail); }
.badge.skip { background: var(--skip); } .badge.notrun { background: var(--notrun); }
.level { font-weight: 600; font-size: 12px; }
.level.MUST { color: var(--fail); } .level.SHOULD { color: var(--skip); } .level.MAY { color: var(--muted); }
tr.group th { background: var(--head); font-size: 1rem; }
tr.differs td:first-child { box-shadow: inset 4px 0 0 var(--skip); }
details.specs summary { cursor: pointer; font-size: 12.5px; color: var(--muted); }
details.specs ul { margin: .2rem 0; padding-left: 1.1rem; font-size: 12.5px; }
li.pass::marker { color: var(--pass); } li.fail::marker { color: var(--fail); } li.skip::marker { color: var(--skip); }
li.fail { font-weight: 600; }
article.failure { border-left: 4px solid var(--fail); padding: .2rem 0 .2rem 1rem; margin: 1rem 0; }
details.spec { margin: .4rem 0; border: 1px solid var(--line); border-radius: 6px; padding: .3rem .6rem; }
details.spec > summary { cursor: pointer; }
details.spec[open] > summary { margin-bottom: .4rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0 1rem; margin: .3rem 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
ol.transcript { padding-left: 1.6rem; }
ol.transcript > li { margin: .6rem 0; }
.req, .resp { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; word-break: break-all; }
.resp.err, .s5, .s4 { color: var(--fail); } .s3 { color: var(--skip); } .s2 { color: var(--pass); }
pre.headers { color: var(--muted); }
`
