package scimhttp

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/scimconf/scimconf/server/internal/engine/discovery"
	"github.com/scimconf/scimconf/server/internal/engine/patch"
	"github.com/scimconf/scimconf/server/internal/engine/projection"
	"github.com/scimconf/scimconf/server/internal/engine/provider"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// route is one SCIM endpoint (RFC 7644 section 3.2): a method and a path
// below SCIMPrefix, as a pattern of the standard mux.
type route struct {
	method, path string
	h            handler
}

// methods are the HTTP methods SCIM defines (RFC 7644 section 3.2), in the
// order an Allow header lists them.
var methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// routes registers the route table on the mux, then the one fallback for
// what the table does not take: 405 with Allow for a known path and
// another method, 404 for an unknown path, both with SCIM bodies (the
// mux's own answers are plain text).
func (s *Server) routes() {
	table := []route{
		{http.MethodGet, "/ServiceProviderConfig", s.serviceProviderConfig},
		{http.MethodGet, "/ResourceTypes", s.resourceTypes},
		{http.MethodGet, "/ResourceTypes/{id}", s.resourceType},
		{http.MethodGet, "/Schemas", s.schemas},
		{http.MethodGet, "/Schemas/{id}", s.schema},
		{http.MethodPost, "/Bulk", s.bulk},
		{http.MethodPost, "/.search", s.searchAll},
	}
	for _, rt := range s.cfg.ResourceTypes {
		e := rt.Endpoint
		table = append(table,
			route{http.MethodGet, e, s.resource(e, s.list)},
			route{http.MethodPost, e, s.resource(e, s.create)},
			route{http.MethodPost, e + "/.search", s.resource(e, s.search)},
			route{http.MethodGet, e + "/{id}", s.resource(e, s.get)},
			route{http.MethodPut, e + "/{id}", s.resource(e, s.replace)},
			route{http.MethodPatch, e + "/{id}", s.resource(e, s.patch)},
			route{http.MethodDelete, e + "/{id}", s.resource(e, s.delete)},
		)
		// ".search" below a resource endpoint is the query action, not a
		// resource id: the methods of a resource fall back (405).
		for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			s.mux.HandleFunc(m+" "+SCIMPrefix+e+"/.search", s.fallback)
		}
	}
	for _, rt := range table {
		pattern := rt.method + " " + SCIMPrefix + rt.path
		h := rt.h
		if rt.method == http.MethodGet {
			h = s.noHead(h)
		}
		s.mux.HandleFunc(pattern, s.authed(h))
		s.routed[pattern] = true
	}
	s.mux.HandleFunc(SCIMPrefix+"/Me", s.authed(func(w http.ResponseWriter, r *http.Request, p *provider.Provider) {
		s.writeError(w, r, scimerror.New(http.StatusNotImplemented, "", "/Me is not supported: a SCIM token belongs to the account, not to a user"))
	}))
	s.mux.HandleFunc(SCIMPrefix+"/{$}", s.authed(func(w http.ResponseWriter, r *http.Request, p *provider.Provider) {
		s.writeError(w, r, scimerror.NotFound("this is the SCIM base URL; use /Users, /Groups, /ServiceProviderConfig, /ResourceTypes, /Schemas, /Bulk or /.search below it"))
	}))
	s.mux.HandleFunc(SCIMPrefix+"/{endpoint}", s.fallback)
	s.mux.HandleFunc(SCIMPrefix+"/{endpoint}/{id}", s.fallback)
	s.mux.HandleFunc("/", s.fallback)
}

// fallback answers what the route table does not take. Outside a SCIM
// base URL it is 404 without authentication. A resource endpoint named in
// another case (/users) is served as the endpoint itself, as the service
// provider finds resource types case-insensitively. Otherwise, once
// authenticated: 404 for an endpoint the account does not serve, 405 with
// Allow for a method the path does not take.
func (s *Server) fallback(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("account") == "" {
		s.writeError(w, r, scimerror.NotFound("no SCIM endpoint at %s; SCIM base URLs look like /idm/public/scim/{accountId}/v2", r.URL.Path))
		return
	}
	if c := s.canonical(r); c != nil {
		s.mux.ServeHTTP(w, c)
		return
	}
	s.authed(s.notAllowed)(w, r)
}

