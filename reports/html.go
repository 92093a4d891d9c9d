package reports

import (
	"cmp"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/scimconf/scimconf/catalogue"
	"github.com/scimconf/scimconf/reportpage"
)

// HTML writes one self-contained page: no external asset, inline CSS, no
// script, so it can be attached to a CI job and opened anywhere. It shows
// the targets and times, the verdict, the totals per profile, the rule
// matrix grouped by profile (one status column per run when there are
// several), and for every failed spec its message, location and HTTP
// transcript in a <details>. Every value from a report is escaped by
// html/template: transcripts hold whatever the target answered.
func HTML(w io.Writer, runs []Run, opts Options) error {
	return pageTemplate.Execute(w, newPage(runs, opts))
}

type page struct {
	Title, Generated string
	Verdict          verdict
	Multi            bool
	ShowSwitches     bool
	// Cols is the matrix's column count.
	Cols   int
	Runs   []pageRun
	Groups []matrixGroup
}

type pageRun struct {
	Index int
	*Run
	Duration string
	Totals   []ProfileTotals
	Failed   []RuleResult
	// FailedSpecs are the failed specs, each once (a spec naming two
	// failed rules is not shown twice), the strictest level first.
	FailedSpecs    []failedSpec
	Skipped        []RuleResult
	NotRun         []string
	NodeFailures   []*Spec
	Problems       []string
	UnmappedFailed []*Spec
	Leftovers      []suiteLeftovers
}

// failedSpec is one failed spec on the page, with its rules and the
// anchors the matrix links to (one per rule it is the first failure of).
type failedSpec struct {
	*Spec
	Rules   []catalogue.Rule
	Anchors []string
	level   int
	first   int
}

type suiteLeftovers struct {
	Suite string
	Items []string
}

type matrixGroup struct {
	Profile catalogue.Profile
	Rows    []matrixRow
}

type matrixRow struct {
	Rule     catalogue.Rule
	Switches []string
	Cells    []matrixCell
	// Differs marks a rule whose status is not the same on every target.
	Differs bool
}

type matrixCell struct {
	Run int
	RuleResult
}

func newPage(runs []Run, opts Options) page {
	p := page{
		Title:        opts.title(),
		Generated:    opts.generated().UTC().Format(time.RFC3339),
		Verdict:      judge(runs, opts),
		Multi:        len(runs) > 1,
		ShowSwitches: opts.Switches != nil,
		Cols:         3 + max(1, len(runs)),
	}
	if p.ShowSwitches {
		p.Cols++
	}
	matrices := make([][]RuleResult, len(runs))
	for i := range runs {
		r := &runs[i]
		m := r.Matrix()
		matrices[i] = m
		pr := pageRun{Index: i, Run: r, Totals: totals(m)}
		if !r.Start.IsZero() {
			pr.Duration = r.End.Sub(r.Start).Round(time.Millisecond).String()
		}
		for _, rr := range m {
			switch rr.Status {
			case StatusFail:
				pr.Failed = append(pr.Failed, rr)
			case StatusSkip:
				pr.Skipped = append(pr.Skipped, rr)
			case StatusNotRun:
				pr.NotRun = append(pr.NotRun, rr.Rule.ID)
			}
		}
		pr.FailedSpecs = failedSpecs(i, m)
		for _, s := range r.Suites {
			pr.NodeFailures = append(pr.NodeFailures, s.NodeFailures...)
			for _, reason := range s.Problems {
				pr.Problems = append(pr.Problems, "suite "+s.Description+": "+reason)
			}
		}
		for _, spec := range r.Unmapped() {
			if spec.Outcome() == StatusFail {
				pr.UnmappedFailed = append(pr.UnmappedFailed, spec)
			}
		}
		left := r.Leftovers()
		for _, suite := range slices.Sorted(maps.Keys(left)) {
			pr.Leftovers = append(pr.Leftovers, suiteLeftovers{suite, left[suite]})
		}
		p.Runs = append(p.Runs, pr)
	}
	for j, rule := range catalogue.All() {
		if len(p.Groups) == 0 || p.Groups[len(p.Groups)-1].Profile != rule.Profile {
			p.Groups = append(p.Groups, matrixGroup{Profile: rule.Profile})
		}
		row := matrixRow{Rule: rule, Switches: opts.Switches[rule.ID]}
		for i := range runs {
			cell := matrixCell{Run: i, RuleResult: matrices[i][j]}
			row.Differs = row.Differs || cell.Status != matrices[0][j].Status
			row.Cells = append(row.Cells, cell)
		}
		g := &p.Groups[len(p.Groups)-1]
		g.Rows = append(g.Rows, row)
	}
	return p
}

