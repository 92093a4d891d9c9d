package scimhttp_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/provider"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
	"github.com/scimconf/scimconf/server/internal/engine/scimhttp"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// tenancy is a fixed token -> account map; account "boom" panics, to test
// that a bug becomes a 500 and not a dropped connection.
type tenancy struct {
	tokens    map[string]string
	providers map[string]*provider.Provider
}

func (t *tenancy) Authenticate(_ context.Context, token string) (string, error) {
	if token == "tok-forbidden" {
		return "", scimerror.New(http.StatusForbidden, "", "the account lets no token in now").WithRule("X-RULE")
	}
	if a, ok := t.tokens[token]; ok {
		return a, nil
	}
	return "", scimhttp.ErrUnauthorized
}

// TestAuthenticateRefusal: a Tenancy that refuses a token with its own SCIM
// error gets that error answered as it is, not a 401.
func TestAuthenticateRefusal(t *testing.T) {
	_, base := newServer(t, provider.DefaultConfig())
	r := do(t, "GET", base+"/Users", "Bearer tok-forbidden", "")
	wantError(t, r, http.StatusForbidden, "")
	if d, _ := r.body["detail"].(string); d != "the account lets no token in now" {
		t.Errorf("detail = %q", d)
	}
	if r.header.Get("WWW-Authenticate") != "" {
		t.Errorf("a 403 carries WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
	}
}

func (t *tenancy) Provider(id string) *provider.Provider {
	if id == "boom" {
		panic("a bug")
	}
	return t.providers[id]
}

func newServer(t testing.TB, cfg provider.Config) (*httptest.Server, string) {
	t.Helper()
	set := schema.Full()
	ten := &tenancy{
		tokens:    map[string]string{"tok-a": "a", "tok-b": "b", "tok-boom": "boom"},
		providers: map[string]*provider.Provider{},
	}
	for _, id := range []string{"a", "b"} {
		ten.providers[id] = provider.New(set, store.NewMemory(set), cfg)
	}
	srv := httptest.NewServer(scimhttp.New(ten, scimhttp.Config{MaxBodyBytes: 4096}))
	t.Cleanup(srv.Close)
	return srv, srv.URL + "/idm/public/scim/a/v2"
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func do(t *testing.T, method, url, auth, body string, headers ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	json.Unmarshal(b, &r.body)
	return r
}

const user = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com","name":{"givenName":"Ada","familyName":"Lovelace"}}`

// wantError checks a SCIM error body (RFC 7644 section 3.12).
func wantError(t *testing.T, r reply, status int, scimType string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.raw)
	}
	if ct := r.header.Get("Content-Type"); ct != scimhttp.ContentType {
		t.Errorf("Content-Type = %q, want %q", ct, scimhttp.ContentType)
	}
	if s, _ := r.body["status"].(string); s != itoa(status) {
		t.Errorf("body status = %v, want the string %q", r.body["status"], itoa(status))
	}
	if got, _ := r.body["scimType"].(string); got != scimType {
		t.Errorf("scimType = %q, want %q", got, scimType)
	}
	if d, _ := r.body["detail"].(string); d == "" {
		t.Errorf("no detail in %s", r.raw)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestAuthentication(t *testing.T) {
	srv, base := newServer(t, provider.DefaultConfig())
	for _, tc := range []struct{ name, auth string }{
		{"missing", ""},
		{"wrong scheme", "Basic dXNlcjpwYXNz"},
		{"empty bearer", "Bearer "},
		{"unknown token", "Bearer nope"},
		{"token of another account", "Bearer tok-b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, "GET", base+"/Users", tc.auth, "")
			wantError(t, r, 401, "")
			if r.header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
	if r := do(t, "GET", base+"/Users", "bearer tok-a", ""); r.status != 200 {
		t.Errorf("lower-case scheme: status %d, want 200 (schemes are case-insensitive)", r.status)
	}
	if r := do(t, "GET", srv.URL+"/idm/public/scim/b/v2/Users", "Bearer tok-b", ""); r.status != 200 {
		t.Errorf("own account: status %d", r.status)
	}
}

func TestRequestErrors(t *testing.T) {
	srv, base := newServer(t, provider.DefaultConfig())
	auth := "Bearer tok-a"
	wantError(t, do(t, "POST", base+"/Users", auth, `{"userName":`), 400, "invalidSyntax")
	wantError(t, do(t, "POST", base+"/Users", auth, `[1,2]`), 400, "invalidSyntax")
	// JSON null is no object: a search of null is no search of everything.
	wantError(t, do(t, "POST", base+"/.search", auth, ` null `), 400, "invalidSyntax")
	wantError(t, do(t, "POST", base+"/Users", auth, `null`), 400, "invalidSyntax")
	wantError(t, do(t, "POST", base+"/Users", auth, `{"userName":"x@example.com"} {}`), 400, "invalidSyntax")
	wantError(t, do(t, "POST", base+"/Users", auth, `{"userName":17}`), 400, "invalidValue")
	wantError(t, do(t, "POST", base+"/Users", auth, `{"userName":"`+strings.Repeat("x", 5000)+`"}`), 413, "")
	wantError(t, do(t, "POST", base+"/Users", auth, user, "Content-Type", "text/plain"), 415, "")
	wantError(t, do(t, "GET", base+"/Users?filter=userName%20eq", auth, ""), 400, "invalidFilter")
	wantError(t, do(t, "GET", base+"/Users?count=ten", auth, ""), 400, "invalidValue")
	wantError(t, do(t, "GET", base+"/Users/nope", auth, ""), 404, "")
	wantError(t, do(t, "GET", base+"/Nothing", auth, ""), 404, "")
	wantError(t, do(t, "GET", srv.URL+"/elsewhere", auth, ""), 404, "")
	wantError(t, do(t, "GET", base+"/Me", auth, ""), 501, "")
	r := do(t, "PUT", base+"/Users", auth, user)
	wantError(t, r, 405, "")
	if r.header.Get("Allow") != "GET, POST" {
		t.Errorf("Allow = %q", r.header.Get("Allow"))
	}
	wantError(t, do(t, "DELETE", base+"/ServiceProviderConfig", auth, ""), 405, "")
	// Nothing above created anything.
	if r := do(t, "GET", base+"/Users", auth, ""); r.body["totalResults"] != 0.0 {
		t.Errorf("bad requests changed state: %s", r.raw)
	}
}

func TestPanicBecomes500(t *testing.T) {
	srv, _ := newServer(t, provider.DefaultConfig())
	wantError(t, do(t, "GET", srv.URL+"/idm/public/scim/boom/v2/Users", "Bearer tok-boom", ""), 500, "")
}

func TestCreateLocationAndETags(t *testing.T) {
	_, base := newServer(t, provider.DefaultConfig())
	auth := "Bearer tok-a"
	r := do(t, "POST", base+"/Users", auth, user)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	meta, _ := r.body["meta"].(map[string]any)
	if loc := r.header.Get("Location"); loc == "" || loc != meta["location"] {
		t.Errorf("Location %q != meta.location %v", loc, meta["location"])
	}
	etag := r.header.Get("ETag")
	if etag == "" || etag != meta["version"] {
		t.Errorf("ETag %q != meta.version %v", etag, meta["version"])
	}
	loc := r.header.Get("Location")
	if g := do(t, "GET", loc, auth, "", "If-None-Match", etag); g.status != 304 {
		t.Errorf("If-None-Match current: %d, want 304", g.status)
	}
	patch := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Ada"}]}`
	p := do(t, "PATCH", loc, auth, patch, "If-Match", etag)
	if p.status != 200 || p.header.Get("ETag") == etag {
		t.Fatalf("PATCH with current If-Match: %d, ETag %q (was %q)", p.status, p.header.Get("ETag"), etag)
	}
	wantError(t, do(t, "PATCH", loc, auth, patch, "If-Match", etag), 412, "")
	wantError(t, do(t, "DELETE", loc, auth, "", "If-Match", etag), 412, "")
	if d := do(t, "DELETE", loc, auth, "", "If-Match", p.header.Get("ETag")); d.status != 204 {
		t.Errorf("DELETE with current If-Match: %d", d.status)
	}
}

func TestPatchNoContent(t *testing.T) {
	cfg := provider.DefaultConfig()
	cfg.PatchNoContent = true
	_, base := newServer(t, cfg)
	auth := "Bearer tok-a"
	loc := do(t, "POST", base+"/Users", auth, user).header.Get("Location")
	r := do(t, "PATCH", loc, auth, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`)
	if r.status != 204 || r.raw != "" {
		t.Fatalf("PATCH: %d %q, want 204 with no body", r.status, r.raw)
	}
	if g := do(t, "GET", loc, auth, ""); g.body["active"] != false {
		t.Errorf("PATCH did not apply: %s", g.raw)
	}
}

func TestDiscoveryIsTruthful(t *testing.T) {
	_, base := newServer(t, provider.DefaultConfig())
	auth := "Bearer tok-a"
	spc := do(t, "GET", base+"/ServiceProviderConfig", auth, "")
	if spc.status != 200 {
		t.Fatal(spc.raw)
	}
	for _, f := range []string{"patch", "bulk", "filter", "sort", "etag"} {
		if m, _ := spc.body[f].(map[string]any); m["supported"] != true {
			t.Errorf("%s.supported = %v", f, m["supported"])
		}
	}
	if r := do(t, "GET", base+"/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", auth, ""); r.status != 200 || r.body["id"] != schema.UserURN {
		t.Errorf("Schemas by id: %d %s", r.status, r.raw)
	}
	if r := do(t, "GET", base+"/ResourceTypes/Group", auth, ""); r.status != 200 || r.body["endpoint"] != "/Groups" {
		t.Errorf("ResourceTypes by id: %d %s", r.status, r.raw)
	}
}

// TestRouteTable checks the fallback of the route table: 405 with the
// methods a path takes, 404 for what no route serves, and resource
// endpoints found in any case.
func TestRouteTable(t *testing.T) {
	_, base := newServer(t, provider.DefaultConfig())
	auth := "Bearer tok-a"
	for _, c := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"POST", "/Users/x", 405, "GET, PUT, PATCH, DELETE"},
		{"GET", "/Users/.search", 405, "POST"},
		{"PUT", "/Groups/.search", 405, "POST"},
		{"GET", "/.search", 405, "POST"},
		{"GET", "/Bulk", 405, "POST"},
		{"POST", "/Schemas/x", 405, "GET"},
		{"PATCH", "/ResourceTypes", 405, "GET"},
		{"HEAD", "/Users", 405, "GET, POST"},
		{"HEAD", "/ServiceProviderConfig", 405, "GET"},
		{"GET", "/users", 200, ""},
		{"PUT", "/users", 405, "GET, POST"},
		{"DELETE", "/Nothing", 404, ""},
		{"GET", "/Nothing/x", 404, ""},
		{"GET", "/ServiceProviderConfig/x", 404, ""},
		{"GET", "/Users/x/y", 404, ""},
		{"PUT", "/Me", 501, ""},
		{"GET", "/", 404, ""},
	} {
		r := do(t, c.method, base+c.path, auth, "")
		if r.status != c.status || r.header.Get("Allow") != c.allow {
			t.Errorf("%s %s: %d Allow %q, want %d Allow %q; %s", c.method, c.path, r.status, r.header.Get("Allow"), c.status, c.allow, r.raw)
		}
		if c.method != "HEAD" && c.status >= 400 {
			wantError(t, r, c.status, "")
		}
	}
	wantError(t, do(t, "PUT", base+"/Users", "", ""), 401, "")
	wantError(t, do(t, "DELETE", base+"/Nothing", "", ""), 401, "")
}
