package clientreport_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scimconf/scimconf/server/internal/double/clientreport"
	"github.com/scimconf/scimconf/server/internal/double/journal"
	"github.com/scimconf/scimconf/server/mock"
	"github.com/scimconf/scimconf/server/mockclient"
)

// call sends one request with a JSON body (nil for none) and returns the
// status, the headers and the body.
func call(t *testing.T, method, url, token string, body any) (int, http.Header, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	req.Header.Set("User-Agent", "test-connector/1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, data
}

// connector is a stand-in for an integrator's connector: it creates a
// user, then PATCHes it three times; on 429 it waits for Retry-After
// (when patient) and sends the request again.
func connector(t *testing.T, inst *mock.Instance, patient bool) {
	t.Helper()
	status, _, body := call(t, "POST", inst.SCIMBaseURL+"/Users", inst.SCIMToken, map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": "ada@" + inst.Domain,
		"name":     map[string]any{"givenName": "Ada", "familyName": "Lovelace"},
		"active":   true,
	})
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	var user struct{ ID string }
	json.Unmarshal(body, &user)
	for i := range 3 {
		op := map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{map[string]any{"op": "replace", "path": "displayName", "value": "Ada " + strconv.Itoa(i)}},
		}
		for attempt := 0; ; attempt++ {
			status, h, body := call(t, "PATCH", inst.SCIMBaseURL+"/Users/"+user.ID, inst.SCIMToken, op)
			if status != http.StatusTooManyRequests {
				if status != http.StatusOK {
					t.Fatalf("PATCH %d: %d %s", i+1, status, body)
				}
				break
			}
			if attempt > 3 {
				t.Fatalf("PATCH %d: still 429 after %d attempts", i+1, attempt)
			}
			if patient {
				secs, _ := strconv.Atoi(h.Get("Retry-After"))
				time.Sleep(time.Duration(secs) * time.Second)
			}
		}
	}
}

