package schema

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// Quirk names one shape that identity providers send and RFC 7643/7644 do
// not define. The mock accepts each of them by default and records it, so
// a connector's author sees which non-RFC shapes their traffic relies on;
// a strict Dialect refuses them.
type Quirk string

// The quirks the mock knows, with who sends them. QuirkInfo has the RFC
// rule each one breaks.
const (
	// CapitalizedOp: a PATCH "op" of "Add", "Replace" or "Remove" (Entra
	// ID without aadOptscim062020).
	CapitalizedOp Quirk = "capitalized-op"
	// StringBoolean: "True" or "False" as a JSON string for a boolean
	// attribute (Entra ID: {"op":"Replace","path":"active","value":"False"}).
	StringBoolean Quirk = "string-boolean"
	// StringForComplex: a bare string for a single-valued complex
	// attribute with a "value" sub-attribute (Entra ID's manager).
	StringForComplex Quirk = "string-for-complex"
	// DottedPathKey: a key of a path-less PATCH value that is an attribute
	// path, not an attribute name: "name.givenName",
	// "emails[type eq \"work\"].value", or a URN-qualified attribute
	// (Entra ID with aadOptscim062020).
	DottedPathKey Quirk = "dotted-path-key"
	// RemoveWithValue: a "remove" of a multi-valued attribute with a
	// "value" listing what to remove instead of a value filter (Entra ID:
	// {"op":"Remove","path":"members","value":[{"value":"id"}]}).
	RemoveWithValue Quirk = "remove-with-value"
	// IDInPatchValue: the resource's own "id" inside a path-less PATCH
	// value (Okta's group rename).
	IDInPatchValue Quirk = "id-in-patch-value"
	// ReadOnlyInPatchValue: another readOnly attribute, holding its
	// current value, inside a path-less PATCH value.
	ReadOnlyInPatchValue Quirk = "readonly-in-patch-value"
	// ForeignSchemaURN: "schemas" lists a URI that is neither a schema of
	// the resource type nor a SCIM URN (Entra ID's
	// http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group).
	ForeignSchemaURN Quirk = "foreign-schema-urn"
	// MissingSchemas: a POST or PUT body without "schemas". No recorded IdP
	// omits it (the Entra ID and Okta recordings in fixtures/idp always send
	// the core schema); hand-written requests and generic SCIM libraries
	// do. Taken and named by default so that a curl session works and
	// shows what it relies on; refused under --strict.
	MissingSchemas Quirk = "missing-schemas"
	// PlusForSpace: a "+" for a space in the filter query parameter
	// (Entra ID: filter=userName+eq+%22...%22).
	PlusForSpace Quirk = "plus-for-space"
)

// QuirkInfo says what a quirk is, which RFC rule it departs from and the
// scimType a strict server refuses it with.
type QuirkInfo struct {
	Quirk    Quirk
	ScimType string
	// Rule is the RFC text the quirk departs from, with its section.
	Rule string
	// SentBy names the clients known to send it.
	SentBy string
}

// Quirks lists every known quirk.
func Quirks() []QuirkInfo { return slices.Clone(quirkInfo) }

