package clientreport

import (
	"bytes"
	"html/template"
	"strings"
	"testing"
	"time"

	"github.com/scimconf/scimconf/reportpage"
)

func testPage() Page {
	return Page{
		Title:     "SCIM client report",
		Subject:   "the client of http://127.0.0.1:8080",
		Generated: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC),
		Lines:     []string{"1 rule broken: CL-RETRY-AFTER"},
		Facts:     []Fact{{Name: "exchanges", Value: "12"}},
		Groups: []Group{{
			Name: "Behaviour",
			Rows: []Row{
				{ID: "CL-RETRY-AFTER", Summary: "honours Retry-After", Source: "RFC 6585 §4", URL: "https://www.rfc-editor.org/rfc/rfc6585#section-4",
					Status: badgeFail, Label: "broken", Checked: 1,
					Findings: []PageFinding{{Text: "#7 PATCH retried after 0.1s <script>", Exchange: &reportpage.Exchange{
						Method: "PATCH", URL: "/Users/1", RequestBody: `{"a":"<b>"}`, Status: 429}}}},
				{ID: "CL-OTHER", Summary: "other", Status: badgeNotRun, Label: "not exercised"},
			},
		}},
	}
}

func TestPageHTML(t *testing.T) {
	var b bytes.Buffer
	if err := pageHTML(&b, testPage()); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	var shared bytes.Buffer
	if err := template.Must(reportpage.Template("t").Parse("<style>{{style}}</style>")).Execute(&shared, nil); err != nil {
		t.Fatal(err)
	}
	style := func(s string) string {
		_, rest, _ := strings.Cut(s, "<style>")
		css, _, _ := strings.Cut(rest, "</style>")
		return css
	}
	if style(page) == "" || style(page) != style(shared.String()) {
		t.Error("the client page's stylesheet is not the shared one of the conformance report")
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

func TestPageMarkdown(t *testing.T) {
	var b bytes.Buffer
	p := testPage()
	p.Passed = false
	if err := pageMarkdown(&b, p); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{"# SCIM client report", "Verdict: **FAIL**", "| `CL-RETRY-AFTER` honours Retry-After | ❌ broken | 1 |", "- #7 PATCH retried after 0.1s &lt;script>", "- exchanges: 12"} {
		if !strings.Contains(md, want) {
			t.Errorf("the Markdown lacks %q:\n%s", want, md)
		}
	}
}
