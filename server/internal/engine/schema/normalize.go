package schema

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strings"
	"time"

	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// Normalize turns a client's resource body (as encoding/json decoded it,
// with or without UseNumber) into a canonical document (see the package
// doc). It follows RFC 7644 section 3.5.1 and the mock's decisions:
//   - id, meta and schemas are dropped: they are the server's;
//   - readOnly attributes are dropped ("SHALL be ignored");
//   - attributes and extension schemas outside rt are dropped, never a
//     failure;
//   - null and empty arrays mean unassigned and are dropped;
//   - a value of the wrong type is a 400 invalidValue naming the attribute;
//   - more than one primary value is a 400 invalidValue.
//
// Required attributes are not checked here (PATCH results are checked after
// the patch applies): call CheckRequired.
func (rt *ResourceType) Normalize(in map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range in {
		if strings.EqualFold(k, "schemas") || strings.EqualFold(k, "id") || strings.EqualFold(k, "meta") {
			continue
		}
		if ext := rt.Extension(k); ext != nil {
			m, ok := v.(map[string]any)
			if v == nil {
				continue
			}
			if !ok {
				return nil, scimerror.BadRequest(scimerror.InvalidValue, "%s must be a JSON object holding the extension's attributes", ext.ID)
			}
			em, err := normalizeAttrs(ext, ext.ID+":", m)
			if err != nil {
				return nil, err
			}
			if len(em) > 0 {
				out[ext.ID] = em
			}
			continue
		}
		a := rt.Core.Attr(k)
		if a == nil {
			a = Common.Attr(k)
		}
		if a == nil {
			continue // outside the supported set: accepted and dropped
		}
		if a.Mutability == ReadOnly {
			continue
		}
		nv, err := NormalizeValue(a, a.Name, v)
		if err != nil {
			return nil, err
		}
		if nv != nil {
			out[a.Name] = nv
		}
	}
	return out, nil
}

func normalizeAttrs(sc *Schema, prefix string, in map[string]any) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range in {
		a := sc.Attr(k)
		if a == nil || a.Mutability == ReadOnly {
			continue
		}
		nv, err := NormalizeValue(a, prefix+a.Name, v)
		if err != nil {
			return nil, err
		}
		if nv != nil {
			out[a.Name] = nv
		}
	}
	return out, nil
}

// NormalizeValue checks and canonicalises one value of attribute a (whose
// full path, for error details, is path). For a multi-valued attribute v
// must be an array; the result is nil when v is unassigned (null, empty
// array, or a complex value with nothing left in it). Read-only
// sub-attributes are dropped.
func NormalizeValue(a *Attribute, path string, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if a.MultiValued {
		arr, ok := v.([]any)
		if !ok {
			return nil, scimerror.BadRequest(scimerror.InvalidValue, "%s is multi-valued: its value must be a JSON array", path)
		}
		out := make([]any, 0, len(arr))
		primaries := 0
		for _, e := range arr {
			nv, err := NormalizeSingle(a, path, e)
			if err != nil {
				return nil, err
			}
			if nv == nil {
				continue
			}
			if m, ok := nv.(map[string]any); ok && m["primary"] == true {
				primaries++
			}
			out = append(out, nv)
		}
		if primaries > 1 {
			return nil, scimerror.BadRequest(scimerror.InvalidValue, "%s has %d values with \"primary\": true; at most one may be primary (RFC 7643 section 2.4)", path, primaries)
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	}
	return NormalizeSingle(a, path, v)
}

// NormalizeSingle checks one (non-array) value of a: a single value of a
// single-valued attribute or one element of a multi-valued one.
func NormalizeSingle(a *Attribute, path string, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	bad := func(want string) error {
		return scimerror.BadRequest(scimerror.InvalidValue, "%s must be %s, not %s", path, want, jsonKind(v))
	}
	switch a.Type {
	case Complex:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, bad("a JSON object")
		}
		out := map[string]any{}
		for k, sv := range m {
			s := a.Sub(k)
			if s == nil || s.Mutability == ReadOnly {
				continue
			}
			nv, err := NormalizeValue(s, path+"."+s.Name, sv)
			if err != nil {
				return nil, err
			}
			if nv != nil {
				out[s.Name] = nv
			}
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	case String, Reference:
		s, ok := v.(string)
		if !ok {
			return nil, bad("a string")
		}
		return s, nil
	case Binary:
		s, ok := v.(string)
		if !ok {
			return nil, bad("a base64 string")
		}
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			if _, err2 := base64.RawStdEncoding.DecodeString(s); err2 != nil {
				return nil, scimerror.BadRequest(scimerror.InvalidValue, "%s must be base64-encoded binary: %v", path, err)
			}
		}
		return s, nil
	case Boolean:
		b, ok := v.(bool)
		if !ok {
			return nil, bad("true or false")
		}
		return b, nil
	case DateTime:
		s, ok := v.(string)
		if !ok {
			return nil, bad("a dateTime string")
		}
		if _, err := ParseDateTime(s); err != nil {
			return nil, scimerror.BadRequest(scimerror.InvalidValue, "%s must be an xsd:dateTime such as 2008-01-23T04:56:22Z, not %q", path, s)
		}
		return s, nil
	case Integer:
		f, ok := Number(v)
		if !ok {
			return nil, bad("an integer")
		}
		if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return nil, scimerror.BadRequest(scimerror.InvalidValue, "%s must be an integer, not %v", path, v)
		}
		return int64(f), nil
	case Decimal:
		f, ok := Number(v)
		if !ok {
			return nil, bad("a number")
		}
		return f, nil
	}
	return v, nil
}

