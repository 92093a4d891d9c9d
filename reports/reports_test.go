package reports_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/scimconf/scimconf/catalogue"
	"github.com/scimconf/scimconf/reports"
)

func TestMatrix(t *testing.T) {
	runs := load(t, writeReport(t, "mock", sample()))
	m := runs[0].Matrix()
	if got, want := len(m), len(catalogue.All()); got != want {
		t.Fatalf("matrix has %d rows, want one per rule of the catalogue (%d)", got, want)
	}
	byID := map[string]reports.RuleResult{}
	for _, rr := range m {
		byID[rr.Rule.ID] = rr
	}
	tests := []struct {
		id                      string
		status                  reports.Status
		passed, failed, skipped int
		reasons                 []string
	}{
		{"RFC-CREATE", reports.StatusPass, 2, 0, 0, nil},
		{"RFC-GET", reports.StatusFail, 1, 1, 0, nil},
		{"RFC-DELETE", reports.StatusFail, 0, 1, 0, nil},     // panicked
		{"RFC-REPLACE", reports.StatusFail, 0, 1, 0, nil},    // timed out
		{"RFC-META", reports.StatusFail, 0, 1, 0, nil},       // interrupted
		{"RFC-MUTABILITY", reports.StatusFail, 0, 1, 0, nil}, // aborted
		{"RFC-BULK", reports.StatusSkip, 0, 0, 2, []string{"the target declares bulk.supported false"}},
		{"RFC-SORT", reports.StatusPass, 1, 0, 1, []string{"sort is declared supported"}},
		{"RFC-SEARCH", reports.StatusFail, 0, 1, 0, nil},
		{"RFC-FILTER", reports.StatusNotRun, 0, 0, 0, nil},
		{"DT-AUTH", reports.StatusNotRun, 0, 0, 0, nil},
	}
	for _, tt := range tests {
		got := byID[tt.id]
		if got.Status != tt.status || got.Passed != tt.passed || got.Failed != tt.failed || got.Skipped != tt.skipped {
			t.Errorf("%s: got %s (%d passed, %d failed, %d skipped), want %s (%d, %d, %d)",
				tt.id, got.Status, got.Passed, got.Failed, got.Skipped, tt.status, tt.passed, tt.failed, tt.skipped)
		}
		if !slices.Equal(got.SkipReasons, tt.reasons) {
			t.Errorf("%s: skip reasons %q, want %q", tt.id, got.SkipReasons, tt.reasons)
		}
	}
	if got := byID["RFC-GET"].FailedSpecs(); len(got) != 1 || got[0].Text != "Get returns it as created" {
		t.Errorf("RFC-GET failed specs = %v, want the one failed spec", got)
	}
}

func TestTotals(t *testing.T) {
	runs := load(t, writeReport(t, "mock", sample()))
	got := runs[0].Totals()
	rfcRules, dtRules, idpRules := countRules(catalogue.RFC), countRules(catalogue.Dynatrace), countRules(catalogue.IdP)
	want := []reports.ProfileTotals{
		{Profile: catalogue.RFC, Rules: rfcRules, Passed: 2, Failed: 6, Skipped: 1, NotRun: rfcRules - 9,
			MustFailed: 5, MayFailed: 1, SpecsPassed: 4, SpecsFailed: 6, SpecsSkipped: 3},
		{Profile: catalogue.Dynatrace, Rules: dtRules, NotRun: dtRules},
		{Profile: catalogue.IdP, Rules: idpRules, NotRun: idpRules},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Totals:\n got %+v\nwant %+v", got, want)
	}
}

