package violation

import (
	"bytes"
	"encoding/json"
	"github.com/scimconf/scimconf/server/internal/answer"
	"github.com/scimconf/scimconf/server/internal/engine/scimhttp"
	"io"
	"maps"
	"net/http"
	"strconv"
	"strings"

	"github.com/scimconf/scimconf/server/internal/engine/filter"
	"github.com/scimconf/scimconf/server/internal/engine/projection"
	"github.com/scimconf/scimconf/server/internal/engine/provider"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// httpSwitches are the service provider's switches SCIM applies, as a
// broken proxy in front of a correct SCIM handler.
var httpSwitches = []Switch{
	GetOmitsExternalid, DropWrongTypes, AcceptAnySchemas, ApplyReadonlyGroups, ReturnPassword,
	MembersDespiteExcluded, UnknownFilterAttrMatchesNothing, CountAboveMaxRefused,
	BulkIgnoresFailOnErrors, PatchHalfApplies, NotargetIgnored, PatchFilterHitsAll,
	PatchIgnoresRemove, RemoveWipesMembers, KeepGroupDescription,
}

// providerProxy returns the middleware that applies the service provider's
// request and response switches around the SCIM handler. prefix is the
// pattern of a SCIM base URL with an {account} wildcard
// ("/idm/public/scim/{account}/v2"); providers returns an account's
// service provider (nil for none), whose schema, configuration and store
// the proxy reads. The middleware never answers for the handler before it
// ran, except with the handler's own answers, so authentication stays the
// handler's.
func providerProxy(set *Set, prefix string, providers func(accountID string) *provider.Provider) func(http.Handler) http.Handler {
	before, after, _ := strings.Cut(prefix, "{account}")
	return func(next http.Handler) http.Handler {
		return &scimProxy{set: set, next: next, before: before, after: after, providers: providers}
	}
}

type scimProxy struct {
	set           *Set
	next          http.Handler
	before, after string
	providers     func(string) *provider.Provider
}

func (m *scimProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	on := false
	for _, sw := range httpSwitches {
		on = on || m.set.On(sw)
	}
	if !on {
		m.next.ServeHTTP(w, r)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, m.before)
	account, rest, _ := strings.Cut(rest, "/")
	if !ok || !strings.HasPrefix("/"+rest, m.after) {
		m.next.ServeHTTP(w, r)
		return
	}
	p := m.providers(account)
	segs := strings.Split(strings.Trim(strings.TrimPrefix("/"+rest, m.after), "/"), "/")
	if p == nil || len(segs) > 2 {
		m.next.ServeHTTP(w, r)
		return
	}
	endpoint, id := segs[0], ""
	if len(segs) == 2 {
		id = segs[1]
	}
	x := &exchange{scimProxy: m, p: p, r: r}
	switch {
	case endpoint == "Bulk" && id == "" && r.Method == http.MethodPost:
		x.bulk(w)
		return
	case endpoint == ".search" && id == "" && r.Method == http.MethodPost:
		x.list(w, nil, true)
		return
	}
	rt, err := p.ResourceType(endpoint)
	if err != nil {
		m.next.ServeHTTP(w, r)
		return
	}
	x.rt = rt
	switch {
	case id == "" && r.Method == http.MethodGet, id == ".search" && r.Method == http.MethodPost:
		x.list(w, rt, false)
	case id == "" && r.Method == http.MethodPost:
		x.write(w, "")
	case id != "" && (r.Method == http.MethodPut || r.Method == http.MethodGet):
		x.write(w, id)
	case id != "" && r.Method == http.MethodPatch:
		x.patch(w, id)
	default:
		m.next.ServeHTTP(w, r)
	}
}

// exchange is one request through the proxy.
type exchange struct {
	*scimProxy
	p  *provider.Provider
	rt *schema.ResourceType
	r  *http.Request
}

// maxBody is how much of a request body the proxy reads to rewrite it; a
// larger body goes to the handler untouched (and is refused there).
const maxBody = 8 << 20

// body reads the request body and puts it back; nil when it is larger
// than maxBody.
func (x *exchange) body() []byte {
	b, _ := io.ReadAll(io.LimitReader(x.r.Body, maxBody+1))
	if len(b) > maxBody {
		x.r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b), x.r.Body))
		return nil
	}
	x.setBody(b)
	return b
}

func (x *exchange) setBody(b []byte) {
	x.r.Body = io.NopCloser(bytes.NewReader(b))
	x.r.ContentLength = int64(len(b))
}

// response holds an answer until a switch has read and rewritten it.
type response = answer.Response

func newResponse() *response { return answer.New() }

func decode(b []byte, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v) == nil
}

// serve runs the request through the handler into a response; a handler
// that wrote nothing answered 200, as net/http would send.
func (x *exchange) serve(r *http.Request) *response {
	rec := newResponse()
	x.next.ServeHTTP(rec, r)
	rec.WriteHeader(http.StatusOK)
	return rec
}

