package schema_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
)

// schemaSet returns a fresh schema set by name, failing the test if the name
// is unknown.
func schemaSet(t *testing.T, name string) *schema.Set {
	t.Helper()
	s, err := schema.ByName(name)
	if err != nil {
		t.Fatalf("ByName(%q): %v", name, err)
	}
	return s
}

// resourceType returns the resource type rt ("User", "Group") of the named
// set.
func resourceType(t *testing.T, set, rt string) *schema.ResourceType {
	t.Helper()
	r := schemaSet(t, set).ResourceType(rt)
	if r == nil {
		t.Fatalf("set %s has no resource type %s", set, rt)
	}
	return r
}

// attrOf looks up "name" or "name.sub" in the schema with the given URN, or
// among the common attributes when urn is empty.
func attrOf(t *testing.T, s *schema.Set, urn, path string) *schema.Attribute {
	t.Helper()
	sc := schema.Common
	if urn != "" {
		if sc = s.Schema(urn); sc == nil {
			t.Fatalf("set %s has no schema %s", s.Name, urn)
		}
	}
	name, sub, _ := strings.Cut(path, ".")
	a := sc.Attr(name)
	if a != nil && sub != "" {
		a = a.Sub(sub)
	}
	if a == nil {
		t.Fatalf("set %s: no attribute %q in %q", s.Name, path, urn)
	}
	return a
}

func attrNames(attrs []*schema.Attribute) []string {
	var out []string
	for _, a := range attrs {
		out = append(out, a.Name)
	}
	return out
}

func TestByName(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{"dynatrace", "dynatrace"},
		{"full", "full"},
		{"FULL", "full"},
		{"Dynatrace", "dynatrace"},
		{"", "dynatrace"}, // the default set
	}
	for _, c := range cases {
		s, err := schema.ByName(c.in)
		if err != nil {
			t.Errorf("ByName(%q): %v", c.in, err)
			continue
		}
		if s.Name != c.want {
			t.Errorf("ByName(%q).Name = %q, want %q", c.in, s.Name, c.want)
		}
	}
	if s, err := schema.ByName("rfc"); err == nil || s != nil {
		t.Errorf("ByName(\"rfc\") = %v, %v; want nil and an error", s, err)
	}
	if got, want := schema.Names(), []string{"dynatrace", "full"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
}

// TestByNameFresh: each call builds new values, so changing one server's set
// leaves another's alone.
func TestByNameFresh(t *testing.T) {
	a, b := schemaSet(t, "full"), schemaSet(t, "full")
	attrOf(t, a, schema.UserURN, "userName").Required = false
	if !attrOf(t, b, schema.UserURN, "userName").Required {
		t.Error("changing one set's userName changed another set's")
	}
}

// TestSetShape pins the resource types and schemas each set serves.
func TestSetShape(t *testing.T) {
	type rtShape struct {
		Name, Endpoint, Core string
		Extensions           []string
	}
	cases := []struct {
		set     string
		types   []rtShape
		schemas []string
	}{
		{"dynatrace",
			[]rtShape{
				{"User", "/Users", schema.UserURN, nil},
				{"Group", "/Groups", schema.GroupURN, nil},
			},
			[]string{schema.UserURN, schema.GroupURN}},
		{"full",
			[]rtShape{
				{"User", "/Users", schema.UserURN, []string{schema.EnterpriseUserURN}},
				{"Group", "/Groups", schema.GroupURN, nil},
			},
			[]string{schema.UserURN, schema.GroupURN, schema.EnterpriseUserURN}},
	}
	for _, c := range cases {
		s := schemaSet(t, c.set)
		var types []rtShape
		for _, rt := range s.ResourceTypes {
			var exts []string
			for _, e := range rt.Extensions {
				exts = append(exts, e.ID)
			}
			types = append(types, rtShape{rt.Name, rt.Endpoint, rt.Core.ID, exts})
			if len(rt.ExtensionRequired) != len(rt.Extensions) {
				t.Errorf("%s %s: %d ExtensionRequired for %d extensions", c.set, rt.Name, len(rt.ExtensionRequired), len(rt.Extensions))
			}
			for i, req := range rt.ExtensionRequired {
				if req {
					t.Errorf("%s %s: extension %s is required; RFC 7643 section 8.7.1's EnterpriseUser is optional", c.set, rt.Name, rt.Extensions[i].ID)
				}
			}
		}
		if !reflect.DeepEqual(types, c.types) {
			t.Errorf("%s resource types = %+v, want %+v", c.set, types, c.types)
		}
		var urns []string
		for _, sc := range s.Schemas {
			urns = append(urns, sc.ID)
		}
		if !slices.Equal(urns, c.schemas) {
			t.Errorf("%s schemas = %v, want %v", c.set, urns, c.schemas)
		}
	}
}

