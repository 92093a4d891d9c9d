package schema_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
)

// TestResolvePath: attribute paths of RFC 7644's grammar,
// [URN ":"]ATTRNAME["."subAttr], resolve case-insensitively to the schema's
// spelling, among the core schema, the extensions and the common
// attributes.
func TestResolvePath(t *testing.T) {
	cases := []struct {
		set, path string
		want      string // the canonical path, AttrRef.String()
		schema    string // the defining schema's URN; "" for the common attributes
		leaf      schema.Type
	}{
		{"full", "userName", "userName", schema.UserURN, schema.String},
		{"full", "USERNAME", "userName", schema.UserURN, schema.String},
		{"full", "name.GIVENNAME", "name.givenName", schema.UserURN, schema.String},
		{"full", "emails.primary", "emails.primary", schema.UserURN, schema.Boolean},
		{"full", "id", "id", "", schema.String},
		{"full", "Meta.LastModified", "meta.lastModified", "", schema.DateTime},
		{"full", "externalId", "externalId", "", schema.String},
		{"full", schema.UserURN + ":userName", "userName", schema.UserURN, schema.String},
		{"full", strings.ToLower(schema.UserURN) + ":name.familyName", "name.familyName", schema.UserURN, schema.String},
		{"full", schema.EnterpriseUserURN + ":employeeNumber", schema.EnterpriseUserURN + ":employeeNumber", schema.EnterpriseUserURN, schema.String},
		{"full", strings.ToUpper(schema.EnterpriseUserURN) + ":MANAGER.value", schema.EnterpriseUserURN + ":manager.value", schema.EnterpriseUserURN, schema.String},
		{"dynatrace", "name.familyName", "name.familyName", schema.UserURN, schema.String},
	}
	for _, c := range cases {
		rt := resourceType(t, c.set, "User")
		ref, err := rt.ResolvePath(c.path)
		if err != nil {
			t.Errorf("%s ResolvePath(%q): %v", c.set, c.path, err)
			continue
		}
		if got := ref.String(); got != c.want {
			t.Errorf("%s ResolvePath(%q).String() = %q, want %q", c.set, c.path, got, c.want)
		}
		if ref.Schema.ID != c.schema {
			t.Errorf("%s ResolvePath(%q).Schema = %q, want %q", c.set, c.path, ref.Schema.ID, c.schema)
		}
		if ref.Extension != (c.schema == schema.EnterpriseUserURN) {
			t.Errorf("%s ResolvePath(%q).Extension = %v", c.set, c.path, ref.Extension)
		}
		if got := ref.Leaf().Type; got != c.leaf {
			t.Errorf("%s ResolvePath(%q).Leaf().Type = %s, want %s", c.set, c.path, got, c.leaf)
		}
	}
}

// TestResolvePathErrors: unknown names and sub-attributes are errors, and
// the error names what is unknown.
func TestResolvePathErrors(t *testing.T) {
	cases := []struct {
		set, path, mention string
	}{
		{"full", "nosuch", `"nosuch"`},
		{"dynatrace", "nickName", `"nickName"`}, // in the full set only
		{"full", "name.nosuch", `"nosuch"`},
		{"full", "userName.value", `"userName"`}, // not complex
		{"full", "urn:example:params:scim:schemas:Other:x", "urn:example:params:scim:schemas:Other"},
		{"full", schema.EnterpriseUserURN + ":userName", `"userName"`}, // core attribute under the extension
		{"full", schema.GroupURN + ":members.value", schema.GroupURN},  // the Group's schema on a User
		{"full", "", "empty"},
		{"full", schema.UserURN + ":", "empty"},
	}
	for _, c := range cases {
		ref, err := resourceType(t, c.set, "User").ResolvePath(c.path)
		if err == nil {
			t.Errorf("%s ResolvePath(%q) = %v, want an error", c.set, c.path, ref)
			continue
		}
		if !strings.Contains(err.Error(), c.mention) {
			t.Errorf("%s ResolvePath(%q): error %q does not mention %s", c.set, c.path, err, c.mention)
		}
	}
}

// TestResolveExtensionURN: an extension's URN where an attribute is
// expected is refused with a hint at the URN-qualified form.
func TestResolveExtensionURN(t *testing.T) {
	_, err := resourceType(t, "full", "User").Resolve("", schema.EnterpriseUserURN, "")
	if err == nil || !strings.Contains(err.Error(), "extension schema") {
		t.Errorf("Resolve of the extension's URN: error %v, want one saying it is an extension schema", err)
	}
}

func TestSplitURN(t *testing.T) {
	cases := []struct {
		in, urn, rest string
	}{
		{"userName", "", "userName"},
		{"name.givenName", "", "name.givenName"},
		{schema.UserURN + ":userName", schema.UserURN, "userName"},
		{schema.EnterpriseUserURN + ":manager.value", schema.EnterpriseUserURN, "manager.value"},
		{"urn:a:b:", "urn:a:b", ""},
	}
	for _, c := range cases {
		urn, rest := schema.SplitURN(c.in)
		if urn != c.urn || rest != c.rest {
			t.Errorf("SplitURN(%q) = %q, %q; want %q, %q", c.in, urn, rest, c.urn, c.rest)
		}
	}
}

// TestAttrRefContainer: an extension attribute lives in the map under the
// extension's URN; a core or common one in the document itself.
func TestAttrRefContainer(t *testing.T) {
	rt := resourceType(t, "full", "User")
	mustResolve := func(path string) schema.AttrRef {
		ref, err := rt.ResolvePath(path)
		if err != nil {
			t.Fatal(err)
		}
		return ref
	}
	user := mustResolve("userName")
	emp := mustResolve(schema.EnterpriseUserURN + ":employeeNumber")

	doc := map[string]any{"userName": "a"}
	if got := user.Get(doc); got != "a" {
		t.Errorf("userName Get = %v, want a", got)
	}
	if got := emp.Container(doc, false); got != nil {
		t.Errorf("extension Container(create=false) on a document without it = %v, want nil", got)
	}
	if got := emp.Get(doc); got != nil {
		t.Errorf("extension Get on a document without it = %v, want nil", got)
	}
	emp.Container(doc, true)["employeeNumber"] = "7"
	want := map[string]any{"userName": "a", schema.EnterpriseUserURN: map[string]any{"employeeNumber": "7"}}
	if !reflect.DeepEqual(doc, want) {
		t.Errorf("after Container(create=true): %v, want %v", doc, want)
	}
	if got := emp.Get(doc); got != "7" {
		t.Errorf("extension Get = %v, want 7", got)
	}
}
