package mock

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The variant switches, each proved over a socket: the mock started with
// the variant does what the variant says, and its /ServiceProviderConfig
// says so.

// vmock is a mock started with some variants and the rules of RFC 7644
// only, and a client of its demo account.
type vmock struct {
	t    *testing.T
	inst *Instance
}

func startVariants(t *testing.T, variants ...string) *vmock {
	t.Helper()
	inst, err := Start(context.Background(), Options{Rules: RulesRFC, Schema: "full", Variants: variants})
	if err != nil {
		t.Fatalf("start with variants %v: %v", variants, err)
	}
	t.Cleanup(func() { inst.Close() })
	return &vmock{t: t, inst: inst}
}

// vresp is an answer: status, headers and the body as JSON (nil when it
// is none).
type vresp struct {
	status int
	header http.Header
	raw    string
	doc    map[string]any
}

func (m *vmock) do(method, path string, body any, headers ...string) vresp {
	m.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			m.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, m.inst.SCIMBaseURL+path, rd)
	if err != nil {
		m.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+m.inst.SCIMToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := vresp{status: res.StatusCode, header: res.Header, raw: string(b)}
	if len(b) > 0 {
		json.Unmarshal(b, &r.doc)
	}
	return r
}

func (m *vmock) user(name string, extra ...any) map[string]any {
	m.t.Helper()
	doc := map[string]any{"schemas": []any{userURN}, "userName": name,
		"name": map[string]any{"givenName": "Ada", "familyName": "Lovelace"}, "active": true}
	for i := 0; i+1 < len(extra); i += 2 {
		doc[extra[i].(string)] = extra[i+1]
	}
	r := m.do("POST", "/Users", doc)
	if r.status != 201 {
		m.t.Fatalf("create %s: %d %s", name, r.status, r.raw)
	}
	return r.doc
}

func (m *vmock) spc() map[string]any {
	m.t.Helper()
	r := m.do("GET", "/ServiceProviderConfig", nil)
	if r.status != 200 {
		m.t.Fatalf("GET /ServiceProviderConfig: %d %s", r.status, r.raw)
	}
	return r.doc
}

func feature(doc map[string]any, name, key string) any {
	f, _ := doc[name].(map[string]any)
	return f[key]
}

func wantStatus(t *testing.T, what string, r vresp, status int, scimType string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.status, status, r.raw)
	}
	if got, _ := r.doc["scimType"].(string); scimType != "-" && got != scimType {
		t.Fatalf("%s: scimType %q, want %q: %s", what, got, scimType, r.raw)
	}
}

func filterQuery(f string) string { return "/Users?filter=" + url.QueryEscape(f) }

func TestVariantEqOnlyFilters(t *testing.T) {
	m := startVariants(t, "eq-only-filters")
	u := m.user("eq@example.com", "externalId", "ext-1")
	id := u["id"].(string)
	for _, f := range []string{`userName eq "eq@example.com"`, `id eq "` + id + `" and externalId eq "ext-1"`, `USERNAME eq "EQ@example.com"`} {
		r := m.do("GET", filterQuery(f), nil)
		if r.status != 200 || r.doc["totalResults"] != float64(1) {
			t.Errorf("%s: %d %s, want 200 with the user", f, r.status, r.raw)
		}
	}
	for _, f := range []string{`userName sw "eq"`, `userName eq "a" or userName eq "b"`, `not (userName eq "a")`,
		`name.familyName eq "Lovelace"`, `emails[type eq "work"]`, `userName pr`} {
		wantStatus(t, f, m.do("GET", filterQuery(f), nil), 400, "invalidFilter")
		wantStatus(t, f+" by POST .search", m.do("POST", "/Users/.search", map[string]any{
			"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:SearchRequest"}, "filter": f}), 400, "invalidFilter")
	}
	if feature(m.spc(), "filter", "supported") != true {
		t.Error("eq-only-filters still filters: filter.supported stays true")
	}
	// Declining needs credentials first.
	req, _ := http.NewRequest("GET", m.inst.SCIMBaseURL+filterQuery(`userName sw "x"`), nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Errorf("a declined filter without credentials: %d, want 401", res.StatusCode)
	}
}

