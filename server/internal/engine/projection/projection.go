// Package projection owns partial resource representations: RFC 7644
// section 3.9's "attributes" and "excludedAttributes" parameters (also the
// members of a POST /.search body, section 3.4.3) combined with RFC 7643
// section 7's "returned" characteristic. It decides which attributes of a
// rendered resource go into a response; it does not render resources, page
// lists or know about HTTP.
//
// New resolves the parameters against a resource type once, into a small
// per-attribute plan; Apply then only does map look-ups, so a list response
// of thousands of resources pays the parsing once.
//
// # Rules
//
//   - "schemas" and "id" are always returned; so is every attribute or
//     sub-attribute whose "returned" is "always", whatever either list says
//     ("excludedAttributes" SHALL have no effect on them, RFC 7644 section
//     3.9).
//   - "never" attributes (password) are never returned, even when named.
//   - "request" attributes are returned only when named in "attributes".
//   - "default" attributes are returned when "attributes" is absent and they
//     are not excluded, or when "attributes" names them.
//   - Naming a sub-attribute ("name.givenName", "emails.value") in
//     "attributes" returns that sub-attribute only (plus the parent's
//     "always" sub-attributes), in every value of a multi-valued attribute.
//     Excluding a sub-attribute removes only it.
//   - Naming a container, that is a complex attribute as a whole or a schema
//     URN alone ("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"),
//     names everything in it except "never" attributes: the client asked for
//     all of it, so "request" members come too. Excluding a container
//     excludes everything in it except "always" members.
//   - Complex values, multi-valued values and extension objects that
//     projection empties are left out, and "schemas" lists the core schema
//     and only the extensions whose objects remain (RFC 7643 section 3:
//     "schemas" names the schemas the returned representation uses).
//   - Keys of the document that the resource type does not define are not
//     returned.
//
// # Choices where the RFCs are open
//
//   - Both lists non-empty: RFC 7644 section 3.9 calls the two parameters
//     "mutually exclusive" and section 3.4.2.5 lets clients use "one of these
//     two", so New refuses the pair with 400 invalidValue (table 9 lists
//     invalidValue for GET and query requests; invalidSyntax is about request
//     bodies).
//   - An unknown attribute, sub-attribute or schema URN is a 400
//     invalidValue whose detail names the parameter and the name (not the
//     whole list of valid names, which would be too long to read). A value
//     filter ("emails[type eq \"work\"]") is not standard attribute notation
//     (section 3.10) and is refused the same way.
//   - "schemas" may be named in either list and has no effect. Empty
//     entries ("userName,,id" or a trailing comma) are skipped.
//   - "meta" is "default" (RFC 7643 section 3.1 gives it no "returned"), so
//     "attributes=userName" leaves meta out and "attributes=meta.lastModified"
//     keeps only that sub-attribute.
//   - RFC 7643 section 7 also returns a "request" attribute from PUT, POST
//     and PATCH when the client sent it; that depends on the request body,
//     not on these parameters, and is left to the caller.
package projection

