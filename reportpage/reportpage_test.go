package reportpage_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/reportpage"
)

func TestExchangeRendering(t *testing.T) {
	x := reportpage.Exchange{Method: "PATCH", URL: "/Users/1", RequestBody: `{"a":"<b>"}`, Status: 429, ResponseHeaders: map[string][]string{"Retry-After": {"2"}}, Millis: 1.25}
	if s := x.String(); !strings.Contains(s, "> PATCH /Users/1") || !strings.Contains(s, "< 429 Too Many Requests (1.2 ms)") || !strings.Contains(s, "< Retry-After: 2") {
		t.Errorf("String() = %q", s)
	}
	tmpl := reportpage.Template("t")
	if _, err := tmpl.Parse(`<style>{{style}}</style>{{template "exchange" .}}`); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, x); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{"--pass:", `class="s4">429 Too Many Requests`, "&lt;b&gt;", "Retry-After: 2"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "<b>") {
		t.Error("a body reached the page unescaped")
	}
	if got := reportpage.MDCell("a | b\n<c>"); got != `a \| b &lt;c>` {
		t.Errorf("MDCell = %q", got)
	}
}
