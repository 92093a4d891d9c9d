// Package discovery owns the documents of SCIM's discovery endpoints (RFC
// 7644 section 4): /ServiceProviderConfig (RFC 7643 section 5, with RFC
// 9865 section 4's "pagination"), /ResourceTypes (RFC 7643 section 6) and
// /Schemas (RFC 7643 section 7). It builds them as plain documents
// (map[string]any, []any, string, bool, int) from a Config and from package
// schema's values, so what the server declares is what it enforces.
//
// It does not serve them: listing, filtering (the RFC says the discovery
// endpoints need not support it) and HTTP are the caller's.
//
// Choices where the RFCs are open:
//   - The ServiceProviderConfig has no "id" (RFC 7643 section 5: not
//     required for it) and one authentication scheme, "oauthbearertoken",
//     marked primary, as section 8.5's example marks its first scheme.
//   - "bulk.maxOperations", "bulk.maxPayloadSize" and "filter.maxResults"
//     are always present, as section 5 marks them REQUIRED, even when the
//     feature is not supported.
//   - "pagination" is always present: index paging is always supported
//     and is the default method (RFC 9865 section 4 asks providers that
//     already page by index to keep index as the default); "cursor" says
//     whether cursors are. Page sizes and "cursorTimeout" are "positive
//     integers", so they are left out when not positive; "cursorTimeout" is
//     also left out when cursors are not supported.
//   - "schemaExtensions" is left out of a resource type without extensions,
//     as section 8.6's Group example does; "description", "canonicalValues",
//     "referenceTypes" and "subAttributes" are left out of an attribute when
//     empty. Every other characteristic of section 7 is always written, so a
//     client need not know the defaults.
package discovery

import "github.com/scimconf/scimconf/server/internal/engine/schema"