// isGroup reports whether the resource type has members.
func isGroup(rt *schema.ResourceType) bool { return rt != nil && rt.Core.Attr("members") != nil }

func isUserType(rt *schema.ResourceType) bool { return rt != nil && rt.Name == "User" }

// withMembers applies members-despite-excluded to a projection: it
// returns attributes and excludedAttributes that include a Group's
// members when those given leave them out, and false when nothing
// changes.
func (x *exchange) withMembers(rt *schema.ResourceType, attrs, excluded []string) ([]string, []string, bool) {
	if !isGroup(rt) || !x.set.On(MembersDespiteExcluded) {
		return attrs, excluded, false
	}
	proj, err := projection.New(rt, attrs, excluded)
	if err != nil || proj.Includes("members") {
		return attrs, excluded, false
	}
	var ex []string
	for _, e := range excluded {
		if !strings.EqualFold(e, "members") && !strings.EqualFold(e, schema.GroupURN+":members") {
			ex = append(ex, e)
		}
	}
	at := attrs
	if len(attrs) > 0 {
		at = append(append([]string(nil), attrs...), "members")
	}
	if proj, err := projection.New(rt, at, ex); err != nil || !proj.Includes("members") {
		return attrs, excluded, false
	}
	return at, ex, true
}

// queryMembers applies members-despite-excluded to the query string.
func (x *exchange) queryMembers() {
	q := x.r.URL.Query()
	at, ex, ok := x.withMembers(x.rt, scimhttp.SplitList(q["attributes"]), scimhttp.SplitList(q["excludedAttributes"]))
	if !ok {
		return
	}
	q.Del("attributes")
	q.Del("excludedAttributes")
	if len(at) > 0 {
		q.Set("attributes", strings.Join(at, ","))
	}
	if len(ex) > 0 {
		q.Set("excludedAttributes", strings.Join(ex, ","))
	}
	x.r.URL.RawQuery = q.Encode()
}

// reveal applies return-password and keep-group-description to a
// response holding resources: they show what the store keeps although
// the schema returns it never (password) or not at all (a Group's
// description).
func (x *exchange) reveal(rec *response) {
	if !rec.OK() || !x.set.On(ReturnPassword) && !x.set.On(KeepGroupDescription) {
		return
	}
	d := rec.Doc()
	if d == nil {
		return
	}
	changed := false
	one := func(doc map[string]any) {
		meta, _ := doc["meta"].(map[string]any)
		typ, _ := meta["resourceType"].(string)
		id, _ := doc["id"].(string)
		var attr string
		switch {
		case typ == "User" && x.set.On(ReturnPassword):
			attr = "password"
		case typ == "Group" && x.set.On(KeepGroupDescription):
			attr = "description"
		default:
			return
		}
		rt := x.p.Set.ResourceType(typ)
		if rt == nil || id == "" {
			return
		}
		res, err := x.p.Store.Get(x.r.Context(), rt, id)
		if err != nil {
			return
		}
		if v, ok := res.Doc[attr]; ok {
			doc[attr] = v
			changed = true
		}
	}
	if list, ok := d["Resources"].([]any); ok {
		for _, e := range list {
			if doc, ok := e.(map[string]any); ok {
				one(doc)
			}
		}
	} else {
		one(d)
	}
	if changed {
		rec.Replace(rec.Status, d)
	}
}

// write serves POST /{type} (id "") and PUT or GET /{type}/{id}.
func (x *exchange) write(w http.ResponseWriter, id string) {
	x.queryMembers()
	var body map[string]any
	if x.r.Method != http.MethodGet {
		// A body of JSON null decodes to a nil map: nothing to rewrite (the
		// provider refuses it as invalidSyntax).
		if b := x.body(); b != nil && decode(b, &body) && body != nil {
			changed := false
			if x.set.On(DropWrongTypes) {
				if out, dropped := dropWrongTypes(x.rt, body); dropped {
					body, changed = out, true
				}
			}
			if x.set.On(AcceptAnySchemas) {
				body, changed = ownSchemas(x.rt, body), true
			}
			if changed {
				if nb, err := json.Marshal(body); err == nil {
					x.setBody(nb)
				}
			}
		}
	}
	rec := x.serve(x.r)
	if x.r.Method == http.MethodGet && rec.OK() && x.set.On(GetOmitsExternalid) {
		if d := rec.Doc(); d != nil {
			if _, ok := d["externalId"]; ok {
				delete(d, "externalId")
				rec.Replace(rec.Status, d)
			}
		}
	}
	if x.r.Method == http.MethodPost && rec.Status == http.StatusCreated && isUserType(x.rt) && x.set.On(ApplyReadonlyGroups) {
		x.applyGroups(rec, body)
	}
	x.reveal(rec)
	rec.Flush(w)
}