// failedSpecs lists the run's failed specs once each, ordered by their
// strictest rule's level (MUST first), then by the catalogue order of
// their first failed rule; each carries an anchor per rule it is the
// first failure of, for the matrix's links.
func failedSpecs(run int, m []RuleResult) []failedSpec {
	var out []failedSpec
	index := map[*Spec]int{}
	for j, rr := range m {
		if rr.Status != StatusFail {
			continue
		}
		for k, spec := range rr.FailedSpecs() {
			i, ok := index[spec]
			if !ok {
				fs := failedSpec{Spec: spec, level: 3, first: j}
				for _, id := range spec.Rules {
					if r, ok := catalogue.ByID(id); ok {
						fs.Rules = append(fs.Rules, r)
						fs.level = min(fs.level, levelRank(r.Level))
					}
				}
				out = append(out, fs)
				i = len(out) - 1
				index[spec] = i
			}
			if k == 0 {
				out[i].Anchors = append(out[i].Anchors, fmt.Sprintf("f%d-%s", run, rr.Rule.ID))
			}
		}
	}
	slices.SortStableFunc(out, func(a, b failedSpec) int {
		return cmp.Or(cmp.Compare(a.level, b.level), cmp.Compare(a.first, b.first))
	})
	return out
}

// funcs are the conformance page's own template functions; the shared ones
// (cls, pretty, headers, statusText, statusClass, ms, style) and the
// "exchange" block come from reportpage.
var funcs = template.FuncMap{
	"headline": headline,
	"url": func(r catalogue.Rule) template.URL {
		// Rule.URL builds https links from the catalogue, never from a
		// report, so it is trusted.
		return template.URL(r.URL())
	},
}

var pageTemplate = template.Must(reportpage.Template("page").Funcs(funcs).Parse(pageHTML))

const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>{{style}}</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<p class="muted">Generated {{.Generated}} · {{len .Runs}} target{{if .Multi}}s{{end}}: {{range $i, $r := .Runs}}{{if $i}}, {{end}}<strong>{{$r.Target}}</strong>{{end}}</p>
<div class="verdict {{if .Verdict.Passed}}pass{{else}}fail{{end}}">
<strong>{{if .Verdict.Passed}}PASS{{else}}FAIL{{end}}</strong>
<span class="muted">— a run fails when a MUST rule fails (or a SHOULD rule, when strict), or when a suite could not vouch for its results</span>
<ul>{{range .Verdict.Lines}}<li>{{.}}</li>{{end}}</ul>
</div>
<table>
<thead><tr><th>target</th><th>base URL</th><th>suites</th><th>started</th><th>took</th><th>report files</th></tr></thead>
<tbody>{{range .Runs}}
<tr><td><strong>{{.Target}}</strong></td><td class="mono">{{.BaseURL}}</td>
<td>{{range $i, $s := .Suites}}{{if $i}}, {{end}}{{$s.Description}} ({{len $s.Specs}} specs){{end}}</td>
<td>{{if not .Start.IsZero}}{{.Start.UTC.Format "2006-01-02 15:04:05 MST"}}{{end}}</td><td>{{.Duration}}</td>
<td class="mono">{{range $i, $f := .Files}}{{if $i}}<br>{{end}}{{$f}}{{end}}</td></tr>{{end}}
</tbody>
</table>
<nav><a href="#failures">Failures</a><a href="#totals">Totals</a><a href="#matrix">Rule matrix</a><a href="#skipped">Skipped</a><a href="#leftovers">Leftovers</a><a href="#capabilities">Capabilities</a></nav>
</header>