// TestAttributeLists pins each schema's top-level attributes: Dynatrace's
// documented User and Group, and RFC 7643 sections 4.1, 4.2 and 4.3 (in
// section 8.7's order) for the full set.
func TestAttributeLists(t *testing.T) {
	cases := []struct {
		set, urn string
		want     []string
	}{
		{"dynatrace", schema.UserURN, []string{"userName", "name", "displayName", "active", "groups"}},
		{"dynatrace", schema.GroupURN, []string{"displayName", "members"}},
		{"full", schema.UserURN, []string{
			"userName", "name", "displayName", "nickName", "profileUrl", "title", "userType",
			"preferredLanguage", "locale", "timezone", "active", "password",
			"emails", "phoneNumbers", "ims", "photos", "addresses", "groups",
			"entitlements", "roles", "x509Certificates"}},
		{"full", schema.EnterpriseUserURN, []string{
			"employeeNumber", "costCenter", "organization", "division", "department", "manager"}},
		{"full", schema.GroupURN, []string{"displayName", "members"}},
	}
	for _, c := range cases {
		sc := schemaSet(t, c.set).Schema(c.urn)
		if sc == nil {
			t.Errorf("%s: no schema %s", c.set, c.urn)
			continue
		}
		if got := attrNames(sc.Attributes); !slices.Equal(got, c.want) {
			t.Errorf("%s %s attributes = %v, want %v", c.set, c.urn, got, c.want)
		}
	}
}

// TestSubAttributeLists pins the sub-attributes of the complex attributes
// RFC 7643 spells out.
func TestSubAttributeLists(t *testing.T) {
	cases := []struct {
		set, urn, attr string
		want           []string
	}{
		{"dynatrace", schema.UserURN, "name", []string{"givenName", "familyName"}},
		{"full", schema.UserURN, "name", []string{"formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix"}},
		{"full", schema.UserURN, "emails", []string{"value", "display", "type", "primary"}},
		{"full", schema.UserURN, "addresses", []string{"formatted", "streetAddress", "locality", "region", "postalCode", "country", "type", "primary"}},
		{"full", schema.UserURN, "groups", []string{"value", "$ref", "display", "type"}},
		{"full", schema.EnterpriseUserURN, "manager", []string{"value", "$ref", "displayName"}},
		{"full", schema.GroupURN, "members", []string{"value", "$ref", "display", "type"}},
		{"full", "", "meta", []string{"resourceType", "created", "lastModified", "location", "version"}},
	}
	for _, c := range cases {
		a := attrOf(t, schemaSet(t, c.set), c.urn, c.attr)
		if got := attrNames(a.SubAttributes); !slices.Equal(got, c.want) {
			t.Errorf("%s %s sub-attributes = %v, want %v", c.set, c.attr, got, c.want)
		}
	}
}

// chars are the characteristics of RFC 7643 section 2.2 and 7 that a test
// pins for one attribute.
type chars struct {
	Type       schema.Type
	Multi      bool
	Required   bool
	CaseExact  bool
	Mutability schema.Mutability
	Returned   schema.Returned
	Uniqueness schema.Uniqueness
}

func charsOf(a *schema.Attribute) chars {
	return chars{a.Type, a.MultiValued, a.Required, a.CaseExact, a.Mutability, a.Returned, a.Uniqueness}
}

