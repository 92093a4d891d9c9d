package violation

// The service provider's switches (package provider). The provider itself
// knows none of them: each is applied here by wrapping one of its seams.
//
//   - ProviderStore wraps the account's store.Store: what a listing selects, in
//     which order and from where, and what a stored resource looks like
//     (lastmodified-frozen, user-groups-empty, sort-ignores-order,
//     paging-repeats, filter-ignores-not, filter-ignores-caseexact,
//     bad-cursor-restarts, empty-filter-404).
//   - ProviderPolicy wraps the account's provider.Policy, which sees every write
//     (put-merges, put-ignores-active, put-refuses-readonly,
//     keep-group-description).
//   - Required is the provider's required-attribute check
//     (active-optional).
//   - SCIM is a broken proxy in front of the SCIM HTTP handler: it
//     rewrites requests and responses (the other switches of this layer).
//
// Every decorator asks Set.On per call, so a switch turned on through the
// management API applies to the next request.

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/scimconf/scimconf/server/internal/engine/filter"
	"github.com/scimconf/scimconf/server/internal/engine/provider"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// ProviderStore returns the store the service provider reads and writes
// through, with the switches of listing and rendering applied to st.
func ProviderStore(set *Set, st store.Store) store.Store {
	return &providerStore{Store: st, set: set}
}

type providerStore struct {
	store.Store
	set *Set
}

// frozen applies lastmodified-frozen: meta.lastModified shows the
// creation time. It copies, since the store's snapshots are shared.
func (s *providerStore) frozen(res *store.Resource) *store.Resource {
	if res == nil || !s.set.On(LastmodifiedFrozen) {
		return res
	}
	c := *res
	c.LastModified = c.Created
	return &c
}

func (s *providerStore) Create(ctx context.Context, rt *schema.ResourceType, doc map[string]any, members []store.Member) (*store.Resource, error) {
	res, err := s.Store.Create(ctx, rt, doc, members)
	return s.frozen(res), err
}

func (s *providerStore) Get(ctx context.Context, rt *schema.ResourceType, id string) (*store.Resource, error) {
	res, err := s.Store.Get(ctx, rt, id)
	return s.frozen(res), err
}

func (s *providerStore) Update(ctx context.Context, rt *schema.ResourceType, id string, fn func(cur *store.Resource, members store.Members) (map[string]any, error)) (*store.Resource, error) {
	res, err := s.Store.Update(ctx, rt, id, fn)
	return s.frozen(res), err
}

// GroupsOf applies user-groups-empty: a User's groups are never filled in.
func (s *providerStore) GroupsOf(ctx context.Context, id string) ([]string, error) {
	if s.set.On(UserGroupsEmpty) {
		return nil, nil
	}
	return s.Store.GroupsOf(ctx, id)
}

// List applies the listing switches to the query the provider built and
// to the page the store answers.
func (s *providerStore) List(ctx context.Context, rt *schema.ResourceType, q store.Query) (*store.Page, error) {
	if q.Filter != nil && (s.set.On(FilterIgnoresNot) || s.set.On(FilterIgnoresCaseexact)) {
		f, err := s.brokenFilter(q.Filter, rt)
		if err != nil {
			return nil, err
		}
		q.Filter = f
	}
	if s.set.On(SortIgnoresOrder) {
		q.Descending = false
	}
	asked := q.StartIndex
	repeats := q.StartIndex > 1 && s.set.On(PagingRepeats)
	if repeats {
		q.StartIndex-- // off by one
	}
	page, err := s.Store.List(ctx, rt, q)
	if err != nil && q.Cursor != nil && isScimType(err, "invalidCursor") && s.set.On(BadCursorRestarts) {
		first := ""
		q.Cursor = &first
		page, err = s.Store.List(ctx, rt, q)
	}
	if err != nil {
		return nil, err
	}
	if page.TotalResults == 0 && q.Filter != nil && s.set.On(EmptyFilter404) {
		return nil, scimerror.NotFound("no %s matches the filter %s", rt.Name, q.Filter)
	}
	if repeats || s.set.On(LastmodifiedFrozen) {
		c := *page
		if repeats && q.Cursor == nil {
			c.StartIndex = asked // says it served what was asked
		}
		c.Resources = make([]*store.Resource, len(page.Resources))
		for i, res := range page.Resources {
			c.Resources[i] = s.frozen(res)
		}
		page = &c
	}
	return page, nil
}

// brokenFilter recompiles a list filter for filter-ignores-not (every
// "not (X)" selects what X does) and filter-ignores-caseexact (every
// string compares case-insensitively).
func (s *providerStore) brokenFilter(f *filter.Filter, rt *schema.ResourceType) (*filter.Filter, error) {
	e := f.Expr()
	if s.set.On(FilterIgnoresNot) {
		e = dropNot(e)
	}
	if s.set.On(FilterIgnoresCaseexact) {
		rt = caseInsensitive(rt)
		// not (not (X)) selects what X does, but no index serves it, and
		// the indexes of id and externalId compare exactly.
		e = &filter.NotExpr{X: &filter.NotExpr{X: e}}
	}
	return filter.Compile(e, rt)
}