func TestVerdict(t *testing.T) {
	ok := suite("rfc", it("Create", "answers 201", []string{"RFC-CREATE"}, passed, ""))
	tests := []struct {
		name     string
		reps     []types.Report
		opts     reports.Options
		wantCode int
		wantIn   []string
	}{
		{"all pass", []types.Report{ok}, reports.Options{}, 0, []string{"verdict: PASS", "1 rules passed"}},
		{"MUST fails", []types.Report{sample()}, reports.Options{}, 1,
			[]string{"5 MUST rules failed: RFC-DELETE, RFC-GET, RFC-META, RFC-MUTABILITY, RFC-REPLACE", "verdict: FAIL"}},
		{"SHOULD fails: a warning", []types.Report{suite("rfc",
			it("Create", "answers 201", []string{"RFC-CREATE"}, passed, ""),
			it("Errors", "answers an unknown id with 404", []string{"RFC-HTTP-STATUS"}, failed, "no"))}, reports.Options{}, 0,
			[]string{"warning: 1 SHOULD rule failed: RFC-HTTP-STATUS", "verdict: PASS"}},
		{"SHOULD fails, strict", []types.Report{suite("rfc",
			it("Create", "answers 201", []string{"RFC-CREATE"}, passed, ""),
			it("Errors", "answers an unknown id with 404", []string{"RFC-HTTP-STATUS"}, failed, "no"))}, reports.Options{StrictShould: true}, 1,
			[]string{"1 SHOULD rule failed (SHOULD is strict): RFC-HTTP-STATUS", "verdict: FAIL"}},
		{"setup failed", []types.Report{suite("rfc",
			suiteNode(types.NodeTypeSynchronizedBeforeSuite, failed, "cannot reach the target"),
			it("Create", "answers 201", []string{"RFC-CREATE"}, skipped, ""))}, reports.Options{}, 1,
			[]string{"suite rfc: SynchronizedBeforeSuite failed: cannot reach the target"}},
		{"suite interrupted", []types.Report{func() types.Report {
			r := ok
			r.SpecialSuiteFailureReasons = []string{"Interrupted by User"}
			return r
		}()}, reports.Options{}, 1, []string{"suite rfc: Interrupted by User"}},
		{"nothing checked", []types.Report{suite("rfc",
			it("Create", "answers 201", []string{"RFC-CREATE"}, skipped, "READ_ONLY is set"))}, reports.Options{}, 1,
			[]string{"no rule was checked"}},
		{"failed spec naming no rule", []types.Report{suite("rfc",
			it("Create", "answers 201", []string{"RFC-CREATE"}, passed, ""),
			it("Odd", "has no rule", []string{"read-only"}, failed, "no"))}, reports.Options{}, 1,
			[]string{`1 spec naming no known rule failed: "Odd has no rule"`}},
		{"leftovers are a warning", []types.Report{suite("rfc",
			it("Create", "answers 201", []string{"RFC-CREATE"}, passed, ""),
			suiteNode(types.NodeTypeSynchronizedAfterSuite, passed, "",
				types.ReportEntry{Name: "leftovers", Value: types.WrapEntryValue("User a\nUser b")}))}, reports.Options{}, 0,
			[]string{"left 2 resources behind", "verdict: PASS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := load(t, writeReport(t, "mock", tt.reps...))
			code, summary := reports.Verdict(runs, tt.opts)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d; summary:\n%s", code, tt.wantCode, summary)
			}
			for _, w := range tt.wantIn {
				if !strings.Contains(summary, w) {
					t.Errorf("summary lacks %q:\n%s", w, summary)
				}
			}
		})
	}
}

func TestVerdictAcrossRuns(t *testing.T) {
	good := writeReport(t, "good", suite("rfc", it("Create", "answers 201", []string{"RFC-CREATE"}, passed, "")))
	bad := writeReport(t, "bad", sample())
	code, summary := reports.Verdict(load(t, good, bad), reports.Options{})
	if code != 1 || !strings.Contains(summary, "bad: rfc: FAIL: ") || !strings.Contains(summary, "5 MUST rules failed") ||
		!strings.Contains(summary, "good: rfc: PASS: ") {
		t.Errorf("got %d\n%s\nwant 1 naming the failing target", code, summary)
	}
}

