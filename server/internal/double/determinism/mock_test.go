package determinism_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/mock"
)

// script is a connector's session; {base} is the SCIM base URL path and
// {user}, {group} the ids the mock gave.
var script = []struct{ method, path, body string }{
	{"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com","name":{"givenName":"Ada","familyName":"Lovelace"},"active":true}`},
	{"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com","name":{"givenName":"Ada","familyName":"Lovelace"},"active":true}`},
	{"GET", "/Users/{user}", ``},
	{"PATCH", "/Users/{user}", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`},
	{"POST", "/Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineers","members":[{"value":"{user}"}]}`},
	{"GET", "/Groups?filter=displayName+eq+%22Engineers%22", ``},
	{"PUT", "/Users/{user}", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com","name":{"givenName":"Ada","familyName":"King"},"active":true}`},
	{"GET", "/Users?sortBy=userName", ``},
	{"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"grace@example.com","name":{"givenName":"Grace","familyName":"Hopper"},"active":true}`},
	{"GET", "/Users?cursor=&count=1", ``}, // nextCursor is signed: the key must come from the seed
	{"DELETE", "/Groups/{group}", ``},
	{"GET", "/ServiceProviderConfig", ``},
}

// run plays the script against a mock and returns every answer as bytes:
// status, the headers that vary, the body.
func run(t *testing.T, inst *mock.Instance) []string {
	t.Helper()
	ids := map[string]string{}
	var out []string
	for _, s := range script {
		fill := func(x string) string {
			for k, v := range ids {
				x = strings.ReplaceAll(x, "{"+k+"}", v)
			}
			return x
		}
		req, _ := http.NewRequestWithContext(t.Context(), s.method, inst.SCIMBaseURL+fill(s.path), strings.NewReader(fill(s.body)))
		req.Host = "scimconf.test" // meta.location and Location carry the host
		req.Header.Set("Authorization", "Bearer "+inst.SCIMToken)
		req.Header.Set("Content-Type", "application/scim+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		out = append(out, fmt.Sprintf("%s %s -> %d\nETag: %s\nLocation: %s\n%s", s.method, s.path, resp.StatusCode,
			resp.Header.Get("ETag"), resp.Header.Get("Location"), body))
		if s.method == "POST" && resp.StatusCode == 201 {
			loc := resp.Header.Get("Location")
			ids[map[bool]string{true: "user", false: "group"}[strings.HasPrefix(s.path, "/Users")]] = loc[strings.LastIndex(loc, "/")+1:]
		}
	}
	return out
}

func start(t *testing.T, seed uint64) *mock.Instance {
	t.Helper()
	inst, err := mock.Start(t.Context(), mock.Options{Deterministic: true, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	return inst
}

// TestTwoRunsSameBytes: two mocks in deterministic mode with one seed
// answer the same calls with the same bytes; after a reset, a mock answers
// them as it did after start.
func TestTwoRunsSameBytes(t *testing.T) {
	a, b := start(t, 7), start(t, 7)
	if a.AccountID != b.AccountID || a.SCIMToken != b.SCIMToken || a.AdminToken != b.AdminToken {
		t.Fatalf("the demo accounts differ: %s %s / %s %s", a.AccountID, a.SCIMToken, b.AccountID, b.SCIMToken)
	}
	first, second := run(t, a), run(t, b)
	for i := range first {
		if first[i] != second[i] {
			t.Fatalf("answer %d differs:\n%s\n---\n%s", i, first[i], second[i])
		}
	}
	if !strings.Contains(first[0], `"created":"2026-01-01T00:00:`) {
		t.Errorf("the clock does not start at the epoch:\n%s", first[0])
	}

	req, _ := http.NewRequest("POST", a.AdminURL+"/reset", nil)
	req.Header.Set("Authorization", "Bearer "+a.AdminToken)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 204 {
		t.Fatalf("reset: %v %v", resp, err)
	}
	again := run(t, a)
	for i := range first {
		if again[i] != first[i] {
			t.Fatalf("after reset, answer %d differs:\n%s\n---\n%s", i, again[i], first[i])
		}
	}

	other := run(t, start(t, 8))
	if bytes.Equal([]byte(other[0]), []byte(first[0])) {
		t.Fatal("another seed gave the same answer")
	}
}
