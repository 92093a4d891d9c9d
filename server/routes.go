package server

import (
	"github.com/scimconf/scimconf/server/violation"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/scimconf/scimconf/server/discovery"
	"github.com/scimconf/scimconf/server/patch"
	"github.com/scimconf/scimconf/server/projection"
	"github.com/scimconf/scimconf/server/provider"
	"github.com/scimconf/scimconf/server/schema"
	"github.com/scimconf/scimconf/server/scimerror"
)

// routes registers patterns without methods and dispatches on the method
// in the handler, so that a wrong method gets a SCIM 405 body with Allow
// (the mux's own 405 is plain text).
func (s *Server) routes() {
	s.mux.HandleFunc(SCIMPrefix+"/{endpoint}", s.authed(s.collection))
	s.mux.HandleFunc(SCIMPrefix+"/{endpoint}/{id}", s.authed(s.item))
	s.mux.HandleFunc(SCIMPrefix+"/{$}", s.authed(func(w http.ResponseWriter, r *http.Request, p *provider.Provider) {
		s.writeError(w, r, scimerror.NotFound("this is the SCIM base URL; use /Users, /Groups, /ServiceProviderConfig, /ResourceTypes, /Schemas, /Bulk or /.search below it"))
	}))
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, scimerror.NotFound("no SCIM endpoint at %s; SCIM base URLs look like /idm/public/scim/{accountId}/v2", r.URL.Path))
	})
}

// handler is a SCIM handler for an authenticated account.
type handler func(w http.ResponseWriter, r *http.Request, p *provider.Provider)