// TestVerdictPerProfile: every profile that ran gets its own verdict
// line, the overall verdict fails exactly when one of them does, and the
// MUST rules not run are counted with their reasons.
func TestVerdictPerProfile(t *testing.T) {
	rfc := suite("rfc",
		it("Create", "answers 201", []string{"RFC-CREATE"}, passed, ""),
		it("Bulk", "runs a bulk request", []string{"RFC-BULK"}, skipped, "the target declares bulk.supported false"))
	dt := suite("dynatrace",
		it("Tokens", "caps tokens at 10", []string{"DT-TOKEN-CAP", "admin"}, skipped, "needs the management API: set ADMIN_URL and ADMIN_TOKEN"),
		it("Users", "refuses a malformed email", []string{"DT-USER-EMAIL"}, failed, "rule DT-USER-EMAIL (MUST, seed): userName must be an email address\n\nwant 400, got 201"))
	code, summary := reports.Verdict(load(t, writeReport(t, "srv", rfc, dt)), reports.Options{})
	for _, w := range []string{
		"srv: rfc: PASS: 1 rules passed, 0 failed, 1 skipped",
		"1 declared or found unsupported by the target",
		"srv: dynatrace: FAIL: 0 rules passed, 1 failed, 1 skipped",
		"1 MUST rule failed: DT-USER-EMAIL",
		"1 need the management API (no ADMIN_URL)",
		"verdict: FAIL",
	} {
		if !strings.Contains(summary, w) {
			t.Errorf("summary lacks %q:\n%s", w, summary)
		}
	}
	if code != 1 {
		t.Errorf("exit code %d, want 1 (the dynatrace profile failed)", code)
	}
	if strings.Contains(summary, "srv: idp:") {
		t.Errorf("the idp profile did not run, but has a verdict line:\n%s", summary)
	}
}

func TestLoad(t *testing.T) {
	path := writeReport(t, "okta-preview", sample())
	tests := []struct {
		name       string
		args       []string
		wantTarget []string
	}{
		{"directory name", []string{path}, []string{"okta-preview"}},
		{"name=path", []string{"okta=" + path}, []string{"okta"}},
		{"two targets", []string{"a=" + path, "b=" + path}, []string{"a", "b"}},
		{"same name is one run", []string{"a=" + path, "a=" + path}, []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := load(t, tt.args...)
			var got []string
			for _, r := range runs {
				got = append(got, r.Target)
			}
			if !slices.Equal(got, tt.wantTarget) {
				t.Errorf("targets %q, want %q", got, tt.wantTarget)
			}
		})
	}

	r := load(t, "a="+path, "a="+path)[0]
	if len(r.Suites) != 2 || len(r.Files) != 2 {
		t.Errorf("merged run has %d suites from %d files, want 2 and 2", len(r.Suites), len(r.Files))
	}

	r = load(t, path)[0]
	if r.BaseURL != "https://scim.example.com" {
		t.Errorf("BaseURL = %q", r.BaseURL)
	}
	if got, want := r.Suites[0].Leftovers, []string{"User scimconf-1-ada@example.com (id 7)", "Group scimconf-1-admins (id 9)"}; !slices.Equal(got, want) {
		t.Errorf("leftovers %q, want %q", got, want)
	}
	if n := len(r.Suites[0].Specs); n != 13 {
		t.Errorf("%d specs, want the 13 It nodes (suite-level nodes apart)", n)
	}
	var get *reports.Spec
	for _, s := range r.Specs() {
		if s.Text == "Get returns it as created" {
			get = s
		}
	}
	if get == nil {
		t.Fatal("spec not found")
	}
	if len(get.Exchanges) != 3 {
		t.Fatalf("%d exchanges, want 3", len(get.Exchanges))
	}
	x := get.Exchanges[0]
	if x.Method != "POST" || x.Status != 409 || x.RequestHeaders["Content-Type"][0] != "application/scim+json" || !strings.Contains(x.ResponseBody, "uniqueness") || x.Millis != 1.25 {
		t.Errorf("exchange decoded as %+v", x)
	}
	if get.Location != "/src/suites/rfc/x_test.go:42" || !slices.Equal(get.Rules, []string{"RFC-GET"}) {
		t.Errorf("spec location %q rules %q", get.Location, get.Rules)
	}
	for _, s := range r.Specs() {
		if s.Text == "Create sets Location" && !slices.Equal(s.Tags, []string{"read-only"}) {
			t.Errorf("tags %q, want read-only", s.Tags)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"nothing", nil, "no report file"},
		{"missing", []string{filepath.Join(dir, "nope.json")}, "read report"},
		{"not JSON", []string{write("junit.xml", "<testsuites/>")}, "not a Ginkgo JSON report"},
		{"empty list", []string{write("empty.json", "[]")}, "holds no suite"},
		{"null", []string{write("null.json", "null")}, "holds no suite"},
		{"wrong shape", []string{write("shape.json", `[{"SpecReports": 3}]`)}, "not a Ginkgo JSON report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := reports.Load(tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
	// A single suite's report written as an object is read too.
	one := write("one.json", `{"SuiteDescription":"rfc","SpecReports":[]}`)
	if runs, err := reports.Load(one); err != nil || len(runs[0].Suites) != 1 {
		t.Errorf("single report object: %v", err)
	}
}

func TestMarkdown(t *testing.T) {
	runs := load(t, writeReport(t, "mock", sample()))
	var b bytes.Buffer
	if err := reports.Markdown(&b, runs, reports.Options{Title: "Nightly"}); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"# Nightly",
		"Verdict: **FAIL**",
		"## Target mock",
		fmt.Sprintf("| rfc | %d | 2 | 6 | 1 |", countRules(catalogue.RFC)),
		// Failed rule: ID, level, linked source, spec, headline without the
		// rule header, Gomega's message on one line.
		"| RFC-GET | MUST | [RFC 7644 3.4.1](https://www.rfc-editor.org/rfc/rfc7644#section-3.4.1) | Get returns it as created | reading the user back: Expected &lt;int>: 404 to equal &lt;int>: 200 |",
		"| RFC-SEARCH | MAY |",
		"expected HTTP status 200, got 404 |",
		`Replace replaces \| pipes`,
		"- **RFC-BULK** (MUST): the target declares bulk.supported false",
		"### Not run",
		"DT-AUTH",
		"  - User scimconf-1-ada@example.com (id 7)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "> POST /.search") {
		t.Errorf("Markdown carries transcript lines; they belong to the HTML page:\n%s", md)
	}
}

