package clientreport_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scimconf/scimconf/server/internal/double/clientreport"
	"github.com/scimconf/scimconf/server/internal/double/journal"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	base    = "/idm/public/scim/acct/v2"
	userURN = "urn:ietf:params:scim:schemas:core:2.0:User"
	patch   = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`
	tokenA  = "Bearer dt0s09.AAAAAAAA.[redacted]"
)

// x builds an entry; at is seconds after t0. Seqs are given by build.
type x struct {
	at       float64
	method   string
	rest     string // below the SCIM base URL
	query    string // raw, without "?"
	scimType string
	detail   string
	status   int
	body     string
	resp     string
	headers  map[string]string // request headers
	rheaders map[string]string // response headers
	rule     string
	fault    string
	quirks   []string
	dur      time.Duration
}

func build(xs ...x) []journal.Entry {
	var out []journal.Entry
	for i, c := range xs {
		e := journal.Entry{
			Seq: uint64(i + 1), Time: t0.Add(time.Duration(c.at * float64(time.Second))), Duration: c.dur,
			Method: c.method, Path: base + c.rest, Query: c.query, SCIMType: c.scimType, Detail: c.detail, Status: c.status, RequestBody: c.body, ResponseBody: c.resp,
			Rule: c.rule, Fault: c.fault, Quirks: c.quirks, AccountID: "acct",
			RequestHeaders: http.Header{"Authorization": {tokenA}, "Content-Type": {"application/scim+json"}}, ResponseHeaders: http.Header{},
		}
		for k, v := range c.headers {
			if v == "" {
				e.RequestHeaders.Del(k)
			} else {
				e.RequestHeaders.Set(k, v)
			}
		}
		for k, v := range c.rheaders {
			e.ResponseHeaders.Set(k, v)
		}
		parts := strings.SplitN(strings.TrimPrefix(c.rest, "/"), "/", 2)
		e.Endpoint = parts[0]
		switch e.Endpoint {
		case "Users":
			e.ResourceType = "User"
		case "Groups":
			e.ResourceType = "Group"
		}
		if len(parts) > 1 && e.ResourceType != "" && parts[1] != ".search" {
			e.ResourceID = parts[1]
		}
		if c.method == "POST" && c.status == 201 && e.ResourceID == "" {
			var doc map[string]any
			json.Unmarshal([]byte(c.resp), &doc)
			e.ResourceID, _ = doc["id"].(string)
		}
		out = append(out, e)
	}
	return out
}

func user(name string) string {
	return `{"schemas":["` + userURN + `"],"userName":"` + name + `","name":{"givenName":"A","familyName":"B"},"active":true}`
}

func TestGrade(t *testing.T) {
	tests := []struct {
		name    string
		entries []journal.Entry
		rule    string
		want    clientreport.Verdict
		finding string // a part of a finding's text, when one is expected
	}{
		{"domain met", build(x{method: "POST", rest: "/Users", status: 201, body: user("a@example.com"), resp: `{"id":"u1"}`}), "DT-USER-DOMAIN", clientreport.Met, ""},
		{"domain broken", build(x{method: "POST", rest: "/Users", status: 400, body: user("a@unverified.test"), rule: "DT-USER-DOMAIN"}), "DT-USER-DOMAIN", clientreport.Broken, "refused"},
		{"domain not exercised", build(x{method: "GET", rest: "/Users", status: 200}), "DT-USER-DOMAIN", clientreport.NotExercised, ""},

		{"userName change by PUT", build(x{method: "PUT", rest: "/Users/u1", status: 200, body: user("new@example.com"), resp: `{"id":"u1","userName":"old@example.com"}`}), "DT-USER-EMAIL-IMMUTABLE", clientreport.Broken, `keeps "old@example.com"`},
		{"userName unchanged by PUT", build(x{method: "PUT", rest: "/Users/u1", status: 200, body: user("Old@example.com"), resp: `{"id":"u1","userName":"old@example.com"}`}), "DT-USER-EMAIL-IMMUTABLE", clientreport.Met, ""},
		{"userName change by PATCH, 204", build(
			x{method: "GET", rest: "/Users/u1", status: 200, resp: `{"id":"u1","userName":"old@example.com"}`},
			x{method: "PATCH", rest: "/Users/u1", status: 204, body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"userName":"new@example.com"}}]}`},
		), "DT-USER-EMAIL-IMMUTABLE", clientreport.Broken, "new@example.com"},
		{"userName by PATCH, never seen", build(
			x{method: "PATCH", rest: "/Users/u1", status: 204, body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"userName","value":"new@example.com"}]}`},
		), "DT-USER-EMAIL-IMMUTABLE", clientreport.Warning, "cannot be told"},

		{"no Authorization", build(x{method: "GET", rest: "/Users", status: 401, rule: "DT-AUTH", headers: map[string]string{"Authorization": ""}}), "DT-AUTH", clientreport.Broken, "no Authorization"},
		{"Basic", build(x{method: "GET", rest: "/Users", status: 401, rule: "DT-AUTH", headers: map[string]string{"Authorization": "Basic [redacted]"}}), "DT-AUTH", clientreport.Broken, `"Basic"`},
		{"auth met", build(x{method: "GET", rest: "/Users", status: 200}), "DT-AUTH", clientreport.Met, ""},
		{"revoked token", build(
			x{method: "GET", rest: "/Users", status: 200},
			x{method: "GET", rest: "/Users", status: 401, rule: "DT-AUTH"},
		), "DT-TOKEN-REVOKE", clientreport.Broken, "revoked"},
		{"revoked token is not DT-AUTH's", build(
			x{method: "GET", rest: "/Users", status: 200},
			x{method: "GET", rest: "/Users", status: 401, rule: "DT-AUTH"},
		), "DT-AUTH", clientreport.Met, ""},
		{"no revocation", build(x{method: "GET", rest: "/Users", status: 200}), "DT-TOKEN-REVOKE", clientreport.NotExercised, ""},
		{"other rule, 409", build(x{method: "POST", rest: "/Groups", status: 409, body: `{"displayName":"x"}`, rule: "DT-GROUP-UNIQUE"}), "DT-GROUP-UNIQUE", clientreport.Warning, "refused"},
		{"other rule, 400", build(x{method: "POST", rest: "/Users", status: 400, body: user("a@example.com"), rule: "DT-USER-LIMIT"}), "DT-USER-LIMIT", clientreport.Broken, "refused"},

		{"content type", build(x{method: "POST", rest: "/Users", status: 201, body: user("a@example.com")}), "CL-CONTENT-TYPE", clientreport.Met, ""},
		{"content type json", build(x{method: "POST", rest: "/Users", status: 201, body: user("a@example.com"), headers: map[string]string{"Content-Type": "application/json; charset=utf-8"}}), "CL-CONTENT-TYPE", clientreport.Warning, "application/json"},
		{"content type missing", build(x{method: "POST", rest: "/Users", status: 201, body: user("a@example.com"), headers: map[string]string{"Content-Type": ""}}), "CL-CONTENT-TYPE", clientreport.Broken, "without Content-Type"},

		{"schemas", build(x{method: "POST", rest: "/Users", status: 201, body: user("a@example.com")}), "CL-SCHEMAS", clientreport.Met, ""},
		{"schemas missing", build(x{method: "POST", rest: "/Users", status: 201, body: `{"userName":"a@example.com"}`}), "CL-SCHEMAS", clientreport.Broken, `no "schemas"`},
		{"schemas wrong", build(x{method: "PATCH", rest: "/Users/u1", status: 200, body: `{"schemas":["` + userURN + `"],"Operations":[{"op":"add","path":"x","value":1}]}`}), "CL-SCHEMAS", clientreport.Broken, "PatchOp"},
		{"schemas extension unlisted", build(x{method: "POST", rest: "/Users", status: 201, body: `{"schemas":["` + userURN + `"],"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"x"}}`}), "CL-SCHEMAS", clientreport.Broken, "extension"},
		{"schemas not JSON", build(x{method: "PUT", rest: "/Users/u1", status: 400, body: `userName=a`}), "CL-SCHEMAS", clientreport.Broken, "not a JSON object"},

		// RFC 7643 section 3: "schemas" is REQUIRED, a non-empty array of
		// the representation's schema URIs; graded from the body as sent,
		// whether the mock refused it or not.
		{"schemas empty", build(x{method: "POST", rest: "/Users", status: 201, body: `{"schemas":[],"userName":"a@example.com"}`}), "CL-SCHEMAS", clientreport.Broken, `"schemas" is empty`},
		{"schemas a string", build(x{method: "POST", rest: "/Users", status: 201, body: `{"schemas":"` + userURN + `","userName":"a@example.com"}`}), "CL-SCHEMAS", clientreport.Broken, `"schemas" is a string, not an array of URIs; send "schemas": ["` + userURN + `"]`},
		{"schemas null", build(x{method: "POST", rest: "/Users", status: 400, body: `{"schemas":null,"userName":"a@example.com"}`, scimType: "invalidSyntax"}), "CL-SCHEMAS", clientreport.Broken, `"schemas" is null`},
		{"schemas names the Group schema on /Users", build(x{method: "POST", rest: "/Users", status: 201, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"userName":"a@example.com"}`}), "CL-SCHEMAS", clientreport.Broken, "the wrong schema for POST /Users"},
		{"schemas names the User schema on a PUT of a Group", build(x{method: "PUT", rest: "/Groups/g1", status: 200, body: `{"schemas":["` + userURN + `"],"displayName":"g"}`}), "CL-SCHEMAS", clientreport.Broken, `send "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"]`},
		{"schemas missing says it is REQUIRED", build(x{method: "POST", rest: "/Groups", status: 201, body: `{"displayName":"g"}`}), "CL-SCHEMAS", clientreport.Broken, "REQUIRED"},
		{"schemas names another core schema besides", build(x{method: "POST", rest: "/Groups", status: 201, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","` + userURN + `"],"displayName":"g"}`}), "CL-SCHEMAS", clientreport.Warning, "also names " + userURN},
		{"schemas on a search", build(x{method: "POST", rest: "/Users/.search", status: 200, body: `{"schemas":["` + userURN + `"],"filter":"userName eq \"a\""}`}), "CL-SCHEMAS", clientreport.Broken, "SearchRequest"},
		{"schemas paths are relative", build(x{method: "POST", rest: "/Users", status: 201, body: `{"userName":"a@example.com"}`}), "CL-SCHEMAS", clientreport.Broken, "#1 POST /Users → 201"},

		// Refusals graded by their scimType.
		{"invalidFilter", build(x{method: "GET", rest: "/Users", query: "filter=userName%20eq", status: 400, scimType: "invalidFilter", detail: "at offset 11: a comparison needs a value"}), "RFC-FILTER-INVALID", clientreport.Broken, `GET /Users?filter=userName eq → 400: refused with invalidFilter: at offset 11: a comparison needs a value; write the filter`},
		{"invalidFilter in a search", build(x{method: "POST", rest: "/Users/.search", status: 400, body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName eq"}`, scimType: "invalidFilter", detail: "bad"}), "RFC-FILTER-INVALID", clientreport.Broken, "invalidFilter"},
		{"filters met", build(x{method: "GET", rest: "/Users", query: "filter=userName%20eq%20%22a%22", status: 200}), "RFC-FILTER-INVALID", clientreport.Met, ""},
		{"no filter", build(x{method: "GET", rest: "/Users", status: 200}), "RFC-FILTER-INVALID", clientreport.NotExercised, ""},
		{"invalidPath", build(x{method: "PATCH", rest: "/Users/u1", status: 400, body: strings.Replace(patch, `"active"`, `"name..x"`, 1), scimType: "invalidPath", detail: "at offset 5: an attribute name"}), "RFC-PATCH-PATHS", clientreport.Broken, `refused with invalidPath: at offset 5: an attribute name; write "path"`},
		{"paths met", build(x{method: "PATCH", rest: "/Users/u1", status: 200, body: patch}), "RFC-PATCH-PATHS", clientreport.Met, ""},
		{"invalidValue", build(x{method: "PUT", rest: "/Users/u1", status: 400, body: user("a@example.com"), scimType: "invalidValue", detail: "active must be a boolean"}), "RFC-MALFORMED", clientreport.Broken, "invalidValue: active must be a boolean; send every required value"},
		{"invalidSyntax", build(x{method: "POST", rest: "/Groups", status: 400, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":7}`, scimType: "invalidSyntax", detail: "displayName must be a string"}), "RFC-MALFORMED", clientreport.Broken, "invalidSyntax"},
		{"a 400 without scimType", build(x{method: "POST", rest: "/Groups", status: 400, body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"g"}`, detail: "no"}), "RFC-MALFORMED", clientreport.Broken, "refused with no"},
		{"a schemas refusal is CL-SCHEMAS's, not RFC-MALFORMED's", build(x{method: "POST", rest: "/Users", status: 400, body: `{"userName":"a@example.com"}`, scimType: "invalidSyntax", detail: "schemas is required"}), "RFC-MALFORMED", clientreport.Met, ""},
		{"a Dynatrace refusal is its rule's, not RFC-MALFORMED's", build(x{method: "POST", rest: "/Users", status: 400, body: user("a@unverified.test"), rule: "DT-USER-DOMAIN", scimType: "invalidValue"}), "RFC-MALFORMED", clientreport.Met, ""},
		{"404 is a warning", build(x{method: "GET", rest: "/Users/gone", status: 404, detail: "no User gone"}), "RFC-7644-3.12", clientreport.Warning, "look it up"},
		{"405 is broken", build(x{method: "DELETE", rest: "/Users", status: 405, detail: "DELETE needs an id"}), "RFC-7644-3.12", clientreport.Broken, "405"},
		{"noTarget", build(x{method: "PATCH", rest: "/Groups/g1", status: 400, body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"x\"]"}]}`, scimType: "noTarget", detail: "no member x"}), "RFC-7644-3.12", clientreport.Broken, "noTarget"},
		{"a 429 is not a refusal", build(x{method: "GET", rest: "/Users", status: 429}), "RFC-7644-3.12", clientreport.Met, ""},
		{"an injected 400 is not the client's", build(x{method: "GET", rest: "/Users", status: 400, fault: "rule f1: status=400"}), "RFC-MALFORMED", clientreport.NotExercised, ""},

		{"a refusal naming a typed rule is graded there", build(x{method: "GET", rest: "/Users", query: "filter=x", status: 400, rule: "RFC-FILTER-INVALID", scimType: "invalidFilter", detail: "bad"}), "RFC-FILTER-INVALID", clientreport.Broken, "invalidFilter: bad"},
		{"a refusal naming another RFC rule", build(x{method: "PUT", rest: "/Users/u1", status: 400, body: user("a@example.com"), rule: "RFC-MUTABILITY", scimType: "mutability", detail: "id is readOnly"}), "RFC-MUTABILITY", clientreport.Broken, "id is readOnly"},

		{"patchop", build(x{method: "PATCH", rest: "/Users/u1", status: 200, body: patch}), "CL-PATCHOP", clientreport.Met, ""},
		{"patchop capitalised", build(x{method: "PATCH", rest: "/Users/u1", status: 200, body: strings.Replace(patch, `"replace"`, `"Replace"`, 1)}), "CL-PATCHOP", clientreport.Warning, "lower case"},
		{"patchop unknown op", build(x{method: "PATCH", rest: "/Users/u1", status: 400, body: strings.Replace(patch, `"replace"`, `"merge"`, 1)}), "CL-PATCHOP", clientreport.Broken, `"merge"`},
		{"patchop remove without path", build(x{method: "PATCH", rest: "/Groups/g1", status: 400, body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","value":[{"value":"u1"}]}]}`}), "CL-PATCHOP", clientreport.Broken, `without "path"`},
		{"patchop no value", build(x{method: "PATCH", rest: "/Groups/g1", status: 400, body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members"}]}`}), "CL-PATCHOP", clientreport.Broken, `without "value"`},
		{"patchop no operations", build(x{method: "PATCH", rest: "/Groups/g1", status: 400, body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`}), "CL-PATCHOP", clientreport.Broken, "Operations"},

		{"client id", build(x{method: "POST", rest: "/Users", status: 201, body: `{"id":"mine","schemas":["` + userURN + `"],"userName":"a"}`}), "CL-NO-CLIENT-ID", clientreport.Broken, `"id"`},
		{"no client id", build(x{method: "POST", rest: "/Users", status: 201, body: user("a@example.com")}), "CL-NO-CLIENT-ID", clientreport.Met, ""},

		{"quirks", build(x{method: "PATCH", rest: "/Users/u1", status: 200, body: patch, quirks: []string{"string-boolean"}}), "CL-RFC-DIALECT", clientreport.Warning, "string-boolean"},

		{"duplicate create", build(
			x{method: "POST", rest: "/Users", status: 409, body: user("a@example.com")},
			x{method: "POST", rest: "/Users", status: 409, body: user("A@example.com")},
		), "CL-NO-DUP-CREATE", clientreport.Broken, "after the 409 of #1"},
		{"lookup after 409", build(
			x{method: "POST", rest: "/Users", status: 409, body: user("a@example.com")},
			x{method: "GET", rest: "/Users", status: 200},
			x{method: "POST", rest: "/Users", status: 201, body: user("b@example.com"), resp: `{"id":"u2"}`},
		), "CL-NO-DUP-CREATE", clientreport.Met, ""},
		{"create again after delete", build(
			x{method: "POST", rest: "/Users", status: 201, body: user("a@example.com"), resp: `{"id":"u1"}`},
			x{method: "POST", rest: "/Users", status: 409, body: user("a@example.com")},
			x{method: "DELETE", rest: "/Users/u1", status: 204},
			x{method: "POST", rest: "/Users", status: 201, body: user("a@example.com"), resp: `{"id":"u2"}`},
		), "CL-NO-DUP-CREATE", clientreport.Met, ""},
		{"no 409", build(x{method: "POST", rest: "/Users", status: 201, body: user("a@example.com"), resp: `{"id":"u1"}`}), "CL-NO-DUP-CREATE", clientreport.NotExercised, ""},

		{"retry honours Retry-After", build(
			x{at: 0, method: "PATCH", rest: "/Users/u1", status: 429, body: patch, rheaders: map[string]string{"Retry-After": "2"}, dur: 10 * time.Millisecond},
			x{at: 2.5, method: "PATCH", rest: "/Users/u1", status: 200, body: patch},
		), "CL-RETRY-AFTER", clientreport.Met, "honoured"},
		{"retry too soon", build(
			x{at: 0, method: "PATCH", rest: "/Users/u1", status: 429, body: patch, rheaders: map[string]string{"Retry-After": "2"}},
			x{at: 0.5, method: "PATCH", rest: "/Users/u1", status: 200, body: patch},
		), "CL-RETRY-AFTER", clientreport.Broken, "retried after 500ms"},
		{"never retried", build(
			x{at: 0, method: "PATCH", rest: "/Users/u1", status: 429, body: patch, rheaders: map[string]string{"Retry-After": "2"}},
		), "CL-RETRY-AFTER", clientreport.Warning, "never retried"},
		{"503 with Retry-After", build(
			x{at: 0, method: "GET", rest: "/Users", status: 503, rheaders: map[string]string{"Retry-After": "1"}},
			x{at: 0.2, method: "GET", rest: "/Users", status: 200},
		), "CL-RETRY-AFTER", clientreport.Broken, "Retry-After asked for 1s"},

		{"recovers from a reset", build(
			x{method: "POST", rest: "/Users", status: 0, body: user("a@example.com"), fault: "header: reset"},
			x{method: "POST", rest: "/Users", status: 201, body: user("a@example.com"), resp: `{"id":"u1"}`},
		), "CL-RECOVER", clientreport.Met, "went on with #2 POST /Users"},
		{"does not recover from a cut response", build(
			x{method: "POST", rest: "/Users", status: 201, body: user("a@example.com"), resp: `{"id":"u1"}`, fault: "rule f1: truncate"},
			x{method: "DELETE", rest: "/Groups/g", status: 204},
		), "CL-RECOVER", clientreport.Warning, "neither retried"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := clientreport.Grade(tt.entries, t0)
			res, ok := rep.Result(tt.rule)
			if !ok {
				t.Fatalf("no result for %s", tt.rule)
			}
			if res.Verdict != tt.want {
				t.Fatalf("%s = %s, want %s; findings %+v", tt.rule, res.Verdict, tt.want, res.Findings)
			}
			if tt.finding != "" {
				found := false
				for _, f := range res.Findings {
					found = found || strings.Contains(f.Text, tt.finding)
				}
				if !found {
					t.Fatalf("no finding mentions %q: %+v", tt.finding, res.Findings)
				}
			}
			if wantPassed := rep.Broken == 0; rep.Passed != wantPassed {
				t.Fatalf("Passed = %v with %d broken", rep.Passed, rep.Broken)
			}
		})
	}
}

// TestOneResultPerRule: a refusal that names a rule the report also grades
// by scimType does not make a second result of that ID, and a catalogue
// rule of the RFC profile is shown with the RFC shape rules.
func TestOneResultPerRule(t *testing.T) {
	rep := clientreport.Grade(build(
		x{method: "GET", rest: "/Users", query: "filter=x", status: 400, rule: "RFC-FILTER-INVALID", scimType: "invalidFilter"},
		x{method: "PUT", rest: "/Users/u1", status: 400, body: user("a@example.com"), rule: "RFC-MUTABILITY", scimType: "mutability"},
	), t0)
	seen := map[string]bool{}
	for _, res := range rep.Results {
		if seen[res.ID] {
			t.Errorf("two results for %s", res.ID)
		}
		seen[res.ID] = true
		if res.ID == "RFC-MUTABILITY" && res.Category != clientreport.RFC {
			t.Errorf("RFC-MUTABILITY is in %s, want %s", res.Category, clientreport.RFC)
		}
	}
	if len(rep.Refused) != 2 || rep.Refused[0].Rule != "RFC-FILTER-INVALID" || rep.Refused[1].Rule != "RFC-MUTABILITY" {
		t.Errorf("refused: %+v", rep.Refused)
	}
}

func TestGradeEmpty(t *testing.T) {
	rep := clientreport.Grade(nil, t0)
	if !rep.Passed || rep.Exchanges != 0 || rep.Broken != 0 || rep.Met != 0 {
		t.Fatalf("empty journal: %+v", rep)
	}
	var b bytes.Buffer
	if err := rep.Markdown(&b); err != nil || !strings.Contains(b.String(), "nothing to grade") {
		t.Fatalf("Markdown = %v:\n%s", err, b.String())
	}
}

func TestRenderAndHandler(t *testing.T) {
	j := journal.New()
	for _, e := range build(
		x{method: "POST", rest: "/Users", status: 400, body: user("a@unverified.test"), rule: "DT-USER-DOMAIN", headers: map[string]string{"User-Agent": "connector/1.0"}},
		x{method: "PATCH", rest: "/Users/u1", status: 200, body: strings.Replace(patch, "active", "<b>", 1), quirks: []string{"capitalised-op"}},
	) {
		j.Add(e)
	}
	srv := httptest.NewServer(clientreport.Handler(j, func() time.Time { return t0 }))
	defer srv.Close()
	get := func(q string) (int, string, string) {
		resp, err := http.Get(srv.URL + "?" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), b.String()
	}
	status, ct, body := get("")
	var rep clientreport.Report
	if status != 200 || ct != "application/json" || json.Unmarshal([]byte(body), &rep) != nil {
		t.Fatalf("json: %d %s %s", status, ct, body)
	}
	if rep.Passed || rep.Exchanges != 2 || rep.Quirks["capitalised-op"] != 1 || len(rep.UserAgents) != 1 {
		t.Fatalf("report: %+v", rep)
	}
	status, ct, body = get("format=html")
	if status != 200 || !strings.HasPrefix(ct, "text/html") || !strings.Contains(body, "DT-USER-DOMAIN") || strings.Contains(body, `"<b>"`) {
		t.Fatalf("html: %d %s", status, ct)
	}
	status, ct, body = get("format=md")
	if status != 200 || !strings.HasPrefix(ct, "text/markdown") || !strings.Contains(body, "broken: DT-USER-DOMAIN") || !strings.Contains(body, "connector/1.0") {
		t.Fatalf("md: %d %s\n%s", status, ct, body)
	}
	status, _, body = get("format=md&method=PATCH")
	if status != 200 || strings.Contains(body, "broken: DT-USER-DOMAIN") {
		t.Fatalf("filtered to PATCH, the POST's refusal is still graded:\n%s", body)
	}
	for _, q := range []string{"format=pdf", "stauts=1"} {
		if status, _, _ := get(q); status != 400 {
			t.Errorf("%s = %d, want 400", q, status)
		}
	}
}

func BenchmarkGrade(b *testing.B) {
	var xs []x
	for i := range 2000 {
		xs = append(xs, x{at: float64(i), method: "PATCH", rest: "/Users/u1", status: 200, body: patch},
			x{at: float64(i), method: "POST", rest: "/Users", status: 201, body: user("a@example.com"), resp: `{"id":"u1"}`})
	}
	entries := build(xs...)
	for b.Loop() {
		clientreport.Grade(entries, t0)
	}
}

// TestRefusedRequests: every request the mock refused because of what it
// asked is listed once, in order, with its path relative to the SCIM base
// URL, its scimType and detail, the rule that grades it and what to send
// instead; throttling and injected faults are not.
func TestRefusedRequests(t *testing.T) {
	rep := clientreport.Grade(build(
		x{method: "GET", rest: "/Users", query: "filter=userName%20eq", status: 400, scimType: "invalidFilter", detail: "a comparison needs a value"},
		x{method: "POST", rest: "/Users", status: 400, body: user("a@unverified.test"), rule: "DT-USER-DOMAIN", scimType: "invalidValue", detail: "domain not verified"},
		x{method: "POST", rest: "/Users", status: 400, body: `{"userName":"a@example.com"}`, scimType: "invalidSyntax", detail: "schemas is required"},
		x{method: "GET", rest: "/Users", status: 429},
		x{method: "GET", rest: "/Users", status: 400, fault: "rule f1: status=400"},
		x{method: "GET", rest: "/Users", status: 200},
		x{method: "GET", rest: "/Users/gone", status: 404, detail: "no such user"},
		x{method: "GET", rest: "/Users", status: 401, rule: "DT-AUTH", headers: map[string]string{"Authorization": ""}},
	), t0)
	type row struct {
		seq            uint64
		path, scimType string
		status         int
		rule           string
		verdict        clientreport.Verdict
		fix            string
	}
	want := []row{
		{1, "/Users?filter=userName eq", "invalidFilter", 400, "RFC-FILTER-INVALID", clientreport.Broken, "RFC 7644 section 3.4.2.2's grammar"},
		{2, "/Users", "invalidValue", 400, "DT-USER-DOMAIN", clientreport.Broken, "verified"},
		{3, "/Users", "invalidSyntax", 400, "CL-SCHEMAS", clientreport.Broken, `send "schemas": ["` + userURN + `"]`},
		{7, "/Users/gone", "", 404, "RFC-7644-3.12", clientreport.Warning, "look it up"},
		{8, "/Users", "", 401, "DT-AUTH", clientreport.Broken, "Authorization"},
	}
	if len(rep.Refused) != len(want) {
		t.Fatalf("refused %d requests, want %d: %+v", len(rep.Refused), len(want), rep.Refused)
	}
	for i, w := range want {
		r := rep.Refused[i]
		if r.Seq != w.seq || r.Path != w.path || r.SCIMType != w.scimType || r.Status != w.status || r.Rule != w.rule || r.Verdict != w.verdict || !strings.Contains(r.Fix, w.fix) {
			t.Errorf("refused[%d] = %+v, want %+v", i, r, w)
		}
	}
	if len(rep.SCIMBaseURLs) != 1 || rep.SCIMBaseURLs[0] != base {
		t.Errorf("SCIM base URLs %v, want [%s]", rep.SCIMBaseURLs, base)
	}
	for _, res := range rep.Results {
		for _, f := range res.Findings {
			if strings.Contains(f.Path, base) || strings.Contains(f.Text, base) {
				t.Errorf("%s: a finding shows the full path: %+v", res.ID, f)
			}
		}
	}

	var md bytes.Buffer
	if err := rep.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"## Refused requests", "| 1 | GET /Users?filter=userName eq | 400 | invalidFilter | a comparison needs a value | ❌ broken `RFC-FILTER-INVALID` |", "the mock refused 5 requests", "- SCIM base URL: " + base} {
		if !strings.Contains(md.String(), s) {
			t.Errorf("the Markdown lacks %q:\n%s", s, md.String())
		}
	}
	var page bytes.Buffer
	if err := rep.HTML(&page); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`<section id="refused">`, `<a href="#rule-RFC-FILTER-INVALID">`, "GET /Users/gone", "no such user"} {
		if !strings.Contains(page.String(), s) {
			t.Errorf("the HTML lacks %q", s)
		}
	}
	if n := strings.Count(page.String(), base); n != 1 {
		t.Errorf("the HTML shows the SCIM base URL %d times, want once (the fact)", n)
	}
}