// TestCharacteristics pins the characteristics RFC 7643 gives the core
// attributes (sections 3.1, 4.1, 4.2, 4.3 and the schema representations of
// section 8.7), and those Dynatrace documents for its set. Section 7's
// defaults are required false, caseExact false, readWrite, returned
// "default" and uniqueness "none".
func TestCharacteristics(t *testing.T) {
	const (
		user  = schema.UserURN
		group = schema.GroupURN
		ent   = schema.EnterpriseUserURN
	)
	// plain is an attribute of type t with section 7's defaults.
	plain := func(t schema.Type) chars {
		return chars{Type: t, Mutability: schema.ReadWrite, Returned: schema.Default, Uniqueness: schema.None}
	}
	required := func(c chars) chars { c.Required = true; return c }
	cases := []struct {
		set, urn, path string
		want           chars
	}{
		// Section 3.1: id is caseExact, readOnly, returned always and
		// unique. It is required of the service provider, not of a client:
		// the schema says required false and CheckRequired skips it.
		{"full", "", "id", chars{schema.String, false, false, true, schema.ReadOnly, schema.Always, schema.Server}},
		// Section 3.1: externalId is caseExact and set by the client.
		{"full", "", "externalId", chars{schema.String, false, false, true, schema.ReadWrite, schema.Default, schema.None}},
		{"full", "", "meta", chars{schema.Complex, false, false, false, schema.ReadOnly, schema.Default, schema.None}},
		{"full", "", "meta.created", chars{schema.DateTime, false, false, false, schema.ReadOnly, schema.Default, schema.None}},
		{"full", "", "meta.lastModified", chars{schema.DateTime, false, false, false, schema.ReadOnly, schema.Default, schema.None}},

		// Section 4.1 / 8.7.1: userName is required, unique within the
		// server and case-insensitive.
		{"full", user, "userName", chars{schema.String, false, true, false, schema.ReadWrite, schema.Default, schema.Server}},
		{"full", user, "name", plain(schema.Complex)},
		{"full", user, "name.givenName", plain(schema.String)},
		{"full", user, "title", plain(schema.String)},
		{"full", user, "active", plain(schema.Boolean)},
		{"full", user, "profileUrl", plain(schema.Reference)},
		// password is writeOnly and never returned.
		{"full", user, "password", chars{schema.String, false, false, false, schema.WriteOnly, schema.Never, schema.None}},
		{"full", user, "emails", chars{schema.Complex, true, false, false, schema.ReadWrite, schema.Default, schema.None}},
		{"full", user, "emails.value", plain(schema.String)},
		{"full", user, "emails.primary", plain(schema.Boolean)},
		{"full", user, "addresses", chars{schema.Complex, true, false, false, schema.ReadWrite, schema.Default, schema.None}},
		{"full", user, "x509Certificates.value", plain(schema.Binary)},
		// groups is managed through the Group resource: readOnly, and so
		// are its sub-attributes (section 7).
		{"full", user, "groups", chars{schema.Complex, true, false, false, schema.ReadOnly, schema.Default, schema.None}},
		{"full", user, "groups.display", chars{schema.String, false, false, false, schema.ReadOnly, schema.Default, schema.None}},
		{"full", user, "groups.type", chars{schema.String, false, false, false, schema.ReadOnly, schema.Default, schema.None}},

		// Section 4.2 / 8.7.1.
		{"full", group, "members", chars{schema.Complex, true, false, false, schema.ReadWrite, schema.Default, schema.None}},

		// Section 4.3 / 8.7.2.
		{"full", ent, "employeeNumber", plain(schema.String)},
		{"full", ent, "manager", plain(schema.Complex)},
		{"full", ent, "manager.displayName", chars{schema.String, false, false, false, schema.ReadOnly, schema.Default, schema.None}},

		// The dynatrace set: userName, name.givenName, name.familyName and
		// active are required; group names are unique in the account
		// (DT-GROUP-UNIQUE).
		{"dynatrace", user, "userName", chars{schema.String, false, true, false, schema.ReadWrite, schema.Default, schema.Server}},
		{"dynatrace", user, "name", required(plain(schema.Complex))},
		{"dynatrace", user, "name.givenName", required(plain(schema.String))},
		{"dynatrace", user, "name.familyName", required(plain(schema.String))},
		{"dynatrace", user, "active", required(plain(schema.Boolean))},
		{"dynatrace", user, "displayName", plain(schema.String)},
		{"dynatrace", user, "groups", chars{schema.Complex, true, false, false, schema.ReadOnly, schema.Default, schema.None}},
		{"dynatrace", group, "displayName", chars{schema.String, false, true, false, schema.ReadWrite, schema.Default, schema.Server}},
		{"dynatrace", group, "members", chars{schema.Complex, true, false, false, schema.ReadWrite, schema.Default, schema.None}},
	}
	for _, c := range cases {
		got := charsOf(attrOf(t, schemaSet(t, c.set), c.urn, c.path))
		if got != c.want {
			t.Errorf("%s %s %s:\n got %+v\nwant %+v", c.set, c.urn, c.path, got, c.want)
		}
	}
}