// Schema URNs of the discovery documents (RFC 7643 section 8.7.2).
const (
	ServiceProviderConfigURN = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	ResourceTypeURN          = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	SchemaURN                = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

// Config is what a server declares in its ServiceProviderConfig: the
// "supported" flag of each feature of RFC 7643 section 5 and its limits.
type Config struct {
	Patch, Bulk, Filter, ChangePassword, Sort, ETag bool

	BulkMaxOperations  int // bulk.maxOperations
	BulkMaxPayloadSize int // bulk.maxPayloadSize, in bytes
	FilterMaxResults   int // filter.maxResults

	// Cursor says whether cursor paging (RFC 9865) is supported; index
	// paging always is.
	Cursor bool
	// CursorTimeout is pagination.cursorTimeout in seconds; zero leaves it
	// out (RFC 9865: no static timeout).
	CursorTimeout int
	// DefaultPageSize and MaxPageSize are pagination.defaultPageSize and
	// pagination.maxPageSize; zero means FilterMaxResults, which is what a
	// list without "count" returns and the most any list returns.
	DefaultPageSize, MaxPageSize int

	// DocumentationURI is the top-level documentationUri; empty leaves it
	// out.
	DocumentationURI string
	// AuthDescription is the description of the bearer token scheme; empty
	// gives RFC 7643 section 8.5's wording.
	AuthDescription string
}

// ServiceProviderConfig renders the ServiceProviderConfig document of c;
// location is its meta.location.
func ServiceProviderConfig(c Config, location string) map[string]any {
	supported := func(b bool) map[string]any { return map[string]any{"supported": b} }
	desc := c.AuthDescription
	if desc == "" {
		desc = "Authentication scheme using the OAuth Bearer Token Standard"
	}
	doc := map[string]any{
		"schemas": []any{ServiceProviderConfigURN},
		"patch":   supported(c.Patch),
		"bulk": map[string]any{
			"supported":      c.Bulk,
			"maxOperations":  c.BulkMaxOperations,
			"maxPayloadSize": c.BulkMaxPayloadSize,
		},
		"filter":         map[string]any{"supported": c.Filter, "maxResults": c.FilterMaxResults},
		"changePassword": supported(c.ChangePassword),
		"sort":           supported(c.Sort),
		"etag":           supported(c.ETag),
		"authenticationSchemes": []any{map[string]any{
			"type":        "oauthbearertoken",
			"name":        "OAuth Bearer Token",
			"description": desc,
			"specUri":     "https://www.rfc-editor.org/info/rfc6750",
			"primary":     true,
		}},
		"pagination": pagination(c),
		"meta":       map[string]any{"resourceType": "ServiceProviderConfig", "location": location},
	}
	if c.DocumentationURI != "" {
		doc["documentationUri"] = c.DocumentationURI
	}
	return doc
}

// pagination renders RFC 9865 section 4's "pagination" attribute.
func pagination(c Config) map[string]any {
	p := map[string]any{
		"cursor":                  c.Cursor,
		"index":                   true,
		"defaultPaginationMethod": "index",
	}
	maxPage := c.MaxPageSize
	if maxPage == 0 {
		maxPage = c.FilterMaxResults
	}
	defPage := c.DefaultPageSize
	if defPage == 0 {
		defPage = maxPage
	}
	if defPage > 0 {
		p["defaultPageSize"] = defPage
	}
	if maxPage > 0 {
		p["maxPageSize"] = maxPage
	}
	if c.Cursor && c.CursorTimeout > 0 {
		p["cursorTimeout"] = c.CursorTimeout
	}
	return p
}

// ResourceType renders the ResourceType document of rt (RFC 7643 section
// 6); location is its meta.location.
func ResourceType(rt *schema.ResourceType, location string) map[string]any {
	doc := map[string]any{
		"schemas":  []any{ResourceTypeURN},
		"id":       rt.ID,
		"name":     rt.Name,
		"endpoint": rt.Endpoint,
		"schema":   rt.Core.ID,
		"meta":     map[string]any{"resourceType": "ResourceType", "location": location},
	}
	if rt.Description != "" {
		doc["description"] = rt.Description
	}
	if len(rt.Extensions) > 0 {
		exts := make([]any, len(rt.Extensions))
		for i, e := range rt.Extensions {
			required := i < len(rt.ExtensionRequired) && rt.ExtensionRequired[i]
			exts[i] = map[string]any{"schema": e.ID, "required": required}
		}
		doc["schemaExtensions"] = exts
	}
	return doc
}

// Schema renders the Schema document of s (RFC 7643 section 7): every
// characteristic of every attribute and sub-attribute. location is its
// meta.location.
func Schema(s *schema.Schema, location string) map[string]any {
	return map[string]any{
		"schemas":     []any{SchemaURN},
		"id":          s.ID,
		"name":        s.Name,
		"description": s.Description,
		"attributes":  attributes(s.Attributes),
		"meta":        map[string]any{"resourceType": "Schema", "location": location},
	}
}

func attributes(attrs []*schema.Attribute) []any {
	out := make([]any, len(attrs))
	for i, a := range attrs {
		out[i] = attribute(a)
	}
	return out
}

// attribute renders one attribute definition with RFC 7643 section 7's
// names, the same ones schema.Attribute's JSON tags carry.
func attribute(a *schema.Attribute) map[string]any {
	m := map[string]any{
		"name":        a.Name,
		"type":        string(a.Type),
		"multiValued": a.MultiValued,
		"required":    a.Required,
		"caseExact":   a.CaseExact,
		"mutability":  string(a.Mutability),
		"returned":    string(a.Returned),
		"uniqueness":  string(a.Uniqueness),
	}
	if a.Description != "" {
		m["description"] = a.Description
	}
	if len(a.CanonicalValues) > 0 {
		m["canonicalValues"] = anySlice(a.CanonicalValues)
	}
	if len(a.ReferenceTypes) > 0 {
		m["referenceTypes"] = anySlice(a.ReferenceTypes)
	}
	if len(a.SubAttributes) > 0 {
		m["subAttributes"] = attributes(a.SubAttributes)
	}
	return m
}

func anySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