<section id="failures">
<h2>Failures</h2>
{{range $r := .Runs}}
{{if $.Multi}}<h3>{{.Target}}</h3>{{end}}
{{range .FailedSpecs}}<article class="failure">{{range .Anchors}}<span id="{{.}}"></span>{{end}}
<h4>{{range $i, $rule := .Rules}}{{if $i}}<br>{{end}}<code>{{$rule.ID}}</code> <span class="level {{$rule.Level}}">{{$rule.Level}}</span> · {{with url $rule}}<a href="{{.}}">{{end}}{{$rule.Source}}{{if url $rule}}</a>{{end}} · <a href="#rule-{{$rule.ID}}">matrix</a> <span class="summary">{{$rule.Summary}}</span>{{end}}</h4>
{{template "spec" .Spec}}
</article>{{else}}<p>No rule failed{{if $.Multi}} on {{.Target}}{{end}}.</p>{{end}}
{{end}}
</section>

<section id="totals">
<h2>Totals per profile</h2>
<table>
<thead><tr>{{if .Multi}}<th>target</th>{{end}}<th>profile</th><th class="n">rules</th><th class="n">passed</th><th class="n">failed</th><th class="n">skipped</th><th class="n">not run</th><th class="n">MUST failed</th><th class="n">SHOULD failed</th><th class="n">MAY failed</th><th class="n">specs passed / failed / skipped</th></tr></thead>
<tbody>{{range $r := .Runs}}{{range .Totals}}
<tr>{{if $.Multi}}<td>{{$r.Target}}</td>{{end}}<td>{{.Profile}}</td><td class="n">{{.Rules}}</td><td class="n">{{.Passed}}</td><td class="n">{{.Failed}}</td><td class="n">{{.Skipped}}</td><td class="n">{{.NotRun}}</td><td class="n">{{.MustFailed}}</td><td class="n">{{.ShouldFailed}}</td><td class="n">{{.MayFailed}}</td><td class="n">{{.SpecsPassed}} / {{.SpecsFailed}} / {{.SpecsSkipped}}</td></tr>{{end}}{{end}}
</tbody>
</table>
{{range .Runs}}{{if or .NodeFailures .Problems .UnmappedFailed}}
<h3>Suite problems{{if $.Multi}} on {{.Target}}{{end}}</h3>
<p>The matrix cannot vouch for these suites: a failed setup skips every spec after it.</p>
{{range .Problems}}<p><span class="badge fail">fail</span> {{.}}</p>{{end}}
{{range .NodeFailures}}{{template "spec" .}}{{end}}
{{range .UnmappedFailed}}<p class="muted">This spec names no rule of the catalogue:</p>{{template "spec" .}}{{end}}
{{end}}{{end}}
</section>

<section id="matrix">
<h2>Rule matrix</h2>
<p class="muted">A rule fails when any of its specs failed; passes when one passed and none failed; is skipped when all its specs skipped; is not run when the report has none of its specs.{{if .Multi}} Rows marked at the left differ between targets.{{end}}</p>
<table>
<thead><tr><th>rule</th><th>level</th><th>source</th>{{if .ShowSwitches}}<th>proved by</th>{{end}}{{if .Multi}}{{range .Runs}}<th>{{.Target}}</th>{{end}}{{else}}<th>status and specs</th>{{end}}</tr></thead>
{{range .Groups}}<tbody>
<tr class="group"><th colspan="{{$.Cols}}">profile {{.Profile}} · {{len .Rows}} rules</th></tr>
{{range .Rows}}<tr id="rule-{{.Rule.ID}}"{{if and $.Multi .Differs}} class="differs"{{end}}>
<td><code>{{.Rule.ID}}</code><div class="summary">{{.Rule.Summary}}</div></td>
<td><span class="level {{.Rule.Level}}">{{.Rule.Level}}</span></td>
<td>{{with url .Rule}}<a href="{{.}}">{{end}}{{.Rule.Source}}{{if url .Rule}}</a>{{end}}</td>
{{if $.ShowSwitches}}<td>{{range .Switches}}<code>{{.}}</code><br>{{else}}<span class="muted">none</span>{{end}}</td>{{end}}
{{range .Cells}}<td>{{template "cell" .}}</td>{{end}}
</tr>{{end}}
</tbody>{{end}}
</table>
</section>