// dropNot replaces every "not (X)" by X.
func dropNot(e filter.Expr) filter.Expr {
	switch x := e.(type) {
	case *filter.NotExpr:
		return dropNot(x.X)
	case *filter.LogicalExpr:
		c := *x
		c.Left, c.Right = dropNot(x.Left), dropNot(x.Right)
		return &c
	case *filter.ValuePathExpr:
		c := *x
		c.Filter = dropNot(x.Filter)
		return &c
	}
	return e
}

// caseInsensitive returns a copy of rt whose attributes are all caseExact
// false, the common id and externalId included (as core attributes, which
// Resolve finds first).
func caseInsensitive(rt *schema.ResourceType) *schema.ResourceType {
	var attrs func([]*schema.Attribute) []*schema.Attribute
	attrs = func(in []*schema.Attribute) []*schema.Attribute {
		out := make([]*schema.Attribute, len(in))
		for i, a := range in {
			c := *a
			c.CaseExact = false
			c.SubAttributes = attrs(a.SubAttributes)
			out[i] = &c
		}
		return out
	}
	c := *rt
	core := *rt.Core
	core.Attributes = attrs(rt.Core.Attributes)
	for _, name := range []string{"id", "externalId"} {
		if rt.Core.Attr(name) == nil {
			core.Attributes = append(core.Attributes, attrs([]*schema.Attribute{schema.Common.Attr(name)})...)
		}
	}
	c.Core = &core
	c.Extensions = make([]*schema.Schema, len(rt.Extensions))
	for i, ext := range rt.Extensions {
		e := *ext
		e.Attributes = attrs(ext.Attributes)
		c.Extensions[i] = &e
	}
	return &c
}

// isScimType reports whether err is a SCIM error of that scimType.
func isScimType(err error, scimType string) bool {
	var e *scimerror.Error
	return errors.As(err, &e) && e.ScimType == scimType
}

// ProviderPolicy returns inner (which may be nil) with the write switches
// of set applied before it: they change what the provider is about to
// store before the account's rules see it.
func ProviderPolicy(set *Set, inner provider.Policy) provider.Policy {
	return &providerPolicy{inner: inner, set: set}
}

type providerPolicy struct {
	inner provider.Policy
	set   *Set
}

func (p *providerPolicy) Admit(ctx context.Context, c *provider.Change) error {
	if c.Op == "replace" && p.set.On(PutRefusesReadonly) {
		if err := refuseReadOnly(c.Type, c.Body); err != nil {
			return err
		}
	}
	if (c.Op == "create" || c.Op == "replace") && c.Type.Name == "Group" && p.set.On(KeepGroupDescription) {
		// The schema has no Group description, so normalisation dropped
		// it: copy it from the request.
		if d, ok := c.Body["description"].(string); ok {
			c.Next["description"] = d
		}
	}
	if c.Op == "replace" && c.Type.Name == "User" && p.set.On(PutIgnoresActive) {
		// The body's active is not applied.
		if a, ok := c.Current["active"]; ok {
			c.Next["active"] = a
		} else {
			delete(c.Next, "active")
		}
	}
	if c.Op == "replace" && p.set.On(PutMerges) {
		// What the PUT left out stays.
		for k, v := range c.Current {
			if _, ok := c.Next[k]; !ok {
				c.Next[k] = v
			}
		}
	}
	if p.inner == nil {
		return nil
	}
	return p.inner.Admit(ctx, c)
}

// refuseReadOnly refuses a PUT body that carries a readOnly attribute
// (put-refuses-readonly), where RFC 7644 section 3.5.1 ignores it: "id"
// and "meta" of a body read back by GET, a User's "groups".
func refuseReadOnly(rt *schema.ResourceType, body map[string]any) error {
	for _, k := range slices.Sorted(maps.Keys(body)) {
		a := rt.Core.Attr(k)
		if a == nil {
			a = schema.Common.Attr(k)
		}
		if a != nil && a.Mutability == schema.ReadOnly {
			return scimerror.BadRequest(scimerror.Mutability, "%s is readOnly: a PUT may not carry it", a.Name)
		}
	}
	return nil
}

// Required returns the provider's required-attribute check with
// active-optional applied: a User without active passes (and is stored
// without it).
func Required(set *Set) func(rt *schema.ResourceType, doc map[string]any) error {
	return func(rt *schema.ResourceType, doc map[string]any) error {
		if rt.Name == "User" && set.On(ActiveOptional) {
			if _, ok := doc["active"]; !ok {
				doc = maps.Clone(doc)
				doc["active"] = true
			}
		}
		return rt.CheckRequired(doc)
	}
}
