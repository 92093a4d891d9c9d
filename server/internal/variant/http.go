package variant

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/scimconf/scimconf/server/internal/answer"
	"github.com/scimconf/scimconf/server/internal/engine/filter"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// The variants the SCIM middleware applies: in front of the SCIM handler,
// a server's own choices for what it offers (filters, sorting, page sizes,
// Bulk, /.search, password changes, discovery), and behind it how it
// answers (ETags, PATCH 204, 404 for a method, scimType).

// maxSearchBody caps the SearchRequest body the middleware reads to judge
// its filter; the SCIM handler caps bodies itself, this only bounds what
// is held before it runs.
const maxSearchBody = 8 << 20

// SCIM returns the middleware that applies the variants to the SCIM
// handler. prefix is the pattern of a SCIM base URL with an {account}
// wildcard ("/idm/public/scim/{account}/v2"). The middleware never answers
// a request the handler would refuse to authenticate: before it declines
// anything it asks the handler for the account's /ResourceTypes with the
// same credentials, and answers the handler's 401 or 403 when that fails.
func SCIM(set *Set, prefix string) func(http.Handler) http.Handler {
	before, after, _ := strings.Cut(prefix, "{account}")
	return func(next http.Handler) http.Handler {
		return &proxy{set: set, next: next, before: before, after: after}
	}
}

type proxy struct {
	set           *Set
	next          http.Handler
	before, after string
}

// request is what the middleware reads of a SCIM request.
type request struct {
	base     string // the path of the account's SCIM base URL
	endpoint string // first segment below the base URL: Users, .search, Bulk, ...
	id       string // second segment, if any
	segments int
}

func (m *proxy) parse(r *http.Request) (request, bool) {
	rest, ok := strings.CutPrefix(r.URL.Path, m.before)
	if !ok {
		return request{}, false
	}
	account, rest, _ := strings.Cut(rest, "/")
	rest = "/" + rest
	below, ok := strings.CutPrefix(rest, m.after)
	if !ok || account == "" {
		return request{}, false
	}
	below = strings.Trim(below, "/")
	q := request{base: m.before + account + m.after}
	if below == "" {
		return q, true
	}
	segs := strings.Split(below, "/")
	q.segments = len(segs)
	q.endpoint = segs[0]
	if len(segs) > 1 {
		q.id = segs[1]
	}
	return q, true
}

// discoveryEndpoints are the endpoints below a SCIM base URL that are not
// resource endpoints.
var discoveryEndpoints = []string{"ServiceProviderConfig", "ResourceTypes", "Schemas", "Bulk", ".search", "Me"}

func (q request) resource() bool {
	return q.endpoint != "" && !slices.ContainsFunc(discoveryEndpoints, func(e string) bool { return strings.EqualFold(e, q.endpoint) })
}

// search reports whether q is POST /.search or POST /{Resource}/.search.
func (q request) search(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	return (q.segments == 1 && q.endpoint == ".search") || (q.segments == 2 && q.resource() && q.id == ".search")
}

// list reports whether q is a query by GET on a resource endpoint.
func (q request) list(r *http.Request) bool {
	return r.Method == http.MethodGet && q.segments == 1 && q.resource()
}

func (m *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !m.set.Any() {
		m.next.ServeHTTP(w, r)
		return
	}
	q, ok := m.parse(r)
	if !ok {
		m.next.ServeHTTP(w, r)
		return
	}
	if status, e := m.decline(r, q); status != 0 {
		m.refuse(w, r, q, status, e)
		return
	}
	m.adjustQuery(r, q)
	if m.set.On(NoETags) {
		// A server without versioning has no entity tag a condition
		// could name: it ignores the conditions.
		r.Header.Del("If-Match")
		r.Header.Del("If-None-Match")
	}
	resp := answer.New()
	m.next.ServeHTTP(resp, r)
	m.answer(resp, r, q)
	resp.Flush(w)
}