// dropWrongTypes removes from body every top-level attribute whose value
// does not fit its schema (drop-wrong-types), so that the provider
// accepts what it should refuse.
func dropWrongTypes(rt *schema.ResourceType, body map[string]any) (map[string]any, bool) {
	out := maps.Clone(body)
	for k, v := range body {
		a := rt.Core.Attr(k)
		if a == nil || v == nil {
			continue
		}
		if _, err := schema.NormalizeValue(a, k, v); err != nil {
			delete(out, k)
		}
	}
	return out, len(out) != len(body)
}

// ownSchemas replaces body's "schemas", whatever it holds, with the
// resource type's core schema and the extensions body carries
// (accept-any-schemas), so that the provider accepts a list it should
// refuse.
func ownSchemas(rt *schema.ResourceType, body map[string]any) map[string]any {
	out := maps.Clone(body)
	urns := []any{rt.Core.ID}
	for _, ext := range rt.Extensions {
		if _, ok := body[ext.ID]; ok {
			urns = append(urns, ext.ID)
		}
	}
	out["schemas"] = urns
	return out
}

// applyGroups applies apply-readonly-groups to a created User: it joins
// the groups the request listed in its readOnly "groups", and the answer
// shows them.
func (x *exchange) applyGroups(rec *response, body map[string]any) {
	list, _ := body["groups"].([]any)
	grt := x.p.Set.ResourceType("Group")
	d := rec.Doc()
	id, _ := d["id"].(string)
	if len(list) == 0 || grt == nil || id == "" {
		return
	}
	ctx := x.r.Context()
	for _, g := range list {
		m, _ := g.(map[string]any)
		gid, _ := m["value"].(string)
		if gid == "" {
			continue
		}
		x.p.Store.Update(ctx, grt, gid, func(_ *store.Resource, ms store.Members) (map[string]any, error) {
			return nil, ms.Add(store.Member{Value: id, Type: "User"})
		})
	}
	get := x.r.Clone(ctx)
	get.Method, get.Body, get.ContentLength = http.MethodGet, http.NoBody, 0
	get.URL.Path, get.URL.RawPath = strings.TrimSuffix(get.URL.Path, "/")+"/"+id, ""
	get.Header.Del("If-Match")
	get.Header.Del("If-None-Match")
	if again := x.serve(get); again.Status == http.StatusOK {
		rec.SetBody(again.Body.Bytes())
	}
}

// list serves a query: GET /{type}, POST /{type}/.search, or POST /.search
// at the root (rt nil).
func (x *exchange) list(w http.ResponseWriter, rt *schema.ResourceType, root bool) {
	var req provider.ListRequest
	if x.r.Method == http.MethodGet {
		x.queryMembers()
		q := x.r.URL.Query()
		req.Filter = q.Get("filter")
		if n, err := strconv.Atoi(q.Get("count")); err == nil {
			req.Count = &n
		}
	} else if b := x.body(); b != nil && decode(b, &req) && !root {
		if at, ex, ok := x.withMembers(rt, req.Attributes, req.ExcludedAttributes); ok {
			var raw map[string]any
			if decode(b, &raw) {
				for k := range raw {
					if strings.EqualFold(k, "attributes") || strings.EqualFold(k, "excludedAttributes") {
						delete(raw, k)
					}
				}
				if len(at) > 0 {
					raw["attributes"] = at
				}
				if len(ex) > 0 {
					raw["excludedAttributes"] = ex
				}
				if nb, err := json.Marshal(raw); err == nil {
					x.setBody(nb)
				}
			}
		}
	}
	rec := x.serve(x.r)
	if rec.Status == http.StatusBadRequest && req.Filter != "" && x.set.On(UnknownFilterAttrMatchesNothing) {
		// The filter parses but names what the schema lacks: it matches
		// nothing instead of failing.
		var e struct {
			ScimType string `json:"scimType"`
		}
		if _, err := filter.Parse(req.Filter); err == nil && decode(rec.Body.Bytes(), &e) && e.ScimType == scimerror.InvalidFilter {
			start := 1
			if root && req.StartIndex != nil {
				start = max(*req.StartIndex, 1)
			}
			rec.Replace(http.StatusOK, &provider.ListResponse{Schemas: []string{provider.ListResponseURN}, StartIndex: start, Resources: []map[string]any{}})
		}
	}
	if rec.Status == http.StatusOK && !root && req.Count != nil && x.set.On(CountAboveMaxRefused) {
		if max := x.p.Config.MaxResults; max > 0 && *req.Count > max {
			rec.Replace(http.StatusBadRequest, scimerror.BadRequest(scimerror.TooMany, "count %d is above maxResults %d", *req.Count, max))
		}
	}
	x.reveal(rec)
	rec.Flush(w)
}
