// Package patch owns RFC 7644 section 3.5.2: the PatchOp request envelope
// and applying its "add", "remove" and "replace" operations to a canonical
// resource document (see package schema for the document's shape).
//
// Apply is plain data in, data out: it knows the schema (through
// schema.ResourceType) and the PATCH path grammar (through package filter),
// but nothing of HTTP, storage, ETags or the rules of a particular account.
// Required attributes of the whole result are the caller's to check
// (schema.ResourceType.CheckRequired), as are uniqueness and policy.
//
// # Decisions where RFC 7644 is silent or ambiguous
//
//   - Operation names are compared case-insensitively ("Replace", "ADD":
//     Entra ID sends them).
//   - "add" with a value filter that matches no value creates one, built
//     from the filter's equality clauses and the value:
//     {"op":"add","path":"emails[type eq \"work\"].value","value":"x"}
//     adds {"type":"work","value":"x"} (Entra ID's way to add an email). A
//     filter that is not a conjunction of "eq" clauses cannot describe a new
//     value, so that case is 400 noTarget.
//   - "replace" with a value filter that matches nothing is 400 noTarget
//     (section 3.5.2.3), except when the attribute has no value at all: then
//     the path names "an attribute that does not exist", which the same
//     section says to treat as "add".
//   - "remove" with a value filter that matches nothing succeeds and changes
//     nothing: section 3.5.2.2 asks for no error, and IdPs repeat removals.
//   - "remove" of a multi-valued attribute with a "value" but no filter
//     (Entra ID: {"op":"Remove","path":"members","value":[{"value":"id"}]})
//     removes only the given values, matched by their "value"
//     sub-attribute, not the whole attribute.
//   - A path to a sub-attribute of a multi-valued attribute without a
//     filter ("emails.display") applies to every value.
//   - "add" of a value equal to an existing one changes nothing
//     (section 3.5.2.1). For complex values with a "value" sub-attribute, a
//     new value whose "value" equals an existing one's and whose "type" does
//     not differ is that same value: sub-attributes it adds or changes are
//     merged into it instead of adding a duplicate member.
//   - Matched complex values given a whole object by "add" or "replace"
//     with a filter are merged: sub-attributes the object does not name are
//     kept (section 3.5.2.3's rule for complex attributes).
//   - Removing, or emptying, a required attribute is 400 mutability, as
//     section 3.5.2.2 says; so is modifying a readOnly attribute or an
//     assigned immutable one (section 3.5.2).
//   - In a path-less value object: "schemas" is ignored; keys that name no
//     attribute are accepted and dropped; a readOnly attribute whose value
//     equals the current one is ignored, and "id" and "meta", which the
//     server keeps outside the document, are ignored when the document does
//     not hold them (Okta sends the group's own "id" inside a rename).
//     Any other readOnly key is 400 mutability.
//   - A JSON null for a key of a path-less "replace" unassigns the attribute;
//     for a path-less "add" it is ignored.
//   - A well-formed path naming an attribute, sub-attribute or extension
//     the resource type does not have drops its operation: attributes
//     outside the supported set are accepted and dropped everywhere
//     (DESIGN). A malformed path, or an unknown name inside a value
//     filter, is 400 invalidPath.
//   - A path that is an extension's URN acts on the whole extension: its
//     value is an object of the extension's attributes; "remove" unassigns
//     them all.
//   - Entra ID's loose types are accepted: "True"/"False" strings for
//     booleans, and a bare string for a single-valued complex attribute with
//     a "value" sub-attribute (the manager), meaning {"value": string}.
//     Other wrong types are 400 invalidValue naming the attribute.
//   - A multi-valued attribute given a single value instead of an array
//     takes it as a one-value array.
//
// # IdP dialects
//
// The shapes above that RFC 7644 does not define (a capitalised op,
// "True"/"False" strings, a bare string for a complex value, an attribute
// path as a key of a path-less value, a remove with a value, the resource's
// own id or another unchanged readOnly attribute in a path-less value) are
// each reported to the *schema.Dialect given to ApplyDialect or
// ValidateDialect as a schema.Quirk. The dialect records them (the HTTP
// layer names them in a response header) or, when strict, refuses them
// with a 400 that names the quirk and the RFC rule.
package patch

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/scimconf/scimconf/server/internal/engine/filter"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// URN is the schema of a PATCH request body (RFC 7644 section 3.5.2).
const URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

