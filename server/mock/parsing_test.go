package mock

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestLenientParsingDecisions: invalid UTF-8, a NUL character, a duplicate
// member name (also one that differs only in case) and two Authorization
// headers are refused with a SCIM error, and nothing is stored.
func TestLenientParsingDecisions(t *testing.T) {
	inst, err := Start(t.Context(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	const head = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"name":{"givenName":"A","familyName":"B"},"active":true,`
	for _, c := range []struct {
		name, body, scimType, says string
	}{
		{"invalid UTF-8", head + "\"userName\":\"bad\xff\xfe@example.com\"}", "invalidSyntax", "UTF-8"},
		{"NUL", head + `"userName":"nul\u0000@example.com"}`, "invalidValue", "NUL"},
		{"duplicate key", head + `"userName":"first@example.com","userName":"second@example.com"}`, "invalidSyntax", "userName"},
		{"duplicate key in another case", head + `"userName":"first@example.com","username":"second@example.com"}`, "invalidSyntax", "twice"},
	} {
		status, out := scimDo(t, inst, "POST", "/Users", c.body)
		detail, _ := out["detail"].(string)
		if status != 400 || out["scimType"] != c.scimType || !strings.Contains(detail, c.says) {
			t.Errorf("%s: %d %v %q, want 400 %s saying %s", c.name, status, out["scimType"], detail, c.scimType, c.says)
		}
	}
	if _, out := scimDo(t, inst, "GET", "/Users?count=0", ""); out["totalResults"] != float64(0) {
		t.Fatalf("totalResults = %v after refused creates, want 0", out["totalResults"])
	}
	req, _ := http.NewRequestWithContext(t.Context(), "GET", inst.SCIMBaseURL+"/Users", nil)
	req.Header.Add("Authorization", "Bearer "+inst.SCIMToken)
	req.Header.Add("Authorization", "Bearer someone-else")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(string(body), "Authorization headers") {
		t.Fatalf("two Authorization headers: %d %s, want 401 naming them", resp.StatusCode, body)
	}
}
