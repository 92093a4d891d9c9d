package violation

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/scimconf/scimconf/server/internal/engine/filter"
	"github.com/scimconf/scimconf/server/internal/engine/patch"
	"github.com/scimconf/scimconf/server/internal/engine/provider"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// patchOps rewrites a PATCH request's operations for notarget-ignored (a
// remove without a path is dropped), patch-ignores-remove (removes of
// anything but members are dropped), patch-filter-hits-all (value filters
// in paths are dropped) and remove-wipes-members (a remove of members
// with a value list becomes a remove of every member).
func patchOps(s *Set, rt *schema.ResourceType, ops []patch.Operation) []patch.Operation {
	out := []patch.Operation{}
	for _, op := range ops {
		isRemove := strings.EqualFold(op.Op, "remove")
		if s.On(NotargetIgnored) && isRemove && op.Path == "" {
			continue
		}
		if op.Path != "" {
			path, err := filter.ParsePath(op.Path)
			if err == nil && s.On(PatchIgnoresRemove) && isRemove && !strings.EqualFold(path.Attr.Name, "members") {
				continue
			}
			if err == nil && path.Filter != nil && s.On(PatchFilterHitsAll) && !strings.EqualFold(path.Attr.Name, "members") {
				path.Filter = nil
				op.Path = path.String()
			}
		}
		out = append(out, op)
	}
	if isGroup(rt) && s.On(RemoveWipesMembers) && !slowMembers(rt, out) {
		for i, op := range out {
			if _, list := op.Value.([]any); list && strings.EqualFold(op.Op, "remove") && fastMemberOp(op) {
				out[i].Value = nil
			}
		}
	}
	return out
}

// slowMembers reports whether the provider applies ops to members through
// the general engine rather than the membership index (some operation
// touches members in a form fastMemberOp does not know); the index is
// where remove-wipes-members applies.
func slowMembers(rt *schema.ResourceType, ops []patch.Operation) bool {
	for _, op := range ops {
		if !fastMemberOp(op) && patch.Touches(rt, []patch.Operation{op}, "members") {
			return true
		}
	}
	return false
}

// fastMemberOp reports whether the provider applies op to the membership
// index directly (provider.fastMemberOp's forms).
func fastMemberOp(op patch.Operation) bool {
	kind := strings.ToLower(op.Op)
	path, err := filter.ParsePath(op.Path)
	if err != nil || path.Attr.URN != "" && !strings.EqualFold(path.Attr.URN, schema.GroupURN) || !strings.EqualFold(path.Attr.Name, "members") || path.Attr.Sub != "" {
		return false
	}
	if path.Filter != nil {
		e, ok := path.Filter.(*filter.AttrExpr)
		if kind != "remove" || !ok || !strings.EqualFold(e.Path.Name, "value") || e.Path.Sub != "" || e.Path.URN != "" || e.Op != filter.Eq {
			return false
		}
		_, ok = e.Value.(string)
		return ok
	}
	values, isList := op.Value.([]any)
	switch {
	case kind == "remove" && op.Value == nil:
		return true
	case (kind == "add" || kind == "remove" || kind == "replace") && isList:
		for _, v := range values {
			m, ok := v.(map[string]any)
			if !ok {
				return false
			}
			if _, ok := m["value"].(string); !ok {
				return false
			}
		}
		return true
	}
	return false
}

// skipNoTarget applies notarget-ignored to the operations the provider
// would apply to the stored document: it tries them one by one on a copy
// of the resource and drops those that match nothing (noTarget).
func (x *exchange) skipNoTarget(rt *schema.ResourceType, id string, ops []patch.Operation) []patch.Operation {
	res, err := x.p.Store.Get(x.r.Context(), rt, id)
	if err != nil {
		return ops
	}
	doc := copyDoc(res.Doc)
	slow := isGroup(rt) && slowMembers(rt, ops)
	if slow {
		ms, err := x.p.Store.Members(x.r.Context(), id)
		if err != nil {
			return ops
		}
		doc = withMembers(doc, ms)
	}
	out := make([]patch.Operation, 0, len(ops))
	for i, op := range ops {
		if isGroup(rt) && !slow && patch.Touches(rt, []patch.Operation{op}, "members") {
			out = append(out, op) // the membership index applies it
			continue
		}
		next, err := patch.Apply(rt, doc, []patch.Operation{op})
		if isScimType(err, scimerror.NoTarget) {
			continue
		}
		if err != nil {
			return append(out, ops[i:]...) // the provider reports it
		}
		out = append(out, op)
		doc = next
	}
	return out
}

