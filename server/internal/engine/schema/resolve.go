package schema

import (
	"fmt"
	"strings"
)

// Common holds the attributes every resource has (RFC 7643 section 3.1):
// id, externalId and meta. They are not part of any schema's /Schemas
// representation but can be filtered, sorted and projected like any other.
var Common = &Schema{
	ID:   "",
	Name: "Common",
	Attributes: []*Attribute{
		attr("id", String, caseExact, readOnly, returnedAlways, unique,
			desc("A unique identifier for a SCIM resource as defined by the service provider.")),
		attr("externalId", String, caseExact,
			desc("A String that is an identifier for the resource as defined by the provisioning client.")),
		complexAttr("meta", []*Attribute{
			attr("resourceType", String, caseExact, readOnly, desc("The name of the resource type of the resource.")),
			attr("created", DateTime, readOnly, desc("The DateTime that the resource was added to the service provider.")),
			attr("lastModified", DateTime, readOnly, desc("The most recent DateTime that the details of this resource were updated at the service provider.")),
			attr("location", Reference, caseExact, readOnly, desc("The URI of the resource being returned.")),
			attr("version", String, caseExact, readOnly, desc("The version of the resource being returned.")),
		}, readOnly, desc("A complex attribute containing resource metadata.")),
	},
}

// AttrRef is an attribute path resolved against a resource type: which
// schema defines it, the top-level attribute and, for a path like
// "name.givenName", the sub-attribute.
type AttrRef struct {
	// Schema is the defining schema: the core schema, an extension, or
	// Common for id, externalId and meta.
	Schema *Schema
	Attr   *Attribute
	// Sub is the sub-attribute, or nil when the path names Attr itself.
	Sub *Attribute
	// Extension is true when the attribute lives in an extension, under the
	// extension's URN in the document.
	Extension bool
}

// Leaf returns the attribute the path ends at: Sub if set, else Attr.
func (r AttrRef) Leaf() *Attribute {
	if r.Sub != nil {
		return r.Sub
	}
	return r.Attr
}

// String renders the canonical path, URN-qualified for extensions.
func (r AttrRef) String() string {
	s := r.Attr.Name
	if r.Sub != nil {
		s += "." + r.Sub.Name
	}
	if r.Extension {
		s = r.Schema.ID + ":" + s
	}
	return s
}

// Container returns the map in doc that holds the top-level attribute: doc
// itself, or the extension's map (nil when absent; created when create is
// true).
func (r AttrRef) Container(doc map[string]any, create bool) map[string]any {
	if !r.Extension {
		return doc
	}
	m, _ := doc[r.Schema.ID].(map[string]any)
	if m == nil && create {
		m = map[string]any{}
		doc[r.Schema.ID] = m
	}
	return m
}

// Get returns the top-level attribute's value in doc (nil when unassigned).
// It does not descend into Sub: for a multi-valued complex attribute the
// sub-attribute has one value per element, which callers handle.
func (r AttrRef) Get(doc map[string]any) any {
	c := r.Container(doc, false)
	if c == nil {
		return nil
	}
	return c[r.Attr.Name]
}

// Resolve finds the attribute named by an optional schema URN, a name and an
// optional sub-attribute name, case-insensitively, among the resource type's
// core schema, its extensions and the common attributes. An empty urn means
// the core schema or the common attributes. The error says what is unknown.
func (rt *ResourceType) Resolve(urn, name, sub string) (AttrRef, error) {
	var ref AttrRef
	switch {
	case urn == "" || strings.EqualFold(urn, rt.Core.ID):
		if a := rt.Core.Attr(name); a != nil {
			ref = AttrRef{Schema: rt.Core, Attr: a}
		} else if a := Common.Attr(name); a != nil {
			ref = AttrRef{Schema: Common, Attr: a}
		} else if urn == "" && rt.Extension(name) != nil {
			return ref, fmt.Errorf("%q is an extension schema, not an attribute; name one of its attributes as %q", name, name+":attribute")
		} else {
			return ref, fmt.Errorf("no attribute %q in resource type %s", name, rt.Name)
		}
	default:
		ext := rt.Extension(urn)
		if ext == nil {
			return ref, fmt.Errorf("schema %q is not a schema of resource type %s", urn, rt.Name)
		}
		a := ext.Attr(name)
		if a == nil {
			return ref, fmt.Errorf("no attribute %q in schema %s", name, ext.ID)
		}
		ref = AttrRef{Schema: ext, Attr: a, Extension: true}
	}
	if sub != "" {
		if ref.Attr.Type != Complex {
			return ref, fmt.Errorf("attribute %q has no sub-attributes", ref.Attr.Name)
		}
		s := ref.Attr.Sub(sub)
		if s == nil {
			return ref, fmt.Errorf("no sub-attribute %q in attribute %q", sub, ref.Attr.Name)
		}
		ref.Sub = s
	}
	return ref, nil
}

// ResolvePath resolves a plain attribute path of RFC 7644's grammar,
// "[URN ":"]ATTRNAME["."subAttr]", with no value filter. A URN is anything
// up to the last colon.
func (rt *ResourceType) ResolvePath(path string) (AttrRef, error) {
	urn, rest := SplitURN(path)
	name, sub, _ := strings.Cut(rest, ".")
	if name == "" {
		return AttrRef{}, fmt.Errorf("empty attribute name in path %q", path)
	}
	return rt.Resolve(urn, name, sub)
}

// SplitURN splits "urn:...:Schema:attr.sub" at the last colon into the URN
// and the attribute part. A path with no colon has an empty URN.
func SplitURN(path string) (urn, rest string) {
	i := strings.LastIndexByte(path, ':')
	if i < 0 {
		return "", path
	}
	return path[:i], path[i+1:]
}
