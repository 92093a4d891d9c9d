package patch

import (
	"errors"
	"fmt"
	"strings"

	"github.com/scimconf/scimconf/server/internal/engine/filter"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// work is one Apply in progress. doc is a private top level (see
// shallowDoc); every attribute value reachable from it may be shared with
// the caller's document, so changes build new slices and maps and store
// them with set.
type work struct {
	rt  *schema.ResourceType
	doc map[string]any
	// d hears of the IdP dialects the operations use (package doc);
	// nil accepts them all.
	d *schema.Dialect
}

// target is what one operation (or one key of a path-less value) aims at.
type target struct {
	ref  schema.AttrRef
	flt  *filter.ElementFilter // nil when the path has no value filter
	expr filter.Expr           // the filter as parsed, to describe a new value
	// name is the path for error details, canonical (URN-qualified for an
	// extension) with the filter as the client wrote it.
	name string
	// loose marks a key of a path-less value object, where a readOnly
	// attribute sent with its current value is ignored, not refused.
	loose bool
}

func (w *work) apply(op Operation) error {
	kind, err := checkOp(op)
	if err != nil {
		return err
	}
	if err := opQuirks(op, w.d); err != nil {
		return err
	}
	if op.Path == "" {
		return w.pathless(kind, op.Value)
	}
	if ext := w.rt.Extension(strings.TrimSpace(op.Path)); ext != nil {
		// The path is a whole extension: its value holds the extension's
		// attributes, as the same key of a path-less value would.
		if kind != "remove" {
			return w.pathless(kind, map[string]any{ext.ID: op.Value})
		}
		for _, a := range ext.Attributes {
			t := target{ref: schema.AttrRef{Schema: ext, Attr: a, Extension: true}, name: ext.ID + ":" + a.Name}
			if a.Mutability == schema.ReadOnly || w.get(t.ref) == nil && !a.Required {
				continue
			}
			if err := w.do(kind, t, nil); err != nil {
				return err
			}
		}
		return nil
	}
	if w.outsideSchema(op.Path) {
		// DESIGN: attributes outside the supported set are accepted and
		// dropped, never a failure - in a path as in a body (Entra ID's
		// default mapping patches emails[type eq "work"].value, which the
		// dynatrace set does not have).
		return nil
	}
	t, err := w.bind(op.Path)
	if err != nil {
		return err
	}
	return w.do(kind, t, op.Value)
}

// outsideSchema reports whether a well-formed path names an attribute,
// sub-attribute or extension schema the resource type does not have. A
// malformed path, or an unknown name inside a value filter, is not
// "outside": bind refuses those with invalidPath.
func (w *work) outsideSchema(path string) bool {
	p, err := filter.ParsePath(path)
	if err != nil {
		return false
	}
	if _, err := w.rt.Resolve(p.Attr.URN, p.Attr.Name, ""); err != nil {
		return true
	}
	_, err = w.rt.Resolve(p.Attr.URN, p.Attr.Name, p.Attr.Sub)
	return err != nil
}

// bind parses and resolves a path. A syntax error is 400 invalidPath with
// the offset; an unknown attribute is BindPath's 400 invalidPath.
func (w *work) bind(path string) (target, error) {
	p, err := filter.ParsePath(path)
	if err != nil {
		var se *filter.SyntaxError
		if errors.As(err, &se) {
			return target{}, scimerror.BadRequest(scimerror.InvalidPath, "at offset %d: %s", se.Offset, se.Msg)
		}
		return target{}, scimerror.BadRequest(scimerror.InvalidPath, "path %q: %v", path, err)
	}
	bp, err := filter.BindPath(p, w.rt)
	if err != nil {
		var e *scimerror.Error
		if errors.As(err, &e) {
			return target{}, err
		}
		return target{}, scimerror.BadRequest(scimerror.InvalidPath, "path %q: %v", path, err)
	}
	t := target{ref: bp.Ref, flt: bp.Filter, expr: p.Filter, name: bp.Ref.String()}
	if t.ref.Attr == nil {
		return target{}, scimerror.BadRequest(scimerror.InvalidPath, "path %q names no attribute", path)
	}
	if p.Filter != nil && t.flt != nil {
		// Keep the filter in the name so the detail shows which values
		// were meant: "emails[type eq \"work\"].value".
		if i := strings.IndexByte(path, '['); i >= 0 {
			if j := strings.LastIndexByte(path, ']'); j > i {
				top := t.ref.Attr.Name
				if t.ref.Extension {
					top = t.ref.Schema.ID + ":" + top
				}
				t.name = top + path[i:j+1]
				if t.ref.Sub != nil {
					t.name += "." + t.ref.Sub.Name
				}
			}
		}
	}
	if t.flt != nil && !t.ref.Attr.MultiValued {
		return target{}, scimerror.BadRequest(scimerror.InvalidPath, "path %q: a value filter needs a multi-valued attribute, and %s is single-valued", path, t.ref.Attr.Name)
	}
	return t, nil
}

// pathless applies an "add" or "replace" without a path: each key of the
// value object is an attribute (plain, dotted, URN-qualified, or with a
// value filter) or an extension URN whose value holds that extension's
// attributes.
func (w *work) pathless(kind string, v any) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return scimerror.BadRequest(scimerror.InvalidValue, "without a \"path\", \"value\" must be a JSON object of attributes, not %s", kindOf(v))
	}
	for _, k := range sortedKeys(obj) {
		kv := obj[k]
		if strings.EqualFold(k, "schemas") {
			continue
		}
		if ext := w.rt.Extension(k); ext != nil {
			if kv == nil {
				continue
			}
			m, ok := kv.(map[string]any)
			if !ok {
				return scimerror.BadRequest(scimerror.InvalidValue, "%s must be a JSON object holding the extension's attributes, not %s", ext.ID, kindOf(kv))
			}
			for _, sk := range sortedKeys(m) {
				if err := w.key(kind, ext.ID+":"+sk, m[sk]); err != nil {
					return err
				}
			}
			continue
		}
		if err := w.keyQuirk(k); err != nil {
			return err
		}
		if err := w.key(kind, k, kv); err != nil {
			return err
		}
	}
	return nil
}