// copyDoc copies a decoded JSON document deeply.
func copyDoc(doc map[string]any) map[string]any {
	var cp func(v any) any
	cp = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			m := make(map[string]any, len(x))
			for k, e := range x {
				m[k] = cp(e)
			}
			return m
		case []any:
			l := make([]any, len(x))
			for i, e := range x {
				l[i] = cp(e)
			}
			return l
		}
		return v
	}
	return cp(doc).(map[string]any)
}

func withMembers(doc map[string]any, ms []store.Member) map[string]any {
	if len(ms) > 0 {
		list := make([]any, len(ms))
		for i, m := range ms {
			list[i] = map[string]any{"value": m.Value, "type": m.Type}
		}
		doc["members"] = list
	}
	return doc
}

// patch serves PATCH /{type}/{id}.
func (x *exchange) patch(w http.ResponseWriter, id string) {
	x.queryMembers()
	var req patch.Request
	b := x.body()
	if b == nil || !decode(b, &req) {
		x.serve(x.r).Flush(w)
		return
	}
	ops := patchOps(x.set, x.rt, req.Operations)
	if x.set.On(NotargetIgnored) {
		ops = x.skipNoTarget(x.rt, id, ops)
	}
	if len(ops) == 0 && len(req.Operations) > 0 {
		// Everything was dropped: change nothing, answer the resource.
		x.r.Method, x.r.Body, x.r.ContentLength = http.MethodGet, http.NoBody, 0
		x.r.Header.Del("If-Match")
		x.r.Header.Del("If-None-Match")
		rec := x.serve(x.r)
		x.reveal(rec)
		rec.Flush(w)
		return
	}
	if !sameOps(ops, req.Operations) {
		x.setPatch(req.Schemas, ops)
	}
	rec := x.serve(x.r)
	if !rec.OK() && len(ops) > 1 && x.set.On(PatchHalfApplies) && (&patch.Request{Schemas: req.Schemas, Operations: ops}).Validate() == nil {
		// Keep the longest prefix of operations that applies, then report
		// the failure.
		for k := len(ops) - 1; k >= 1; k-- {
			x.setPatch(req.Schemas, ops[:k])
			if x.serve(x.r).OK() {
				break
			}
		}
	}
	x.reveal(rec)
	rec.Flush(w)
}

func (x *exchange) setPatch(schemas []string, ops []patch.Operation) {
	if nb, err := json.Marshal(&patch.Request{Schemas: schemas, Operations: ops}); err == nil {
		x.setBody(nb)
	}
}

func sameOps(a, b []patch.Operation) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Op != b[i].Op || a[i].Path != b[i].Path || (a[i].Value == nil) != (b[i].Value == nil) {
			return false
		}
	}
	return true
}

// bulk serves POST /Bulk: bulk-ignores-fail-on-errors drops failOnErrors,
// and each operation's data gets the rewrites its method gets alone
// (drop-wrong-types for POST and PUT, the operation rewrites for PATCH).
func (x *exchange) bulk(w http.ResponseWriter) {
	var req provider.BulkRequest
	if b := x.body(); b != nil && decode(b, &req) {
		changed := false
		if req.FailOnErrors != nil && x.set.On(BulkIgnoresFailOnErrors) {
			req.FailOnErrors, changed = nil, true
		}
		for i, op := range req.Operations {
			endpoint, id, _ := strings.Cut(strings.Trim(op.Path, "/"), "/")
			rt, err := x.p.ResourceType(endpoint)
			if err != nil {
				continue
			}
			switch strings.ToUpper(op.Method) {
			case http.MethodPost, http.MethodPut:
				if body, ok := op.Data.(map[string]any); ok && x.set.On(DropWrongTypes) {
					if out, dropped := dropWrongTypes(rt, body); dropped {
						req.Operations[i].Data, changed = out, true
					}
				}
			case http.MethodPatch:
				var pr patch.Request
				raw, err := json.Marshal(op.Data)
				if err != nil || !decode(raw, &pr) {
					continue
				}
				ops := patchOps(x.set, rt, pr.Operations)
				if x.set.On(NotargetIgnored) && !strings.HasPrefix(id, "bulkId:") {
					// Against the resource as the bulk request found it.
					ops = x.skipNoTarget(rt, id, ops)
				}
				if sameOps(ops, pr.Operations) {
					continue
				}
				if len(ops) == 0 && len(pr.Operations) > 0 {
					// Everything was dropped: an operation that changes
					// nothing keeps the request valid.
					ops = []patch.Operation{{Op: "add", Value: map[string]any{}}}
				}
				req.Operations[i].Data, changed = &patch.Request{Schemas: pr.Schemas, Operations: ops}, true
			}
		}
		if changed {
			if nb, err := json.Marshal(&req); err == nil {
				x.setBody(nb)
			}
		}
	}
	if !x.set.On(ApplyReadonlyGroups) && !x.set.On(PatchHalfApplies) {
		x.next.ServeHTTP(w, x.r)
		return
	}
	rec := x.serve(x.r)
	if x.set.On(ApplyReadonlyGroups) {
		x.bulkGroups(&req, rec)
	}
	if x.set.On(PatchHalfApplies) {
		x.bulkHalfApplies(&req, rec)
	}
	rec.Flush(w)
}