// decline returns the status and error of a request a variant refuses
// before the handler sees it (0 for none).
func (m *proxy) decline(r *http.Request, q request) (int, *scimerror.Error) {
	switch {
	case m.set.On(NoServiceProviderConfig) && r.Method == http.MethodGet && q.segments == 1 && strings.EqualFold(q.endpoint, "ServiceProviderConfig"):
		return http.StatusNotFound, scimerror.NotFound("no SCIM endpoint at %s", r.URL.Path)
	case m.set.On(NoBulk) && r.Method == http.MethodPost && q.segments == 1 && strings.EqualFold(q.endpoint, "Bulk"):
		return http.StatusNotImplemented, scimerror.New(http.StatusNotImplemented, "", "Bulk is not supported by this server (bulk.supported is false in /ServiceProviderConfig)")
	case m.set.On(NoSearch) && q.search(r):
		return http.StatusNotFound, scimerror.NotFound("no SCIM endpoint at %s: this server offers no POST /.search; query with GET and the filter parameter", r.URL.Path)
	}
	if q.list(r) && r.URL.Query().Has("filter") {
		if e := m.judgeFilter(r.URL.Query().Get("filter")); e != nil {
			return http.StatusBadRequest, e
		}
	}
	if q.search(r) {
		body, err := readBody(r)
		if err == nil {
			var sr struct {
				Filter *string `json:"filter"`
			}
			if json.Unmarshal(body, &sr) == nil && sr.Filter != nil {
				if e := m.judgeFilter(*sr.Filter); e != nil {
					return http.StatusBadRequest, e
				}
			}
		}
	}
	if m.set.On(NoChangePassword) && q.segments == 2 && q.resource() && (r.Method == http.MethodPut || r.Method == http.MethodPatch) {
		body, err := readBody(r)
		if err == nil && setsPassword(r.Method, body) {
			return http.StatusBadRequest, scimerror.New(http.StatusBadRequest, scimerror.Mutability,
				"this server does not support changing a password (changePassword.supported is false in /ServiceProviderConfig)")
		}
	}
	return 0, nil
}

// judgeFilter returns the invalidFilter error for a filter the variants
// decline, nil for one the handler is to judge. A filter that does not
// parse is the handler's to refuse.
func (m *proxy) judgeFilter(text string) *scimerror.Error {
	if m.set.On(NoFiltering) {
		return scimerror.BadRequest(scimerror.InvalidFilter, "filtering is not supported by this server (filter.supported is false in /ServiceProviderConfig)")
	}
	if !m.set.On(EqOnlyFilters) {
		return nil
	}
	expr, err := filter.Parse(text)
	if err != nil {
		return nil
	}
	if off, why := eqOnly(expr); why != "" {
		return scimerror.BadRequest(scimerror.InvalidFilter, "at offset %d: %s; this server filters only with eq, joined by and, on %s",
			off, why, strings.Join(EqOnlyAttributes, ", "))
	}
	return nil
}

// eqOnly returns the offset and the reason of the first part of expr that
// EqOnlyFilters declines, or "" when it takes all of it.
func eqOnly(expr filter.Expr) (int, string) {
	switch e := expr.(type) {
	case *filter.LogicalExpr:
		if e.Op != "and" {
			return e.Pos, "the operator " + e.Op + " is not supported"
		}
		if off, why := eqOnly(e.Left); why != "" {
			return off, why
		}
		return eqOnly(e.Right)
	case *filter.AttrExpr:
		if e.Op != filter.Eq {
			return e.Pos, "the operator " + string(e.Op) + " is not supported"
		}
		if e.Path.Sub != "" || !slices.ContainsFunc(EqOnlyAttributes, func(a string) bool { return strings.EqualFold(a, e.Path.Name) }) {
			name := e.Path.Name
			if e.Path.Sub != "" {
				name += "." + e.Path.Sub
			}
			return e.Pos, "filtering on " + name + " is not supported"
		}
		return 0, ""
	case *filter.NotExpr:
		return e.Pos, "the operator not is not supported"
	case *filter.ValuePathExpr:
		return e.Pos, "value paths ([...]) are not supported"
	}
	return expr.Offset(), "this filter is not supported"
}

