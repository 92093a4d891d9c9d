package mock

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// scimDo sends one SCIM request with the instance's token and returns the
// status and the decoded body.
func scimDo(t *testing.T, inst *Instance, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, inst.SCIMBaseURL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+inst.SCIMToken)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// TestLongValuesAreRefused: a userName of 7.5 MB (within the 8 MiB body
// cap) or of 2 KiB (over the 1 KiB name limit), a 65 KiB title and 10,001
// emails are 400 invalidValue naming the attribute and the limit, on POST
// and PATCH, and nothing is stored.
func TestLongValuesAreRefused(t *testing.T) {
	inst, err := Start(t.Context(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	_, before := scimDo(t, inst, "GET", "/Users?count=0", "")
	user := func(userName, extra string) string {
		return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + userName +
			`","name":{"givenName":"A","familyName":"B"},"active":true` + extra + `}`
	}
	emails := `,"emails":[` + strings.Repeat(`{"value":"e@example.com"},`, 100000) + `{"value":"e@example.com"}]`
	for _, c := range []struct {
		name, body, attr string
	}{
		{"7.5 MB userName", user(strings.Repeat("a", 7_500_000)+"@example.com", ""), "userName"},
		{"2 KiB userName", user(strings.Repeat("a", 2<<10)+"@example.com", ""), "userName"},
		{"65 KiB title", user("t@example.com", `,"title":"`+strings.Repeat("t", 65<<10)+`"`), "title"},
		{"100,001 emails", user("e@example.com", emails), "emails"},
	} {
		status, out := scimDo(t, inst, "POST", "/Users", c.body)
		detail, _ := out["detail"].(string)
		if status != 400 || out["scimType"] != "invalidValue" || !strings.Contains(detail, c.attr) || !strings.Contains(detail, "at most") {
			t.Errorf("%s: %d %v %.200q, want 400 invalidValue naming %s and the limit", c.name, status, out["scimType"], detail, c.attr)
		}
	}
	_, after := scimDo(t, inst, "GET", "/Users?count=0", "")
	if before["totalResults"] != after["totalResults"] {
		t.Fatalf("totalResults %v before, %v after refused creates", before["totalResults"], after["totalResults"])
	}
	// PATCH: the same limits on an operation's value.
	status, created := scimDo(t, inst, "POST", "/Users", user("ok@example.com", ""))
	if status != 201 {
		t.Fatalf("create: %d %v", status, created)
	}
	id, _ := created["id"].(string)
	status, out := scimDo(t, inst, "PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"`+strings.Repeat("d", 2<<10)+`"}]}`)
	if detail, _ := out["detail"].(string); status != 400 || !strings.Contains(detail, "displayName") {
		t.Fatalf("PATCH with a 2 KiB displayName: %d %v", status, out)
	}
	if _, got := scimDo(t, inst, "GET", "/Users/"+id, ""); got["displayName"] != nil {
		t.Fatalf("the refused displayName was stored: %.40v", got["displayName"])
	}
}