// keyQuirk reports a key of a path-less value that is an attribute path
// rather than an attribute name: a sub-attribute ("name.givenName"), a
// value filter, or a URN-qualified attribute. A URN key counts only when it
// names an attribute (an unknown extension's URN is just dropped).
func (w *work) keyQuirk(k string) error {
	p, err := filter.ParsePath(k)
	if err != nil {
		return nil
	}
	if p.Attr.Sub == "" && p.Filter == nil {
		if p.Attr.URN == "" {
			return nil
		}
		if _, err := w.bind(k); err != nil {
			return nil
		}
	}
	return w.d.Accept(schema.DottedPathKey, fmt.Sprintf("the path-less value has the key %q", k))
}

// key applies one key of a path-less value. Keys that name no attribute
// are accepted and dropped, as attributes outside the supported set are
// everywhere else.
func (w *work) key(kind, k string, v any) error {
	t, err := w.bind(k)
	if err != nil {
		return nil
	}
	t.loose = true
	if v == nil {
		if kind == "add" {
			return nil
		}
		kind = "remove"
	}
	return w.do(kind, t, v)
}

// do applies one operation to a bound target.
func (w *work) do(kind string, t target, v any) error {
	a := t.ref.Attr
	if a.Mutability == schema.ReadOnly || t.ref.Sub != nil && t.ref.Sub.Mutability == schema.ReadOnly {
		if t.loose && w.unchangedReadOnly(t, v) {
			// Ignored, but not RFC: Okta sends the group's own id in a
			// rename.
			q := schema.ReadOnlyInPatchValue
			if t.ref.Schema == schema.Common && strings.EqualFold(a.Name, "id") {
				q = schema.IDInPatchValue
			}
			return w.d.Accept(q, fmt.Sprintf("the path-less value holds the readOnly attribute %q", t.name))
		}
		return scimerror.BadRequest(scimerror.Mutability, "%s is readOnly: a client cannot %s it (RFC 7644 section 3.5.2)", t.name, kind)
	}
	switch {
	case t.flt != nil || a.MultiValued && t.ref.Sub != nil:
		return w.elements(kind, t, v)
	case t.ref.Sub != nil:
		return w.subAttr(kind, t, v)
	}
	return w.attr(kind, t, v)
}

// unchangedReadOnly reports whether a path-less key naming a readOnly
// attribute may be ignored: it holds the current value, or it is "id" or
// "meta", which the server keeps outside the document, and the document
// does not hold it.
func (w *work) unchangedReadOnly(t target, v any) bool {
	cur := w.get(t.ref)
	if t.ref.Sub != nil || t.flt != nil {
		// A readOnly sub-attribute in a path-less key ("members.display"):
		// only ignorable when the whole attribute is unassigned.
		return false
	}
	if cur == nil {
		return t.ref.Schema == schema.Common
	}
	c, err := coerce(t.ref.Attr, t.name, v, nil)
	if err != nil {
		return false
	}
	nv, err := schema.NormalizeValue(writable(t.ref.Attr), t.name, c)
	return err == nil && equalValues(t.ref.Attr, cur, nv)
}