// TestMutability pins the mutability of sub-attributes RFC 7643 section
// 8.7.1 sets apart from their parent's.
func TestMutability(t *testing.T) {
	cases := []struct {
		set, urn, path string
		want           schema.Mutability
	}{
		{"full", schema.GroupURN, "members.value", schema.Immutable},
		{"full", schema.GroupURN, "members.$ref", schema.Immutable},
		{"full", schema.GroupURN, "members.type", schema.Immutable},
		{"dynatrace", schema.GroupURN, "members.value", schema.Immutable},
		{"full", schema.UserURN, "groups.value", schema.ReadOnly},
		{"full", schema.UserURN, "groups.$ref", schema.ReadOnly},
		{"dynatrace", schema.UserURN, "groups.value", schema.ReadOnly},
		{"full", "", "meta.version", schema.ReadOnly},
		{"full", "", "meta.location", schema.ReadOnly},
		{"full", "", "meta.resourceType", schema.ReadOnly},
	}
	for _, c := range cases {
		if got := attrOf(t, schemaSet(t, c.set), c.urn, c.path).Mutability; got != c.want {
			t.Errorf("%s %s mutability = %s, want %s", c.set, c.path, got, c.want)
		}
	}
}

// TestCanonicalValues pins the "type" labels RFC 7643 section 4 suggests.
func TestCanonicalValues(t *testing.T) {
	cases := []struct {
		set, urn, path string
		want           []string
	}{
		{"full", schema.UserURN, "emails.type", []string{"work", "home", "other"}},
		{"full", schema.UserURN, "addresses.type", []string{"work", "home", "other"}},
		{"full", schema.UserURN, "photos.type", []string{"photo", "thumbnail"}},
		{"full", schema.UserURN, "groups.type", []string{"direct", "indirect"}},
		{"full", schema.GroupURN, "members.type", []string{"User", "Group"}},
		{"full", schema.UserURN, "roles.type", nil},
	}
	for _, c := range cases {
		if got := attrOf(t, schemaSet(t, c.set), c.urn, c.path).CanonicalValues; !slices.Equal(got, c.want) {
			t.Errorf("%s canonicalValues = %v, want %v", c.path, got, c.want)
		}
	}
}

// TestLookups: attribute names and schema URNs are case-insensitive (RFC
// 7643 section 2.1 and 7644 section 3.10), and lookups give the schema's
// own spelling back.
func TestLookups(t *testing.T) {
	full := schemaSet(t, "full")
	user := full.ResourceType("user")
	if user == nil || user.Name != "User" {
		t.Fatalf("ResourceType(\"user\") = %v, want User", user)
	}
	if full.ResourceType("GROUP") == nil {
		t.Error("ResourceType(\"GROUP\") = nil")
	}
	if full.ResourceType("Users") != nil {
		t.Error("ResourceType(\"Users\") found a type: the endpoint is not the name")
	}

	cases := []struct {
		what string
		got  string // the found item's canonical name, "" when nil
		want string
	}{
		{"Set.Schema lower-case", idOf(full.Schema(strings.ToLower(schema.UserURN))), schema.UserURN},
		{"Set.Schema upper-case", idOf(full.Schema(strings.ToUpper(schema.EnterpriseUserURN))), schema.EnterpriseUserURN},
		{"Set.Schema unknown", idOf(full.Schema("urn:ietf:params:scim:schemas:core:2.0:Role")), ""},
		{"ResourceType.Extension", idOf(user.Extension(strings.ToLower(schema.EnterpriseUserURN))), schema.EnterpriseUserURN},
		{"ResourceType.Extension is not the core", idOf(user.Extension(schema.UserURN)), ""},
		{"ResourceType.Schema core", idOf(user.Schema(strings.ToUpper(schema.UserURN))), schema.UserURN},
		{"ResourceType.Schema extension", idOf(user.Schema(schema.EnterpriseUserURN)), schema.EnterpriseUserURN},
		{"ResourceType.Schema other type's", idOf(user.Schema(schema.GroupURN)), ""},
		{"Schema.Attr", nameOf(user.Core.Attr("USERNAME")), "userName"},
		{"Schema.Attr mixed", nameOf(user.Core.Attr("x509certificates")), "x509Certificates"},
		{"Schema.Attr unknown", nameOf(user.Core.Attr("userNames")), ""},
		{"Schema.Attr sub-attribute is not top-level", nameOf(user.Core.Attr("givenName")), ""},
		{"Attribute.Sub", nameOf(user.Core.Attr("name").Sub("GIVENNAME")), "givenName"},
		{"Attribute.Sub $ref", nameOf(user.Core.Attr("groups").Sub("$REF")), "$ref"},
		{"Attribute.Sub unknown", nameOf(user.Core.Attr("name").Sub("nickName")), ""},
		{"Attribute.Sub of a simple attribute", nameOf(user.Core.Attr("userName").Sub("value")), ""},
		{"Common.Attr", nameOf(schema.Common.Attr("EXTERNALID")), "externalId"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.what, c.got, c.want)
		}
	}
}

