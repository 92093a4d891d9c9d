package provider

import (
	"context"
	"strings"

	"github.com/scimconf/scimconf/server/internal/engine/filter"
	"github.com/scimconf/scimconf/server/internal/engine/patch"
	"github.com/scimconf/scimconf/server/internal/engine/projection"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// Patch applies a PatchOp request (RFC 7644 section 3.5.2) atomically.
// The result is nil when the provider answers PATCH with 204.
//
// A Group's members live in the store's membership index, not in the
// document, so the common member operations (add a list, remove by
// members[value eq "id"], remove a list, replace the list) go straight to
// the index and cost O(1) per member whatever the group's size; any other
// operation on members loads the list into the document and applies the
// general engine.
func (p *Provider) Patch(ctx context.Context, rt *schema.ResourceType, id string, req *patch.Request, base string, proj *projection.Projection, pc Preconditions) (*Result, error) {
	if err := req.ValidateDialect(DialectFrom(ctx)); err != nil {
		return nil, err
	}
	for _, op := range req.Operations {
		if err := p.Config.Limits.Check(op.Path, op.Value); err != nil {
			return nil, err
		}
	}
	hasMembers := rt.Core.Attr("members") != nil
	var memberOps []memberOp
	docOps := req.Operations
	slow := false
	if hasMembers && patch.Touches(rt, req.Operations, "members") {
		docOps = nil
		for _, op := range req.Operations {
			if mo, ok := fastMemberOp(op); ok {
				memberOps = append(memberOps, mo)
			} else if patch.Touches(rt, []patch.Operation{op}, "members") {
				slow = true
				break
			} else {
				docOps = append(docOps, op)
			}
		}
		if slow {
			memberOps, docOps = nil, req.Operations
		}
	}
	res, err := p.Store.Update(ctx, rt, id, func(cur *store.Resource, ms store.Members) (map[string]any, error) {
		if err := pc.checkIfMatch(cur.Version); err != nil {
			return nil, err
		}
		in := cur.Doc
		if slow {
			in = withMembers(cur.Doc, ms.List())
		}
		next, err := patch.ApplyDialect(rt, in, docOps, DialectFrom(ctx))
		if err != nil {
			return nil, err
		}
		if slow {
			want, err := p.takeMembers(next)
			if err != nil {
				return nil, err
			}
			if err := replaceMembers(ms, want); err != nil {
				return nil, err
			}
		}
		for _, mo := range memberOps {
			if err := p.applyMemberOp(ms, mo); err != nil {
				return nil, err
			}
		}
		if err := p.checkRequired(rt, next); err != nil {
			return nil, err
		}
		if p.Policy != nil {
			if err := p.Policy.Admit(ctx, &Change{Op: "patch", Type: rt, Current: cur.Doc, Next: next}); err != nil {
				return nil, err
			}
		}
		return next, nil
	})
	if err != nil {
		return nil, err
	}
	if p.Config.PatchNoContent {
		return nil, nil
	}
	return p.render(ctx, rt, res, base, proj)
}

// withMembers returns a shallow copy of doc with the members list in it,
// in the document form the patch engine works on.
func withMembers(doc map[string]any, ms []store.Member) map[string]any {
	out := make(map[string]any, len(doc)+1)
	for k, v := range doc {
		out[k] = v
	}
	if len(ms) > 0 {
		list := make([]any, len(ms))
		for i, m := range ms {
			list[i] = map[string]any{"value": m.Value, "type": m.Type}
		}
		out["members"] = list
	}
	return out
}

// memberOp is one member operation the index can apply directly.
type memberOp struct {
	kind   string // "add", "remove", "removeAll", "replace"
	values []any  // members elements as sent
}

// fastMemberOp recognises the member operations every IdP sends:
//
//	{"op":"add","path":"members","value":[{"value":"id"},...]}
//	{"op":"remove","path":"members[value eq \"id\"]"}
//	{"op":"remove","path":"members","value":[{"value":"id"},...]}   (Entra ID)
//	{"op":"remove","path":"members"}
//	{"op":"replace","path":"members","value":[...]}
func fastMemberOp(op patch.Operation) (memberOp, bool) {
	kind := strings.ToLower(op.Op)
	path, err := filter.ParsePath(op.Path)
	if err != nil || path.Attr.URN != "" && !strings.EqualFold(path.Attr.URN, schema.GroupURN) || !strings.EqualFold(path.Attr.Name, "members") || path.Attr.Sub != "" {
		return memberOp{}, false
	}
	if path.Filter != nil {
		e, ok := path.Filter.(*filter.AttrExpr)
		if kind != "remove" || !ok || !strings.EqualFold(e.Path.Name, "value") || e.Path.Sub != "" || e.Path.URN != "" || e.Op != filter.Eq {
			return memberOp{}, false
		}
		v, ok := e.Value.(string)
		if !ok {
			return memberOp{}, false
		}
		return memberOp{kind: "remove", values: []any{map[string]any{"value": v}}}, true
	}
	values, isList := op.Value.([]any)
	switch {
	case kind == "remove" && op.Value == nil:
		return memberOp{kind: "removeAll"}, true
	case (kind == "add" || kind == "remove" || kind == "replace") && isList:
		for _, v := range values {
			m, ok := v.(map[string]any)
			if !ok {
				return memberOp{}, false
			}
			if _, ok := m["value"].(string); !ok {
				return memberOp{}, false
			}
		}
		return memberOp{kind: kind, values: values}, true
	}
	return memberOp{}, false
}

func (p *Provider) applyMemberOp(ms store.Members, mo memberOp) error {
	switch mo.kind {
	case "removeAll":
		ms.Clear()
		return nil
	case "remove":
		for _, v := range mo.values {
			ms.Remove(v.(map[string]any)["value"].(string))
		}
		return nil
	case "replace":
		want := make([]store.Member, 0, len(mo.values))
		for _, v := range mo.values {
			m, err := p.member(v)
			if err != nil {
				return err
			}
			want = append(want, m)
		}
		return replaceMembers(ms, want)
	}
	for _, v := range mo.values { // add
		m, err := p.member(v)
		if err != nil {
			return err
		}
		if err := ms.Add(m); err != nil {
			return err
		}
	}
	return nil
}
