package violation_test

import (
	"encoding/json"
	"github.com/scimconf/scimconf/server/internal/engine/provider"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/violation"
)

const base = "/idm/public/scim/a/v2"

// seen is what the fake SCIM handler was sent.
type seen struct {
	header http.Header
	body   string
}

// fake answers like the SCIM handler would: status, headers and body as
// given, and records the request it got.
func fake(got *seen, status int, header map[string]string, body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		*got = seen{header: r.Header.Clone(), body: string(b)}
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	})
}

func serve(t *testing.T, set *violation.Set, h http.Handler, method, path, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	violation.SCIM(set, "/idm/public/scim/{account}/v2", noProviders)(h).ServeHTTP(w, r)
	return w
}

// noProviders serves no account: these tests exercise the HTTP layer's
// switches only.
func noProviders(string) *provider.Provider { return nil }

func on(t *testing.T, names ...string) *violation.Set {
	t.Helper()
	s, err := violation.New(names...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const scimJSON = "application/scim+json"

var errorBody = `{"detail":"no","schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404"}`

func TestSCIMAllOffPassesThrough(t *testing.T) {
	var got seen
	h := fake(&got, 401, map[string]string{"Content-Type": scimJSON, "WWW-Authenticate": "Bearer", "Location": "x"}, errorBody)
	w := serve(t, nil, h, "PUT", base+"/Users/1", `{"a":1}`, "If-Match", `W/"1"`, "Authorization", "Token t")
	if w.Code != 401 || w.Body.String() != errorBody || w.Header().Get("WWW-Authenticate") == "" || w.Header().Get("Content-Type") != scimJSON {
		t.Errorf("changed the response: %d %v %s", w.Code, w.Header(), w.Body)
	}
	if got.header.Get("If-Match") == "" || got.header.Get("Authorization") != "Token t" || got.body != `{"a":1}` {
		t.Errorf("changed the request: %v %s", got.header, got.body)
	}
}

func TestSCIMResponseRewrites(t *testing.T) {
	var got seen
	for _, c := range []struct {
		sw, method, path string
		status           int
		header           map[string]string
		body             string
		wantStatus       int
		check            func(t *testing.T, w *httptest.ResponseRecorder)
	}{
		{"status-as-number", "GET", base + "/Users/x", 404, map[string]string{"Content-Type": scimJSON}, errorBody, 404, func(t *testing.T, w *httptest.ResponseRecorder) {
			if !strings.Contains(w.Body.String(), `"status":404`) {
				t.Errorf("body %s", w.Body)
			}
		}},
		{"json-content-type", "GET", base + "/Users", 200, map[string]string{"Content-Type": scimJSON}, `{}`, 200, func(t *testing.T, w *httptest.ResponseRecorder) {
			if ct := w.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		}},
		{"wrong-method-404", "PUT", base + "/Users", 405, map[string]string{"Content-Type": scimJSON, "Allow": "GET, POST"}, `{}`, 404, func(t *testing.T, w *httptest.ResponseRecorder) {
			if w.Header().Get("Allow") != "" || !strings.Contains(w.Body.String(), `"status":"404"`) {
				t.Errorf("%v %s", w.Header(), w.Body)
			}
		}},
		{"create-no-location", "POST", base + "/Users", 201, map[string]string{"Content-Type": scimJSON, "Location": "x"}, `{}`, 201, func(t *testing.T, w *httptest.ResponseRecorder) {
			if w.Header().Get("Location") != "" {
				t.Error("Location kept")
			}
		}},
		{"no-www-authenticate", "GET", base + "/Users", 401, map[string]string{"Content-Type": scimJSON, "WWW-Authenticate": "Bearer"}, errorBody, 401, func(t *testing.T, w *httptest.ResponseRecorder) {
			if w.Header().Get("WWW-Authenticate") != "" {
				t.Error("WWW-Authenticate kept")
			}
		}},
		{"resourcetype-as-list", "GET", base + "/ResourceTypes/User", 200, map[string]string{"Content-Type": scimJSON}, `{"id":"User"}`, 200, func(t *testing.T, w *httptest.ResponseRecorder) {
			want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"itemsPerPage":1,"startIndex":1,"Resources":[{"id":"User"}]}`
			if w.Body.String() != want {
				t.Errorf("body %s", w.Body)
			}
		}},
		{"list-omits-paging-fields", "GET", base + "/Users", 200, map[string]string{"Content-Type": scimJSON}, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":3,"itemsPerPage":1,"startIndex":2,"Resources":[]}`, 200, func(t *testing.T, w *httptest.ResponseRecorder) {
			if want := `{"Resources":[],"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":3}`; w.Body.String() != want {
				t.Errorf("body %s", w.Body)
			}
		}},
		{"list-omits-paging-fields", "GET", base + "/Schemas", 200, map[string]string{"Content-Type": scimJSON}, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"itemsPerPage":1}`, 200, func(t *testing.T, w *httptest.ResponseRecorder) {
			if !strings.Contains(w.Body.String(), "itemsPerPage") {
				t.Errorf("a discovery list lost its paging fields: %s", w.Body)
			}
		}},
	} {
		w := serve(t, on(t, c.sw), fake(&got, c.status, c.header, c.body), c.method, c.path, "")
		if w.Code != c.wantStatus {
			t.Errorf("%s: status %d, want %d", c.sw, w.Code, c.wantStatus)
		}
		t.Run(c.sw, func(t *testing.T) { c.check(t, w) })
	}
}

func TestSCIMRequestRewrites(t *testing.T) {
	var got seen
	ok := fake(&got, 200, nil, "")
	serve(t, on(t, "accept-any-auth-scheme"), ok, "GET", base+"/Users", "", "Authorization", "Token tok")
	if a := got.header.Get("Authorization"); a != "Bearer tok" {
		t.Errorf("accept-any-auth-scheme: Authorization %q", a)
	}
	serve(t, on(t, "ignore-if-match"), ok, "PUT", base+"/Users/1", "{}", "If-Match", `W/"1"`)
	if _, kept := got.header["If-Match"]; kept {
		t.Error("ignore-if-match: If-Match reached the server")
	}
	search := on(t, "search-ignores-attributes")
	serve(t, search, ok, "POST", base+"/Users/.search", `{"filter":"x pr","Attributes":["a"],"excludedAttributes":["b"],"count":10}`)
	if got.body != `{"count":10,"filter":"x pr"}` {
		t.Errorf("search-ignores-attributes: body %s", got.body)
	}
	for _, body := range []string{`{"attributes":5}`, `{"attributes":["a"]} {}`, `nope`} {
		serve(t, search, ok, "POST", base+"/Users/.search", body)
		if got.body != body {
			t.Errorf("search-ignores-attributes changed %s into %s; the server refuses it either way", body, got.body)
		}
	}
}

// TestNoGroupDelete checks that an existing group answers 405 and that
// other DELETEs reach the server.
func TestNoGroupDelete(t *testing.T) {
	var deleted []string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		exists := strings.HasSuffix(r.URL.Path, "/g1")
		switch {
		case r.Method == "GET" && exists:
			w.WriteHeader(200)
		case r.Method == "GET":
			w.WriteHeader(404)
		default:
			deleted = append(deleted, r.URL.Path)
			w.WriteHeader(204)
		}
	})
	set := on(t)
	if w := serve(t, set, h, "DELETE", base+"/Groups/g1", ""); w.Code != 204 {
		t.Fatalf("switch off: %d", w.Code)
	}
	set.Enable("no-group-delete")
	w := serve(t, set, h, "DELETE", base+"/Groups/g1", "")
	var body map[string]any
	json.Unmarshal(w.Body.Bytes(), &body)
	if w.Code != 405 || w.Header().Get("Allow") != "GET, PUT, PATCH" || body["status"] != "405" {
		t.Errorf("existing group: %d %v %s", w.Code, w.Header(), w.Body)
	}
	serve(t, set, h, "DELETE", base+"/Groups/g2", "")
	serve(t, set, h, "DELETE", base+"/Users/g1", "")
	if !slices.Equal(deleted, []string{base + "/Groups/g1", base + "/Groups/g2", base + "/Users/g1"}) {
		t.Errorf("deletes that reached the server: %v", deleted)
	}
	set.Enable("wrong-method-404")
	if w := serve(t, set, h, "DELETE", base+"/Groups/g1", ""); w.Code != 404 {
		t.Errorf("with wrong-method-404: %d, want 404", w.Code)
	}
}

func TestOpensAndRefusedQuirks(t *testing.T) {
	set := on(t)
	opens, refuse := violation.Opens(set, nil), violation.RefusedQuirks(set)
	if !opens("a", "a") || opens("a", "b") || refuse(nil) != nil {
		t.Fatal("switches off: a token opens its own account only, and no quirk is refused")
	}
	set.Enable("token-opens-any-account")
	set.Enable("refuse-string-booleans")
	set.Enable("refuse-id-in-patch-value")
	if !opens("a", "b") {
		t.Error("token-opens-any-account turned on at run time: a token opens every account")
	}
	if got := refuse(nil); !slices.Equal(got, []schema.Quirk{schema.StringBoolean, schema.IDInPatchValue}) {
		t.Errorf("refused %v", got)
	}
}