func TestMarkdownComparison(t *testing.T) {
	a := writeReport(t, "alpha", suite("rfc",
		it("Create", "answers 201", []string{"RFC-CREATE"}, passed, ""),
		it("Get", "returns it", []string{"RFC-GET"}, passed, "")))
	b := writeReport(t, "beta", suite("rfc",
		it("Create", "answers 201", []string{"RFC-CREATE"}, passed, ""),
		it("Get", "returns it", []string{"RFC-GET"}, failed, "no")))
	var out bytes.Buffer
	if err := reports.Markdown(&out, load(t, a, b), reports.Options{}); err != nil {
		t.Fatal(err)
	}
	md := out.String()
	for _, want := range []string{"## Comparison", "| rule | level | alpha | beta |", "| RFC-GET | MUST | pass | **fail** |", "## Target alpha", "## Target beta"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "| RFC-CREATE | MUST | pass | pass |") {
		t.Errorf("comparison lists a rule that passed everywhere:\n%s", md)
	}
}

func renderHTML(t *testing.T, runs []reports.Run, opts reports.Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := reports.HTML(&b, runs, opts); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestHTMLTranscriptEscaped(t *testing.T) {
	rep := sample()
	rep.SpecReports = append(rep.SpecReports, it("Create <script>alert(3)</script>", "fails", []string{"RFC-UNIQUENESS"}, failed, "<script>alert(4)</script>"))
	page := renderHTML(t, load(t, "<i>beta="+writeReport(t, "mock", rep)), reports.Options{})
	if n := strings.Count(strings.ToLower(page), "<script"); n != 0 {
		t.Errorf("page holds %d <script elements: report values are not escaped", n)
	}
	if strings.Contains(page, "<i>beta") || strings.Contains(page, "</pre><script") {
		t.Error("page holds markup from the report")
	}
	for _, want := range []string{
		// Request line, headers, pretty-printed JSON body with the script
		// escaped, status, response headers and body.
		`<strong>POST</strong> https://scim.example.com/v2/Users`,
		"Authorization: Bearer dt0s01…(redacted)",
		"&#34;givenName&#34;: &#34;&lt;script&gt;alert(1)&lt;/script&gt;&#34;",
		"\n  &#34;userName&#34;: &#34;ada@example.com&#34;",
		"409 Conflict",
		"1.2 ms",
		"Content-Type: application/scim&#43;json",
		"&#34;detail&#34;: &#34;&lt;/pre&gt;&lt;script&gt;alert(2)&lt;/script&gt;&#34;",
		// A body that is not JSON is shown as sent, escaped.
		"plain &lt;b&gt;text&lt;/b&gt;",
		"404 Not Found",
		"error: dial tcp: connection refused",
		// The failure itself.
		"Get returns it as created",
		"/src/suites/rfc/x_test.go:42",
		"reading the user back: Expected &lt;int&gt;: 404 to equal &lt;int&gt;: 200",
		"Create &lt;script&gt;alert(3)&lt;/script&gt; fails",
		"&lt;i&gt;beta",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if !regexp.MustCompile(`<details class="spec">\s*<summary>`).MatchString(page) {
		t.Error("failures are not in <details>")
	}
}

func TestHTMLSelfContained(t *testing.T) {
	page := renderHTML(t, load(t, writeReport(t, "mock", sample())), reports.Options{Switches: map[string][]string{}})
	lower := strings.ToLower(page)
	for _, bad := range []string{"<link", "<script", "src=", "url(", "@import", "<iframe", "<object", "<embed"} {
		if strings.Contains(lower, bad) {
			t.Errorf("page holds %q: it must need nothing beyond itself", bad)
		}
	}
	if !strings.Contains(lower, "<style>") {
		t.Error("page has no inline CSS")
	}
	// Links are for people to follow, never loaded: in-page anchors and
	// the rules' sources.
	sources := map[string]bool{}
	for _, r := range catalogue.All() {
		sources[html.EscapeString(r.URL())] = true
	}
	for _, m := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if u := m[1]; !strings.HasPrefix(u, "#") && !sources[u] {
			t.Errorf("unexpected link %q: neither an anchor nor a rule's source", u)
		}
	}
}

func TestHTMLMatrix(t *testing.T) {
	runs := load(t, writeReport(t, "mock", sample()))
	page := renderHTML(t, runs, reports.Options{Title: "Nightly"})
	for _, want := range []string{
		"<title>Nightly</title>",
		fmt.Sprintf("profile rfc · %d rules", countRules(catalogue.RFC)),
		"profile dynatrace",
		`<tr id="rule-RFC-GET">`,
		`<a href="https://www.rfc-editor.org/rfc/rfc7644#section-3.4.1">RFC 7644 3.4.1</a>`,
		`<a href="#f0-RFC-GET"><span class="badge fail">fail</span></a>`,
		`<span class="badge skip">skip</span>`,
		`<span class="badge notrun">not run</span>`,
		`<span id="f0-RFC-GET"></span>`,
		"the target declares bulk.supported false",
		"User scimconf-1-ada@example.com (id 7)",
		"<th>status and specs</th>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "proved by") {
		t.Error(`"proved by" column shown without Options.Switches`)
	}

	page = renderHTML(t, runs, reports.Options{Switches: map[string][]string{"RFC-GET": {"get-drops-meta"}}})
	if !strings.Contains(page, "<th>proved by</th>") || !strings.Contains(page, "<code>get-drops-meta</code>") {
		t.Error(`"proved by" column or switch missing with Options.Switches`)
	}
}

func TestHTMLComparison(t *testing.T) {
	a := writeReport(t, "alpha", suite("rfc",
		it("Create", "answers 201", []string{"RFC-CREATE"}, passed, ""),
		it("Get", "returns it", []string{"RFC-GET"}, passed, "")))
	b := writeReport(t, "beta", suite("rfc",
		it("Create", "answers 201", []string{"RFC-CREATE"}, passed, ""),
		it("Get", "returns it", []string{"RFC-GET"}, failed, "not found")))
	page := renderHTML(t, load(t, a, b), reports.Options{})
	for _, want := range []string{
		"<th>alpha</th><th>beta</th>",
		`<tr id="rule-RFC-GET" class="differs">`,
		`<a href="#f1-RFC-GET"><span class="badge fail">fail</span></a>`,
		`<span id="f1-RFC-GET"></span>`,
		"No rule failed on alpha.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, `<tr id="rule-RFC-CREATE" class="differs">`) {
		t.Error("a rule with the same status everywhere is marked as differing")
	}
	if got := strings.Count(page, `<span class="badge pass">pass</span>`); got != 3 {
		t.Errorf("%d pass badges, want 3 (CREATE twice, GET on alpha)", got)
	}
}

func TestText(t *testing.T) {
	var b bytes.Buffer
	if err := reports.Text(&b, load(t, "mock="+writeReport(t, "x", sample()))); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"target mock at https://scim.example.com (suites rfc)", "MUST failed", fmt.Sprintf("rfc        %d", countRules(catalogue.RFC))} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("Text lacks %q:\n%s", want, b.String())
		}
	}
}