// TestThirdPatchGets429 is the done-criterion, through the
// documented calls only: inject "the third PATCH gets 429 with Retry-After:
// 2", run a connector, read from the journal and the client report what
// happened.
func TestThirdPatchGets429(t *testing.T) {
	for _, patient := range []bool{true, false} {
		t.Run(map[bool]string{true: "patient connector", false: "impatient connector"}[patient], func(t *testing.T) {
			inst, err := mock.Start(t.Context(), mock.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer inst.Close()

			// 1. Inject the fault: POST /mock/v1/faults.
			status, _, body := call(t, "POST", inst.AdminURL+"/faults", inst.AdminToken, map[string]any{
				"description": "the third PATCH gets 429 with Retry-After: 2",
				"match":       map[string]any{"method": "PATCH", "nth": 3},
				"action":      map[string]any{"status": 429, "retryAfter": 2},
			})
			if status != http.StatusCreated {
				t.Fatalf("POST /faults: %d %s", status, body)
			}

			// 2. Run the connector.
			connector(t, inst, patient)

			// 3. Read the journal: GET /mock/v1/journal?method=PATCH.
			status, _, body = call(t, "GET", inst.AdminURL+"/journal?method=PATCH", inst.AdminToken, nil)
			var list journal.List
			if status != http.StatusOK || json.Unmarshal(body, &list) != nil {
				t.Fatalf("GET /journal: %d %s", status, body)
			}
			var statuses []int
			for _, e := range list.Entries {
				statuses = append(statuses, e.Status)
			}
			if got, want := statuses, []int{200, 200, 429, 200}; !equal(got, want) {
				t.Fatalf("PATCH statuses in the journal %v, want %v", got, want)
			}
			hit := list.Entries[2]
			if hit.Fault != "rule f1: status=429; retry-after=2" || hit.ResponseHeaders.Get("Retry-After") != "2" || hit.ResourceType != "User" || hit.PatchOps[0] != "replace" {
				t.Fatalf("the 429 in the journal: %+v", hit)
			}
			// The Go client says the same, in the manner of ReceivedRequests().
			jc := mockclient.Client{BaseURL: inst.AdminURL, Token: inst.AdminToken}
			faulted, err := jc.Received(t.Context(), journal.Filter{Faulted: true})
			if err != nil || len(faulted) != 1 || faulted[0].Seq != hit.Seq {
				t.Fatalf("Received(faulted) = %+v, %v", faulted, err)
			}

			// 4. Read the client report: GET /mock/v1/client-report.
			status, _, body = call(t, "GET", inst.AdminURL+"/client-report?format=json", inst.AdminToken, nil)
			var rep clientreport.Report
			if status != http.StatusOK || json.Unmarshal(body, &rep) != nil {
				t.Fatalf("GET /client-report: %d %s", status, body)
			}
			var retry clientreport.Result
			for _, r := range rep.Results {
				if r.ID == "CL-RETRY-AFTER" {
					retry = r
				}
			}
			want, text := clientreport.Met, "Retry-After 2s honoured"
			if !patient {
				want, text = clientreport.Broken, "Retry-After asked for 2s"
			}
			if retry.Verdict != want || len(retry.Findings) != 1 || !strings.Contains(retry.Findings[0].Text, text) || retry.Findings[0].Seq != hit.Seq {
				t.Fatalf("CL-RETRY-AFTER = %+v, want %s saying %q", retry, want, text)
			}
			if rep.Passed != patient || rep.Faults != 1 {
				t.Fatalf("report passed %v (want %v), faults %d", rep.Passed, patient, rep.Faults)
			}
			status, h, body := call(t, "GET", inst.AdminURL+"/client-report?format=md", inst.AdminToken, nil)
			if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/markdown") || !strings.Contains(string(body), "CL-RETRY-AFTER") {
				t.Fatalf("the Markdown report: %d %s", status, body)
			}
			status, _, body = call(t, "GET", inst.AdminURL+"/client-report?format=html", inst.AdminToken, nil)
			if status != http.StatusOK || !strings.Contains(string(body), "rule f1: status=429") {
				t.Fatalf("the HTML report lacks the 429's transcript: %d", status)
			}
		})
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestReportOnARealConnectorsMistakes: the mock's own refusals reach the
// report through the journal.
func TestReportOnARealConnectorsMistakes(t *testing.T) {
	inst, err := mock.Start(t.Context(), mock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	user := func(name string) map[string]any {
		return map[string]any{"userName": name, "name": map[string]any{"givenName": "A", "familyName": "B"}, "active": true}
	}
	call(t, "POST", inst.SCIMBaseURL+"/Users", inst.SCIMToken, user("a@unverified.test"))
	call(t, "POST", inst.SCIMBaseURL+"/Users", inst.SCIMToken, user("b@"+inst.Domain))
	call(t, "POST", inst.SCIMBaseURL+"/Users", inst.SCIMToken, user("b@"+inst.Domain))
	call(t, "POST", inst.SCIMBaseURL+"/Users", inst.SCIMToken, user("B@"+inst.Domain))
	call(t, "GET", inst.SCIMBaseURL+"/Users", "not-a-token", nil)

	status, _, body := call(t, "GET", inst.AdminURL+"/client-report", inst.AdminToken, nil)
	var rep clientreport.Report
	if status != http.StatusOK || json.Unmarshal(body, &rep) != nil {
		t.Fatalf("GET /client-report: %d %s", status, body)
	}
	want := map[string]clientreport.Verdict{
		"DT-USER-DOMAIN":   clientreport.Broken,
		"CL-SCHEMAS":       clientreport.Broken,
		"CL-NO-DUP-CREATE": clientreport.Broken,
		"DT-AUTH":          clientreport.Broken,
		"CL-CONTENT-TYPE":  clientreport.Met,
		"CL-RETRY-AFTER":   clientreport.NotExercised,
	}
	for _, r := range rep.Results {
		if v, ok := want[r.ID]; ok && r.Verdict != v {
			t.Errorf("%s = %s, want %s: %+v", r.ID, r.Verdict, v, r.Findings)
		}
	}
}

// send sends one request with a raw body ("" for none) and returns the
// status.
func send(t *testing.T, method, url, token, body string) int {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestReportOnMalformedRequests sends a real mock each kind of malformed
// request and reads GET /mock/v1/client-report: every request the mock
// refused is listed under "Refused requests" with a path relative to the
// SCIM base URL, its scimType and the rule that grades it, and every body
// whose "schemas" is missing, empty, not an array or names the wrong
// schema is broken under CL-SCHEMAS, whether the mock refused it or
// accepted it.
func TestReportOnMalformedRequests(t *testing.T) {
	inst, err := mock.Start(t.Context(), mock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	base, tok := inst.SCIMBaseURL, inst.SCIMToken
	userBody := func(name, schemas string) string {
		s := `{"userName":"` + name + `@` + inst.Domain + `","name":{"givenName":"Ada","familyName":"Lovelace"},"active":true`
		if schemas != "" {
			s += `,"schemas":` + schemas
		}
		return s + "}"
	}
	if status := send(t, "POST", base+"/Users", tok, userBody("ada", `["urn:ietf:params:scim:schemas:core:2.0:User"]`)); status != http.StatusCreated {
		t.Fatalf("create: %d", status)
	}
	var list struct{ Resources []struct{ ID string } }
	_, _, body := call(t, "GET", base+"/Users", tok, nil)
	json.Unmarshal(body, &list)
	if len(list.Resources) != 1 {
		t.Fatalf("GET /Users: %s", body)
	}
	id := list.Resources[0].ID

	malformed := []struct {
		name, method, path, body string
		// scimType the mock refuses it with today, "" when it may accept it.
		scimType string
		rule     string
	}{
		{"invalid filter", "GET", "/Users?filter=" + url.QueryEscape("userName eq"), "", "invalidFilter", "RFC-FILTER-INVALID"},
		{"unknown filter attribute", "GET", "/Users?filter=" + url.QueryEscape(`shoeSize eq "9"`), "", "invalidFilter", "RFC-FILTER-INVALID"},
		{"invalid PATCH path", "PATCH", "/Users/" + id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"name..familyName[","value":"x"}]}`, "invalidPath", "RFC-PATCH-PATHS"},
		{"not JSON", "PUT", "/Users/" + id, `{"userName": `, "invalidSyntax", "CL-SCHEMAS"},
		{"wrong type", "PUT", "/Users/" + id, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@` + inst.Domain + `","active":{"yes":1}}`, "invalidValue", "RFC-MALFORMED"},
		{"no schemas", "POST", "/Users", userBody("b", ""), "", "CL-SCHEMAS"},
		{"empty schemas", "POST", "/Users", userBody("c", `[]`), "", "CL-SCHEMAS"},
		{"schemas not an array", "POST", "/Users", userBody("d", `"urn:ietf:params:scim:schemas:core:2.0:User"`), "", "CL-SCHEMAS"},
		{"the Group schema on /Users", "POST", "/Users", userBody("e", `["urn:ietf:params:scim:schemas:core:2.0:Group"]`), "", "CL-SCHEMAS"},
	}
	for _, m := range malformed {
		status := send(t, m.method, base+m.path, tok, m.body)
		t.Logf("%s: %s %s → %d", m.name, m.method, m.path, status)
		if m.scimType != "" && status != http.StatusBadRequest {
			t.Errorf("%s: the mock answered %d, want 400 %s", m.name, status, m.scimType)
		}
	}

	jc := mockclient.Client{BaseURL: inst.AdminURL, Token: inst.AdminToken}
	entries, err := jc.Received(t.Context(), journal.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	status, _, body := call(t, "GET", inst.AdminURL+"/client-report?format=json", inst.AdminToken, nil)
	var rep clientreport.Report
	if status != http.StatusOK || json.Unmarshal(body, &rep) != nil {
		t.Fatalf("GET /client-report: %d %s", status, body)
	}
	refused := map[uint64]clientreport.Refusal{}
	for _, r := range rep.Refused {
		refused[r.Seq] = r
		if strings.Contains(r.Path, "/idm/") {
			t.Errorf("refused #%d shows the full path %s", r.Seq, r.Path)
		}
	}
	schemas, _ := rep.Result("CL-SCHEMAS")
	brokenSchemas := map[uint64]bool{}
	for _, f := range schemas.Findings {
		if f.Verdict == clientreport.Broken {
			brokenSchemas[f.Seq] = true
		}
	}
	// The malformed requests are the journal's last entries, in order.
	sent := entries[len(entries)-len(malformed):]
	for i, m := range malformed {
		e := sent[i]
		r, isRefused := refused[e.Seq]
		switch {
		case e.Status >= 400 && !isRefused:
			t.Errorf("%s: #%d was refused %d %s but is not under Refused requests", m.name, e.Seq, e.Status, e.SCIMType)
		case isRefused && (r.Status != e.Status || r.SCIMType != e.SCIMType || r.Detail != e.Detail || r.Rule != m.rule && r.Rule != e.Rule || r.Fix == ""):
			// A rule the mock names on its refusal grades it first.
			t.Errorf("%s: refused as %+v, want status %d %s graded under %s", m.name, r, e.Status, e.SCIMType, m.rule)
		case m.scimType != "" && e.SCIMType != m.scimType:
			t.Errorf("%s: the mock refused it with %q, want %q", m.name, e.SCIMType, m.scimType)
		}
		if m.rule == "CL-SCHEMAS" && !brokenSchemas[e.Seq] {
			t.Errorf("%s: #%d (%d) is not broken under CL-SCHEMAS: %+v", m.name, e.Seq, e.Status, schemas.Findings)
		}
	}
	for _, id := range []string{"RFC-FILTER-INVALID", "RFC-PATCH-PATHS", "RFC-MALFORMED", "CL-SCHEMAS"} {
		if res, _ := rep.Result(id); res.Verdict != clientreport.Broken {
			t.Errorf("%s = %s, want broken", id, res.Verdict)
		}
	}
	if rep.Passed {
		t.Error("a client that sent malformed requests passed")
	}
	status, _, body = call(t, "GET", inst.AdminURL+"/client-report?format=md", inst.AdminToken, nil)
	md := string(body)
	if status != http.StatusOK || !strings.Contains(md, "## Refused requests") || !strings.Contains(md, "| GET /Users?filter=userName eq | 400 | invalidFilter |") {
		t.Fatalf("the Markdown report: %d\n%s", status, md)
	}
	t.Logf("\n%s", md[strings.Index(md, "## Refused requests"):strings.Index(md, "## Dynatrace")])
}