func TestVariantNoFiltering(t *testing.T) {
	m := startVariants(t, "no-filtering")
	m.user("nf@example.com")
	wantStatus(t, "eq", m.do("GET", filterQuery(`userName eq "nf@example.com"`), nil), 400, "invalidFilter")
	if r := m.do("GET", "/Users", nil); r.status != 200 || r.doc["totalResults"] != float64(1) {
		t.Errorf("a query without filter: %d %s", r.status, r.raw)
	}
	if feature(m.spc(), "filter", "supported") != false {
		t.Error("filter.supported is not false")
	}
}

func TestVariantNoSorting(t *testing.T) {
	m := startVariants(t, "no-sorting")
	m.user("b@example.com")
	m.user("a@example.com")
	r := m.do("GET", "/Users?sortBy=userName&sortOrder=ascending", nil)
	res, _ := r.doc["Resources"].([]any)
	if r.status != 200 || len(res) != 2 || res[0].(map[string]any)["userName"] != "b@example.com" {
		t.Errorf("sortBy should be ignored (creation order, b first): %d %s", r.status, r.raw)
	}
	if feature(m.spc(), "sort", "supported") != false {
		t.Error("sort.supported is not false")
	}
}

func TestVariantNoSearch(t *testing.T) {
	m := startVariants(t, "no-search")
	body := map[string]any{"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:SearchRequest"}}
	wantStatus(t, "POST /.search", m.do("POST", "/.search", body), 404, "")
	wantStatus(t, "POST /Users/.search", m.do("POST", "/Users/.search", body), 404, "")
}

func TestVariantPageSizes(t *testing.T) {
	m := startVariants(t, "small-max-results")
	for i := range 7 {
		m.user(fmt.Sprintf("p%d@example.com", i))
	}
	page := func(m *vmock, q string) (int, float64) {
		r := m.do("GET", "/Users"+q, nil)
		res, _ := r.doc["Resources"].([]any)
		total, _ := r.doc["totalResults"].(float64)
		return len(res), total
	}
	for _, q := range []string{"", "?count=7", "?count=100"} {
		if n, total := page(m, q); n != 5 || total != 7 {
			t.Errorf("small-max-results %q: %d resources of %v, want 5 of 7", q, n, total)
		}
	}
	if n, _ := page(m, "?count=3"); n != 3 {
		t.Errorf("small-max-results count=3: %d resources", n)
	}
	if got := feature(m.spc(), "filter", "maxResults"); got != float64(5) {
		t.Errorf("filter.maxResults %v, want 5", got)
	}

	m = startVariants(t, "count-above-max-ignored")
	for i := range 12 {
		m.user(fmt.Sprintf("c%d@example.com", i))
	}
	for q, want := range map[string]int{"": 10, "?count=11": 11, "?count=51": 10, "?count=2": 2} {
		if n, _ := page(m, q); n != want {
			t.Errorf("count-above-max-ignored %q: %d resources, want %d", q, n, want)
		}
	}
	spc := m.spc()
	if feature(spc, "filter", "maxResults") != float64(50) || feature(spc, "pagination", "defaultPageSize") != float64(10) {
		t.Errorf("filter.maxResults 50 and pagination.defaultPageSize 10 are not declared: %v %v", spc["filter"], spc["pagination"])
	}
}