var quirkInfo = []QuirkInfo{
	{CapitalizedOp, scimerror.InvalidSyntax, `RFC 7644 section 3.5.2: "op" is one of "add", "remove" or "replace"`, "Entra ID (default)"},
	{StringBoolean, scimerror.InvalidValue, `RFC 7643 section 2.3.2: a boolean is the JSON literal true or false, not a string`, "Entra ID (default)"},
	{StringForComplex, scimerror.InvalidValue, `RFC 7643 section 2.3.8: a complex attribute's value is a JSON object of its sub-attributes`, "Entra ID (manager)"},
	{DottedPathKey, scimerror.InvalidValue, `RFC 7644 section 3.5.2.3: without a "path", "value" holds attributes of the resource, not attribute paths`, "Entra ID (aadOptscim062020)"},
	{RemoveWithValue, scimerror.InvalidSyntax, `RFC 7644 section 3.5.2.2: "remove" selects values with a value filter in "path"; it takes no "value"`, "Entra ID (default)"},
	{IDInPatchValue, scimerror.Mutability, `RFC 7644 section 3.5.2: a client MUST NOT modify a readOnly attribute, and "id" is readOnly (RFC 7643 section 3.1)`, "Okta (group rename)"},
	{ReadOnlyInPatchValue, scimerror.Mutability, `RFC 7644 section 3.5.2: a client MUST NOT modify a readOnly attribute`, "Okta"},
	{ForeignSchemaURN, scimerror.InvalidValue, `RFC 7643 section 3: "schemas" lists the schemas the resource is built from`, "Entra ID (group create)"},
	{MissingSchemas, scimerror.InvalidValue, `RFC 7643 section 3: "The "schemas" attribute is a REQUIRED attribute"`, "no recorded IdP (hand-written requests, generic SCIM clients)"},
	{PlusForSpace, scimerror.InvalidFilter, `RFC 3986 section 2.2 and RFC 7644 section 3.4.2.2: "+" in a URI query is a literal plus; a space is %20`, "Entra ID"},
}

// Info returns what is known of q.
func (q Quirk) Info() QuirkInfo {
	for _, i := range quirkInfo {
		if i.Quirk == q {
			return i
		}
	}
	return QuirkInfo{Quirk: q, ScimType: scimerror.InvalidValue, Rule: "RFC 7644"}
}

// Dialect is one request's record of the quirks it used. The HTTP layer
// makes one per request, the protocol packages report to it, and the HTTP
// layer names what it recorded in a response header. A strict Dialect
// refuses every quirk instead of accepting it.
//
// A nil *Dialect accepts every quirk and records nothing. Methods are safe
// for concurrent use (a bulk request's operations share one).
type Dialect struct {
	// Strict refuses every quirk with a 400 naming it and the RFC rule.
	Strict bool
	// Refuse lists quirks refused although Strict is false: a server that
	// takes some IdP dialects and not others, as many do (the mock's
	// violation switches refuse-* each refuse one).
	Refuse []Quirk

	mu     sync.Mutex
	quirks []Quirk
}

// Accept records that the request used quirk q, described by detail (what
// exactly was sent, for a person to find it). It returns nil when q is
// accepted, and when d is strict a *scimerror.Error: 400 with the quirk's
// scimType, naming q, what was sent and the rule it breaks. The quirk is
// recorded either way, so a refusal's response names it too.
func (d *Dialect) Accept(q Quirk, detail string) error {
	if d == nil {
		return nil
	}
	d.mu.Lock()
	if !slices.Contains(d.quirks, q) {
		d.quirks = append(d.quirks, q)
	}
	d.mu.Unlock()
	refused := slices.Contains(d.Refuse, q)
	if !d.Strict && !refused {
		return nil
	}
	i := q.Info()
	if !d.Strict {
		return scimerror.BadRequest(i.ScimType, "%s (quirk %q, sent by %s), but %s; this server does not take this quirk", detail, q, i.SentBy, i.Rule)
	}
	return scimerror.BadRequest(i.ScimType, "%s (quirk %q, sent by %s), but %s. The mock runs with --strict and refuses this quirk; without --strict it accepts it", detail, q, i.SentBy, i.Rule)
}

// Recorded returns the quirks recorded so far, in the order first seen.
func (d *Dialect) Recorded() []Quirk {
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.quirks)
}

// String joins the recorded quirks with commas, as the response header
// carries them.
func (d *Dialect) String() string {
	q := d.Recorded()
	s := make([]string, len(q))
	for i, x := range q {
		s[i] = string(x)
	}
	return strings.Join(s, ",")
}

// CoerceBoolean returns v as a boolean when it is the string "true" or
// "false" in any case and d accepts quirk StringBoolean; path names the
// attribute for the error. Other values are returned unchanged.
func (d *Dialect) CoerceBoolean(path string, v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return v, nil
	}
	var b bool
	switch {
	case strings.EqualFold(s, "true"):
		b = true
	case strings.EqualFold(s, "false"):
	default:
		return v, nil
	}
	if err := d.Accept(StringBoolean, path+" is the string \""+s+"\""); err != nil {
		return nil, err
	}
	return b, nil
}