// canonical returns r for the resource endpoint its {endpoint} names in
// another case, or nil.
func (s *Server) canonical(r *http.Request) *http.Request {
	e := r.PathValue("endpoint")
	if e == "" {
		return nil
	}
	for _, rt := range s.cfg.ResourceTypes {
		if "/"+e == rt.Endpoint || !strings.EqualFold("/"+e, rt.Endpoint) {
			continue
		}
		// /idm/public/scim/{account}/v2/{endpoint}[/{id}]: the endpoint is
		// the seventh element.
		parts := strings.SplitN(r.URL.EscapedPath(), "/", 8)
		if len(parts) < 7 {
			return nil
		}
		parts[6] = strings.TrimPrefix(rt.Endpoint, "/")
		raw := strings.Join(parts, "/")
		path, err := url.PathUnescape(raw)
		if err != nil {
			return nil
		}
		c := r.WithContext(r.Context())
		u := *r.URL
		u.Path, u.RawPath = path, raw
		c.URL = &u
		return c
	}
	return nil
}

// notAllowed answers a path of the table with a method it does not take,
// or an unknown endpoint.
func (s *Server) notAllowed(w http.ResponseWriter, r *http.Request, p *provider.Provider) {
	allow := s.allowed(r)
	e := r.PathValue("endpoint")
	if len(allow) == 0 || s.resourceEndpoint(e) {
		if _, err := p.ResourceType(e); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if len(allow) == 0 {
		s.writeError(w, r, scimerror.NotFound("no SCIM endpoint at %s", r.URL.Path))
		return
	}
	list := strings.Join(allow, ", ")
	w.Header().Set("Allow", list)
	s.writeError(w, r, scimerror.New(http.StatusMethodNotAllowed, "", "%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, list))
}

// noHead answers HEAD, which the mux sends to GET handlers, as a method
// the path does not take: SCIM defines no HEAD (RFC 7644 section 3.2).
func (s *Server) noHead(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request, p *provider.Provider) {
		if r.Method == http.MethodHead {
			s.notAllowed(w, r, p)
			return
		}
		h(w, r, p)
	}
}

// allowed lists the methods the route table takes on r's path.
func (s *Server) allowed(r *http.Request) []string {
	var out []string
	for _, m := range methods {
		probe := r.WithContext(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); s.routed[pattern] {
			out = append(out, m)
		}
	}
	return out
}

func (s *Server) resourceEndpoint(e string) bool {
	for _, rt := range s.cfg.ResourceTypes {
		if rt.Endpoint == "/"+e {
			return true
		}
	}
	return false
}

// handler is a SCIM handler for an authenticated account.
type handler func(w http.ResponseWriter, r *http.Request, p *provider.Provider)

// resourceHandler is a handler on the account's resource type.
type resourceHandler func(w http.ResponseWriter, r *http.Request, p *provider.Provider, rt *schema.ResourceType)

// resource finds the account's resource type at endpoint for h (404 when
// the account's schema set has none there).
func (s *Server) resource(endpoint string, h resourceHandler) handler {
	return func(w http.ResponseWriter, r *http.Request, p *provider.Provider) {
		rt, err := p.ResourceType(endpoint)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		h(w, r, p, rt)
	}
}

// authed checks "Authorization: Bearer <token>" (rule DT-AUTH) and that
// the token opens the account in the path (DT-AUTH-SCOPE).
func (s *Server) authed(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h401 := func(rule, format string, args ...any) {
			s.writeError(w, r, scimerror.New(http.StatusUnauthorized, "", format, args...).WithRule(rule))
		}
		// Two Authorization headers are refused, whatever they hold (the
		// mock's decision): RFC 9110 section 5.3 lets a field appear
		// twice only when its value is a comma-separated list, which
		// Authorization's is not, and taking either one would let a proxy
		// and the mock disagree on who is asking.
		if n := len(r.Header.Values("Authorization")); n > 1 {
			h401("DT-AUTH", "the request has %d Authorization headers; send exactly one: \"Authorization: Bearer <SCIM token>\"", n)
			return
		}
		authz := r.Header.Get("Authorization")
		if authz == "" {
			h401("DT-AUTH", "missing Authorization header; send \"Authorization: Bearer <SCIM token>\"")
			return
		}
		token, ok := BearerToken(authz)
		if !ok {
			h401("DT-AUTH", "the Authorization header must use the Bearer scheme: \"Authorization: Bearer <SCIM token>\"")
			return
		}
		account := r.PathValue("account")
		id, err := s.tenancy.Authenticate(r.Context(), token)
		var refused *scimerror.Error
		if errors.As(err, &refused) {
			s.writeError(w, r, refused)
			return
		}
		if err != nil {
			h401("DT-AUTH", "the bearer token is not valid (unknown, malformed or revoked); generate a SCIM token for this account")
			return
		}
		if !s.cfg.Opens(id, account) {
			h401("DT-AUTH-SCOPE", "the bearer token does not open account %s; a SCIM token opens only its own account", account)
			return
		}
		p := s.tenancy.Provider(account)
		if p == nil {
			s.writeError(w, r, scimerror.NotFound("no account %s", account))
			return
		}
		w, r, d := s.dialect(w, r)
		if err := plusForSpace(r, d); err != nil {
			s.writeError(w, r, err)
			return
		}
		h(w, r, p)
	}
}

// scimBase is the absolute SCIM base URL the request came in on, for
// meta.location and Location.
func scimBase(r *http.Request) string {
	return BaseURL(r, "/idm/public/scim/"+url.PathEscape(r.PathValue("account"))+"/v2")
}

func (s *Server) serviceProviderConfig(w http.ResponseWriter, r *http.Request, p *provider.Provider) {
	c := discoveryConfig(p)
	if s.cfg.AuthDescription != "" {
		c.AuthDescription = s.cfg.AuthDescription
	}
	writeJSON(w, http.StatusOK, discovery.ServiceProviderConfig(c, scimBase(r)+"/ServiceProviderConfig"))
}

func (s *Server) resourceTypes(w http.ResponseWriter, r *http.Request, p *provider.Provider) {
	base := scimBase(r)
	var docs []map[string]any
	for _, rt := range p.Set.ResourceTypes {
		docs = append(docs, discovery.ResourceType(rt, base+"/ResourceTypes/"+rt.ID))
	}
	writeJSON(w, http.StatusOK, discoveryList(docs))
}

func (s *Server) resourceType(w http.ResponseWriter, r *http.Request, p *provider.Provider) {
	id := r.PathValue("id")
	rt := p.Set.ResourceType(id)
	if rt == nil {
		s.writeError(w, r, scimerror.NotFound("no ResourceType with id %q", id))
		return
	}
	writeJSON(w, http.StatusOK, discovery.ResourceType(rt, scimBase(r)+"/ResourceTypes/"+rt.ID))
}

func (s *Server) schemas(w http.ResponseWriter, r *http.Request, p *provider.Provider) {
	base := scimBase(r)
	var docs []map[string]any
	for _, sc := range p.Set.Schemas {
		docs = append(docs, discovery.Schema(sc, base+"/Schemas/"+sc.ID))
	}
	writeJSON(w, http.StatusOK, discoveryList(docs))
}

func (s *Server) schema(w http.ResponseWriter, r *http.Request, p *provider.Provider) {
	id := r.PathValue("id")
	sc := p.Set.Schema(id)
	if sc == nil {
		s.writeError(w, r, scimerror.NotFound("no Schema with id %q", id))
		return
	}
	writeJSON(w, http.StatusOK, discovery.Schema(sc, scimBase(r)+"/Schemas/"+sc.ID))
}

// discoveryList is the ListResponse of a discovery endpoint: every
// document on one page.
func discoveryList(docs []map[string]any) *provider.ListResponse {
	return &provider.ListResponse{Schemas: []string{provider.ListResponseURN}, TotalResults: len(docs), ItemsPerPage: len(docs), StartIndex: 1, Resources: docs}
}

func (s *Server) bulk(w http.ResponseWriter, r *http.Request, p *provider.Provider) {
	r.Body = http.MaxBytesReader(w, r.Body, int64(p.Config.BulkMaxPayloadSize))
	var req provider.BulkRequest
	if err := decodeBody(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := p.Bulk(r.Context(), &req, scimBase(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// searchAll is POST /.search: a query across every resource type.
func (s *Server) searchAll(w http.ResponseWriter, r *http.Request, p *provider.Provider) {
	var req provider.ListRequest
	if err := s.decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := p.Search(r.Context(), &req, scimBase(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, p *provider.Provider, rt *schema.ResourceType) {
	req, err := listRequest(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := p.List(r.Context(), rt, req, scimBase(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, p *provider.Provider, rt *schema.ResourceType) {
	proj, err := queryProjection(rt, r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var body map[string]any
	if err := s.decode(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := p.Create(r.Context(), rt, body, scimBase(r), proj)
	s.writeResult(w, r, res, err)
}

// search is POST /{endpoint}/.search: a query on one resource type.
func (s *Server) search(w http.ResponseWriter, r *http.Request, p *provider.Provider, rt *schema.ResourceType) {
	var req provider.ListRequest
	if err := s.decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	resp, err := p.List(r.Context(), rt, &req, scimBase(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// preconditions are the request's If-Match and If-None-Match (RFC 7644
// section 3.14).
func preconditions(r *http.Request) provider.Preconditions {
	return provider.Preconditions{IfMatch: r.Header.Get("If-Match"), IfNoneMatch: r.Header.Get("If-None-Match")}
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, p *provider.Provider, rt *schema.ResourceType) {
	proj, err := queryProjection(rt, r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := p.Get(r.Context(), rt, r.PathValue("id"), scimBase(r), proj, preconditions(r))
	if nm, ok := err.(*provider.NotModified); ok {
		w.Header().Set("ETag", nm.ETag)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.writeResult(w, r, res, err)
}

func (s *Server) replace(w http.ResponseWriter, r *http.Request, p *provider.Provider, rt *schema.ResourceType) {
	proj, err := queryProjection(rt, r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var body map[string]any
	if err := s.decode(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := p.Replace(r.Context(), rt, r.PathValue("id"), body, scimBase(r), proj, preconditions(r))
	s.writeResult(w, r, res, err)
}

func (s *Server) patch(w http.ResponseWriter, r *http.Request, p *provider.Provider, rt *schema.ResourceType) {
	proj, err := queryProjection(rt, r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req patch.Request
	if err := s.decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := p.Patch(r.Context(), rt, r.PathValue("id"), &req, scimBase(r), proj, preconditions(r))
	if err == nil && res == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	s.writeResult(w, r, res, err)
}

// delete ignores attributes and excludedAttributes: there is no body to
// project.
func (s *Server) delete(w http.ResponseWriter, r *http.Request, p *provider.Provider, rt *schema.ResourceType) {
	if err := p.Delete(r.Context(), rt, r.PathValue("id"), preconditions(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// decode reads a request body under the body cap.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	return decodeBody(r, v)
}

// writeResult answers with one resource: 201 with Location for a new one,
// else 200; the ETag header carries meta.version.
func (s *Server) writeResult(w http.ResponseWriter, r *http.Request, res *provider.Result, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", res.ETag)
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
		w.Header().Set("Location", res.Location)
	}
	writeJSON(w, status, res.Doc)
}

// SplitList reads a list query parameter (attributes, excludedAttributes):
// comma-separated names, over one or more occurrences of the parameter.
func SplitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func queryProjection(rt *schema.ResourceType, q url.Values) (*projection.Projection, error) {
	return projection.New(rt, SplitList(q["attributes"]), SplitList(q["excludedAttributes"]))
}

// listRequest reads RFC 7644 section 3.4.2's query parameters.
func listRequest(q url.Values) (*provider.ListRequest, error) {
	req := &provider.ListRequest{
		Filter:             q.Get("filter"),
		SortBy:             q.Get("sortBy"),
		SortOrder:          q.Get("sortOrder"),
		Attributes:         SplitList(q["attributes"]),
		ExcludedAttributes: SplitList(q["excludedAttributes"]),
	}
	for _, p := range []struct {
		name string
		dst  **int
	}{{"startIndex", &req.StartIndex}, {"count", &req.Count}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, scimerror.BadRequest(scimerror.InvalidValue, "%s must be an integer, not %q", p.name, v)
			}
			*p.dst = &n
		}
	}
	if q.Has("cursor") {
		c := q.Get("cursor")
		req.Cursor = &c
	}
	return req, nil
}

// discoveryConfig is what an account's /ServiceProviderConfig declares:
// exactly what the provider enforces.
func discoveryConfig(p *provider.Provider) discovery.Config {
	return discovery.Config{
		Patch: true, Bulk: true, Filter: true, Sort: true, ETag: true,
		BulkMaxOperations:  p.Config.BulkMaxOperations,
		BulkMaxPayloadSize: p.Config.BulkMaxPayloadSize,
		FilterMaxResults:   p.Config.MaxResults,
		Cursor:             true,
		AuthDescription:    "Authentication with a SCIM token generated in account management, sent as \"Authorization: Bearer <token>\".",
	}
}
