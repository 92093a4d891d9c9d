package reports_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/scimconf/scimconf/reports"
)

// exchange mirrors the JSON the suites' recorder writes (suites/scimtest
// Exchange); the test builds it independently, as a report reader would.
type exchange struct {
	Method     string              `json:"method"`
	URL        string              `json:"url"`
	ReqHeader  map[string][]string `json:"requestHeaders,omitempty"`
	ReqBody    string              `json:"requestBody,omitempty"`
	Status     int                 `json:"status"`
	RespHeader map[string][]string `json:"responseHeaders,omitempty"`
	RespBody   string              `json:"responseBody,omitempty"`
	Error      string              `json:"error,omitempty"`
	Millis     float64             `json:"ms"`
}

var t0 = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

// it builds an It spec report; the message is the failure message, or the
// skip reason.
func it(container, text string, labels []string, state types.SpecState, msg string, xs ...exchange) types.SpecReport {
	sr := types.SpecReport{
		ContainerHierarchyTexts:  []string{container},
		ContainerHierarchyLabels: [][]string{{}},
		LeafNodeType:             types.NodeTypeIt,
		LeafNodeText:             text,
		LeafNodeLabels:           labels,
		LeafNodeLocation:         types.CodeLocation{FileName: "/src/suites/rfc/x_test.go", LineNumber: 10},
		State:                    state,
		NumAttempts:              1,
		StartTime:                t0,
		EndTime:                  t0.Add(time.Millisecond),
	}
	if msg != "" {
		sr.Failure = types.Failure{Message: msg, Location: types.CodeLocation{FileName: "/src/suites/rfc/x_test.go", LineNumber: 42}}
	}
	for _, x := range xs {
		sr.ReportEntries = append(sr.ReportEntries, types.ReportEntry{Name: "http", Value: types.WrapEntryValue(x)})
	}
	return sr
}

func suite(desc string, specs ...types.SpecReport) types.Report {
	ok := true
	for _, s := range specs {
		ok = ok && !s.Failed()
	}
	return types.Report{
		SuitePath:        "/src/suites/" + desc,
		SuiteDescription: desc,
		SuiteSucceeded:   ok,
		StartTime:        t0,
		EndTime:          t0.Add(2 * time.Second),
		SpecReports:      specs,
	}
}

// suiteNode builds a suite-level node report (SynchronizedBeforeSuite,
// AfterSuite, ...).
func suiteNode(nt types.NodeType, state types.SpecState, msg string, entries ...types.ReportEntry) types.SpecReport {
	sr := types.SpecReport{LeafNodeType: nt, State: state, ReportEntries: entries}
	if msg != "" {
		sr.Failure = types.Failure{Message: msg, Location: types.CodeLocation{FileName: "/src/suites/scimtest/setup.go", LineNumber: 36}}
	}
	return sr
}

// writeReport writes reports as ginkgo --json-report does, into
// dir/name/report.json, so that Load round-trips them through JSON.
func writeReport(t testing.TB, name string, reps ...types.Report) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(reps)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "report.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func load(t testing.TB, args ...string) []reports.Run {
	t.Helper()
	runs, err := reports.Load(args...)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return runs
}

var (
	passed      = types.SpecStatePassed
	failed      = types.SpecStateFailed
	skipped     = types.SpecStateSkipped
	pending     = types.SpecStatePending
	panicked    = types.SpecStatePanicked
	interrupted = types.SpecStateInterrupted
	aborted     = types.SpecStateAborted
	timedout    = types.SpecStateTimedout
)

// gomegaMessage is a failure as the suites' fail handler writes it: the
// rule header, then Gomega's message.
const gomegaMessage = "rule RFC-GET (MUST, RFC 7644 3.4.1): GET by id returns the resource as created\n\n" +
	"reading the user back\nExpected\n    <int>: 404\nto equal\n    <int>: 200"

// sample is one run of the rfc profile covering every rule status.
func sample() types.Report {
	conflict := exchange{
		Method: "POST", URL: "https://scim.example.com/v2/Users",
		ReqHeader: map[string][]string{"Authorization": {"Bearer dt0s01…(redacted)"}, "Content-Type": {"application/scim+json"}},
		ReqBody:   `{"userName":"ada@example.com","name":{"givenName":"<script>alert(1)</script>"}}`,
		Status:    409, RespHeader: map[string][]string{"Content-Type": {"application/scim+json"}},
		RespBody: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"</pre><script>alert(2)</script>"}`,
		Millis:   1.25,
	}
	notFound := exchange{Method: "GET", URL: "https://scim.example.com/v2/Users/42", Status: 404, RespBody: "plain <b>text</b>", Millis: 0.5}
	broken := exchange{Method: "GET", URL: "https://scim.example.com/v2/Groups", Error: "dial tcp: connection refused"}
	return suite("rfc",
		suiteNode(types.NodeTypeSynchronizedBeforeSuite, passed, ""),
		it("Create", "answers 201", []string{"RFC-CREATE"}, passed, ""),
		it("Create", "sets Location", []string{"RFC-CREATE", "read-only"}, passed, ""),
		it("Get", "returns the resource", []string{"RFC-GET"}, passed, ""),
		it("Get", "returns it as created", []string{"RFC-GET"}, failed, gomegaMessage, conflict, notFound, broken),
		it("Delete", "answers 204", []string{"RFC-DELETE"}, panicked, "boom"),
		it("Replace", "replaces | pipes", []string{"RFC-REPLACE"}, timedout, "timed out\nafter 10s"),
		it("Meta", "moves lastModified", []string{"RFC-META"}, interrupted, "interrupted"),
		it("Mutability", "ignores readOnly", []string{"RFC-MUTABILITY"}, aborted, "aborted"),
		it("Bulk", "runs bulkIds", []string{"RFC-BULK"}, skipped, "the target declares bulk.supported false"),
		it("Bulk", "stops on failOnErrors", []string{"RFC-BULK"}, pending, ""),
		it("Sort", "sorts", []string{"RFC-SORT"}, passed, ""),
		it("Sort", "refuses sortBy", []string{"RFC-SORT"}, skipped, "sort is declared supported"),
		it("Search", "answers like GET", []string{"RFC-SEARCH"}, failed, "expected HTTP status 200, got 404\n\n> POST /.search"),
		suiteNode(types.NodeTypeSynchronizedAfterSuite, passed, "",
			types.ReportEntry{Name: "leftovers", Value: types.WrapEntryValue("User scimconf-1-ada@example.com (id 7)\nGroup scimconf-1-admins (id 9)")}),
	)
}
