package scimhttp_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/provider"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimhttp"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

func newDialectServer(t *testing.T, strict bool) string {
	t.Helper()
	set := schema.Dynatrace()
	ten := &tenancy{tokens: map[string]string{"tok-a": "a"}, providers: map[string]*provider.Provider{
		"a": provider.New(set, store.NewMemory(set), provider.DefaultConfig()),
	}}
	srv := httptest.NewServer(scimhttp.New(ten, scimhttp.Config{Strict: strict}))
	t.Cleanup(srv.Close)
	return srv.URL + "/idm/public/scim/a/v2"
}

// TestQuirksHeader checks that the quirks a request used are named in
// X-Scimconf-Quirks, RFC requests carry no such header, and a strict
// server refuses the quirk with a 400 that names it (and the header too).
func TestQuirksHeader(t *testing.T) {
	const auth = "Bearer tok-a"
	const dtUser = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com","name":{"givenName":"Ada","familyName":"Lovelace"},"active":true}`
	for _, strict := range []bool{false, true} {
		base := newDialectServer(t, strict)
		created := do(t, "POST", base+"/Users", auth, dtUser)
		if created.status != 201 {
			t.Fatalf("create: %d %s", created.status, created.raw)
		}
		id, _ := created.body["id"].(string)
		cases := []struct {
			name, method, path, body string
			quirks                   string
			status                   int
			scimType                 string
		}{
			{"RFC filter", "GET", "/Users?filter=userName%20eq%20%22x%22", "", "", 200, ""},
			{"plus for space", "GET", "/Users?filter=userName+eq+%22x%22", "", "plus-for-space", 400, "invalidFilter"},
			{"RFC patch", "PATCH", "/Users/" + id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`, "", 200, ""},
			{"Entra default disable", "PATCH", "/Users/" + id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`, "capitalized-op", 400, "invalidSyntax"},
			{"string boolean in POST", "POST", "/Users", strings.Replace(strings.Replace(dtUser, `true`, `"True"`, 1), "ada@", "bob@", 1), "string-boolean", 400, "invalidValue"},
			{"no schemas in POST", "POST", "/Users", strings.Replace(strings.Replace(dtUser, `"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],`, ``, 1), "ada@", "cid@", 1), "missing-schemas", 400, "invalidValue"},
		}
		for _, c := range cases {
			r := do(t, c.method, base+c.path, auth, c.body)
			got := r.header.Get(scimhttp.QuirksHeader)
			want := c.quirks
			if !strict && c.name == "Entra default disable" {
				want = "capitalized-op,string-boolean"
			}
			if got != want {
				t.Errorf("strict=%t %s: %s = %q, want %q", strict, c.name, scimhttp.QuirksHeader, got, want)
			}
			if !strict || c.quirks == "" {
				if r.status >= 300 {
					t.Errorf("strict=%t %s: %d %s", strict, c.name, r.status, r.raw)
				}
				continue
			}
			wantError(t, r, c.status, c.scimType)
			if d, _ := r.body["detail"].(string); !strings.Contains(d, c.quirks) || !strings.Contains(d, "--strict") {
				t.Errorf("strict %s: the detail %q should name the quirk and --strict", c.name, d)
			}
		}
	}
}

// TestRefuseAndOpens checks the two seams a server is configured with:
// quirks refused per request without --strict, and which accounts a
// token opens.
func TestRefuseAndOpens(t *testing.T) {
	set := schema.Dynatrace()
	ten := &tenancy{tokens: map[string]string{"tok-a": "a"}, providers: map[string]*provider.Provider{
		"b": provider.New(set, store.NewMemory(set), provider.DefaultConfig()),
	}}
	srv := httptest.NewServer(scimhttp.New(ten, scimhttp.Config{
		Refuse: func(*http.Request) []schema.Quirk { return []schema.Quirk{schema.PlusForSpace} },
		Opens:  func(tokenAccount, account string) bool { return true },
	}))
	t.Cleanup(srv.Close)
	base := srv.URL + "/idm/public/scim/b/v2"
	if r := do(t, "GET", base+"/Users", "Bearer tok-a", ""); r.status != 200 {
		t.Errorf("a token Opens lets in: %d %s", r.status, r.raw)
	}
	r := do(t, "GET", base+"/Users?filter=userName+eq+%22x%22", "Bearer tok-a", "")
	wantError(t, r, 400, "invalidFilter")
	if r.header.Get(scimhttp.QuirksHeader) != "plus-for-space" {
		t.Errorf("%s = %q", scimhttp.QuirksHeader, r.header.Get(scimhttp.QuirksHeader))
	}
}