func (w *work) get(ref schema.AttrRef) any { return ref.Get(w.doc) }

// set stores the attribute's new value; nil unassigns it, and an extension
// left with no attributes disappears.
func (w *work) set(ref schema.AttrRef, v any) {
	if unassigned(v) {
		c := ref.Container(w.doc, false)
		if c == nil {
			return
		}
		delete(c, ref.Attr.Name)
		if ref.Extension && len(c) == 0 {
			delete(w.doc, ref.Schema.ID)
		}
		return
	}
	ref.Container(w.doc, true)[ref.Attr.Name] = v
}

// attr handles a path naming a whole attribute: no filter, no
// sub-attribute.
func (w *work) attr(kind string, t target, v any) error {
	a := t.ref.Attr
	cur := w.get(t.ref)
	var next any
	switch kind {
	case "remove":
		if v != nil && a.MultiValued {
			var err error
			if next, err = removeValues(a, t.name, cur, v, w.d); err != nil {
				return err
			}
			break
		}
		if a.Required {
			return required(t.name)
		}
		if cur == nil {
			return nil
		}
		if a.Mutability == schema.Immutable {
			return immutable(t.name)
		}
	case "add":
		nv, err := normalize(a, t.name, v, w.d)
		if err != nil || nv == nil {
			return err
		}
		switch {
		case a.MultiValued:
			next = addValues(a, asList(cur), nv.([]any))
		case a.Type == schema.Complex:
			if next, err = mergeComplex(a, t.name, cur, nv); err != nil {
				return err
			}
		default:
			next = nv
		}
	default: // replace
		nv, err := normalize(a, t.name, v, w.d)
		if err != nil {
			return err
		}
		switch {
		case a.Type == schema.Complex && !a.MultiValued:
			// Section 3.5.2.3: the sub-attributes given replace theirs;
			// the others are left unchanged.
			if next, err = mergeComplex(a, t.name, cur, nv); err != nil {
				return err
			}
		default:
			next = nv
		}
	}
	if unassigned(next) && cur != nil && a.Required {
		return required(t.name)
	}
	if a.Mutability == schema.Immutable && cur != nil && !equalValues(a, cur, next) {
		return immutable(t.name)
	}
	w.set(t.ref, next)
	return nil
}

// subAttr handles "name.givenName": a sub-attribute of a single-valued
// complex attribute.
func (w *work) subAttr(kind string, t target, v any) error {
	a, s := t.ref.Attr, t.ref.Sub
	raw := w.get(t.ref)
	cur, _ := raw.(map[string]any)
	old := cur[s.Name]
	var nv any
	if kind == "remove" {
		if s.Required {
			return required(t.name)
		}
	} else {
		c, err := coerce(s, t.name, v, w.d)
		if err != nil {
			return err
		}
		if nv, err = schema.NormalizeValue(s, t.name, c); err != nil {
			return err
		}
		if nv == nil && kind == "add" {
			return nil
		}
	}
	if old == nil && nv == nil {
		return nil
	}
	if old != nil && s.Mutability == schema.Immutable && !equalValues(s, old, nv) {
		return immutable(t.name)
	}
	next := cloneMap(cur)
	if nv == nil {
		delete(next, s.Name)
	} else {
		next[s.Name] = nv
	}
	var val any = next
	if len(next) == 0 {
		val = nil
		if a.Required {
			return required(a.Name)
		}
	}
	if a.Mutability == schema.Immutable && raw != nil && !equalValues(a, raw, val) {
		return immutable(a.Name)
	}
	w.set(t.ref, val)
	return nil
}