// Operation is one element of a PatchOp's "Operations". Value is the JSON
// value as encoding/json decoded it (with or without UseNumber).
type Operation struct {
	Op    string `json:"op"`
	Path  string `json:"path,omitempty"`
	Value any    `json:"value,omitempty"`
}

// Request is a PatchOp request body.
type Request struct {
	Schemas    []string    `json:"schemas"`
	Operations []Operation `json:"Operations"`
}

// Validate checks the envelope before anything is applied: "schemas" holds
// URN, there is at least one operation, each "op" is add, remove or replace
// (any case), "remove" has a path and "add" and "replace" have a value.
// The error is a *scimerror.Error: 400 invalidSyntax for a malformed
// envelope or op, noTarget for a remove without a path, invalidValue for
// an add or replace without a value.
func (r *Request) Validate() error { return r.ValidateDialect(nil) }

// ValidateDialect is Validate that also reports the IdP dialects visible
// in the envelope (a capitalised op, a remove with a value) to d, which may
// refuse them (see package schema's Dialect).
func (r *Request) ValidateDialect(d *schema.Dialect) error {
	if r == nil {
		return scimerror.BadRequest(scimerror.InvalidSyntax, "empty PATCH request: send {\"schemas\":[%q],\"Operations\":[...]}", URN)
	}
	if !slices.ContainsFunc(r.Schemas, func(s string) bool { return strings.EqualFold(s, URN) }) {
		return scimerror.BadRequest(scimerror.InvalidSyntax, "\"schemas\" must contain %q (RFC 7644 section 3.5.2)", URN)
	}
	if len(r.Operations) == 0 {
		return scimerror.BadRequest(scimerror.InvalidSyntax, "\"Operations\" must hold at least one operation (RFC 7644 section 3.5.2)")
	}
	for i, op := range r.Operations {
		if _, err := checkOp(op); err != nil {
			return wrap(i, op, err)
		}
		if err := opQuirks(op, d); err != nil {
			return wrap(i, op, err)
		}
	}
	return nil
}

// opQuirks reports the dialects an operation's envelope shows: an op name
// that is not lower case (Entra ID's "Replace"), and a "remove" with a
// "value" and no value filter (Entra ID's member removal).
func opQuirks(op Operation, d *schema.Dialect) error {
	if op.Op != strings.ToLower(op.Op) {
		if err := d.Accept(schema.CapitalizedOp, fmt.Sprintf("\"op\" is %q", op.Op)); err != nil {
			return err
		}
	}
	if strings.EqualFold(op.Op, "remove") && op.Value != nil && !strings.Contains(op.Path, "[") {
		if err := d.Accept(schema.RemoveWithValue, fmt.Sprintf("\"remove\" of %q carries a \"value\"", op.Path)); err != nil {
			return err
		}
	}
	return nil
}

// checkOp returns op's name in lower case, or the error Validate reports.
func checkOp(op Operation) (string, error) {
	kind := strings.ToLower(op.Op)
	switch kind {
	case "add", "replace":
		if op.Value == nil {
			return "", scimerror.BadRequest(scimerror.InvalidValue, "%q needs a \"value\" (RFC 7644 section 3.5.2.1 and 3.5.2.3)", op.Op)
		}
	case "remove":
		if op.Path == "" {
			return "", scimerror.BadRequest(scimerror.NoTarget, "\"remove\" needs a \"path\" naming what to remove (RFC 7644 section 3.5.2.2)")
		}
	case "":
		return "", scimerror.BadRequest(scimerror.InvalidSyntax, "missing \"op\": use \"add\", \"remove\" or \"replace\"")
	default:
		return "", scimerror.BadRequest(scimerror.InvalidSyntax, "unknown op %q: use \"add\", \"remove\" or \"replace\"", op.Op)
	}
	return kind, nil
}

