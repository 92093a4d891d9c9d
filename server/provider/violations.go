package provider

import (
	"context"
	"errors"
	"github.com/scimconf/scimconf/server/violation"
	"maps"
	"slices"
	"strings"

	"github.com/scimconf/scimconf/server/filter"
	"github.com/scimconf/scimconf/server/patch"
	"github.com/scimconf/scimconf/server/schema"
	"github.com/scimconf/scimconf/server/scimerror"
	"github.com/scimconf/scimconf/server/store"
)

// The service provider's violation switches (package violation) that need
// more than a condition where they apply. Each function names its switch;
// none runs unless its switch is on.

// dropWrongTypes removes from body every top-level attribute whose value
// does not fit its schema (violation drop-wrong-types), so that Normalize
// accepts what it should refuse.
func dropWrongTypes(rt *schema.ResourceType, body map[string]any) map[string]any {
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
	return out
}

// checkRequired is rt.CheckRequired, except that with violation
// active-optional a User without active passes.
func (p *Provider) checkRequired(rt *schema.ResourceType, doc map[string]any) error {
	if p.Violations.On(violation.ActiveOptional) && rt.Name == "User" {
		if _, ok := doc["active"]; !ok {
			doc = maps.Clone(doc)
			doc["active"] = true
		}
	}
	return rt.CheckRequired(doc)
}

// keepDescription copies a Group description from the request into the
// document that Normalize made without it (violation
// keep-group-description); render shows it again.
func (p *Provider) keepDescription(rt *schema.ResourceType, body, doc map[string]any) {
	if !p.Violations.On(violation.KeepGroupDescription) || rt.Name != "Group" {
		return
	}
	if d, ok := body["description"].(string); ok {
		doc["description"] = d
	}
}

// applyReadOnlyGroups makes the new User id a member of the groups listed
// in the request's readOnly "groups" (violation apply-readonly-groups).
func (p *Provider) applyReadOnlyGroups(ctx context.Context, rt *schema.ResourceType, body map[string]any, id string) {
	if !p.Violations.On(violation.ApplyReadonlyGroups) || rt.Name != "User" {
		return
	}
	grt := p.Set.ResourceType("Group")
	list, _ := body["groups"].([]any)
	for _, g := range list {
		m, _ := g.(map[string]any)
		gid, _ := m["value"].(string)
		if gid == "" || grt == nil {
			continue
		}
		p.Store.Update(ctx, grt, gid, func(_ *store.Resource, ms store.Members) (map[string]any, error) {
			return nil, ms.Add(store.Member{Value: id, Type: "User"})
		})
	}
}

// compileFilter parses and compiles a list filter; the violations
// filter-ignores-not and filter-ignores-caseexact change what it selects.
func (p *Provider) compileFilter(s string, rt *schema.ResourceType) (*filter.Filter, error) {
	if !p.Violations.On(violation.FilterIgnoresNot) && !p.Violations.On(violation.FilterIgnoresCaseexact) {
		return filter.ParseAndCompile(s, rt)
	}
	e, err := filter.Parse(s)
	if err != nil {
		return filter.ParseAndCompile(s, rt) // the engine's own error
	}
	if p.Violations.On(violation.FilterIgnoresNot) {
		e = dropNot(e)
	}
	if p.Violations.On(violation.FilterIgnoresCaseexact) {
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

// isUnknownAttrFilter reports whether s parses as a filter but names an
// attribute rt lacks (the case violation unknown-filter-attr-matches-nothing
// answers with an empty result).
func isUnknownAttrFilter(s string, rt *schema.ResourceType) bool {
	if s == "" {
		return false
	}
	if _, err := filter.Parse(s); err != nil {
		return false
	}
	_, err := filter.ParseAndCompile(s, rt)
	return err != nil
}

// isScimType reports whether err is a SCIM error of that scimType.
func isScimType(err error, scimType string) bool {
	var e *scimerror.Error
	return errors.As(err, &e) && e.ScimType == scimType
}

// patchOps rewrites a PATCH request's operations for the violations
// patch-filter-hits-all (value filters in paths are dropped),
// patch-ignores-remove (removes of anything but members are dropped) and
// notarget-ignored (a remove without a path is dropped).
func (p *Provider) patchOps(ops []patch.Operation) []patch.Operation {
	var out []patch.Operation
	for _, op := range ops {
		isRemove := strings.EqualFold(op.Op, "remove")
		if p.Violations.On(violation.NotargetIgnored) && isRemove && op.Path == "" {
			continue
		}
		if op.Path != "" {
			path, err := filter.ParsePath(op.Path)
			if err == nil && p.Violations.On(violation.PatchIgnoresRemove) && isRemove && !strings.EqualFold(path.Attr.Name, "members") {
				continue
			}
			if err == nil && path.Filter != nil && p.Violations.On(violation.PatchFilterHitsAll) && !strings.EqualFold(path.Attr.Name, "members") {
				path.Filter = nil
				op.Path = path.String()
			}
		}
		out = append(out, op)
	}
	return out
}

// applySkippingNoTarget applies ops one by one, skipping those that match
// nothing (violation notarget-ignored).
func applySkippingNoTarget(rt *schema.ResourceType, doc map[string]any, ops []patch.Operation) (map[string]any, error) {
	for _, op := range ops {
		next, err := patch.Apply(rt, doc, []patch.Operation{op})
		if isScimType(err, scimerror.NoTarget) {
			continue
		}
		if err != nil {
			return nil, err
		}
		doc = next
	}
	return doc, nil
}

// refuseReadOnly refuses a PUT body that carries a readOnly attribute
// (violation put-refuses-readonly), where RFC 7644 section 3.5.1 ignores
// it: "id" and "meta" of a body read back by GET, a User's "groups".
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
