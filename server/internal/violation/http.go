package violation

// The switches of the SCIM HTTP layer (package server), applied around it:
// a middleware that rewrites the request before the SCIM handler reads it
// and the response after the handler wrote it ("a broken proxy in front of
// a correct server"), and the two functions server.Config takes for the
// account a token opens and the IdP dialects a request may use.
//
// This file must not import package server or provider (they import this
// package until the switches are out of them): it works on the wire form,
// as a proxy would.

import (
	"bytes"
	"encoding/json"
	"github.com/scimconf/scimconf/server/internal/answer"
	"github.com/scimconf/scimconf/server/internal/engine/scimhttp"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/scimconf/scimconf/server/internal/engine/provider"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// The engine's names for the SCIM media type and the list message.
const (
	scimJSON        = scimhttp.ContentType
	listResponseURN = provider.ListResponseURN
)

// SCIM returns the middleware that puts every wire-level switch in front
// of the SCIM handler: the HTTP layer's (authentication, wire format)
// outermost, and inside them the service provider's broken proxy
// (providerProxy). prefix is the pattern of a SCIM base URL with an
// {account} wildcard ("/idm/public/scim/{account}/v2"); providers returns
// an account's service provider. Each switch is asked per request, so one
// turned on at run time breaks the next request; with every switch off,
// the handler serves the request untouched.
func SCIM(set *Set, prefix string, providers func(accountID string) *provider.Provider) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return httpLayer(set, providerProxy(set, prefix, providers)(next))
	}
}

// httpLayer wraps next with the switches of the SCIM HTTP layer.
func httpLayer(set *Set, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = rewriteRequest(set, r)
		h := next
		if set.On(NoGroupDelete) {
			h = groupsUndeletable(next)
		}
		var rewrites []func(*http.Request, *response)
		for _, rw := range responseRewrites {
			if set.On(rw.sw) {
				rewrites = append(rewrites, rw.f)
			}
		}
		if len(rewrites) == 0 {
			h.ServeHTTP(w, r)
			return
		}
		b := answer.Over(w)
		h.ServeHTTP(b, r)
		for _, f := range rewrites {
			f(r, b)
		}
		b.Flush(w)
	})
}

// Opens decorates opens, the check of which accounts a token of account
// tokenAccount opens (server.Config.Opens; nil is its own account only):
// with token-opens-any-account on, a valid token opens every account.
func Opens(set *Set, opens func(tokenAccount, account string) bool) func(tokenAccount, account string) bool {
	if opens == nil {
		opens = func(tokenAccount, account string) bool { return tokenAccount == account }
	}
	return func(tokenAccount, account string) bool {
		return set.On(TokenOpensAnyAccount) || opens(tokenAccount, account)
	}
}

// refusals are the switches that each refuse one IdP dialect the mock
// otherwise accepts (schema.Dialect.Refuse).
var refusals = []struct {
	sw    Switch
	quirk schema.Quirk
}{
	{RefuseCapitalizedOps, schema.CapitalizedOp},
	{RefuseStringBooleans, schema.StringBoolean},
	{RefuseDottedPathKeys, schema.DottedPathKey},
	{RefuseIDInPatchValue, schema.IDInPatchValue},
}

// RefusedQuirks returns, for server.Config.Refuse, the IdP dialects the
// refuse-* switches that are on refuse.
func RefusedQuirks(set *Set) func(*http.Request) []schema.Quirk {
	return func(*http.Request) []schema.Quirk {
		var out []schema.Quirk
		for _, rf := range refusals {
			if set.On(rf.sw) {
				out = append(out, rf.quirk)
			}
		}
		return out
	}
}

// scimPath splits a SCIM path, /idm/public/scim/{account}/v2/{endpoint}
// [/{id}], into the endpoint and the id; ok is false for other paths.
func scimPath(r *http.Request) (endpoint, id string, ok bool) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if len(parts) < 6 || len(parts) > 7 || parts[0] != "idm" || parts[1] != "public" || parts[2] != "scim" || parts[4] != "v2" {
		return "", "", false
	}
	if len(parts) == 7 {
		id = parts[6]
	}
	return parts[5], id, true
}

// rewriteRequest applies the switches that change what the SCIM handler
// reads, on a copy of r (the journal keeps what the client sent).
func rewriteRequest(set *Set, r *http.Request) *http.Request {
	anyScheme, ifMatch := set.On(AcceptAnyAuthScheme), set.On(IgnoreIfMatch)
	_, id, _ := scimPath(r)
	searchAttrs := set.On(SearchIgnoresAttributes) && r.Method == http.MethodPost && id == ".search"
	if !anyScheme && !ifMatch && !searchAttrs {
		return r
	}
	r = r.Clone(r.Context())
	if anyScheme {
		// accept-any-auth-scheme: the last word of the header is the token,
		// whatever the scheme.
		if f := strings.Fields(r.Header.Get("Authorization")); len(f) > 0 {
			r.Header.Set("Authorization", "Bearer "+f[len(f)-1])
		}
	}
	if ifMatch {
		// ignore-if-match: the precondition never reaches the server.
		r.Header.Del("If-Match")
	}
	if searchAttrs {
		dropSearchAttributes(r)
	}
	return r
}