// ParseDateTime parses an xsd:dateTime as SCIM uses it (RFC 3339, with or
// without fractional seconds).
func ParseDateTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, s)
}

// Number returns a JSON number as encoding/json decodes it (float64, or
// json.Number with UseNumber) or as a canonical document holds it (int64,
// float64), or an int, as a float64; ok is false for anything else. It is
// the one number reader of the engine: normalisation and filter
// comparison both use it.
func Number(v any) (f float64, ok bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, json.Number, int64, int:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "null"
}

// CheckRequired returns a 400 invalidValue naming the first required
// attribute (or required sub-attribute of a present complex value) that doc
// lacks.
func (rt *ResourceType) CheckRequired(doc map[string]any) error {
	if err := checkRequired(rt.Core.Attributes, "", doc); err != nil {
		return err
	}
	for i, ext := range rt.Extensions {
		m, _ := doc[ext.ID].(map[string]any)
		if m == nil {
			if rt.ExtensionRequired[i] {
				return scimerror.BadRequest(scimerror.InvalidValue, "extension %s is required", ext.ID)
			}
			continue
		}
		if err := checkRequired(ext.Attributes, ext.ID+":", m); err != nil {
			return err
		}
	}
	return nil
}

func checkRequired(attrs []*Attribute, prefix string, doc map[string]any) error {
	for _, a := range attrs {
		if a.Mutability == ReadOnly {
			continue
		}
		v, ok := doc[a.Name]
		if !ok || v == nil {
			if a.Required {
				return scimerror.BadRequest(scimerror.InvalidValue, "%s%s is required", prefix, a.Name)
			}
			continue
		}
		if s, ok := v.(string); ok && s == "" && a.Required && a.NonEmpty {
			return scimerror.BadRequest(scimerror.InvalidValue, "%s%s is required and must not be empty", prefix, a.Name)
		}
		if a.Type != Complex {
			continue
		}
		var elems []any
		if a.MultiValued {
			elems, _ = v.([]any)
		} else {
			elems = []any{v}
		}
		for _, e := range elems {
			m, _ := e.(map[string]any)
			for _, s := range a.SubAttributes {
				if s.Required && s.Mutability != ReadOnly && m[s.Name] == nil {
					return scimerror.BadRequest(scimerror.InvalidValue, "%s%s.%s is required", prefix, a.Name, s.Name)
				}
			}
		}
	}
	return nil
}