func countRules(p catalogue.Profile) int {
	n := 0
	for _, r := range catalogue.All() {
		if r.Profile == p {
			n++
		}
	}
	return n
}

func TestFailureHeadline(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		name, msg, want string
	}{
		{"custom matcher after the rule header",
			"rule RFC-GET (MUST, RFC 7644 3.4.1): GET by id returns the resource as created\n\nexpected HTTP status 201, got 400\n\n> POST /Users\n< 400 Bad Request",
			"expected HTTP status 201, got 400"},
		{"annotation then matcher",
			"creating a fixture\nexpected HTTP status 201, got 400\n\n> POST /Users",
			"creating a fixture: expected HTTP status 201, got 400"},
		{"Gomega after a transcript",
			"count=7 over seven matches:\n> GET /Users?count=7\n< 200 OK\n\nExpected\n    <[]int | len:5>: [1, 2, 3, 4, 5]\nto have length 7",
			`count=7 over seven matches: Expected &lt;[]int \| len:5>: [1, 2, 3, 4, 5] to have length 7`},
		{"Gomega value cut short",
			"Expected\n    <string>: \"" + long + "\"\nto be empty",
			"Expected &lt;string>: \"" + strings.Repeat("x", 48) + "… to be empty"},
		{"long message cut", long, strings.Repeat("x", 199) + "…"},
		{"no message", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeReport(t, "mock", suite("rfc", it("Get", "returns it", []string{"RFC-GET"}, failed, tt.msg)))
			var b bytes.Buffer
			if err := reports.Markdown(&b, load(t, path), reports.Options{}); err != nil {
				t.Fatal(err)
			}
			row := regexp.MustCompile(`(?m)^\| RFC-GET \|.*$`).FindString(b.String())
			if want := "| Get returns it | " + tt.want + " |"; !strings.HasSuffix(row, want) {
				t.Errorf("failure row\n got %s\nwant suffix %s", row, want)
			}
		})
	}
}