func idOf(s *schema.Schema) string {
	if s == nil {
		return ""
	}
	return s.ID
}

func nameOf(a *schema.Attribute) string {
	if a == nil {
		return ""
	}
	return a.Name
}

// TestHasPrimary: RFC 7643 section 2.4's one-primary rule applies to
// multi-valued complex attributes with a "primary" sub-attribute only.
func TestHasPrimary(t *testing.T) {
	full := schemaSet(t, "full")
	cases := []struct {
		urn, attr string
		want      bool
	}{
		{schema.UserURN, "emails", true},
		{schema.UserURN, "addresses", true},
		{schema.UserURN, "x509Certificates", true},
		{schema.UserURN, "groups", false}, // no primary sub-attribute
		{schema.UserURN, "name", false},   // single-valued
		{schema.UserURN, "userName", false},
		{schema.GroupURN, "members", false},
	}
	for _, c := range cases {
		if got := attrOf(t, full, c.urn, c.attr).HasPrimary(); got != c.want {
			t.Errorf("%s.HasPrimary() = %v, want %v", c.attr, got, c.want)
		}
	}
}

// TestSchemaURNs: a response's "schemas" lists the core schema and each
// extension the document carries, core first.
func TestSchemaURNs(t *testing.T) {
	user := resourceType(t, "full", "User")
	cases := []struct {
		doc  map[string]any
		want []any
	}{
		{map[string]any{"userName": "a"}, []any{schema.UserURN}},
		{map[string]any{"userName": "a", schema.EnterpriseUserURN: map[string]any{"employeeNumber": "1"}},
			[]any{schema.UserURN, schema.EnterpriseUserURN}},
		{map[string]any{"urn:example:other": map[string]any{}}, []any{schema.UserURN}},
	}
	for _, c := range cases {
		if got := user.SchemaURNs(c.doc); !reflect.DeepEqual(got, c.want) {
			t.Errorf("SchemaURNs(%v) = %v, want %v", c.doc, got, c.want)
		}
	}
}

// TestAttributeJSON: /Schemas is rendered from Attribute, and RFC 7643
// section 7 lists every characteristic, so the booleans appear even when
// false and the enumerations carry RFC 7643's spelling.
func TestAttributeJSON(t *testing.T) {
	b, err := json.Marshal(attrOf(t, schemaSet(t, "full"), schema.UserURN, "userName"))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"name":        "userName",
		"type":        "string",
		"multiValued": false,
		"required":    true,
		"caseExact":   false,
		"mutability":  "readWrite",
		"returned":    "default",
		"uniqueness":  "server",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("userName JSON %q = %v, want %v", k, got[k], v)
		}
	}
	if _, ok := got["subAttributes"]; ok {
		t.Error("userName JSON has subAttributes; a simple attribute has none")
	}
}

// TestAttributeNames: every attribute path of a resource type, sorted,
// common attributes included and extension paths URN-qualified.
func TestAttributeNames(t *testing.T) {
	got := resourceType(t, "dynatrace", "User").AttributeNames()
	want := []string{
		"active", "displayName", "externalId",
		"groups", "groups.$ref", "groups.display", "groups.type", "groups.value",
		"id",
		"meta", "meta.created", "meta.lastModified", "meta.location", "meta.resourceType", "meta.version",
		"name", "name.familyName", "name.givenName",
		"userName",
	}
	if !slices.Equal(got, want) {
		t.Errorf("dynatrace User AttributeNames() =\n %v\nwant\n %v", got, want)
	}

	full := resourceType(t, "full", "User").AttributeNames()
	if !slices.IsSorted(full) {
		t.Errorf("full User AttributeNames() is not sorted: %v", full)
	}
	for _, p := range []string{schema.EnterpriseUserURN + ":manager.value", "emails.primary", "x509Certificates.value"} {
		if !slices.Contains(full, p) {
			t.Errorf("full User AttributeNames() lacks %q", p)
		}
	}
}