// elements handles a multi-valued attribute's values selected by a value
// filter (or, for "emails.display" without a filter, all of them), with or
// without a sub-attribute after the filter.
func (w *work) elements(kind string, t target, v any) error {
	a, s := t.ref.Attr, t.ref.Sub
	if a.Type != schema.Complex {
		return scimerror.BadRequest(scimerror.InvalidPath, "%s: a value filter or sub-attribute needs a complex attribute", t.name)
	}
	cur := asList(w.get(t.ref))
	var matched []int
	for i, e := range cur {
		if t.flt == nil || t.flt.Match(e) {
			matched = append(matched, i)
		}
	}
	if kind == "remove" {
		return w.removeElements(t, cur, matched)
	}

	// add or replace: the new sub-attribute value, or the object whose
	// sub-attributes replace those of each matched value.
	var sv any
	var obj map[string]any
	var err error
	if s != nil {
		var c any
		if c, err = coerce(s, t.name, v, w.d); err != nil {
			return err
		}
		if sv, err = schema.NormalizeValue(s, t.name, c); err != nil {
			return err
		}
	} else {
		if obj, err = elementObject(a, t.name, v, w.d); err != nil {
			return err
		}
	}

	if len(matched) == 0 {
		if kind == "replace" && len(cur) > 0 {
			return scimerror.BadRequest(scimerror.NoTarget, "no value of %s matches %s (RFC 7644 section 3.5.2.3)", a.Name, t.name)
		}
		return w.addElement(t, cur, sv, obj)
	}

	// Section 3.5.2: a value made primary takes the flag from the others;
	// one operation making several values primary is contradictory.
	if setsPrimary := s != nil && s.Name == "primary" && sv == true || s == nil && obj["primary"] == true; setsPrimary && len(matched) > 1 && a.HasPrimary() {
		return scimerror.BadRequest(scimerror.InvalidValue, "%s matches %d values of %s and would make them all primary; at most one may be (RFC 7643 section 2.4)", t.name, len(matched), a.Name)
	}
	next := make([]any, 0, len(cur))
	next = append(next, cur...)
	for _, i := range matched {
		old, _ := cur[i].(map[string]any)
		e := cloneMap(old)
		if s != nil {
			if err := setSub(s, t.name, e, sv); err != nil {
				return err
			}
		} else {
			for k, nv := range obj {
				if err := setSub(a.Sub(k), t.name, e, nv); err != nil {
					return err
				}
			}
		}
		next[i] = e
		if e["primary"] == true {
			demote(a, next, i)
		}
	}
	out := compact(next)
	if len(out) == 0 && a.Required {
		return required(a.Name)
	}
	w.set(t.ref, out)
	return nil
}

// addElement adds the value an "add" (or a "replace" of an unassigned
// attribute) with a filter describes when nothing matches: the filter's
// "eq" clauses plus the value given.
func (w *work) addElement(t target, cur []any, sv any, obj map[string]any) error {
	a, s := t.ref.Attr, t.ref.Sub
	e := map[string]any{}
	if t.expr != nil && !seed(a, t.expr, e) {
		return scimerror.BadRequest(scimerror.NoTarget, "no value of %s matches %s, and the filter is not a set of \"eq\" clauses that could describe a new one", a.Name, t.name)
	}
	seeded := len(e)
	if s != nil {
		if sv == nil {
			return nil
		}
		e[s.Name] = sv
	} else {
		for k, v := range obj {
			e[k] = v
		}
	}
	if len(e) == seeded {
		return nil // nothing beyond what the filter says: no value to add
	}
	ne, err := schema.NormalizeSingle(a, t.name, e)
	if err != nil || ne == nil {
		return err
	}
	w.set(t.ref, addValues(a, cur, []any{ne}))
	return nil
}

// removeElements removes the matched values, or with a sub-attribute path
// that sub-attribute of each matched value.
func (w *work) removeElements(t target, cur []any, matched []int) error {
	a, s := t.ref.Attr, t.ref.Sub
	if len(matched) == 0 {
		return nil
	}
	if s != nil && s.Required {
		return required(t.name)
	}
	next := make([]any, 0, len(cur))
	next = append(next, cur...)
	for _, i := range matched {
		if s == nil {
			next[i] = nil
			continue
		}
		old, _ := cur[i].(map[string]any)
		if _, ok := old[s.Name]; !ok {
			continue
		}
		if s.Mutability == schema.Immutable {
			return immutable(t.name)
		}
		e := cloneMap(old)
		delete(e, s.Name)
		next[i] = e
	}
	out := compact(next)
	if len(out) == 0 && a.Required {
		return required(a.Name)
	}
	w.set(t.ref, out)
	return nil
}

// setSub sets sub-attribute s of the (private) element e to v, or removes
// it when v is nil, refusing to change an assigned immutable value.
func setSub(s *schema.Attribute, path string, e map[string]any, v any) error {
	if s == nil {
		return nil
	}
	old, had := e[s.Name]
	if had && s.Mutability == schema.Immutable && !equalValues(s, old, v) {
		return immutable(path + "." + s.Name)
	}
	if v == nil {
		delete(e, s.Name)
		return nil
	}
	e[s.Name] = v
	return nil
}