func BenchmarkHTML(b *testing.B) {
	// A large run: 300 specs over the rfc rules, one in ten failed with a
	// ten-exchange transcript.
	var specs []types.SpecReport
	var ids []string
	for _, r := range catalogue.All() {
		if r.Profile == catalogue.RFC {
			ids = append(ids, r.ID)
		}
	}
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com","name":{"givenName":"Ada","familyName":"Lovelace"}}`
	for i := range 300 {
		state, msg := passed, ""
		var xs []exchange
		if i%10 == 0 {
			state, msg = failed, gomegaMessage
			for range 10 {
				xs = append(xs, exchange{Method: "POST", URL: "https://scim.example.com/v2/Users", ReqBody: body, Status: 201, RespBody: body})
			}
		}
		specs = append(specs, it("Spec", fmt.Sprintf("number %d", i), []string{ids[i%len(ids)]}, state, msg, xs...))
	}
	runs := load(b, writeReport(b, "mock", suite("rfc", specs...)))
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := reports.HTML(&buf, runs, reports.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

// TestTotalsCountSpecsOnce: a spec naming two rules of a profile is one
// spec in the profile's spec counts (issue 13: counts are of specs).
func TestTotalsCountSpecsOnce(t *testing.T) {
	runs := load(t, writeReport(t, "mock", suite("rfc",
		it("Create", "answers 201 with meta", []string{"RFC-CREATE", "RFC-META"}, passed, ""),
		it("Get", "answers 200", []string{"RFC-GET"}, failed, "no"))))
	got := runs[0].Totals()[0]
	if got.SpecsPassed != 1 || got.SpecsFailed != 1 || got.Passed != 2 || got.Failed != 1 {
		t.Errorf("rfc totals %+v, want 2 rules passed by 1 spec, 1 rule failed by 1 spec", got)
	}
}

// TestFilteredOutIsNotRun: a spec the label filter left out (Ginkgo
// reports it skipped, never attempted) makes its rule "not run", not
// "skipped".
func TestFilteredOutIsNotRun(t *testing.T) {
	filtered := it("Bulk", "runs a bulk request", []string{"RFC-BULK"}, skipped, "")
	filtered.NumAttempts = 0
	runs := load(t, writeReport(t, "mock", suite("rfc",
		it("Create", "answers 201", []string{"RFC-CREATE"}, passed, ""), filtered)))
	for _, rr := range runs[0].Matrix() {
		if rr.Rule.ID == "RFC-BULK" && rr.Status != reports.StatusNotRun {
			t.Errorf("RFC-BULK is %s, want not run", rr.Status)
		}
	}
	// A spec Ginkgo skipped after an earlier failure of its Ordered
	// container has a reason: it stays a skipped spec.
	ordered := it("Bulk", "runs", []string{"RFC-BULK"}, skipped, "Spec skipped because an earlier spec in an ordered container failed")
	ordered.NumAttempts = 0
	runs = load(t, writeReport(t, "mock2", suite("rfc", ordered)))
	for _, rr := range runs[0].Matrix() {
		if rr.Rule.ID == "RFC-BULK" && rr.Status != reports.StatusSkip {
			t.Errorf("RFC-BULK after an ordered failure is %s, want skip", rr.Status)
		}
	}
}

// TestHTMLFailuresFirstOnce: the failures come before the totals and the
// matrix, MUST before SHOULD, and a spec that fails two rules shows its
// transcript once, reachable from both rules' matrix cells.
func TestHTMLFailuresFirstOnce(t *testing.T) {
	x := exchange{Method: "GET", URL: "https://scim.example.com/v2/Users/1", Status: 500, RespBody: "unique-body-marker"}
	runs := load(t, writeReport(t, "mock", suite("rfc",
		it("Errors", "answers 404 for an unknown id", []string{"RFC-HTTP-STATUS"}, failed, "should-failure-marker"),
		it("Get", "returns it with meta", []string{"RFC-GET", "RFC-META"}, failed, "want 200", x))))
	page := renderHTML(t, runs, reports.Options{})
	if n := strings.Count(page, "unique-body-marker"); n != 1 {
		t.Errorf("the transcript is shown %d times, want once", n)
	}
	for _, a := range []string{`<span id="f0-RFC-GET"></span>`, `<span id="f0-RFC-META"></span>`} {
		if !strings.Contains(page, a) {
			t.Errorf("page lacks anchor %s", a)
		}
	}
	failures, totals, matrix := strings.Index(page, `<section id="failures">`), strings.Index(page, `<section id="totals">`), strings.Index(page, `<section id="matrix">`)
	if failures < 0 || failures > totals || failures > matrix {
		t.Errorf("failures at %d, totals at %d, matrix at %d: failures must come first", failures, totals, matrix)
	}
	if must, should := strings.Index(page, "returns it with meta"), strings.Index(page, "should-failure-marker"); must < 0 || should < 0 || must > should {
		t.Errorf("the MUST failure (at %d) must come before the SHOULD one (at %d)", must, should)
	}
}

// TestJUnit: one testcase per spec, the rule as classname, the spec text
// as name, a failure message naming the rule and what came back, the
// transcript only for failures, no setup node unless it failed.
func TestJUnit(t *testing.T) {
	x := exchange{Method: "GET", URL: "https://scim.example.com/v2/Users/1", Status: 404, RespBody: "gone-marker ]]> <&"}
	ok := exchange{Method: "POST", URL: "https://scim.example.com/v2/Users", Status: 201, RespBody: "created-marker"}
	runs := load(t, writeReport(t, "mock", suite("rfc",
		suiteNode(types.NodeTypeSynchronizedBeforeSuite, passed, ""),
		it("Create", "answers 201", []string{"RFC-CREATE"}, passed, "", ok),
		it("Get", "returns it", []string{"RFC-GET"}, failed, "rule RFC-GET (MUST, RFC 7644 3.4.1): ...\n\nreading the user back: want 200, got 404", x),
		it("Bulk", "runs", []string{"RFC-BULK"}, skipped, "the target declares bulk.supported false"))))
	var b bytes.Buffer
	if err := reports.JUnit(&b, runs, reports.Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`<testsuite name="rfc" tests="3" failures="1" errors="0" skipped="1"`,
		`<testcase classname="RFC-CREATE" name="Create answers 201"`,
		`<testcase classname="RFC-GET" name="Get returns it"`,
		`<failure message="RFC-GET (MUST): reading the user back: want 200, got 404" type="MUST">`,
		`gone-marker`,
		`<skipped message="the target declares bulk.supported false">`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("junit lacks %q:\n%s", want, out)
		}
	}
	var parsed struct {
		Suites []struct {
			Cases []struct {
				SystemOut string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b.Bytes(), &parsed); err != nil {
		t.Fatalf("junit.xml is not well-formed: %v", err)
	}
	if got := parsed.Suites[0].Cases[1].SystemOut; !strings.Contains(got, "gone-marker ]]> <&") || !strings.Contains(got, "\n") {
		t.Errorf("the failure's transcript does not read back as written: %q", got)
	}
	for _, bad := range []string{"[It]", "BeforeSuite", "created-marker"} {
		if strings.Contains(out, bad) {
			t.Errorf("junit holds %q:\n%s", bad, out)
		}
	}
}

func TestGitHubAnnotations(t *testing.T) {
	runs := load(t, writeReport(t, "mock", suite("rfc",
		it("Get", "returns it", []string{"RFC-GET"}, failed, "want 200,\ngot 404 100%"),
		it("Errors", "answers 404", []string{"RFC-HTTP-STATUS"}, failed, "no"))))
	var b bytes.Buffer
	if err := reports.GitHubAnnotations(&b, runs, reports.Options{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "::error title=RFC-GET (MUST%2C RFC 7644 3.4.1) failed::") ||
		!strings.HasPrefix(lines[1], "::warning title=RFC-HTTP-STATUS") || !strings.Contains(lines[0], "100%25") {
		t.Errorf("annotations:\n%s", b.String())
	}
}

// TestVerdictInterrupted: after an interrupt the rules without a spec in
// the report were not reached, not filtered out.
func TestVerdictInterrupted(t *testing.T) {
	r := suite("rfc", it("Create", "answers 201", []string{"RFC-CREATE"}, passed, ""))
	r.SpecialSuiteFailureReasons = []string{"Interrupted by User"}
	code, summary := reports.Verdict(load(t, writeReport(t, "srv", r)), reports.Options{})
	if code != 1 || !strings.Contains(summary, "not reached (the run stopped early)") || strings.Contains(summary, "filtered out") {
		t.Errorf("exit %d, summary:\n%s", code, summary)
	}
}
