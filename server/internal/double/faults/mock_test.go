package faults_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/double/faults"
	"github.com/scimconf/scimconf/server/internal/double/journal"
	"github.com/scimconf/scimconf/server/mock"
	"github.com/scimconf/scimconf/server/mockclient"
)

func do(t *testing.T, method, url, token, body string, header ...string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return 0, nil, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// TestMockFaults: rules from the start, from the management API and from
// the request header reach the SCIM endpoint; reset puts the start rules
// back; every injected fault is in the journal.
func TestMockFaults(t *testing.T) {
	inst, err := mock.Start(t.Context(), mock.Options{Faults: []faults.Rule{
		{ID: "slow-groups", Match: faults.Match{Path: "/Groups", Method: "POST"}, Action: faults.Action{Status: 503, RetryAfter: 1}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	scim, admin := inst.SCIMBaseURL, inst.AdminURL

	if status, h, _ := do(t, "POST", scim+"/Groups", inst.SCIMToken, `{"displayName":"g"}`); status != 503 || h.Get("Retry-After") != "1" {
		t.Fatalf("the start rule: %d %v", status, h)
	}
	status, _, body := do(t, "POST", admin+"/faults", inst.AdminToken, `{"match":{"method":"GET","resourceType":"User"},"action":{"reset":true},"times":1}`)
	if status != 201 || !strings.Contains(body, `"id":"f1"`) {
		t.Fatalf("POST /faults: %d %s", status, body)
	}
	if status, _, _ := do(t, "GET", scim+"/Users", inst.SCIMToken, ""); status != 0 {
		t.Fatalf("GET /Users with a reset rule answered %d", status)
	}
	if status, _, _ := do(t, "GET", scim+"/Users", inst.SCIMToken, ""); status != 200 {
		t.Fatalf("the rule fires once; the next GET answered %d", status)
	}
	if status, h, _ := do(t, "GET", scim+"/Users", inst.SCIMToken, "", faults.Header, "status=500"); status != 500 || h.Get(faults.Header) != "header: status=500" {
		t.Fatalf("the header fault: %d %v", status, h)
	}
	// Faults sit in front of authentication, as a proxy's would; without
	// one a wrong token is a 401 as usual.
	if status, _, _ := do(t, "GET", scim+"/Users", "wrong", ""); status != 401 {
		t.Fatalf("a wrong token: %d", status)
	}

	jc := mockclient.Client{BaseURL: admin, Token: inst.AdminToken}
	faulted, err := jc.Received(t.Context(), journal.Filter{Faulted: true})
	if err != nil || len(faulted) != 3 {
		t.Fatalf("faulted entries: %d, %v", len(faulted), err)
	}
	for i, want := range []string{"rule slow-groups: status=503; retry-after=1", "rule f1: reset", "header: status=500"} {
		if faulted[i].Fault != want {
			t.Errorf("fault %d = %q, want %q", i, faulted[i].Fault, want)
		}
	}

	status, _, body = do(t, "GET", admin+"/faults", inst.AdminToken, "")
	var list faults.File
	if status != 200 || json.Unmarshal([]byte(body), &list) != nil || len(list.Faults) != 2 || list.Faults[1].Fired != 1 || list.Faults[1].Seen != 4 {
		t.Fatalf("GET /faults: %d %s", status, body)
	}
	do(t, "POST", admin+"/reset", inst.AdminToken, "")
	status, _, body = do(t, "GET", admin+"/faults", inst.AdminToken, "")
	if json.Unmarshal([]byte(body), &list) != nil || len(list.Faults) != 1 || list.Faults[0].ID != "slow-groups" || list.Faults[0].Seen != 0 {
		t.Fatalf("after reset: %s, want the start rule alone, counters at 0", body)
	}
	if status, _, _ := do(t, "DELETE", admin+"/faults/slow-groups", inst.AdminToken, ""); status != 204 {
		t.Fatalf("DELETE /faults/slow-groups: %d", status)
	}
	if status, _, _ := do(t, "POST", inst.SCIMBaseURL+"/Groups", inst.SCIMToken, `{"displayName":"g"}`); status != 201 {
		t.Fatalf("POST /Groups without faults: %d", status)
	}
}

func TestMockRejectsBadStartFaults(t *testing.T) {
	_, err := mock.Start(t.Context(), mock.Options{Faults: []faults.Rule{{Action: faults.Action{Status: 200}}}})
	if err == nil || !strings.Contains(err.Error(), "fault rule 0") {
		t.Fatalf("Start with a bad rule = %v", err)
	}
}