// wrap prefixes a SCIM error's detail with the operation it comes from, so
// a client sending twenty operations knows which one failed.
func wrap(i int, op Operation, err error) error {
	e := scimerror.From(err)
	where := fmt.Sprintf("Operations[%d] (%s", i, op.Op)
	if op.Path != "" {
		where += fmt.Sprintf(" %q", op.Path)
	}
	c := *e
	c.Detail = where + "): " + e.Detail
	return &c
}

// Apply applies ops in order to doc, a canonical document of resource type
// rt, and returns the new canonical document. doc is never modified, and
// the result shares unmodified values with it (treat both as read-only
// afterwards, or copy). The request is atomic (RFC 7644 section 3.5.2): if
// any operation fails, Apply returns its error, as a *scimerror.Error
// naming the operation, and no result.
//
// Apply does not run Validate's envelope checks but does check each
// operation the same way, so it is safe on unvalidated input.
func Apply(rt *schema.ResourceType, doc map[string]any, ops []Operation) (map[string]any, error) {
	return ApplyDialect(rt, doc, ops, nil)
}

// ApplyDialect is Apply that reports every IdP dialect the operations use
// (capitalised ops, "True"/"False" strings, dotted keys, a remove with a
// value, the resource's id in a value, ...) to d, which may refuse them
// (see package schema's Dialect). A nil d accepts them all, as Apply does.
func ApplyDialect(rt *schema.ResourceType, doc map[string]any, ops []Operation, d *schema.Dialect) (map[string]any, error) {
	if rt == nil || rt.Core == nil {
		return nil, scimerror.New(http.StatusInternalServerError, "", "patch: no resource type")
	}
	w := &work{rt: rt, doc: shallowDoc(rt, doc), d: d}
	for i, op := range ops {
		if err := w.apply(op); err != nil {
			return nil, wrap(i, op, err)
		}
	}
	return w.doc, nil
}

// shallowDoc copies doc's top level and its extension maps: the containers
// Apply writes attributes into. Attribute values are shared with doc and
// replaced, never changed in place.
func shallowDoc(rt *schema.ResourceType, doc map[string]any) map[string]any {
	out := make(map[string]any, len(doc)+1)
	for k, v := range doc {
		if m, ok := v.(map[string]any); ok && rt.Extension(k) != nil {
			v = cloneMap(m)
		}
		out[k] = v
	}
	return out
}

// Touches reports whether any of ops could change the top-level attribute
// attr ("members", or URN-qualified for an extension attribute): a path
// naming it, or a path-less value with a key naming it. Operations whose
// path does not parse or resolve touch nothing (Apply refuses them).
func Touches(rt *schema.ResourceType, ops []Operation, attr string) bool {
	if rt == nil || rt.Core == nil {
		return false
	}
	is := func(ref schema.AttrRef) bool {
		return strings.EqualFold(ref.Attr.Name, attr) || strings.EqualFold(ref.Schema.ID+":"+ref.Attr.Name, attr)
	}
	for _, op := range ops {
		if ext := rt.Extension(strings.TrimSpace(op.Path)); ext != nil {
			if ref, err := rt.Resolve(ext.ID, attr[strings.LastIndexByte(attr, ':')+1:], ""); err == nil && is(ref) {
				return true
			}
			continue
		}
		if op.Path != "" {
			if ref, ok := resolveTop(rt, op.Path); ok && is(ref) {
				return true
			}
			continue
		}
		obj, ok := op.Value.(map[string]any)
		if !ok {
			continue
		}
		for k, v := range obj {
			if ext := rt.Extension(k); ext != nil {
				m, _ := v.(map[string]any)
				for sk := range m {
					if ref, ok := resolveTop(rt, ext.ID+":"+sk); ok && is(ref) {
						return true
					}
				}
				continue
			}
			if ref, ok := resolveTop(rt, k); ok && is(ref) {
				return true
			}
		}
	}
	return false
}

// resolveTop resolves the top-level attribute a path names.
func resolveTop(rt *schema.ResourceType, path string) (schema.AttrRef, bool) {
	p, err := filter.ParsePath(path)
	if err != nil {
		return schema.AttrRef{}, false
	}
	ref, err := rt.Resolve(p.Attr.URN, p.Attr.Name, "")
	return ref, err == nil
}

// sortedKeys returns m's keys in order, so that a path-less value applies
// deterministically ("name" before "name.givenName") and reports the same
// error every time.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