// bulkHalfApplies applies patch-half-applies to the PATCH operations that
// failed in a bulk request: the longest prefix of each that applies is
// kept (after the bulk ran, not between its operations).
func (x *exchange) bulkHalfApplies(req *provider.BulkRequest, rec *response) {
	var resp bulkResponse
	if rec.Status != http.StatusOK || !decode(rec.Body.Bytes(), &resp) || len(resp.Operations) != len(req.Operations) {
		return // results follow the request's order when every operation ran
	}
	for i, r := range resp.Operations {
		if i >= len(req.Operations) || !strings.EqualFold(r.Method, http.MethodPatch) || strings.HasPrefix(r.Status, "2") {
			continue
		}
		op := req.Operations[i]
		var pr patch.Request
		raw, err := json.Marshal(op.Data)
		if op.BulkID != "" || strings.Contains(op.Path, "bulkId:") || err != nil || !decode(raw, &pr) || len(pr.Operations) < 2 || pr.Validate() != nil {
			continue
		}
		for k := len(pr.Operations) - 1; k >= 1; k-- {
			b, err := json.Marshal(&patch.Request{Schemas: pr.Schemas, Operations: pr.Operations[:k]})
			if err != nil {
				break
			}
			one := x.r.Clone(x.r.Context())
			one.Method = http.MethodPatch
			one.URL.Path, one.URL.RawPath = strings.TrimSuffix(one.URL.Path, "/Bulk")+"/"+strings.Trim(op.Path, "/"), ""
			one.Body, one.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
			one.Header.Del("If-None-Match")
			if op.Version != "" {
				one.Header.Set("If-Match", op.Version)
			} else {
				one.Header.Del("If-Match")
			}
			if x.serve(one).OK() {
				break
			}
		}
	}
}

// bulkResponse is what the proxy reads of a bulk response.
type bulkResponse struct {
	Operations []struct {
		Method   string `json:"method"`
		BulkID   string `json:"bulkId"`
		Location string `json:"location"`
		Status   string `json:"status"`
	} `json:"Operations"`
}

// bulkGroups applies apply-readonly-groups to the Users a bulk request
// created: each joins the groups its data listed (after the bulk ran, not
// between its operations).
func (x *exchange) bulkGroups(req *provider.BulkRequest, rec *response) {
	var resp bulkResponse
	if rec.Status != http.StatusOK || !decode(rec.Body.Bytes(), &resp) {
		return
	}
	created := map[string]string{} // bulkId -> id
	for _, r := range resp.Operations {
		if r.BulkID != "" && r.Status == "201" {
			created[r.BulkID] = r.Location[strings.LastIndexByte(r.Location, '/')+1:]
		}
	}
	grt := x.p.Set.ResourceType("Group")
	for _, op := range req.Operations {
		endpoint, _, _ := strings.Cut(strings.Trim(op.Path, "/"), "/")
		rt, err := x.p.ResourceType(endpoint)
		id := created[op.BulkID]
		if err != nil || !isUserType(rt) || !strings.EqualFold(op.Method, http.MethodPost) || id == "" || grt == nil {
			continue
		}
		data, _ := op.Data.(map[string]any)
		list, _ := data["groups"].([]any)
		for _, g := range list {
			m, _ := g.(map[string]any)
			gid, _ := m["value"].(string)
			if ref, ok := strings.CutPrefix(gid, "bulkId:"); ok {
				gid = created[ref]
			}
			if gid != "" {
				x.p.Store.Update(x.r.Context(), grt, gid, func(_ *store.Resource, ms store.Members) (map[string]any, error) {
					return nil, ms.Add(store.Member{Value: id, Type: "User"})
				})
			}
		}
	}
}