import (
	"errors"
	"strings"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// Projection is the resolved form of one request's "attributes" and
// "excludedAttributes" for one resource type. It is immutable after New and
// safe for concurrent use.
//
// A nil *Projection knows no resource type: Apply returns a shallow copy of
// the document as it is and Includes reports true, so a nil value cannot
// drop "never" or "request" attributes. Call New with both lists empty for
// the default returns of a resource type.
type Projection struct {
	rt *schema.ResourceType
	// top holds the plans of the top-level attributes (common and core);
	// an attribute that is never returned has no entry.
	top []attrPlan
	// exts mirrors rt.Extensions; an extension none of whose attributes can
	// be returned has no entry.
	exts []extPlan
	// includes is keyed by canonical top-level name and by extension URN.
	includes map[string]bool
}

// attrPlan says how to project one attribute's value. subs nil means the
// value is returned whole; otherwise only the listed sub-attributes of each
// complex value are kept.
type attrPlan struct {
	name  string
	multi bool
	subs  []string
}

type extPlan struct {
	urn   string
	attrs []attrPlan
}

// selection is what one list says about one attribute.
type selection struct {
	whole bool
	subs  map[*schema.Attribute]bool
}

// list is one parsed parameter: the attributes it names and the schemas it
// names by URN alone.
type list struct {
	attrs   map[*schema.Attribute]*selection
	schemas map[*schema.Schema]bool
}

func (l *list) empty() bool { return len(l.attrs) == 0 && len(l.schemas) == 0 }

// New parses the "attributes" and "excludedAttributes" parameters for
// resource type rt. Each element of either slice may hold several
// comma-separated names (a query parameter's value) or one name (an element
// of a /.search body's array); spaces around names are ignored, names are
// compared case-insensitively and may be URN-qualified. The error is a 400
// invalidValue *scimerror.Error naming the offending parameter and name.
//
// New never returns a nil *Projection with a nil error.
func New(rt *schema.ResourceType, attributes, excludedAttributes []string) (*Projection, error) {
	if rt == nil || rt.Core == nil {
		return nil, errors.New("projection: no resource type given")
	}
	incl, err := parseList(rt, "attributes", attributes)
	if err != nil {
		return nil, err
	}
	excl, err := parseList(rt, "excludedAttributes", excludedAttributes)
	if err != nil {
		return nil, err
	}
	if !incl.empty() && !excl.empty() {
		return nil, scimerror.BadRequest(scimerror.InvalidValue,
			"attributes and excludedAttributes are mutually exclusive (RFC 7644 section 3.9): give one or the other, not both")
	}
	b := builder{core: rt.Core, incl: incl, excl: excl, attrsMode: !incl.empty()}
	p := &Projection{rt: rt, includes: map[string]bool{"schemas": true}}
	for _, a := range schema.Common.Attributes {
		b.add(&p.top, schema.Common, a)
	}
	for _, a := range rt.Core.Attributes {
		b.add(&p.top, rt.Core, a)
	}
	for _, ap := range p.top {
		p.includes[ap.name] = true
	}
	for _, ext := range rt.Extensions {
		e := extPlan{urn: ext.ID}
		for _, a := range ext.Attributes {
			b.add(&e.attrs, ext, a)
		}
		if len(e.attrs) > 0 {
			p.exts = append(p.exts, e)
			p.includes[ext.ID] = true
		}
	}
	return p, nil
}

func parseList(rt *schema.ResourceType, param string, values []string) (*list, error) {
	l := &list{attrs: map[*schema.Attribute]*selection{}, schemas: map[*schema.Schema]bool{}}
	for _, v := range values {
		for name := range strings.SplitSeq(v, ",") {
			name = strings.TrimSpace(name)
			if name == "" || strings.EqualFold(name, "schemas") {
				continue
			}
			if s := rt.Schema(name); s != nil {
				l.schemas[s] = true
				continue
			}
			ref, err := rt.ResolvePath(name)
			if err != nil {
				return nil, scimerror.BadRequest(scimerror.InvalidValue, "%s: %q is not an attribute of resource type %s: %v", param, name, rt.Name, err)
			}
			sel := l.attrs[ref.Attr]
			if sel == nil {
				sel = &selection{}
				l.attrs[ref.Attr] = sel
			}
			if ref.Sub == nil {
				sel.whole = true
				continue
			}
			if sel.subs == nil {
				sel.subs = map[*schema.Attribute]bool{}
			}
			sel.subs[ref.Sub] = true
		}
	}
	return l, nil
}

type builder struct {
	core       *schema.Schema
	incl, excl *list
	attrsMode  bool
}

// names reports whether l names schema s by its URN alone. The common
// attributes (id, externalId, meta) have no URN of their own: RFC 7643
// section 3.1 counts them as part of every core schema, so the core URN
// covers them.
func (b *builder) names(l *list, s *schema.Schema) bool {
	if s == schema.Common {
		s = b.core
	}
	return l.schemas[s]
}

// mode is how an attribute's sub-attributes are chosen once the attribute
// itself has been decided on.
type mode int

const (
	none      mode = iota // not returned: only its "always" sub-attributes
	named                 // named whole: every sub-attribute but "never" ones
	byDefault             // returned by default: "always" and "default" ones, less excluded ones
	subsOnly              // some sub-attributes named: those and the "always" ones
)

// add appends a's plan to plans, or nothing when no part of a can be
// returned.
func (b *builder) add(plans *[]attrPlan, s *schema.Schema, a *schema.Attribute) {
	if a.Returned == schema.Never {
		return
	}
	m := b.mode(s, a)
	if a.Type != schema.Complex || len(a.SubAttributes) == 0 {
		if m == none {
			return
		}
		*plans = append(*plans, attrPlan{name: a.Name, multi: a.MultiValued})
		return
	}
	inc, exc := b.incl.attrs[a], b.excl.attrs[a]
	var subs []string
	for _, sub := range a.SubAttributes {
		if keepSub(m, sub, inc, exc) {
			subs = append(subs, sub.Name)
		}
	}
	switch len(subs) {
	case 0:
		return
	case len(a.SubAttributes):
		subs = nil // every sub-attribute: the value goes out whole
	}
	*plans = append(*plans, attrPlan{name: a.Name, multi: a.MultiValued, subs: subs})
}

func (b *builder) mode(s *schema.Schema, a *schema.Attribute) mode {
	if b.attrsMode {
		inc := b.incl.attrs[a]
		switch {
		case inc != nil && inc.whole, b.names(b.incl, s):
			return named
		case inc != nil:
			return subsOnly
		case a.Returned == schema.Always:
			return byDefault
		}
		return none
	}
	switch {
	case a.Returned == schema.Always:
		return byDefault
	case a.Returned == schema.Request:
		return none
	case b.names(b.excl, s):
		return none
	case b.excl.attrs[a] != nil && b.excl.attrs[a].whole:
		return none
	}
	return byDefault
}

func keepSub(m mode, sub *schema.Attribute, inc, exc *selection) bool {
	switch {
	case sub.Returned == schema.Never:
		return false
	case sub.Returned == schema.Always:
		return true
	}
	switch m {
	case named:
		return true
	case byDefault:
		return sub.Returned == schema.Default && (exc == nil || !exc.subs[sub])
	case subsOnly:
		return inc.subs[sub]
	}
	return false
}

// Apply returns the representation of doc to send: a new top-level map
// holding "schemas", "id" and the attributes the projection returns. doc is
// a fully rendered resource in the canonical form of package schema (core
// attributes at the top level, extension attributes in a map under the
// extension's URN). Values returned whole are shared with doc, not copied;
// maps and arrays that lost sub-attributes are new. Apply does not change
// doc.
func (p *Projection) Apply(doc map[string]any) map[string]any {
	if p == nil {
		out := make(map[string]any, len(doc))
		for k, v := range doc {
			out[k] = v
		}
		return out
	}
	out := make(map[string]any, len(p.top)+len(p.exts)+1)
	projectInto(out, doc, p.top)
	for i := range p.exts {
		e := &p.exts[i]
		m, _ := doc[e.urn].(map[string]any)
		if len(m) == 0 {
			continue
		}
		em := make(map[string]any, len(e.attrs))
		projectInto(em, m, e.attrs)
		if len(em) > 0 {
			out[e.urn] = em
		}
	}
	out["schemas"] = p.rt.SchemaURNs(out)
	return out
}

func projectInto(out, in map[string]any, plans []attrPlan) {
	for i := range plans {
		pl := &plans[i]
		v, ok := in[pl.name]
		if !ok || v == nil {
			continue
		}
		if nv := pl.project(v); nv != nil {
			out[pl.name] = nv
		}
	}
}

// project returns v projected, or nil when nothing of it remains.
func (pl *attrPlan) project(v any) any {
	if pl.subs == nil {
		return v
	}
	if !pl.multi {
		m, _ := v.(map[string]any)
		if r := pl.projectComplex(m); r != nil {
			return r
		}
		return nil
	}
	arr, _ := v.([]any)
	var out []any
	for _, e := range arr {
		m, _ := e.(map[string]any)
		if r := pl.projectComplex(m); r != nil {
			if out == nil {
				out = make([]any, 0, len(arr))
			}
			out = append(out, r)
		}
	}
	if out == nil {
		return nil
	}
	return out
}

func (pl *attrPlan) projectComplex(m map[string]any) map[string]any {
	if len(m) == 0 {
		return nil
	}
	var out map[string]any
	for _, name := range pl.subs {
		if sv, ok := m[name]; ok && sv != nil {
			if out == nil {
				out = make(map[string]any, len(pl.subs))
			}
			out[name] = sv
		}
	}
	return out
}

// Includes reports whether the top-level attribute attr (its canonical
// name, such as "members", or an extension's URN) can appear in Apply's
// result at all, so that a caller can skip building a value that would be
// dropped, such as a 50,000-member list. "schemas" and "id" are always
// included. A nil *Projection includes everything.
func (p *Projection) Includes(attr string) bool {
	if p == nil {
		return true
	}
	if inc, ok := p.includes[attr]; ok {
		return inc
	}
	// Not the canonical spelling: fall back to a case-insensitive look-up,
	// which is rare and cheap at this size.
	for k, inc := range p.includes {
		if strings.EqualFold(k, attr) {
			return inc
		}
	}
	return false
}
