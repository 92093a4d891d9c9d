// Package schema owns the SCIM schema model of RFC 7643: attributes with
// their characteristics (section 2.2 and 7), schemas, resource types, and the
// two schema sets the mock can serve ("dynatrace" and "full").
//
// Everything else in the protocol core is driven by this data: the filter
// package resolves attribute names here, the patch package checks mutability
// here, projection reads "returned" here, and the store indexes the
// attributes whose uniqueness is "server". /Schemas and /ResourceTypes are
// rendered from the same values, so what the server declares is what it
// enforces.
//
// # Resource documents
//
// A resource is held as a document: map[string]any as encoding/json decodes
// it, after Normalize has made it canonical:
//   - keys carry the schema's spelling ("userName", never "USERNAME");
//   - core attributes sit at the top level, an extension's attributes in a
//     map under the extension's URN;
//   - values are string, bool, int64 (integer), float64 (decimal),
//     []any (multi-valued) and map[string]any (complex); dateTime values are
//     strings in RFC 3339 form;
//   - unassigned attributes are absent (no nulls, no empty arrays).
//
// "id", "meta" and "schemas" are the server's: Normalize drops them from
// client input, and the caller sets them on output.
//
// # IdP dialects
//
// dialect.go names the shapes identity providers send that RFC 7643/7644
// do not define (Quirk) and holds Dialect, one request's record of the
// quirks it used, which Normalize's sibling NormalizeDialect and package
// patch report to; a strict Dialect refuses them.
package schema

import "strings"

// Type is an attribute's data type (RFC 7643 section 2.3).
type Type string

const (
	String    Type = "string"
	Boolean   Type = "boolean"
	Decimal   Type = "decimal"
	Integer   Type = "integer"
	DateTime  Type = "dateTime"
	Binary    Type = "binary"
	Reference Type = "reference"
	Complex   Type = "complex"
)

// Mutability says whether and when a client may set an attribute.
type Mutability string

const (
	ReadOnly  Mutability = "readOnly"
	ReadWrite Mutability = "readWrite"
	Immutable Mutability = "immutable"
	WriteOnly Mutability = "writeOnly"
)

// Returned says when an attribute appears in a response.
type Returned string

const (
	Always  Returned = "always"
	Never   Returned = "never"
	Default Returned = "default"
	Request Returned = "request"
)

// Uniqueness says in which scope an attribute's value must be unique.
type Uniqueness string

const (
	None   Uniqueness = "none"
	Server Uniqueness = "server"
	Global Uniqueness = "global"
)

// Attribute is one attribute definition with every characteristic of RFC
// 7643 section 7. Zero values are not the RFC defaults: build attributes
// with the constructors in sets.go, which fill the defaults in.
type Attribute struct {
	Name            string       `json:"name"`
	Type            Type         `json:"type"`
	SubAttributes   []*Attribute `json:"subAttributes,omitempty"`
	MultiValued     bool         `json:"multiValued"`
	Description     string       `json:"description,omitempty"`
	Required        bool         `json:"required"`
	CanonicalValues []string     `json:"canonicalValues,omitempty"`
	CaseExact       bool         `json:"caseExact"`
	Mutability      Mutability   `json:"mutability"`
	Returned        Returned     `json:"returned"`
	Uniqueness      Uniqueness   `json:"uniqueness"`
	ReferenceTypes  []string     `json:"referenceTypes,omitempty"`
	// NonEmpty refuses the empty string as the value of a required string
	// attribute, where the RFC asks for a non-empty one: userName (RFC
	// 7643 section 4.1.1: "Each User MUST include a non-empty userName
	// value"). It is no characteristic of RFC 7643 section 7, so /Schemas
	// says it in the description only.
	NonEmpty bool `json:"-"`
}

// Sub returns the sub-attribute with the given name, compared
// case-insensitively, or nil.
func (a *Attribute) Sub(name string) *Attribute {
	return find(a.SubAttributes, name)
}

// HasPrimary reports whether a is a multi-valued complex attribute with a
// "primary" sub-attribute, to which RFC 7643 section 2.4's one-primary rule
// applies.
func (a *Attribute) HasPrimary() bool {
	return a.MultiValued && a.Type == Complex && a.Sub("primary") != nil
}

func find(attrs []*Attribute, name string) *Attribute {
	for _, a := range attrs {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

// Schema is one schema definition (RFC 7643 section 7).
type Schema struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Description string       `json:"description"`
	Attributes  []*Attribute `json:"attributes"`
}

// Attr returns the top-level attribute with the given name, compared
// case-insensitively, or nil.
func (s *Schema) Attr(name string) *Attribute { return find(s.Attributes, name) }

// Extension names a schema extension of a resource type.
type Extension struct {
	Schema   string `json:"schema"`
	Required bool   `json:"required"`
}

// ResourceType is a resource type (RFC 7643 section 6) with its schemas
// resolved.
type ResourceType struct {
	ID          string
	Name        string
	Endpoint    string
	Description string
	Core        *Schema
	Extensions  []*Schema
	// ExtensionRequired mirrors Extensions: whether each is required.
	ExtensionRequired []bool
}

// Extension returns the extension schema with the given URN, compared
// case-insensitively, or nil.
func (rt *ResourceType) Extension(urn string) *Schema {
	for _, s := range rt.Extensions {
		if strings.EqualFold(s.ID, urn) {
			return s
		}
	}
	return nil
}

// Schema returns the core or extension schema with the given URN, or nil.
func (rt *ResourceType) Schema(urn string) *Schema {
	if strings.EqualFold(rt.Core.ID, urn) {
		return rt.Core
	}
	return rt.Extension(urn)
}

// SchemaURNs returns the URNs of the core schema and of each extension that
// doc carries, in that order: the value of a response's "schemas".
func (rt *ResourceType) SchemaURNs(doc map[string]any) []any {
	out := []any{rt.Core.ID}
	for _, s := range rt.Extensions {
		if _, ok := doc[s.ID]; ok {
			out = append(out, s.ID)
		}
	}
	return out
}

// Set is a schema set: the resource types and schemas one server serves.
type Set struct {
	Name          string
	ResourceTypes []*ResourceType
	Schemas       []*Schema
}

// ResourceType returns the resource type with the given name ("User",
// "Group"), compared case-insensitively, or nil.
func (s *Set) ResourceType(name string) *ResourceType {
	for _, rt := range s.ResourceTypes {
		if strings.EqualFold(rt.Name, name) {
			return rt
		}
	}
	return nil
}

// Schema returns the schema with the given URN, or nil.
func (s *Set) Schema(urn string) *Schema {
	for _, sc := range s.Schemas {
		if strings.EqualFold(sc.ID, urn) {
			return sc
		}
	}
	return nil
}
