package server

import (
	"encoding/json"
	"github.com/scimconf/scimconf/server/violation"
	"net/http"

	"github.com/scimconf/scimconf/server/provider"
	"github.com/scimconf/scimconf/server/schema"
	"github.com/scimconf/scimconf/server/scimerror"
)

// The HTTP layer's violation switches (package violation) that need more
// than a condition where they apply.

// jsonContentType rewrites the Content-Type of every SCIM body to
// application/json (violation json-content-type).
type jsonContentType struct {
	http.ResponseWriter
}

func (j *jsonContentType) WriteHeader(code int) {
	if j.Header().Get("Content-Type") == ContentType {
		j.Header().Set("Content-Type", "application/json")
	}
	j.ResponseWriter.WriteHeader(code)
}

func (j *jsonContentType) Write(b []byte) (int, error) {
	if j.Header().Get("Content-Type") == ContentType {
		j.Header().Set("Content-Type", "application/json")
	}
	return j.ResponseWriter.Write(b)
}

func (j *jsonContentType) Unwrap() http.ResponseWriter { return j.ResponseWriter }

// statusAsNumber is e's wire form with "status" as a JSON number
// (violation status-as-number).
func statusAsNumber(e *scimerror.Error) map[string]any {
	var m map[string]any
	b, _ := json.Marshal(e)
	json.Unmarshal(b, &m)
	if m == nil {
		m = map[string]any{"schemas": []string{scimerror.URN}}
	}
	m["status"] = e.Status
	return m
}

// exists reports whether the resource is there (violation no-group-delete
// refuses to delete only groups that exist).
func exists(r *http.Request, p *provider.Provider, rt *schema.ResourceType, id string) bool {
	_, err := p.Store.Get(r.Context(), rt, id)
	return err == nil
}

// listBody is a query's answer as written: resp, or with violation
// list-omits-paging-fields its wire form without itemsPerPage and
// startIndex (RFC 7644 section 3.4.2 requires them on a partial page, and
// Okta reads them on every page).
func (s *Server) listBody(resp *provider.ListResponse) any {
	if !s.cfg.Violations.On(violation.ListOmitsPagingFields) {
		return resp
	}
	var m map[string]any
	b, err := json.Marshal(resp)
	if err != nil || json.Unmarshal(b, &m) != nil {
		return resp
	}
	delete(m, "itemsPerPage")
	delete(m, "startIndex")
	return m
}