<section id="skipped">
<h2>Skipped and not run</h2>
{{range .Runs}}
{{if $.Multi}}<h3>{{.Target}}</h3>{{end}}
{{if .Skipped}}<table>
<thead><tr><th>rule</th><th>level</th><th>why the specs skipped</th></tr></thead>
<tbody>{{range .Skipped}}<tr><td><code>{{.Rule.ID}}</code></td><td><span class="level {{.Rule.Level}}">{{.Rule.Level}}</span></td>
<td>{{range .SkipReasons}}<div>{{.}}</div>{{else}}<span class="muted">no reason given</span>{{end}}</td></tr>{{end}}</tbody>
</table>{{else}}<p>No rule was skipped.</p>{{end}}
{{if .NotRun}}<p>Not run (no spec in the report: profile not selected, or filtered out): {{range $i, $id := .NotRun}}{{if $i}}, {{end}}<code>{{$id}}</code>{{end}}.</p>{{end}}
{{end}}
</section>

<section id="leftovers">
<h2>Leftovers</h2>
{{range .Runs}}
{{if $.Multi}}<h3>{{.Target}}</h3>{{end}}
{{if .Leftovers}}<p>Resources the run did not remove itself; the harness removed them afterwards.</p>
{{range .Leftovers}}<h4>suite {{.Suite}}</h4><pre>{{range .Items}}{{.}}
{{end}}</pre>{{end}}{{else}}<p>The run left nothing behind.</p>{{end}}
{{end}}
</section>

<section id="capabilities">
<h2>Capabilities</h2>
{{range .Runs}}{{template "capabilities" .}}{{end}}
</section>
</body>
</html>
{{define "cell"}}{{if eq .Status "fail"}}<a href="#f{{.Run}}-{{.Rule.ID}}">{{end}}<span class="badge {{cls .Status}}">{{.Status}}</span>{{if eq .Status "fail"}}</a>{{end}}
{{if .Specs}}<details class="specs"><summary>{{len .Specs}} spec{{if gt (len .Specs) 1}}s{{end}}: {{.Passed}} passed{{if .Failed}}, {{.Failed}} failed{{end}}{{if .Skipped}}, {{.Skipped}} skipped{{end}}</summary>
<ul>{{range .Specs}}<li class="{{cls .Outcome}}">{{.Text}}{{if eq .Outcome "skip"}} <span class="muted">(skipped: {{headline .Message}})</span>{{end}}</li>{{end}}</ul></details>{{end}}{{end}}

{{define "spec"}}<details class="spec">
<summary><span class="badge fail">{{.State}}</span> {{.Text}} <span class="muted">— {{headline .Message}}</span></summary>
<dl class="facts"><dt>suite</dt><dd>{{.Suite}}</dd>{{if .Location}}<dt>location</dt><dd class="mono">{{.Location}}</dd>{{end}}{{if .Rules}}<dt>rules</dt><dd>{{range $i, $id := .Rules}}{{if $i}}, {{end}}<a href="#rule-{{$id}}"><code>{{$id}}</code></a>{{end}}</dd>{{end}}{{if .Tags}}<dt>labels</dt><dd>{{range $i, $t := .Tags}}{{if $i}}, {{end}}{{$t}}{{end}}</dd>{{end}}{{if gt .Attempts 1}}<dt>attempts</dt><dd>{{.Attempts}}</dd>{{end}}</dl>
<pre class="message">{{.Message}}</pre>
{{if .Exchanges}}<h4>HTTP transcript ({{len .Exchanges}} exchange{{if gt (len .Exchanges) 1}}s{{end}})</h4>
<ol class="transcript">{{range .Exchanges}}<li>{{template "exchange" .}}</li>{{end}}</ol>{{else}}<p class="muted">No HTTP exchange was recorded.</p>{{end}}
</details>{{end}}

`
