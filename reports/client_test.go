package reports_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/scimconf/scimconf/reports"
)

func clientPage() reports.ClientPage {
	return reports.ClientPage{
		Title:     "SCIM client report",
		Subject:   "the client of http://127.0.0.1:8080",
		Generated: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC),
		Lines:     []string{"1 rule broken: CL-RETRY-AFTER"},
		Facts:     []reports.ClientFact{{Name: "exchanges", Value: "12"}},
		Groups: []reports.ClientGroup{{
			Name: "Behaviour",
			Rows: []reports.ClientRow{
				{ID: "CL-RETRY-AFTER", Summary: "honours Retry-After", Source: "RFC 6585 §4", URL: "https://www.rfc-editor.org/rfc/rfc6585#section-4",
					Status: reports.StatusFail, Label: "broken", Checked: 1,
					Findings: []reports.ClientFinding{{Text: "#7 PATCH retried after 0.1s <script>", Exchange: &reports.Exchange{
						Method: "PATCH", URL: "/Users/1", RequestBody: `{"a":"<b>"}`, Status: 429}}}},
				{ID: "CL-OTHER", Summary: "other", Status: reports.StatusNotRun, Label: "not exercised"},
			},
		}},
	}
}

func TestClientHTML(t *testing.T) {
	var b bytes.Buffer
	if err := reports.ClientHTML(&b, clientPage()); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	var conf bytes.Buffer
	if err := reports.HTML(&conf, nil, reports.Options{}); err != nil {
		t.Fatal(err)
	}
	style := func(s string) string {
		_, rest, _ := strings.Cut(s, "<style>")
		css, _, _ := strings.Cut(rest, "</style>")
		return css
	}
	if style(page) == "" || style(page) != style(conf.String()) {
		t.Error("the client page's stylesheet is not the conformance page's")
	}
	for _, want := range []string{"FAIL", "CL-RETRY-AFTER", `class="badge fail">broken`, `class="badge notrun">not exercised`, "&lt;script&gt;", "PATCH", `href="https://www.rfc-editor.org/rfc/rfc6585#section-4"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, `"<b>"`) {
		t.Error("a value from a request reached the page unescaped")
	}
}

func TestClientMarkdown(t *testing.T) {
	var b bytes.Buffer
	p := clientPage()
	p.Passed = false
	if err := reports.ClientMarkdown(&b, p); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{"# SCIM client report", "Verdict: **FAIL**", "| `CL-RETRY-AFTER` honours Retry-After | ❌ broken | 1 |", "- #7 PATCH retried after 0.1s &lt;script>", "- exchanges: 12"} {
		if !strings.Contains(md, want) {
			t.Errorf("the Markdown lacks %q:\n%s", want, md)
		}
	}
}
