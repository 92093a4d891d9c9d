package rfc

import (
	"net/url"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// RFC 7644 section 4 and RFC 7643 sections 5 to 7: the three discovery
// endpoints describe the server, and what they describe holds.
var _ = Describe("Discovery", func() {
	It("GET /ServiceProviderConfig describes every feature with its schema", Label("RFC-DISCOVERY", scimtest.ReadOnlyLabel), func(ctx SpecContext) {
		r := T.Client.Get(ctx, "/ServiceProviderConfig")
		Expect(r).To(scimtest.HaveStatus(200))
		Expect(r.JSON).NotTo(BeNil(), "the body must be a JSON object:\n%s", r)
		Expect(scimtest.HasStringIn(r.JSON["schemas"], scimtest.ServiceProviderConfigURN)).To(BeTrue(),
			"RFC 7644 section 4: schemas must list %s:\n%s", scimtest.ServiceProviderConfigURN, r)
		// RFC 7643 section 5: each feature is a complex attribute whose
		// "supported" is a REQUIRED boolean.
		for _, feature := range []string{"patch", "bulk", "filter", "changePassword", "sort", "etag"} {
			Expect(scimtest.Path(r.JSON, feature)).To(BeAssignableToTypeOf(map[string]any{}),
				"RFC 7643 section 5: %q is a REQUIRED complex attribute:\n%s", feature, r)
			Expect(scimtest.Path(r.JSON, feature+".supported")).To(BeAssignableToTypeOf(true),
				"RFC 7643 section 5: %s.supported is a REQUIRED boolean:\n%s", feature, r)
		}
		for _, n := range []string{"bulk.maxOperations", "bulk.maxPayloadSize", "filter.maxResults"} {
			Expect(scimtest.Path(r.JSON, n)).To(BeAssignableToTypeOf(float64(0)),
				"RFC 7643 section 5: %s is a REQUIRED integer:\n%s", n, r)
		}
		schemes, _ := scimtest.Path(r.JSON, "authenticationSchemes").([]any)
		Expect(schemes).NotTo(BeEmpty(), "RFC 7643 section 5: authenticationSchemes is REQUIRED:\n%s", r)
		for _, s := range schemes {
			for _, k := range []string{"type", "name", "description"} {
				v, _ := scimtest.Path(s, k).(string)
				Expect(v).NotTo(BeEmpty(), "RFC 7643 section 5: every authentication scheme has a %q:\n%s", k, r)
			}
		}
	})

	It("GET /ResourceTypes lists User and Group with their endpoints and schemas", Label("RFC-DISCOVERY", scimtest.ReadOnlyLabel), func(ctx SpecContext) {
		r := T.Client.Get(ctx, "/ResourceTypes")
		Expect(r).To(scimtest.HaveStatus(200))
		Expect(scimtest.HasStringIn(r.JSON["schemas"], scimtest.ListURN)).To(BeTrue(),
			"RFC 7644 section 4: several resource types come as a ListResponse:\n%s", r)
		want := map[string][2]string{"User": {"/Users", scimtest.UserURN}, "Group": {"/Groups", scimtest.GroupURN}}
		seen := map[string]bool{}
		for _, rt := range r.Resources() {
			name, _ := rt["name"].(string)
			Expect(scimtest.HasStringIn(rt["schemas"], scimtest.ResourceTypeURN)).To(BeTrue(),
				"RFC 7643 section 6: resource type %q must list %s:\n%s", name, scimtest.ResourceTypeURN, r)
			w, ok := want[name]
			if !ok {
				continue
			}
			seen[name] = true
			// RFC 7643 section 6: "endpoint The resource type's
			// HTTP-addressable endpoint relative to the Base URL of the
			// service provider, e.g., "Users"": with or without the slash.
			Expect(rt["endpoint"]).To(BeElementOf(w[0], strings.TrimPrefix(w[0], "/")), "RFC 7643 section 6: resource type %s is served at %s (relative to the base URL):\n%s", name, w[0], r)
			Expect(rt["schema"]).To(Equal(w[1]), "RFC 7643 section 6: resource type %s has the core schema %s:\n%s", name, w[1], r)
		}
		Expect(seen).To(HaveKey("User"), "RFC 7644 section 4: /ResourceTypes must describe User:\n%s", r)
		Expect(seen).To(HaveKey("Group"), "RFC 7644 section 4: /ResourceTypes must describe Group:\n%s", r)
	})

	It("GET /ResourceTypes/{id} returns one resource type, not a list", Label("RFC-DISCOVERY", scimtest.ReadOnlyLabel), func(ctx SpecContext) {
		list := T.Client.Get(ctx, "/ResourceTypes")
		Expect(list).To(scimtest.HaveStatus(200))
		found := 0
		for _, rt := range list.Resources() {
			name, _ := rt["name"].(string)
			if name != "User" && name != "Group" {
				continue
			}
			found++
			id, _ := rt["id"].(string)
			if id == "" {
				id = name // RFC 7643 section 6: the id is optional and "often the same value as the name"
			}
			r := T.Client.Get(ctx, "/ResourceTypes/"+url.PathEscape(id))
			Expect(r).To(scimtest.HaveStatus(200))
			Expect(r.JSON["name"]).To(Equal(name), "RFC 7644 section 4: a single resource type is returned as the object itself:\n%s", r)
			Expect(r.JSON["endpoint"]).To(Equal(rt["endpoint"]), "the resource type read by id must match the list:\n%s", r)
			Expect(r.JSON["schema"]).To(Equal(rt["schema"]), "the resource type read by id must match the list:\n%s", r)
		}
		Expect(found).To(Equal(2), "User and Group must be listed:\n%s", list)
	})

	It("GET /Schemas describes User and Group with every attribute characteristic", Label("RFC-DISCOVERY", scimtest.ReadOnlyLabel), func(ctx SpecContext) {
		r := T.Client.Get(ctx, "/Schemas")
		Expect(r).To(scimtest.HaveStatus(200))
		Expect(scimtest.HasStringIn(r.JSON["schemas"], scimtest.ListURN)).To(BeTrue(),
			"RFC 7644 section 4: several schemas come as a ListResponse:\n%s", r)
		byID := map[string]map[string]any{}
		for _, s := range r.Resources() {
			id, _ := s["id"].(string)
			byID[id] = s
		}
		for _, urn := range []string{scimtest.UserURN, scimtest.GroupURN} {
			s, ok := byID[urn]
			Expect(ok).To(BeTrue(), "RFC 7644 section 4: /Schemas must describe %s:\n%s", urn, r)
			Expect(scimtest.HasStringIn(s["schemas"], scimtest.SchemaURN)).To(BeTrue(),
				"RFC 7643 section 7: schema %s must list %s:\n%s", urn, scimtest.SchemaURN, r)
			attrs, _ := s["attributes"].([]any)
			Expect(attrs).NotTo(BeEmpty(), "RFC 7643 section 7: schema %s has attributes:\n%s", urn, r)
			for _, a := range attrs {
				checkAttributeDefinition(urn, "", a, r)
			}
		}
		user := attributeNamed(byID[scimtest.UserURN], "userName")
		Expect(user).NotTo(BeNil(), "RFC 7643 section 4.1: the User schema has userName:\n%s", r)
		Expect(user["required"]).To(BeTrue(), "RFC 7643 section 4.1: userName is REQUIRED:\n%s", r)
		group := attributeNamed(byID[scimtest.GroupURN], "displayName")
		Expect(group).NotTo(BeNil(), "RFC 7643 section 4.2: the Group schema has displayName:\n%s", r)
	})

	It("GET /Schemas/{id} returns the schema the list gives", Label("RFC-DISCOVERY", scimtest.ReadOnlyLabel), func(ctx SpecContext) {
		list := T.Client.Get(ctx, "/Schemas")
		Expect(list).To(scimtest.HaveStatus(200))
		for _, urn := range []string{scimtest.UserURN, scimtest.GroupURN} {
			var fromList map[string]any
			for _, s := range list.Resources() {
				if s["id"] == urn {
					fromList = s
				}
			}
			Expect(fromList).NotTo(BeNil(), "/Schemas must list %s:\n%s", urn, list)
			r := T.Client.Get(ctx, "/Schemas/"+urn)
			Expect(r).To(scimtest.HaveStatus(200))
			Expect(r.JSON["id"]).To(Equal(urn), "RFC 7644 section 4: /Schemas/{id} returns that schema itself:\n%s", r)
			var names, listNames []string
			for _, a := range r.JSON["attributes"].([]any) {
				names = append(names, strings.ToLower(scimtest.Path(a, "name").(string)))
			}
			for _, a := range fromList["attributes"].([]any) {
				listNames = append(listNames, strings.ToLower(scimtest.Path(a, "name").(string)))
			}
			Expect(names).To(ConsistOf(listNames), "the schema read by id must have the attributes the list gives:\n%s", r)
		}
	})

	It("ignores paging on /Schemas and never applies a filter to discovery lists", Label("RFC-DISCOVERY", scimtest.ReadOnlyLabel), func(ctx SpecContext) {
		// RFC 7644 section 4: "Query parameters ... such as filtering,
		// sorting, and pagination, SHALL be ignored. If a filter is
		// provided, the service provider SHOULD respond with 403."
		r := T.Client.Get(ctx, "/Schemas"+scimtest.Query("count", "1", "startIndex", "2"))
		Expect(r).To(scimtest.HaveStatus(200))
		var ids []any
		for _, s := range r.Resources() {
			ids = append(ids, s["id"])
		}
		Expect(ids).To(ContainElements(scimtest.UserURN, scimtest.GroupURN),
			"RFC 7644 section 4: pagination SHALL be ignored on /Schemas:\n%s", r)

		f := T.Client.Get(ctx, "/ResourceTypes"+scimtest.Query("filter", `name eq "Group"`))
		if f.Status == 403 {
			Expect(f).To(scimtest.HaveSCIMError(403, ""))
			return
		}
		Expect(f).To(scimtest.HaveStatus(200))
		var names []any
		for _, rt := range f.Resources() {
			names = append(names, rt["name"])
		}
		Expect(names).To(ContainElements("User", "Group"),
			"RFC 7644 section 4: a filter on /ResourceTypes is refused with 403 or ignored, never applied:\n%s", f)
	})

	It("declares required attributes that are really required", Label("RFC-DISCOVERY"), func(ctx SpecContext) {
		// What /Schemas says must hold: a User without any one of its
		// required attributes is refused, and nothing is created.
		var required []string
		for path, a := range T.Caps.Attrs["User"] {
			if a.Required && a.Mutability != "readOnly" && !strings.Contains(path, ":") {
				required = append(required, path)
			}
		}
		slices.Sort(required)
		Expect(required).NotTo(BeEmpty(), "RFC 7643 section 4.1: userName is a required attribute of User")
		for _, path := range required {
			if parent, _, sub := strings.Cut(path, "."); sub {
				if a, ok := T.Caps.Attr("User", parent); ok && !a.Required {
					continue // a required sub-attribute of an optional complex attribute is required only when its parent is sent
				}
			}
			u := T.NewUser()
			deletePath(u, path)
			r := T.Create(ctx, "/Users", u)
			if id := r.Str("id"); r.Status == 201 && id != "" {
				T.CleanupLater("/Users/" + id)
			}
			Expect(r).To(scimtest.HaveSCIMError(0, ""),
				"/Schemas declares %q required, so a User without it must be refused (any 4xx: the 400 of RFC 7644 section 3.12 Table 8 describes, it does not demand)", path)
			if name, _ := u["userName"].(string); name != "" {
				Expect(T.CountWhere(ctx, "/Users", scimtest.EqFilter("userName", name))).To(Equal(0),
					"a refused create must create nothing (User without %q)", path)
			}
		}
	})
})

// checkAttributeDefinition checks one attribute definition of schema urn against
// RFC 7643 section 7, and its sub-attributes.
func checkAttributeDefinition(urn, prefix string, a any, r *scimtest.Response) {
	m, ok := a.(map[string]any)
	Expect(ok).To(BeTrue(), "RFC 7643 section 7: each attribute of %s is an object:\n%s", urn, r)
	name, _ := m["name"].(string)
	Expect(name).NotTo(BeEmpty(), "RFC 7643 section 7: every attribute of %s has a name:\n%s", urn, r)
	where := urn + " " + prefix + name
	// RFC 7643 section 2.2: "If not otherwise stated in Section 7, SCIM
	// attributes have the following characteristics: "required" is
	// "false" [...] "caseExact" is "false" [...] "mutability" is
	// "readWrite" [...] "returned" is "default" [...] "uniqueness" is
	// "none" [...] "type" is "string"". So each of these may be absent (the
	// default holds); when present it must be one of section 2.2's values.
	// multiValued has no default there, so it must be present.
	optional := func(key string, valid ...any) {
		GinkgoHelper()
		v, ok := m[key]
		if !ok {
			return
		}
		if len(valid) == 0 {
			Expect(v).To(BeAssignableToTypeOf(true), "RFC 7643 section 7: %s has %s as a boolean:\n%s", where, key, r)
			return
		}
		Expect(v).To(BeElementOf(valid...), "RFC 7643 section 7: %s has a %s of section 2.2:\n%s", where, key, r)
	}
	optional("type", "string", "boolean", "decimal", "integer", "dateTime", "binary", "reference", "complex")
	Expect(m["multiValued"]).To(BeAssignableToTypeOf(true), "RFC 7643 section 7: %s has multiValued (boolean):\n%s", where, r)
	optional("required")
	optional("mutability", "readOnly", "readWrite", "immutable", "writeOnly")
	optional("returned", "always", "never", "default", "request")
	// RFC 7643 section 2.3.2: "A boolean has no case sensitivity or
	// uniqueness"; section 2.3.8: "A complex attribute has no uniqueness or
	// case sensitivity".
	if m["type"] != "complex" && m["type"] != "boolean" {
		optional("uniqueness", "none", "server", "global")
	}
	if m["type"] == "string" || m["type"] == nil {
		optional("caseExact")
	}
	if m["type"] == "complex" {
		subs, _ := m["subAttributes"].([]any)
		Expect(subs).NotTo(BeEmpty(), "RFC 7643 section 7: complex attribute %s has subAttributes:\n%s", where, r)
		for _, s := range subs {
			checkAttributeDefinition(urn, prefix+name+".", s, r)
		}
	}
}

// attributeNamed returns the attribute definition called name in schema s.
func attributeNamed(s map[string]any, name string) map[string]any {
	attrs, _ := s["attributes"].([]any)
	for _, a := range attrs {
		if m, ok := a.(map[string]any); ok && strings.EqualFold(m["name"].(string), name) {
			return m
		}
	}
	return nil
}

// deletePath removes a lower-cased dotted attribute path from doc,
// matching names case-insensitively.
func deletePath(doc map[string]any, path string) {
	parts := strings.Split(path, ".")
	m := doc
	for i, p := range parts {
		var next map[string]any
		for k, v := range m {
			if !strings.EqualFold(k, p) {
				continue
			}
			if i == len(parts)-1 {
				delete(m, k)
				return
			}
			next, _ = v.(map[string]any)
			break
		}
		if next == nil {
			return
		}
		m = next
	}
}