// NormalizeDialect is Normalize for a client that speaks an IdP dialect:
// it also takes "True"/"False" strings for booleans (Entra ID sends them)
// and a "schemas" value listing a foreign, non-URN schema URI (Entra ID's
// group schema), reporting each such quirk to d; a strict d refuses them.
// Normalize itself takes RFC 7643 types only.
func (rt *ResourceType) NormalizeDialect(in map[string]any, d *Dialect) (map[string]any, error) {
	if err := rt.checkSchemas(in, d); err != nil {
		return nil, err
	}
	c, err := rt.coerceBooleans(in, d)
	if err != nil {
		return nil, err
	}
	return rt.Normalize(c)
}

// checkSchemas checks a resource body's "schemas" (RFC 7643 section 3: "The
// "schemas" attribute is a REQUIRED attribute and is an array of Strings
// containing URIs [...]. All representations of SCIM schemas MUST include a
// non-empty array with value(s) of the URIs supported by that
// representation. The "schemas" attribute for a resource MUST only contain
// values defined as "schema" and "schemaExtensions" for the resource's
// defined "resourceType"."). Every refusal is 400 invalidValue, RFC 7644
// section 3.12 Table 9's "A required value was missing, or the value
// specified was not compatible with the operation or attribute type [...],
// or resource schema": the body is well-formed JSON (invalidSyntax is for a
// body that is not), its "schemas" value is wrong. Refused whatever the
// dialect, strict or not, because no IdP sends them (the Entra ID and Okta
// recordings under fixtures/idp always send the core schema): an empty or
// non-array "schemas", a non-string entry, a list without rt's
// core schema, and another resource type's core schema or a message URN
// (the Group schema on /Users). Three shapes stay accepted:
//   - a body without "schemas" is quirk MissingSchemas: hand-written
//     requests omit it; reported to d and refused when d is strict;
//   - an unknown SCIM extension URN (urn:ietf:params:scim:schemas:extension:...)
//     is the mock's "attribute outside the supported set": dropped, no
//     quirk (Entra ID sends the enterprise extension to the dynatrace set,
//     which has none);
//   - a URI that is no SCIM URN at all is quirk ForeignSchemaURN (Entra ID's
//     group schema), reported to d and refused when d is strict.
func (rt *ResourceType) checkSchemas(in map[string]any, d *Dialect) error {
	var v any
	found := false
	for k, x := range in {
		if strings.EqualFold(k, "schemas") {
			v, found = x, true
			break
		}
	}
	want := rt.Core.ID
	if !found {
		return d.Accept(MissingSchemas, fmt.Sprintf("the body has no \"schemas\"; send \"schemas\": [%q]", want))
	}
	list, ok := v.([]any)
	if !ok {
		return scimerror.BadRequest(scimerror.InvalidValue, "\"schemas\" must be an array of schema URIs such as [%q], not %s", want, jsonKind(v))
	}
	if len(list) == 0 {
		return scimerror.BadRequest(scimerror.InvalidValue, "\"schemas\" is empty; RFC 7643 section 3 asks for a non-empty array: send \"schemas\": [%q]", want)
	}
	core := false
	for i, e := range list {
		s, ok := e.(string)
		if !ok {
			return scimerror.BadRequest(scimerror.InvalidValue, "\"schemas\"[%d] must be a schema URI string, not %s", i, jsonKind(e))
		}
		lower := strings.ToLower(s)
		switch {
		case strings.EqualFold(s, want):
			core = true
		case rt.Extension(s) != nil, strings.HasPrefix(lower, "urn:ietf:params:scim:schemas:extension:"):
		case strings.HasPrefix(lower, "urn:ietf:params:scim:"):
			return scimerror.BadRequest(scimerror.InvalidValue, "\"schemas\" lists %s, which is no schema of %s (a %s is built from %s and its extensions); RFC 7643 section 3: \"schemas\" for a resource MUST only contain the schema and schema extensions of its resource type", s, rt.Name, rt.Name, want)
		default:
			if err := d.Accept(ForeignSchemaURN, "\"schemas\" lists "+s+", which is no schema of "+rt.Name); err != nil {
				return err
			}
		}
	}
	if !core {
		return scimerror.BadRequest(scimerror.InvalidValue, "\"schemas\" does not list %s, the core schema of %s; RFC 7643 section 3: \"schemas\" names the schemas the resource is built from", want, rt.Name)
	}
	return nil
}