func TestVariantNoETags(t *testing.T) {
	m := startVariants(t, "no-etags")
	u := m.user("etag@example.com")
	if meta := u["meta"].(map[string]any); meta["version"] != nil {
		t.Errorf("meta.version %v on create", meta["version"])
	}
	id := u["id"].(string)
	r := m.do("GET", "/Users/"+id, nil)
	if r.header.Get("ETag") != "" || r.doc["meta"].(map[string]any)["version"] != nil {
		t.Errorf("GET carries a version: ETag %q, %s", r.header.Get("ETag"), r.raw)
	}
	// If-Match is ignored: a server without versions has none to compare.
	patch := map[string]any{"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []any{map[string]any{"op": "replace", "path": "displayName", "value": "X"}}}
	if r := m.do("PATCH", "/Users/"+id, patch, "If-Match", `W/"999"`); r.status != 200 {
		t.Errorf("PATCH with an If-Match: %d %s", r.status, r.raw)
	}
	if list := m.do("GET", "/Users", nil); strings.Contains(list.raw, `"version"`) {
		t.Errorf("a list carries versions: %s", list.raw)
	}
	if feature(m.spc(), "etag", "supported") != false {
		t.Error("etag.supported is not false")
	}
}

func TestVariantNoBulk(t *testing.T) {
	m := startVariants(t, "no-bulk")
	r := m.do("POST", "/Bulk", map[string]any{"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:BulkRequest"}, "Operations": []any{}})
	wantStatus(t, "POST /Bulk", r, 501, "")
	if feature(m.spc(), "bulk", "supported") != false {
		t.Error("bulk.supported is not false")
	}
}