// seed adds the "eq" clauses of a value filter to e and reports whether
// the filter is nothing but such clauses joined by "and".
func seed(a *schema.Attribute, x filter.Expr, e map[string]any) bool {
	switch x := x.(type) {
	case *filter.LogicalExpr:
		return strings.EqualFold(x.Op, "and") && seed(a, x.Left, e) && seed(a, x.Right, e)
	case *filter.AttrExpr:
		if x.Op != filter.Eq || x.Value == nil {
			return false
		}
		name := x.Path.Name
		if x.Path.Sub != "" {
			if !strings.EqualFold(name, a.Name) {
				return false
			}
			name = x.Path.Sub
		}
		s := a.Sub(name)
		if s == nil || s.Mutability == schema.ReadOnly {
			return false
		}
		v, err := schema.NormalizeSingle(s, s.Name, x.Value)
		if err != nil || v == nil {
			return false
		}
		if old, ok := e[s.Name]; ok && !equalValues(s, old, v) {
			return false // "type eq "a" and type eq "b"" describes nothing
		}
		e[s.Name] = v
		return true
	}
	return false
}

// normalize checks v against a; a multi-valued attribute also takes a
// single value in place of an array (clients send {"value":"id"} alone).
func normalize(a *schema.Attribute, path string, v any, d *schema.Dialect) (any, error) {
	if _, isList := v.([]any); a.MultiValued && !isList && v != nil {
		v = []any{v}
	}
	c, err := coerce(a, path, v, d)
	if err != nil {
		return nil, err
	}
	return schema.NormalizeValue(a, path, c)
}

// coerce accepts two shapes Entra ID sends for otherwise well-typed values:
// "True" and "False" as strings for booleans, and a bare string for a
// single-valued complex attribute with a "value" sub-attribute
// ({"path":"urn:...:User:manager","value":"id"}). Anything else is left for
// schema.NormalizeValue to check. v is not modified. Each coercion is a
// quirk reported to d, which may refuse it.
func coerce(a *schema.Attribute, path string, v any, d *schema.Dialect) (any, error) {
	c, _, err := coerced(a, path, v, d)
	return c, err
}

// coerced is coerce, reporting whether anything changed so that arrays and
// objects are copied only when they must be. Booleans are coerced as in a
// body (Dialect.CoerceBooleans); the bare string for a complex value is
// PATCH's own shape: a value of path "manager".
func coerced(a *schema.Attribute, path string, v any, d *schema.Dialect) (any, bool, error) {
	if x, ok := v.(string); ok && a.Type == schema.Complex && !a.MultiValued && a.Sub("value") != nil {
		if err := d.Accept(schema.StringForComplex, fmt.Sprintf("%s is the string %q, not an object", path, x)); err != nil {
			return nil, false, err
		}
		return map[string]any{"value": x}, true, nil
	}
	return d.CoerceBooleans(a, path, v)
}

// elementObject checks the object that replaces sub-attributes of the
// matched values; a one-element array is taken for its element.
func elementObject(a *schema.Attribute, path string, v any, d *schema.Dialect) (map[string]any, error) {
	if l, ok := v.([]any); ok && len(l) == 1 {
		v = l[0]
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, scimerror.BadRequest(scimerror.InvalidValue, "%s selects values of %s: \"value\" must be a JSON object of its sub-attributes, not %s", path, a.Name, kindOf(v))
	}
	c, err := coerce(elementAttr(a), path, v.(map[string]any), d)
	if err != nil {
		return nil, err
	}
	nv, err := schema.NormalizeSingle(a, path, c)
	if err != nil {
		return nil, err
	}
	m, _ := nv.(map[string]any)
	return m, nil
}

// mergeComplex merges the sub-attributes of nv into the current value of
// single-valued complex attribute a.
func mergeComplex(a *schema.Attribute, path string, cur, nv any) (any, error) {
	add, _ := nv.(map[string]any)
	if len(add) == 0 {
		return cur, nil
	}
	old, _ := cur.(map[string]any)
	next := cloneMap(old)
	for k, v := range add {
		if err := setSub(a.Sub(k), path, next, v); err != nil {
			return nil, err
		}
	}
	if len(next) == 0 {
		return nil, nil
	}
	return next, nil
}

// unassigned reports whether v is no value: nil, or an empty array or
// object, typed or not.
func unassigned(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func required(name string) error {
	return scimerror.BadRequest(scimerror.Mutability, "%s is required: it cannot be removed or left unassigned (RFC 7644 section 3.5.2.2)", name)
}

func immutable(name string) error {
	return scimerror.BadRequest(scimerror.Mutability, "%s is immutable: it can be added while unassigned but not changed or removed (RFC 7644 section 3.5.2)", name)
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "a number"
}