// setsPassword reports whether a PUT or PATCH body sets the password.
func setsPassword(method string, body []byte) bool {
	var doc map[string]any
	if json.Unmarshal(body, &doc) != nil {
		return false
	}
	if method == http.MethodPut {
		return hasKey(doc, "password")
	}
	ops, _ := doc["Operations"].([]any)
	for _, o := range ops {
		op, _ := o.(map[string]any)
		if op == nil {
			continue
		}
		kind, _ := op["op"].(string)
		if strings.EqualFold(kind, "remove") {
			continue
		}
		path, _ := op["path"].(string)
		if path != "" {
			if strings.EqualFold(strings.TrimPrefix(strings.ToLower(path), "urn:ietf:params:scim:schemas:core:2.0:user:"), "password") {
				return true
			}
			continue
		}
		if v, ok := op["value"].(map[string]any); ok && hasKey(v, "password") {
			return true
		}
	}
	return false
}

func hasKey(m map[string]any, name string) bool {
	for k := range m {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// readBody reads r's body up to maxSearchBody and puts it back for the
// handler.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, io.EOF
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSearchBody))
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, err
}

// refuse answers e, after making sure the handler would let the request's
// credentials in: the handler's own answer to GET /ResourceTypes with them
// is sent when it is a 401 or 403.
func (m *proxy) refuse(w http.ResponseWriter, r *http.Request, q request, status int, e *scimerror.Error) {
	probe, err := http.NewRequestWithContext(r.Context(), http.MethodGet, q.base+"/ResourceTypes", nil)
	if err == nil {
		probe.Header = r.Header.Clone()
		probe.Header.Del("Content-Type")
		probe.Host, probe.RemoteAddr = r.Host, r.RemoteAddr
		auth := answer.New()
		m.next.ServeHTTP(auth, probe)
		if auth.Status == http.StatusUnauthorized || auth.Status == http.StatusForbidden || auth.Status == http.StatusNotFound {
			auth.Flush(w)
			return
		}
	}
	resp := answer.New()
	e.Status = status
	resp.Replace(status, e)
	m.answer(resp, r, q)
	resp.Flush(w)
}

// adjustQuery applies the variants that change what a query asks before
// the handler reads it: sorting ignored, page sizes.
func (m *proxy) adjustQuery(r *http.Request, q request) {
	max, def := 0, 0
	switch {
	case m.set.On(SmallMaxResults):
		max, def = SmallMax, SmallMax
	case m.set.On(CountAboveMaxIgnored):
		max, def = IgnoredCountMax, IgnoredCountDefault
	}
	noSort := m.set.On(NoSorting)
	if max == 0 && !noSort {
		return
	}
	pageSize := func(count *int) *int {
		switch {
		case max == 0:
			return count
		case count == nil || *count > max:
			return &def
		}
		return count
	}
	if q.list(r) {
		v := r.URL.Query()
		if noSort {
			v.Del("sortBy")
			v.Del("sortOrder")
		}
		if max > 0 {
			var count *int
			if s := v.Get("count"); s != "" {
				n, err := strconv.Atoi(s)
				if err != nil {
					return // the handler refuses it
				}
				count = &n
			}
			v.Set("count", strconv.Itoa(*pageSize(count)))
		}
		r.URL.RawQuery = v.Encode()
		r.RequestURI = r.URL.RequestURI()
		return
	}
	if q.search(r) {
		body, err := readBody(r)
		if err != nil {
			return
		}
		var doc map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if dec.Decode(&doc) != nil || doc == nil {
			return // the handler refuses it
		}
		if noSort {
			for k := range doc {
				if strings.EqualFold(k, "sortBy") || strings.EqualFold(k, "sortOrder") {
					delete(doc, k)
				}
			}
		}
		if max > 0 {
			var count *int
			if n, ok := doc["count"].(json.Number); ok {
				if i, err := strconv.Atoi(n.String()); err == nil {
					count = &i
				}
			}
			doc["count"] = *pageSize(count)
		}
		out, err := json.Marshal(doc)
		if err != nil {
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(out))
		r.ContentLength = int64(len(out))
		r.Header.Set("Content-Length", strconv.Itoa(len(out)))
	}
}