func TestVariantNoChangePassword(t *testing.T) {
	m := startVariants(t, "no-change-password")
	u := m.user("pw@example.com", "password", "initial-1")
	id := u["id"].(string)
	patch := map[string]any{"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []any{map[string]any{"op": "replace", "path": "password", "value": "other-2"}}}
	wantStatus(t, "PATCH password", m.do("PATCH", "/Users/"+id, patch), 400, "mutability")
	put := map[string]any{"schemas": []any{userURN}, "userName": "pw@example.com", "password": "other-3"}
	wantStatus(t, "PUT password", m.do("PUT", "/Users/"+id, put), 400, "mutability")
	other := map[string]any{"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []any{map[string]any{"op": "replace", "path": "displayName", "value": "Ada"}}}
	if r := m.do("PATCH", "/Users/"+id, other); r.status != 200 {
		t.Errorf("PATCH without password: %d %s", r.status, r.raw)
	}
	if feature(m.spc(), "changePassword", "supported") != false {
		t.Error("changePassword.supported is not false")
	}
}

func TestVariantNoServiceProviderConfig(t *testing.T) {
	m := startVariants(t, "no-service-provider-config")
	wantStatus(t, "GET /ServiceProviderConfig", m.do("GET", "/ServiceProviderConfig", nil), 404, "")
	if r := m.do("GET", "/ResourceTypes", nil); r.status != 200 {
		t.Errorf("/ResourceTypes: %d", r.status)
	}
}

func TestVariantPatch204(t *testing.T) {
	m := startVariants(t, "patch-204")
	id := m.user("p204@example.com")["id"].(string)
	patch := map[string]any{"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []any{map[string]any{"op": "replace", "path": "displayName", "value": "Ada"}}}
	r := m.do("PATCH", "/Users/"+id, patch)
	if r.status != 204 || r.raw != "" || r.header.Get("ETag") == "" {
		t.Errorf("PATCH: %d, ETag %q, body %q; want 204, an ETag, no body", r.status, r.header.Get("ETag"), r.raw)
	}
	// RFC 7644 section 3.5.2: "The server MUST return a 200 OK if the
	// "attributes" parameter is specified in the request."
	if r := m.do("PATCH", "/Users/"+id+"?attributes=displayName", patch); r.status != 200 {
		t.Errorf("PATCH with attributes: %d, want 200", r.status)
	}
}

func TestVariantUnsupportedMethod404(t *testing.T) {
	m := startVariants(t, "unsupported-method-404")
	r := m.do("DELETE", "/ServiceProviderConfig", nil)
	wantStatus(t, "DELETE /ServiceProviderConfig", r, 404, "")
	if r.header.Get("Allow") != "" {
		t.Errorf("Allow %q on a 404", r.header.Get("Allow"))
	}
}

func TestVariantScimTypeOnlyWhereRequired(t *testing.T) {
	m := startVariants(t, "scimtype-only-where-required")
	m.user("st@example.com")
	// invalidValue: Table 9 lists it, no MUST names it.
	r := m.do("POST", "/Users", map[string]any{"schemas": []any{userURN}, "userName": "st2@example.com", "active": 3})
	wantStatus(t, "a wrong type", r, 400, "")
	// uniqueness: RFC 7644 section 3.3 MUSTs it.
	r = m.do("POST", "/Users", map[string]any{"schemas": []any{userURN}, "userName": "st@example.com"})
	wantStatus(t, "a duplicate userName", r, 409, "uniqueness")
	wantStatus(t, "a malformed filter", m.do("GET", filterQuery(`userName eq`), nil), 400, "invalidFilter")
}

func TestVariantServerAssignedValues(t *testing.T) {
	m := startVariants(t, "server-assigned-values")
	u := m.user("sa@example.com")
	if u["displayName"] != "Ada Lovelace" {
		t.Errorf("displayName %v, want one assigned from the name", u["displayName"])
	}
	put := map[string]any{"schemas": []any{userURN}, "userName": "sa@example.com", "displayName": nil}
	if r := m.do("PUT", "/Users/"+u["id"].(string), put); r.status != 200 || r.doc["displayName"] != nil {
		t.Errorf("PUT with displayName null: %d %s; the client's null is kept", r.status, r.raw)
	}
	put = map[string]any{"schemas": []any{userURN}, "userName": "sa@example.com"}
	if r := m.do("PUT", "/Users/"+u["id"].(string), put); r.status != 200 || r.doc["displayName"] != "sa@example.com" {
		t.Errorf("PUT without displayName: %d %s; want the userName assigned", r.status, r.raw)
	}
}

func TestVariantDeletedKeptReserved(t *testing.T) {
	m := startVariants(t, "deleted-kept-reserved")
	id := m.user("gone@example.com")["id"].(string)
	if r := m.do("DELETE", "/Users/"+id, nil); r.status != 204 {
		t.Fatalf("DELETE: %d", r.status)
	}
	wantStatus(t, "GET the deleted user", m.do("GET", "/Users/"+id, nil), 404, "")
	if r := m.do("GET", filterQuery(`userName eq "gone@example.com"`), nil); r.doc["totalResults"] != float64(0) {
		t.Errorf("the deleted user is still found: %s", r.raw)
	}
	r := m.do("POST", "/Users", map[string]any{"schemas": []any{userURN}, "userName": "GONE@example.com"})
	wantStatus(t, "re-create with the deleted userName", r, 409, "uniqueness")

	g := m.do("POST", "/Groups", map[string]any{"schemas": []any{groupURN}, "displayName": "Old"})
	m.do("DELETE", "/Groups/"+g.doc["id"].(string), nil)
	wantStatus(t, "re-create the deleted group's name", m.do("POST", "/Groups", map[string]any{"schemas": []any{groupURN}, "displayName": "old"}), 409, "uniqueness")
}

func TestVariantsConflict(t *testing.T) {
	if _, err := Start(context.Background(), Options{Variants: []string{"eq-only-filters", "no-filtering"}}); err == nil {
		t.Error("eq-only-filters with no-filtering started")
	}
	if _, err := Start(context.Background(), Options{Variants: []string{"no-such-variant"}}); err == nil || !strings.Contains(err.Error(), "eq-only-filters") {
		t.Errorf("an unknown variant: %v, want an error listing the variants", err)
	}
}

// Every variant together with its compatible ones leaves a working
// server: the discovery documents still answer, and a create works.
func TestVariantsTogether(t *testing.T) {
	var on []string
	for _, n := range VariantNames() {
		if n != "no-filtering" && n != "count-above-max-ignored" {
			on = append(on, n)
		}
	}
	m := startVariants(t, on...)
	m.user("all@example.com")
	if r := m.do("GET", "/Schemas", nil); r.status != 200 {
		t.Errorf("/Schemas: %d", r.status)
	}
}
