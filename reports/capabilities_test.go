package reports_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/scimconf/scimconf/reports"
)

// capability mirrors the JSON of reportpage.Capability as the suites
// write it, built independently as a report reader would.
type capability struct {
	Feature string `json:"feature"`
	Detail  string `json:"detail,omitempty"`
	Source  string `json:"source"`
	Value   string `json:"value"`
}

func withCapabilities(sr types.SpecReport, cs ...capability) types.SpecReport {
	for _, c := range cs {
		sr.ReportEntries = append(sr.ReportEntries, types.ReportEntry{Name: "capability", Value: types.WrapEntryValue(c)})
	}
	return sr
}

// TestCapabilityTable: every report shows what the server declared beside
// what its answers showed, counted in specs (issue 19 item 4).
func TestCapabilityTable(t *testing.T) {
	eq := capability{"filter", "eq on userName", "observed", "accepted"}
	rep := suite("rfc",
		withCapabilities(it("Create", "answers 201", []string{"RFC-CREATE"}, passed, ""),
			capability{"filter", "", "declared", "supported"},
			capability{"discovery", "/ServiceProviderConfig", "declared", "read"},
			eq, capability{"ETag", "ETag header on answers", "observed", "seen"}),
		withCapabilities(it("Filter", "co", []string{"RFC-FILTER"}, skipped, "not supported"),
			eq, capability{"filter", "co on userName", "observed", "declined (400 invalidFilter)"}),
		withCapabilities(it("Patch", "replaces", []string{"RFC-PATCH"}, passed, ""),
			capability{"PATCH", "", "declared", "unsupported"}, capability{"PATCH", "replace path to an attribute", "observed", "accepted"}),
	)
	runs := load(t, writeReport(t, "mock", rep))
	rows := runs[0].Capabilities()
	var got []string
	for _, r := range rows {
		got = append(got, r.Feature+"|"+r.Detail+"|"+r.Said()+"|"+r.String())
	}
	want := []string{
		"discovery|/ServiceProviderConfig|read|",
		"filter||supported|",
		"filter|co on userName||declined (400 invalidFilter)",
		"filter|eq on userName||accepted ×2",
		"PATCH||unsupported|",
		"PATCH|replace path to an attribute||accepted",
		"ETag|ETag header on answers||seen",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("capability rows:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	var md, html, text bytes.Buffer
	if err := reports.Markdown(&md, runs, reports.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := reports.HTML(&html, runs, reports.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := reports.Text(&text, runs); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		out   string
		wants []string
	}{
		"Markdown": {md.String(), []string{"### Capabilities", "| filter | eq on userName |  | accepted ×2 |", "| PATCH |  | unsupported |  |"}},
		"HTML":     {html.String(), []string{`<section id="capabilities">`, "<td>co on userName</td><td></td><td>declined (400 invalidFilter)</td>"}},
		"text":     {text.String(), []string{"capabilities (feature: declared · observed)", "  filter eq on userName: seen: accepted ×2", "  PATCH replace path to an attribute: seen: accepted"}},
	} {
		for _, w := range c.wants {
			if !strings.Contains(c.out, w) {
				t.Errorf("%s lacks %q:\n%s", name, w, c.out)
			}
		}
	}
}

// TestCapabilityTableAssumed: without discovery the table states the
// assumptions the run made.
func TestCapabilityTableAssumed(t *testing.T) {
	rep := suite("rfc", withCapabilities(it("Create", "answers 201", []string{"RFC-CREATE"}, passed, ""),
		capability{"discovery", "/ServiceProviderConfig", "observed", "GET /ServiceProviderConfig answered 404 Not Found"},
		capability{"discovery", "assumption 1", "assumed", "filter assumed supported: GET /Users?filter=... answered 200"}))
	var md bytes.Buffer
	if err := reports.Markdown(&md, load(t, writeReport(t, "mock", rep)), reports.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"| discovery | /ServiceProviderConfig |  | GET /ServiceProviderConfig answered 404 Not Found |", "| discovery | assumption 1 | assumed: filter assumed supported"} {
		if !strings.Contains(md.String(), w) {
			t.Errorf("Markdown lacks %q:\n%s", w, md.String())
		}
	}
}