// answer applies the variants that change the handler's answer.
func (m *proxy) answer(resp *response, r *http.Request, q request) {
	if m.set.On(UnsupportedMethod404) && resp.Status == http.StatusMethodNotAllowed {
		resp.Header().Del("Allow")
		resp.Replace(http.StatusNotFound, scimerror.NotFound("no SCIM endpoint at %s for %s", r.URL.Path, r.Method))
	}
	if m.set.On(PatchNoContent) && r.Method == http.MethodPatch && resp.Status == http.StatusOK && q.segments == 2 && q.resource() {
		// RFC 7644 section 3.5.2: "The server MUST return a 200 OK if the
		// "attributes" parameter is specified in the request."
		v := r.URL.Query()
		if !v.Has("attributes") && !v.Has("excludedAttributes") {
			resp.Status = http.StatusNoContent
			resp.Body.Reset()
			resp.Header().Del("Content-Type")
		}
	}
	if m.set.On(NoETags) {
		resp.Header().Del("ETag")
		if doc, ok := resp.Object(); ok && dropVersions(doc) {
			resp.SetJSON(doc)
		}
	}
	if m.set.On(ScimTypeOnlyWhereRequired) && resp.Status >= 400 {
		if doc, ok := resp.Object(); ok {
			if t, has := doc["scimType"].(string); has && !slices.Contains(requiredScimTypes, t) {
				delete(doc, "scimType")
				resp.SetJSON(doc)
			}
		}
	}
	if r.Method == http.MethodGet && q.segments == 1 && strings.EqualFold(q.endpoint, "ServiceProviderConfig") && resp.Status == http.StatusOK {
		if doc, ok := resp.Object(); ok {
			m.declare(doc)
			resp.SetJSON(doc)
		}
	}
}

// requiredScimTypes are the scimType keywords a MUST or SHALL of RFC 7644
// names: section 3.4.2.2 (invalidFilter), section 3.3 (uniqueness) and
// sections 3.5.2.2/3.5.2.3 (noTarget). ScimTypeOnlyWhereRequired keeps
// these and drops the rest.
var requiredScimTypes = []string{scimerror.InvalidFilter, scimerror.Uniqueness, scimerror.NoTarget}

// dropVersions removes meta.version from a resource, from the resources of
// a ListResponse and the version of each Bulk operation result, and reports
// whether it removed any.
func dropVersions(doc map[string]any) bool {
	changed := false
	drop := func(res map[string]any) {
		if meta, ok := res["meta"].(map[string]any); ok {
			if _, has := meta["version"]; has {
				delete(meta, "version")
				changed = true
			}
		}
	}
	drop(doc)
	for _, key := range []string{"Resources", "Operations"} {
		list, _ := doc[key].([]any)
		for _, e := range list {
			res, _ := e.(map[string]any)
			if res == nil {
				continue
			}
			drop(res)
			if _, has := res["version"]; has && key == "Operations" {
				delete(res, "version")
				changed = true
			}
			if inner, ok := res["response"].(map[string]any); ok {
				drop(inner)
			}
		}
	}
	return changed
}

// declare makes a ServiceProviderConfig tell the truth about the variants
// that are on.
func (m *proxy) declare(doc map[string]any) {
	set := func(feature, key string, v any) {
		f, ok := doc[feature].(map[string]any)
		if !ok {
			f = map[string]any{}
			doc[feature] = f
		}
		f[key] = v
	}
	if m.set.On(NoFiltering) {
		set("filter", "supported", false)
	}
	if m.set.On(NoSorting) {
		set("sort", "supported", false)
	}
	if m.set.On(NoETags) {
		set("etag", "supported", false)
	}
	if m.set.On(NoBulk) {
		set("bulk", "supported", false)
	}
	if m.set.On(NoChangePassword) {
		set("changePassword", "supported", false)
	}
	max, def := 0, 0
	switch {
	case m.set.On(SmallMaxResults):
		max, def = SmallMax, SmallMax
	case m.set.On(CountAboveMaxIgnored):
		max, def = IgnoredCountMax, IgnoredCountDefault
	}
	if max > 0 {
		set("filter", "maxResults", max)
		set("pagination", "maxPageSize", max)
		set("pagination", "defaultPageSize", def)
	}
}

// response holds an answer until the variants have read and rewritten it.
type response = answer.Response