// coerceBooleans returns in with "True"/"False" strings of boolean
// attributes (top level, extension, and sub-attributes of complex values)
// turned into booleans. in is not modified; the result shares what did not
// change.
func (rt *ResourceType) coerceBooleans(in map[string]any, d *Dialect) (map[string]any, error) {
	var out map[string]any
	set := func(k string, v any) {
		if out == nil {
			out = make(map[string]any, len(in))
			for k2, v2 := range in {
				out[k2] = v2
			}
		}
		out[k] = v
	}
	for k, v := range in {
		if ext := rt.Extension(k); ext != nil {
			m, ok := v.(map[string]any)
			if !ok {
				continue
			}
			var em map[string]any
			for sk, sv := range m {
				a := ext.Attr(sk)
				if a == nil {
					continue
				}
				c, changed, err := d.CoerceBooleans(a, ext.ID+":"+a.Name, sv)
				if err != nil {
					return nil, err
				}
				if changed {
					if em == nil {
						em = cloneTop(m)
					}
					em[sk] = c
				}
			}
			if em != nil {
				set(k, em)
			}
			continue
		}
		a := rt.Core.Attr(k)
		if a == nil {
			continue
		}
		c, changed, err := d.CoerceBooleans(a, a.Name, v)
		if err != nil {
			return nil, err
		}
		if changed {
			set(k, c)
		}
	}
	if out == nil {
		return in, nil
	}
	return out, nil
}

// CoerceBooleans is the one place that says where a boolean string may
// stand in a value of attribute a: for a boolean attribute, the value
// itself or, when a is multi-valued, each element; for a complex attribute,
// each boolean sub-attribute of the value (or of each element). Each such
// "true" or "false" (any case) is turned into a boolean by CoerceBoolean,
// which reports quirk StringBoolean to d. Bodies (NormalizeDialect) and
// PATCH values (package patch) both use it, so that POST, PUT and PATCH
// agree on what a boolean is. path names the attribute for errors. v is
// not modified; the result shares what did not change, and changed says
// whether anything did.
func (d *Dialect) CoerceBooleans(a *Attribute, path string, v any) (c any, changed bool, err error) {
	switch x := v.(type) {
	case string:
		if a.Type != Boolean {
			return v, false, nil
		}
		c, err := d.CoerceBoolean(path, x)
		if err != nil {
			return nil, false, err
		}
		_, still := c.(string)
		return c, !still, nil
	case []any:
		if !a.MultiValued {
			return v, false, nil
		}
		one := *a
		one.MultiValued = false
		var out []any
		for i, e := range x {
			c, changed, err := d.CoerceBooleans(&one, path, e)
			if err != nil {
				return nil, false, err
			}
			if changed {
				if out == nil {
					out = slices.Clone(x)
				}
				out[i] = c
			}
		}
		if out != nil {
			return out, true, nil
		}
	case map[string]any:
		if a.Type != Complex {
			return v, false, nil
		}
		var out map[string]any
		for k, sv := range x {
			s := a.Sub(k)
			if s == nil || s.Type != Boolean {
				continue
			}
			c, changed, err := d.CoerceBooleans(s, path+"."+s.Name, sv)
			if err != nil {
				return nil, false, err
			}
			if changed {
				if out == nil {
					out = cloneTop(x)
				}
				out[k] = c
			}
		}
		if out != nil {
			return out, true, nil
		}
	}
	return v, false, nil
}

func cloneTop(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
