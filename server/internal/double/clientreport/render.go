package clientreport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/scimconf/scimconf/reportpage"
	"github.com/scimconf/scimconf/server/internal/double/journal"
)

// groups are the report's sections, in order.
var groups = []struct {
	cat         Category
	name, intro string
}{
	{Dynatrace, "Dynatrace's rules", "What Dynatrace enforces, seen from the client: each request the mock refused for a rule, userName changes the client expected to stick, and token use."},
	{RFC, "RFC shape", "Whether the client's requests have the shape RFC 7643 and RFC 7644 give them, judged from the requests as sent, and what the mock refused for a filter, a PATCH path, a malformed body or another SCIM error the request caused. The mock accepts more than the RFC (application/json, IdP quirks); those are warnings."},
	{Behaviour, "Behaviour", "How the client copes: conflicts, throttling and failed exchanges (inject them with the mock's faults)."},
}

func badgeOf(v Verdict) badge {
	switch v {
	case Met:
		return badgePass
	case Broken:
		return badgeFail
	case Warning:
		return badgeSkip
	}
	return badgeNotRun
}

// Page is the report as it is rendered.
func (r *Report) Page() Page {
	p := Page{
		Title:     "SCIM client report",
		Subject:   "the client that talked to the scimconf mock, graded from its journal",
		Generated: r.Generated,
		Passed:    r.Passed,
	}
	for _, res := range r.Results {
		switch res.Verdict {
		case Broken:
			p.Lines = append(p.Lines, fmt.Sprintf("broken: %s (%d finding%s): %s", res.ID, count(res.Findings, Broken), plural(count(res.Findings, Broken)), res.Summary))
		case Warning:
			p.Lines = append(p.Lines, fmt.Sprintf("warning: %s (%d): %s", res.ID, count(res.Findings, Warning), res.Summary))
		}
	}
	if n := len(r.Refused); n > 0 {
		p.Lines = append(p.Lines, fmt.Sprintf("the mock refused %d request%s: see Refused requests", n, plural(n)))
	}
	if r.Exchanges == 0 {
		p.Lines = append(p.Lines, "the journal holds no exchange: nothing to grade (is the connector pointed at this mock? was the journal cleared?)")
	}
	p.Lines = append(p.Lines, fmt.Sprintf("%d met, %d broken, %d warnings, %d not exercised, from %d exchanges", r.Met, r.Broken, r.Warnings, r.NotExercised, r.Exchanges))

	fact := func(name, value string) {
		if value != "" {
			p.Facts = append(p.Facts, Fact{Name: name, Value: value})
		}
	}
	fact("exchanges", fmt.Sprint(r.Exchanges))
	if !r.First.IsZero() {
		fact("from", r.First.UTC().Format(time.RFC3339))
		fact("to", r.Last.UTC().Format(time.RFC3339))
	}
	fact("accounts", strings.Join(r.Accounts, ", "))
	if len(r.SCIMBaseURLs) > 0 {
		fact("SCIM base URL", strings.Join(r.SCIMBaseURLs, ", ")+" (the report's paths are relative to it)")
	}
	fact("user agents", strings.Join(r.UserAgents, ", "))
	fact("faults injected", fmt.Sprint(r.Faults))
	var quirks []string
	for _, q := range slices.Sorted(maps.Keys(r.Quirks)) {
		quirks = append(quirks, fmt.Sprintf("%s ×%d", q, r.Quirks[q]))
	}
	fact("IdP quirks accepted", strings.Join(quirks, ", "))

	for _, grp := range groups {
		g := Group{Name: grp.name, Intro: grp.intro}
		for _, res := range r.Results {
			if res.Category != grp.cat {
				continue
			}
			row := Row{ID: res.ID, Summary: res.Summary, Source: res.Source, URL: res.URL,
				Status: badgeOf(res.Verdict), Label: string(res.Verdict), Checked: res.Checked}
			for _, f := range res.Findings {
				cf := PageFinding{Text: string(f.Verdict) + ": " + f.Text}
				if e, ok := r.entries[f.Seq]; ok {
					cf.Exchange = toExchange(e)
				}
				row.Findings = append(row.Findings, cf)
			}
			g.Rows = append(g.Rows, row)
		}
		p.Groups = append(p.Groups, g)
	}
	for _, rf := range r.Refused {
		row := RefusedRow{Refusal: rf, Status: badgeOf(rf.Verdict)}
		if e, ok := r.entries[rf.Seq]; ok {
			row.Exchange = toExchange(e)
		}
		p.Refused = append(p.Refused, row)
	}
	return p
}

func count(fs []Finding, v Verdict) int {
	n := 0
	for _, f := range fs {
		if f.Verdict == v {
			n++
		}
	}
	return n
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// toExchange is e's transcript; its URL is relative to the SCIM base URL,
// as every path in the report is.
func toExchange(e journal.Entry) *reportpage.Exchange {
	x := &reportpage.Exchange{
		Method: e.Method, URL: relPath(&e), RequestHeaders: e.RequestHeaders, RequestBody: e.RequestBody,
		Status: e.Status, ResponseHeaders: e.ResponseHeaders, ResponseBody: e.ResponseBody,
		Error: e.Error, Millis: float64(e.Duration) / float64(time.Millisecond),
	}
	if e.Status == 0 && x.Error == "" {
		x.Error = "no answer"
	}
	return x
}

// HTML writes the report as one self-contained page.
func (r *Report) HTML(w io.Writer) error { return pageHTML(w, r.Page()) }

// Markdown writes the report as Markdown.
func (r *Report) Markdown(w io.Writer) error { return pageMarkdown(w, r.Page()) }

// Handler answers GET /mock/v1/client-report: the client report of the
// journal entries that match the query parameters (journal.ParseFilter;
// e.g. account=, since=), as JSON (format=json, the default), HTML
// (format=html) or Markdown (format=md).
func Handler(j *journal.Journal, now func() time.Time) http.HandlerFunc {
	if now == nil {
		now = time.Now
	}
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		format := strings.ToLower(q.Get("format"))
		q.Del("format")
		f, err := journal.ParseFilter(q)
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_filter", "%v", err)
			return
		}
		rep := Grade(j.Entries(f), now())
		var (
			buf bytes.Buffer
			ct  string
		)
		switch format {
		case "", "json":
			ct = "application/json"
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			err = enc.Encode(rep)
		case "html":
			ct = "text/html; charset=utf-8"
			err = rep.HTML(&buf)
		case "md", "markdown":
			ct = "text/markdown; charset=utf-8"
			err = rep.Markdown(&buf)
		default:
			writeError(w, http.StatusBadRequest, "invalid_format", "format=%q: use json, html or md", format)
			return
		}
		if err != nil {
			writeError(w, http.StatusInternalServerError, "internal", "rendering the report: %v", err)
			return
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		w.Write(buf.Bytes())
	}
}

func writeError(w http.ResponseWriter, status int, code, format string, args ...any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(struct {
		Error  string `json:"error"`
		Detail string `json:"detail"`
	}{code, fmt.Sprintf(format, args...)})
}