// authed checks "Authorization: Bearer <token>" (rule DT-AUTH) and that
// the token opens the account in the path (DT-AUTH-SCOPE).
func (s *Server) authed(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h401 := func(rule, format string, args ...any) {
			s.writeError(w, r, scimerror.New(http.StatusUnauthorized, "", format, args...).WithRule(rule))
		}
		authz := r.Header.Get("Authorization")
		if authz == "" {
			h401("DT-AUTH", "missing Authorization header; send \"Authorization: Bearer <SCIM token>\"")
			return
		}
		token, ok := bearerToken(authz)
		if !ok && s.cfg.Violations.On(violation.AcceptAnyAuthScheme) {
			// Violation accept-any-auth-scheme: take the last word of the
			// header as the token, whatever the scheme.
			if f := strings.Fields(authz); len(f) > 0 {
				token, ok = f[len(f)-1], true
			}
		}
		if !ok {
			h401("DT-AUTH", "the Authorization header must use the Bearer scheme: \"Authorization: Bearer <SCIM token>\"")
			return
		}
		account := r.PathValue("account")
		id, err := s.tenancy.Authenticate(r.Context(), token)
		if err != nil {
			h401("DT-AUTH", "the bearer token is not valid (unknown, malformed or revoked); generate a SCIM token for this account")
			return
		}
		if id != account && !s.cfg.Violations.On(violation.TokenOpensAnyAccount) { // the violation skips the scope check
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

// baseURL is the absolute SCIM base URL the request came in on, for
// meta.location and Location.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	host := r.Host
	if h := r.Header.Get("X-Forwarded-Host"); h != "" {
		host = h
	}
	return scheme + "://" + host + "/idm/public/scim/" + url.PathEscape(r.PathValue("account")) + "/v2"
}

func methodNotAllowed(s *Server, w http.ResponseWriter, r *http.Request, allow ...string) {
	if s.cfg.Violations.On(violation.WrongMethod404) {
		s.writeError(w, r, scimerror.NotFound("%s %s: not found", r.Method, r.URL.Path))
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	s.writeError(w, r, scimerror.New(http.StatusMethodNotAllowed, "", "%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allow, ", ")))
}

// collection serves /{endpoint}: a resource type, a discovery endpoint,
// /Bulk, /.search or /Me.
func (s *Server) collection(w http.ResponseWriter, r *http.Request, p *provider.Provider) {
	endpoint := r.PathValue("endpoint")
	base := baseURL(r)
	switch endpoint {
	case "ServiceProviderConfig":
		if r.Method != http.MethodGet {
			methodNotAllowed(s, w, r, http.MethodGet)
			return
		}
		writeJSON(w, http.StatusOK, discovery.ServiceProviderConfig(discoveryConfig(p), base+"/ServiceProviderConfig"))
		return
	case "ResourceTypes", "Schemas":
		if r.Method != http.MethodGet {
			methodNotAllowed(s, w, r, http.MethodGet)
			return
		}
		var docs []map[string]any
		if endpoint == "Schemas" {
			for _, sc := range p.Set.Schemas {
				docs = append(docs, discovery.Schema(sc, base+"/Schemas/"+sc.ID))
			}
		} else {
			for _, rt := range p.Set.ResourceTypes {
				docs = append(docs, discovery.ResourceType(rt, base+"/ResourceTypes/"+rt.ID))
			}
		}
		writeJSON(w, http.StatusOK, &provider.ListResponse{Schemas: []string{provider.ListResponseURN}, TotalResults: len(docs), ItemsPerPage: len(docs), StartIndex: 1, Resources: docs})
		return
	case "Bulk":
		if r.Method != http.MethodPost {
			methodNotAllowed(s, w, r, http.MethodPost)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, int64(p.Config.BulkMaxPayloadSize))
		var req provider.BulkRequest
		if err := decodeBody(r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		resp, err := p.Bulk(r.Context(), &req, base)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, resp)
		return
	case ".search":
		if r.Method != http.MethodPost {
			methodNotAllowed(s, w, r, http.MethodPost)
			return
		}
		var req provider.ListRequest
		if err := s.decode(w, r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		resp, err := p.Search(r.Context(), &req, base)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, s.listBody(resp))
		return
	case "Me":
		s.writeError(w, r, scimerror.New(http.StatusNotImplemented, "", "/Me is not supported: a SCIM token belongs to the account, not to a user"))
		return
	}
	rt, err := p.ResourceType(endpoint)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	switch r.Method {
	case http.MethodGet:
		req, err := listRequest(r.URL.Query())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		resp, err := p.List(r.Context(), rt, req, base)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, s.listBody(resp))
	case http.MethodPost:
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
		res, err := p.Create(r.Context(), rt, body, base, proj)
		s.writeResult(w, r, res, err)
	default:
		methodNotAllowed(s, w, r, http.MethodGet, http.MethodPost)
	}
}

// item serves /{endpoint}/{id}: one resource, one discovery document, or
// /{endpoint}/.search.
func (s *Server) item(w http.ResponseWriter, r *http.Request, p *provider.Provider) {
	endpoint, id := r.PathValue("endpoint"), r.PathValue("id")
	base := baseURL(r)
	switch endpoint {
	case "Schemas", "ResourceTypes":
		if r.Method != http.MethodGet {
			methodNotAllowed(s, w, r, http.MethodGet)
			return
		}
		if endpoint == "Schemas" {
			if sc := p.Set.Schema(id); sc != nil {
				writeJSON(w, http.StatusOK, discovery.Schema(sc, base+"/Schemas/"+sc.ID))
				return
			}
		} else if rt := p.Set.ResourceType(id); rt != nil {
			doc := discovery.ResourceType(rt, base+"/ResourceTypes/"+rt.ID)
			if s.cfg.Violations.On(violation.ResourcetypeAsList) {
				writeJSON(w, http.StatusOK, &provider.ListResponse{Schemas: []string{provider.ListResponseURN}, TotalResults: 1, ItemsPerPage: 1, StartIndex: 1, Resources: []map[string]any{doc}})
				return
			}
			writeJSON(w, http.StatusOK, doc)
			return
		}
		s.writeError(w, r, scimerror.NotFound("no %s with id %q", strings.TrimSuffix(endpoint, "s"), id))
		return
	}
	rt, err := p.ResourceType(endpoint)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if id == ".search" {
		if r.Method != http.MethodPost {
			methodNotAllowed(s, w, r, http.MethodPost)
			return
		}
		var req provider.ListRequest
		if err := s.decode(w, r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		if s.cfg.Violations.On(violation.SearchIgnoresAttributes) {
			req.Attributes, req.ExcludedAttributes = nil, nil
		}
		resp, err := p.List(r.Context(), rt, &req, base)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, s.listBody(resp))
		return
	}
	pc := provider.Preconditions{IfMatch: r.Header.Get("If-Match"), IfNoneMatch: r.Header.Get("If-None-Match")}
	if s.cfg.Violations.On(violation.IgnoreIfMatch) {
		pc.IfMatch = ""
	}
	proj, err := queryProjection(rt, r.URL.Query())
	if err != nil && r.Method != http.MethodDelete {
		s.writeError(w, r, err)
		return
	}
	switch r.Method {
	case http.MethodGet:
		res, err := p.Get(r.Context(), rt, id, base, proj, pc)
		if nm, ok := err.(*provider.NotModified); ok {
			w.Header().Set("ETag", nm.ETag)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		s.writeResult(w, r, res, err)
	case http.MethodPut:
		var body map[string]any
		if err := s.decode(w, r, &body); err != nil {
			s.writeError(w, r, err)
			return
		}
		res, err := p.Replace(r.Context(), rt, id, body, base, proj, pc)
		s.writeResult(w, r, res, err)
	case http.MethodPatch:
		var req patch.Request
		if err := s.decode(w, r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		res, err := p.Patch(r.Context(), rt, id, &req, base, proj, pc)
		if err == nil && res == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		s.writeResult(w, r, res, err)
	case http.MethodDelete:
		if rt.Name == "Group" && s.cfg.Violations.On(violation.NoGroupDelete) && exists(r, p, rt, id) {
			methodNotAllowed(s, w, r, http.MethodGet, http.MethodPut, http.MethodPatch)
			return
		}
		if err := p.Delete(r.Context(), rt, id, pc); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		methodNotAllowed(s, w, r, http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete)
	}
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
		if !s.cfg.Violations.On(violation.CreateNoLocation) {
			w.Header().Set("Location", res.Location)
		}
	}
	writeJSON(w, status, res.Doc)
}

func splitList(vals []string) []string {
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
	return projection.New(rt, splitList(q["attributes"]), splitList(q["excludedAttributes"]))
}

// listRequest reads RFC 7644 section 3.4.2's query parameters.
func listRequest(q url.Values) (*provider.ListRequest, error) {
	req := &provider.ListRequest{
		Filter:             q.Get("filter"),
		SortBy:             q.Get("sortBy"),
		SortOrder:          q.Get("sortOrder"),
		Attributes:         splitList(q["attributes"]),
		ExcludedAttributes: splitList(q["excludedAttributes"]),
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