// dropSearchAttributes removes attributes and excludedAttributes from a
// SearchRequest body (search-ignores-attributes). A body that is no single
// JSON object, or whose lists are not lists of strings, stays as it is, so
// that the server refuses it as it would without the switch.
func dropSearchAttributes(r *http.Request) {
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil || dec.More() || m == nil {
		return
	}
	changed := false
	for k, v := range m {
		if !strings.EqualFold(k, "attributes") && !strings.EqualFold(k, "excludedAttributes") {
			continue
		}
		if list, ok := v.([]any); v != nil && (!ok || slices.ContainsFunc(list, func(e any) bool { _, s := e.(string); return !s })) {
			return
		}
		delete(m, k)
		changed = true
	}
	if !changed {
		return
	}
	out, err := json.Marshal(m)
	if err != nil {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(out))
	r.ContentLength = int64(len(out))
}

// groupsUndeletable answers DELETE of an existing group with 405
// (no-group-delete). Whether the group exists is asked of the server with
// a GET of the same URL and credentials.
func groupsUndeletable(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		endpoint, id, ok := scimPath(r)
		if r.Method != http.MethodDelete || !ok || id == "" || !strings.EqualFold(endpoint, "Groups") {
			next.ServeHTTP(w, r)
			return
		}
		get := r.Clone(r.Context())
		get.Method, get.Body, get.ContentLength = http.MethodGet, http.NoBody, 0
		get.URL.RawQuery = ""
		get.Header.Del("If-Match")
		get.Header.Del("If-None-Match")
		get.Header.Del("Content-Type")
		probe := newResponse()
		next.ServeHTTP(probe, get)
		if probe.Status != http.StatusOK {
			next.ServeHTTP(w, r)
			return
		}
		const allow = "GET, PUT, PATCH"
		w.Header().Set("Allow", allow)
		writeError(w, scimerror.New(http.StatusMethodNotAllowed, "", "%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, allow))
	})
}

func writeError(w http.ResponseWriter, e *scimerror.Error) {
	b, _ := json.Marshal(e)
	w.Header().Set("Content-Type", scimJSON)
	w.WriteHeader(e.Status)
	w.Write(b)
}

// responseRewrites are the switches that change the response, in the
// order they apply (an error body another rewrite writes is still
// rewritten by status-as-number; every body still by json-content-type).
var responseRewrites = []struct {
	sw Switch
	f  func(*http.Request, *response)
}{
	{CreateNoLocation, func(_ *http.Request, b *response) {
		if b.Status == http.StatusCreated {
			b.Header().Del("Location")
		}
	}},
	{ResourcetypeAsList, resourceTypeAsList},
	{ListOmitsPagingFields, omitPagingFields},
	{WrongMethod404, func(r *http.Request, b *response) {
		if b.Status != http.StatusMethodNotAllowed {
			return
		}
		b.Header().Del("Allow")
		b.Body.Reset()
		b.Status = 0
		writeError(b, scimerror.NotFound("%s %s: not found", r.Method, r.URL.Path))
	}},
	{NoWWWAuthenticate, func(_ *http.Request, b *response) {
		if b.Status == http.StatusUnauthorized {
			b.Header().Del("WWW-Authenticate")
		}
	}},
	{StatusAsNumber, statusAsNumber},
	{JSONContentType, func(_ *http.Request, b *response) {
		if b.Header().Get("Content-Type") == scimJSON {
			b.Header().Set("Content-Type", "application/json")
		}
	}},
}

// resourceTypeAsList answers GET /ResourceTypes/{id} with a ListResponse
// holding the resource type (resourcetype-as-list).
func resourceTypeAsList(r *http.Request, b *response) {
	endpoint, id, ok := scimPath(r)
	if r.Method != http.MethodGet || !ok || endpoint != "ResourceTypes" || id == "" || b.Status != http.StatusOK {
		return
	}
	doc, ok := b.Object()
	if !ok {
		return
	}
	b.SetJSON(struct {
		Schemas      []string         `json:"schemas"`
		TotalResults int              `json:"totalResults"`
		ItemsPerPage int              `json:"itemsPerPage"`
		StartIndex   int              `json:"startIndex"`
		Resources    []map[string]any `json:"Resources"`
	}{[]string{listResponseURN}, 1, 1, 1, []map[string]any{doc}})
}

// omitPagingFields leaves itemsPerPage and startIndex out of the answer to
// a query (list-omits-paging-fields); RFC 7644 section 3.4.2 requires them
// on a partial page, and Okta reads them on every page. The discovery
// endpoints' lists are no queries and stay as they are.
func omitPagingFields(r *http.Request, b *response) {
	endpoint, _, ok := scimPath(r)
	if !ok || endpoint == "Schemas" || endpoint == "ResourceTypes" || b.Status != http.StatusOK {
		return
	}
	m, ok := b.Object()
	if !ok || !hasSchema(m, listResponseURN) {
		return
	}
	delete(m, "itemsPerPage")
	delete(m, "startIndex")
	b.SetJSON(m)
}

// statusAsNumber writes "status" of a SCIM error body as a JSON number
// instead of a string (status-as-number).
func statusAsNumber(_ *http.Request, b *response) {
	if b.Status < 400 {
		return
	}
	m, ok := b.Object()
	if !ok || !hasSchema(m, scimerror.URN) {
		return
	}
	if s, ok := m["status"].(string); ok {
		if n, err := strconv.Atoi(s); err == nil {
			m["status"] = n
			b.SetJSON(m)
		}
	}
}

func hasSchema(m map[string]any, urn string) bool {
	list, _ := m["schemas"].([]any)
	return slices.Contains(list, any(urn))
}
