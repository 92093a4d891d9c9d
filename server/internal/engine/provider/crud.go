package provider

import (
	"context"
	"net/http"
	"reflect"
	"strings"

	"github.com/scimconf/scimconf/server/internal/engine/projection"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// Create stores body as a new resource of type rt (RFC 7644 section
// 3.3) and returns it rendered with proj.
func (p *Provider) Create(ctx context.Context, rt *schema.ResourceType, body map[string]any, base string, proj *projection.Projection) (*Result, error) {
	doc, members, err := p.document(ctx, rt, body)
	if err != nil {
		return nil, err
	}
	if p.Policy != nil {
		if err := p.Policy.Admit(ctx, &Change{Op: "create", Type: rt, Body: body, Next: doc}); err != nil {
			return nil, err
		}
	}
	res, err := p.Store.Create(ctx, rt, doc, members)
	if err != nil {
		return nil, err
	}
	r, err := p.render(ctx, rt, res, base, proj)
	if err != nil {
		return nil, err
	}
	r.Created = true
	return r, nil
}

// document turns the body of a create or a replace into the document to
// store and, taken out of it, the members to set: the same steps for POST
// and PUT, so that both accept and refuse the same bodies.
func (p *Provider) document(ctx context.Context, rt *schema.ResourceType, body map[string]any) (map[string]any, []store.Member, error) {
	if err := p.Config.Limits.Check("", body); err != nil {
		return nil, nil, err
	}
	doc, err := rt.NormalizeDialect(body, DialectFrom(ctx))
	if err != nil {
		return nil, nil, err
	}
	if err := p.checkRequired(rt, doc); err != nil {
		return nil, nil, err
	}
	members, err := p.takeMembers(doc)
	if err != nil {
		return nil, nil, err
	}
	return doc, members, nil
}

// Get returns one resource. When pc.IfNoneMatch names its current version
// the error is *NotModified.
func (p *Provider) Get(ctx context.Context, rt *schema.ResourceType, id, base string, proj *projection.Projection, pc Preconditions) (*Result, error) {
	res, err := p.Store.Get(ctx, rt, id)
	if err != nil {
		return nil, err
	}
	if pc.IfNoneMatch != "" && matches(pc.IfNoneMatch, ETag(res.Version)) {
		return nil, &NotModified{ETag: ETag(res.Version)}
	}
	return p.render(ctx, rt, res, base, proj)
}

// Replace replaces a resource with body (RFC 7644 section 3.5.1): readOnly
// attributes in body are ignored, an immutable attribute may not change,
// and for a Group the members are replaced too.
func (p *Provider) Replace(ctx context.Context, rt *schema.ResourceType, id string, body map[string]any, base string, proj *projection.Projection, pc Preconditions) (*Result, error) {
	doc, newMembers, err := p.document(ctx, rt, body)
	if err != nil {
		return nil, err
	}
	res, err := p.Store.Update(ctx, rt, id, func(cur *store.Resource, ms store.Members) (map[string]any, error) {
		if err := pc.checkIfMatch(cur.Version); err != nil {
			return nil, err
		}
		if err := checkImmutable(rt, cur.Doc, doc); err != nil {
			return nil, err
		}
		if p.Policy != nil {
			if err := p.Policy.Admit(ctx, &Change{Op: "replace", Type: rt, Body: body, Current: cur.Doc, Next: doc}); err != nil {
				return nil, err
			}
		}
		if rt.Core.Attr("members") != nil {
			if err := replaceMembers(ms, newMembers); err != nil {
				return nil, err
			}
		}
		return doc, nil
	})
	if err != nil {
		return nil, err
	}
	return p.render(ctx, rt, res, base, proj)
}

// Delete removes a resource (RFC 7644 section 3.6).
// The If-Match check runs under the store's lock, so no write can slip
// between the check and the deletion.
func (p *Provider) Delete(ctx context.Context, rt *schema.ResourceType, id string, pc Preconditions) error {
	if pc.IfMatch == "" {
		return p.Store.Delete(ctx, rt, id)
	}
	return p.Store.DeleteIf(ctx, rt, id, func(cur *store.Resource) error {
		return pc.checkIfMatch(cur.Version)
	})
}

// replaceMembers makes ms hold exactly want, keeping members that stay
// (so their order of addition is kept).
func replaceMembers(ms store.Members, want []store.Member) error {
	keep := make(map[string]bool, len(want))
	for _, m := range want {
		keep[m.Value] = true
	}
	for _, m := range ms.List() {
		if !keep[m.Value] {
			ms.Remove(m.Value)
		}
	}
	for _, m := range want {
		if err := ms.Add(m); err != nil {
			return err
		}
	}
	return nil
}

// takeMembers removes "members" from a normalised Group document and
// returns them as store members: the store keeps membership in its own
// index, not in the document.
func (p *Provider) takeMembers(doc map[string]any) ([]store.Member, error) {
	raw, ok := doc["members"].([]any)
	delete(doc, "members")
	if !ok {
		return nil, nil
	}
	out := make([]store.Member, 0, len(raw))
	seen := make(map[string]bool, len(raw))
	for _, e := range raw {
		m, err := p.member(e)
		if err != nil {
			return nil, err
		}
		if !seen[m.Value] {
			seen[m.Value] = true
			out = append(out, m)
		}
	}
	return out, nil
}

// member turns one normalised members element into a store member. A
// member without "type" gets it from the store, which knows every id (and
// must be asked under its own lock: member runs inside Store.Update).
func (p *Provider) member(e any) (store.Member, error) {
	m, _ := e.(map[string]any)
	v, _ := m["value"].(string)
	if v == "" {
		return store.Member{}, badValue("each member needs a \"value\" holding the id of a User or Group")
	}
	t, _ := m["type"].(string)
	if t == "" {
		return store.Member{Value: v}, nil
	}
	for _, name := range []string{"User", "Group"} {
		if strings.EqualFold(t, name) {
			return store.Member{Value: v, Type: name}, nil
		}
	}
	return store.Member{}, badValue("member %s has type %q; use \"User\" or \"Group\"", v, t)
}

// checkImmutable refuses a replacement that changes an assigned immutable
// attribute (RFC 7643 section 7: "mutability": "immutable").
func checkImmutable(rt *schema.ResourceType, cur, next map[string]any) error {
	check := func(attrs []*schema.Attribute, prefix string, c, n map[string]any) error {
		for _, a := range attrs {
			if a.Mutability != schema.Immutable || c == nil {
				continue
			}
			cv, ok := c[a.Name]
			if ok && !reflect.DeepEqual(cv, n[a.Name]) {
				return scimerror.New(http.StatusBadRequest, scimerror.Mutability, "%s%s is immutable: it cannot change once set", prefix, a.Name)
			}
		}
		return nil
	}
	if err := check(rt.Core.Attributes, "", cur, next); err != nil {
		return err
	}
	for _, ext := range rt.Extensions {
		c, _ := cur[ext.ID].(map[string]any)
		n, _ := next[ext.ID].(map[string]any)
		if err := check(ext.Attributes, ext.ID+":", c, n); err != nil {
			return err
		}
	}
	return nil
}
