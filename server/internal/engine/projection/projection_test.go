package projection_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/projection"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

const (
	userURN  = "urn:ietf:params:scim:schemas:core:2.0:User"
	groupURN = "urn:ietf:params:scim:schemas:core:2.0:Group"
	entURN   = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
)

// fullUser is a rendered User of the full set with every kind of attribute:
// simple, complex, multi-valued complex, never (password), read-only
// (groups), common (externalId, meta) and the enterprise extension.
const fullUser = `{
  "schemas": ["` + userURN + `", "` + entURN + `"],
  "id": "u1",
  "externalId": "ext-1",
  "meta": {"resourceType": "User", "created": "2024-01-01T00:00:00Z", "lastModified": "2024-02-01T00:00:00Z",
           "location": "https://example.com/v2/Users/u1", "version": "W/\"3\""},
  "userName": "bjensen@example.com",
  "name": {"givenName": "Barbara", "familyName": "Jensen", "formatted": "Ms. Barbara J Jensen"},
  "displayName": "Babs",
  "active": true,
  "password": "t1meMa$heen",
  "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true},
             {"value": "babs@jensen.org", "type": "home", "display": "Babs at home"}],
  "groups": [{"value": "g1", "$ref": "https://example.com/v2/Groups/g1", "display": "Admins", "type": "direct"}],
  "x509Certificates": [{"value": "TUlJRERD"}],
  "` + entURN + `": {"employeeNumber": "701984", "costCenter": "4130",
                     "manager": {"value": "m1", "displayName": "John Smith"}}
}`

const dynatraceUser = `{
  "schemas": ["` + userURN + `"],
  "id": "u2",
  "externalId": "ext-2",
  "meta": {"resourceType": "User", "created": "2024-01-01T00:00:00Z", "lastModified": "2024-02-01T00:00:00Z",
           "location": "https://example.com/v2/Users/u2", "version": "W/\"1\""},
  "userName": "ada@example.com",
  "name": {"givenName": "Ada", "familyName": "Lovelace"},
  "displayName": "Ada Lovelace",
  "active": true,
  "groups": [{"value": "g1", "$ref": "https://example.com/v2/Groups/g1", "display": "Admins", "type": "direct"},
             {"value": "g2", "$ref": "https://example.com/v2/Groups/g2", "display": "Ops", "type": "direct"}]
}`

const group = `{
  "schemas": ["` + groupURN + `"],
  "id": "g1",
  "externalId": "ext-g1",
  "meta": {"resourceType": "Group", "created": "2024-01-01T00:00:00Z", "lastModified": "2024-02-01T00:00:00Z",
           "location": "https://example.com/v2/Groups/g1", "version": "W/\"7\""},
  "displayName": "Admins",
  "members": [{"value": "u1", "$ref": "https://example.com/v2/Users/u1", "display": "Babs", "type": "User"},
              {"value": "u2", "$ref": "https://example.com/v2/Users/u2", "display": "Ada", "type": "User"}]
}`

// tweaked is the full set with characteristics no standard attribute has,
// so that the request and always rules, at both levels, can be tested:
// x509Certificates, emails.display and the enterprise costCenter are
// returned on request; displayName and name.familyName always.
func tweaked() *schema.Set {
	set := schema.Full()
	rt := set.ResourceType("User")
	rt.Core.Attr("x509Certificates").Returned = schema.Request
	rt.Core.Attr("emails").Sub("display").Returned = schema.Request
	rt.Core.Attr("displayName").Returned = schema.Always
	rt.Core.Attr("name").Sub("familyName").Returned = schema.Always
	rt.Extension(entURN).Attr("costCenter").Returned = schema.Request
	return set
}

func decode(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test JSON: %v\n%s", err, s)
	}
	return m
}

// canon round-trips v through JSON so that documents built in different
// ways compare equal.
func canon(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// without returns a copy of the JSON document s without the given top-level
// keys: most wants are "the whole resource except ...".
func without(t testing.TB, s string, keys ...string) string {
	t.Helper()
	m := decode(t, s)
	for _, k := range keys {
		delete(m, k)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestApply(t *testing.T) {
	full := schema.Full()
	dt := schema.Dynatrace()
	tw := tweaked()
	fullUserDefault := without(t, fullUser, "password")
	ent := func(m string) string { return `"` + entURN + `": ` + m }

	tests := []struct {
		name     string
		rt       *schema.ResourceType
		doc      string
		attrs    []string
		excluded []string
		want     string
	}{
		// Default returns.
		{name: "full user, no parameters: everything but the never password",
			rt: full.ResourceType("User"), doc: fullUser, want: fullUserDefault},
		{name: "empty and blank parameters are no parameters",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{""}, excluded: []string{" , "}, want: fullUserDefault},
		{name: "dynatrace user, no parameters",
			rt: dt.ResourceType("User"), doc: dynatraceUser, want: dynatraceUser},
		{name: "group, no parameters",
			rt: dt.ResourceType("Group"), doc: group, want: group},

		// attributes: top-level names, case, spaces, URNs.
		{name: "attributes=userName keeps schemas and id (always), drops default meta",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{"userName"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "userName": "bjensen@example.com"}`},
		{name: "names are case-insensitive",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{"USERNAME,DisplayName"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "userName": "bjensen@example.com", "displayName": "Babs"}`},
		{name: "comma-separated with spaces",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{" userName , displayName ,"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "userName": "bjensen@example.com", "displayName": "Babs"}`},
		{name: "one name per element, as in a /.search body",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{"userName", "active"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "userName": "bjensen@example.com", "active": true}`},
		{name: "core URN-qualified name",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{"urn:ietf:params:scim:schemas:core:2.0:User:userName"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "userName": "bjensen@example.com"}`},
		{name: "core URN-qualified sub-attribute, URN in other case",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{"URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:name.givenName"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "name": {"givenName": "Barbara"}}`},
		{name: "common attributes by name",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{"externalId,meta"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "externalId": "ext-1", "meta": ` + mustGet(t, fullUser, "meta") + `}`},
		{name: "attributes=id and attributes=schemas return only the always pair",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{"id", "schemas"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1"}`},
		{name: "a never attribute is not returned even when named",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{"password"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1"}`},
		{name: "read-only groups by name",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{"groups"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "groups": ` + mustGet(t, fullUser, "groups") + `}`},

		// attributes: sub-attributes.
		{name: "sub-attribute of a single complex attribute",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{"name.givenName"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "name": {"givenName": "Barbara"}}`},
		{name: "sub-attribute of a multi-valued complex attribute, in every value",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{"emails.value"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "emails": [{"value": "bjensen@example.com"}, {"value": "babs@jensen.org"}]}`},
		{name: "two sub-attributes of one attribute",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{"emails.value,emails.PRIMARY"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "emails": [{"value": "bjensen@example.com", "primary": true}, {"value": "babs@jensen.org"}]}`},
		{name: "values left empty by a sub-attribute are dropped",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{"emails.display"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "emails": [{"display": "Babs at home"}]}`},
		{name: "an attribute left empty by a sub-attribute is dropped",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{"name.middleName,userName"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "userName": "bjensen@example.com"}`},
		{name: "naming the whole and a sub-attribute returns the whole",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{"name.givenName", "name"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "name": ` + mustGet(t, fullUser, "name") + `}`},
		{name: "meta.lastModified keeps only that sub-attribute",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{"meta.lastModified"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "meta": {"lastModified": "2024-02-01T00:00:00Z"}}`},
		{name: "$ref sub-attribute",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{"groups.$REF"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "groups": [{"$ref": "https://example.com/v2/Groups/g1"}]}`},

		// attributes: extensions.
		{name: "extension attribute by URN-qualified name",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{entURN + ":employeeNumber"},
			want: `{"schemas": ["` + userURN + `", "` + entURN + `"], "id": "u1", ` + ent(`{"employeeNumber": "701984"}`) + `}`},
		{name: "extension sub-attribute, any case",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{strings.ToLower(entURN) + ":MANAGER.value"},
			want: `{"schemas": ["` + userURN + `", "` + entURN + `"], "id": "u1", ` + ent(`{"manager": {"value": "m1"}}`) + `}`},
		{name: "extension URN alone means all its attributes",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{entURN},
			want: `{"schemas": ["` + userURN + `", "` + entURN + `"], "id": "u1", ` + ent(mustGet(t, fullUser, entURN)) + `}`},
		{name: "core URN alone means all core and common attributes, no extension",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{userURN},
			want: with(t, without(t, fullUserDefault, entURN), "schemas", `["`+userURN+`"]`)},
		{name: "an extension attribute the resource lacks: extension absent from schemas",
			rt: full.ResourceType("User"), doc: fullUser, attrs: []string{"userName", entURN + ":division"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "userName": "bjensen@example.com"}`},

		// excludedAttributes.
		{name: "excluding a multi-valued attribute",
			rt: full.ResourceType("User"), doc: fullUser, excluded: []string{"emails"},
			want: without(t, fullUserDefault, "emails")},
		{name: "excluding a sub-attribute removes only it",
			rt: full.ResourceType("User"), doc: fullUser, excluded: []string{"emails.type"},
			want: with(t, fullUserDefault, "emails",
				`[{"value": "bjensen@example.com", "primary": true}, {"value": "babs@jensen.org", "display": "Babs at home"}]`)},
		{name: "excluding id has no effect (returned always)",
			rt: full.ResourceType("User"), doc: fullUser, excluded: []string{"ID", "schemas"},
			want: fullUserDefault},
		{name: "excluding meta",
			rt: full.ResourceType("User"), doc: fullUser, excluded: []string{"meta"},
			want: without(t, fullUserDefault, "meta")},
		{name: "excluding every sub-attribute a value has drops the attribute",
			rt: full.ResourceType("User"), doc: fullUser, excluded: []string{"name.givenName,name.familyName,name.formatted"},
			want: without(t, fullUserDefault, "name")},
		{name: "excluding an extension by URN drops it from the document and from schemas",
			rt: full.ResourceType("User"), doc: fullUser, excluded: []string{entURN},
			want: with(t, without(t, fullUserDefault, entURN), "schemas", `["`+userURN+`"]`)},
		{name: "an extension emptied attribute by attribute disappears",
			rt: full.ResourceType("User"), doc: fullUser,
			excluded: []string{entURN + ":employeeNumber", entURN + ":costCenter," + entURN + ":manager"},
			want:     with(t, without(t, fullUserDefault, entURN), "schemas", `["`+userURN+`"]`)},
		{name: "excluding one extension attribute keeps the rest",
			rt: full.ResourceType("User"), doc: fullUser, excluded: []string{entURN + ":manager.displayName"},
			want: with(t, fullUserDefault, entURN, `{"employeeNumber": "701984", "costCenter": "4130", "manager": {"value": "m1"}}`)},
		{name: "excluding the core URN leaves id and the extension",
			rt: full.ResourceType("User"), doc: fullUser, excluded: []string{userURN},
			want: `{"schemas": ["` + userURN + `", "` + entURN + `"], "id": "u1", ` + ent(mustGet(t, fullUser, entURN)) + `}`},

		// Dynatrace set.
		{name: "dynatrace: attributes=name.familyName",
			rt: dt.ResourceType("User"), doc: dynatraceUser, attrs: []string{"name.familyName"},
			want: `{"schemas": ["` + userURN + `"], "id": "u2", "name": {"familyName": "Lovelace"}}`},
		{name: "dynatrace: groups.display in every value",
			rt: dt.ResourceType("User"), doc: dynatraceUser, attrs: []string{"groups.display"},
			want: `{"schemas": ["` + userURN + `"], "id": "u2", "groups": [{"display": "Admins"}, {"display": "Ops"}]}`},
		{name: "dynatrace: excludedAttributes=groups,meta",
			rt: dt.ResourceType("User"), doc: dynatraceUser, excluded: []string{"groups,meta"},
			want: without(t, dynatraceUser, "groups", "meta")},
		{name: "group: attributes=members.value",
			rt: dt.ResourceType("Group"), doc: group, attrs: []string{"members.value"},
			want: `{"schemas": ["` + groupURN + `"], "id": "g1", "members": [{"value": "u1"}, {"value": "u2"}]}`},
		{name: "group: attributes=displayName",
			rt: full.ResourceType("Group"), doc: group, attrs: []string{"displayName"},
			want: `{"schemas": ["` + groupURN + `"], "id": "g1", "displayName": "Admins"}`},
		{name: "group: excludedAttributes=members",
			rt: full.ResourceType("Group"), doc: group, excluded: []string{"members"},
			want: without(t, group, "members")},
		{name: "group: excludedAttributes=members.$ref,members.display",
			rt: dt.ResourceType("Group"), doc: group, excluded: []string{"members.$ref", "members.display"},
			want: with(t, group, "members", `[{"value": "u1", "type": "User"}, {"value": "u2", "type": "User"}]`)},

		// returned=request and returned=always at both levels.
		{name: "request attributes are left out by default; always ones stay",
			rt: tw.ResourceType("User"), doc: fullUser,
			want: `{"schemas": ["` + userURN + `", "` + entURN + `"], "id": "u1", "externalId": "ext-1", "meta": ` + mustGet(t, fullUser, "meta") + `,
				"userName": "bjensen@example.com", "name": ` + mustGet(t, fullUser, "name") + `, "displayName": "Babs", "active": true,
				"emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}],
				"groups": ` + mustGet(t, fullUser, "groups") + `,
				` + ent(`{"employeeNumber": "701984", "manager": {"value": "m1", "displayName": "John Smith"}}`) + `}`},
		{name: "a request attribute is returned when named",
			rt: tw.ResourceType("User"), doc: fullUser, attrs: []string{"x509Certificates"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "displayName": "Babs", "name": {"familyName": "Jensen"},
				"x509Certificates": [{"value": "TUlJRERD"}]}`},
		{name: "excluding does not reveal a request attribute",
			rt: tw.ResourceType("User"), doc: fullUser, excluded: []string{"userName"}, attrs: nil,
			want: `{"schemas": ["` + userURN + `", "` + entURN + `"], "id": "u1", "externalId": "ext-1", "meta": ` + mustGet(t, fullUser, "meta") + `,
				"name": ` + mustGet(t, fullUser, "name") + `, "displayName": "Babs", "active": true,
				"emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}],
				"groups": ` + mustGet(t, fullUser, "groups") + `,
				` + ent(`{"employeeNumber": "701984", "manager": {"value": "m1", "displayName": "John Smith"}}`) + `}`},
		{name: "always attributes and sub-attributes survive exclusion",
			rt: tw.ResourceType("User"), doc: fullUser, excluded: []string{"displayName,name,emails,groups,meta,externalId,active,userName," + entURN},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "displayName": "Babs", "name": {"familyName": "Jensen"}}`},
		{name: "a named sub-attribute comes with its always siblings",
			rt: tw.ResourceType("User"), doc: fullUser, attrs: []string{"name.givenName"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "displayName": "Babs", "name": {"givenName": "Barbara", "familyName": "Jensen"}}`},
		{name: "naming a complex attribute whole brings its request sub-attributes",
			rt: tw.ResourceType("User"), doc: fullUser, attrs: []string{"emails"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "displayName": "Babs", "name": {"familyName": "Jensen"},
				"emails": ` + mustGet(t, fullUser, "emails") + `}`},
		{name: "a request sub-attribute by name",
			rt: tw.ResourceType("User"), doc: fullUser, attrs: []string{"emails.display"},
			want: `{"schemas": ["` + userURN + `"], "id": "u1", "displayName": "Babs", "name": {"familyName": "Jensen"},
				"emails": [{"display": "Babs at home"}]}`},
		{name: "an extension URN alone brings its request attributes",
			rt: tw.ResourceType("User"), doc: fullUser, attrs: []string{entURN},
			want: `{"schemas": ["` + userURN + `", "` + entURN + `"], "id": "u1", "displayName": "Babs", "name": {"familyName": "Jensen"},
				` + ent(mustGet(t, fullUser, entURN)) + `}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := projection.New(tt.rt, tt.attrs, tt.excluded)
			if err != nil {
				t.Fatalf("New(%q, %q): %v", tt.attrs, tt.excluded, err)
			}
			doc := decode(t, tt.doc)
			got := canon(t, p.Apply(doc))
			want := canon(t, decode(t, tt.want))
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Apply:\n got %s\nwant %s", js(t, got), js(t, want))
			}
			if !reflect.DeepEqual(doc, decode(t, tt.doc)) {
				t.Errorf("Apply changed its input document")
			}
		})
	}
}

func mustGet(t testing.TB, doc, key string) string {
	t.Helper()
	v, ok := decode(t, doc)[key]
	if !ok {
		t.Fatalf("fixture has no %q", key)
	}
	return js(t, v)
}

// with returns the JSON document doc with key set to the JSON value value.
func with(t testing.TB, doc, key, value string) string {
	t.Helper()
	m := decode(t, doc)
	var v any
	if err := json.Unmarshal([]byte(value), &v); err != nil {
		t.Fatalf("bad test JSON: %v\n%s", err, value)
	}
	m[key] = v
	return js(t, m)
}

func js(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestNewErrors(t *testing.T) {
	full := schema.Full().ResourceType("User")
	dt := schema.Dynatrace().ResourceType("User")
	tests := []struct {
		name       string
		rt         *schema.ResourceType
		attrs      []string
		excluded   []string
		wantDetail []string // substrings the detail must hold
	}{
		{"unknown attribute", full, []string{"userName,nickname2"}, nil, []string{"attributes", `"nickname2"`}},
		{"unknown excluded attribute", full, nil, []string{"foo"}, []string{"excludedAttributes", `"foo"`}},
		{"unknown sub-attribute", full, []string{"name.nope"}, nil, []string{`"name.nope"`}},
		{"sub-attribute of a simple attribute", full, []string{"userName.value"}, nil, []string{`"userName.value"`}},
		{"value filter is not attribute notation", full, []string{`emails[type eq "work"].value`}, nil, []string{"emails[type"}},
		{"unknown schema URN", full, []string{"urn:example:schemas:Foo:bar"}, nil, []string{"urn:example:schemas:Foo:bar"}},
		{"extension the resource type lacks", dt, []string{entURN + ":employeeNumber"}, nil, []string{entURN}},
		{"attribute outside the dynatrace set", dt, []string{"emails"}, nil, []string{`"emails"`}},
		{"empty name after a URN", full, []string{entURN + ":"}, nil, []string{entURN}},
		{"both lists", full, []string{"userName"}, []string{"emails"}, []string{"mutually exclusive"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := projection.New(tt.rt, tt.attrs, tt.excluded)
			if err == nil {
				t.Fatalf("New(%q, %q) = %v, want an error", tt.attrs, tt.excluded, p)
			}
			var se *scimerror.Error
			if !errors.As(err, &se) {
				t.Fatalf("error %v is %T, want *scimerror.Error", err, err)
			}
			if se.Status != 400 || se.ScimType != scimerror.InvalidValue {
				t.Errorf("got %d %q, want 400 invalidValue", se.Status, se.ScimType)
			}
			for _, w := range tt.wantDetail {
				if !strings.Contains(se.Detail, w) {
					t.Errorf("detail %q does not mention %q", se.Detail, w)
				}
			}
		})
	}
	if _, err := projection.New(nil, nil, nil); err == nil {
		t.Error("New(nil rt) gave no error")
	}
}

func TestIncludes(t *testing.T) {
	full := schema.Full()
	dt := schema.Dynatrace()
	tw := tweaked()
	tests := []struct {
		rt       *schema.ResourceType
		attrs    []string
		excluded []string
		attr     string
		want     bool
	}{
		{dt.ResourceType("Group"), nil, nil, "members", true},
		{dt.ResourceType("Group"), nil, nil, "MEMBERS", true},
		{dt.ResourceType("Group"), []string{"displayName"}, nil, "members", false},
		{dt.ResourceType("Group"), []string{"members.value"}, nil, "members", true},
		{dt.ResourceType("Group"), nil, []string{"members"}, "members", false},
		{dt.ResourceType("Group"), nil, []string{"members.display"}, "members", true},
		{dt.ResourceType("Group"), []string{"displayName"}, nil, "id", true},
		{dt.ResourceType("Group"), nil, []string{"id"}, "id", true},
		{dt.ResourceType("Group"), []string{"displayName"}, nil, "schemas", true},
		{dt.ResourceType("Group"), []string{"displayName"}, nil, "meta", false},
		{dt.ResourceType("Group"), nil, nil, "nosuch", false},
		{dt.ResourceType("User"), nil, nil, "groups", true},
		{dt.ResourceType("User"), []string{"userName"}, nil, "groups", false},
		{dt.ResourceType("User"), nil, nil, entURN, false},
		{full.ResourceType("User"), nil, nil, "password", false},
		{full.ResourceType("User"), []string{"password"}, nil, "password", false},
		{full.ResourceType("User"), nil, nil, entURN, true},
		{full.ResourceType("User"), []string{"userName"}, nil, entURN, false},
		{full.ResourceType("User"), []string{entURN + ":manager.value"}, nil, entURN, true},
		{full.ResourceType("User"), nil, []string{entURN}, entURN, false},
		{tw.ResourceType("User"), nil, nil, "x509Certificates", false},
		{tw.ResourceType("User"), []string{"x509Certificates"}, nil, "x509Certificates", true},
		{tw.ResourceType("User"), []string{"userName"}, nil, "displayName", true},
		{tw.ResourceType("User"), nil, []string{"name"}, "name", true}, // name.familyName is always
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s attributes=%q excluded=%q Includes(%s)", tt.rt.Name, tt.attrs, tt.excluded, tt.attr)
		t.Run(name, func(t *testing.T) {
			p, err := projection.New(tt.rt, tt.attrs, tt.excluded)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Includes(tt.attr); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNilProjection(t *testing.T) {
	var p *projection.Projection
	doc := decode(t, group)
	got := p.Apply(doc)
	if !reflect.DeepEqual(got, doc) {
		t.Errorf("nil Apply:\n got %s\nwant %s", js(t, got), js(t, doc))
	}
	got["displayName"] = "changed"
	if doc["displayName"] != "Admins" {
		t.Error("nil Apply returned its input map, not a copy")
	}
	for _, attr := range []string{"members", "id", "anything"} {
		if !p.Includes(attr) {
			t.Errorf("nil Includes(%q) = false, want true", attr)
		}
	}
}

// TestApplyOddValues feeds values of the wrong shape: Apply must neither
// panic nor return them half-projected.
func TestApplyOddValues(t *testing.T) {
	rt := schema.Full().ResourceType("User")
	p, err := projection.New(rt, []string{"emails.value,name.givenName," + entURN + ":manager.value,userName"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	doc := map[string]any{
		"id":         "u1",
		"emails":     []any{"not an object", nil, map[string]any{"value": "a@example.com"}},
		"name":       "not an object",
		entURN:       "not an object",
		"userName":   nil,
		"unknownKey": "x",
	}
	got := canon(t, p.Apply(doc))
	want := canon(t, map[string]any{
		"schemas": []any{userURN}, "id": "u1",
		"emails": []any{map[string]any{"value": "a@example.com"}},
	})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %s\nwant %s", js(t, got), js(t, want))
	}
	got2 := canon(t, p.Apply(map[string]any{"id": "u1", "emails": "x", entURN: map[string]any{"manager": []any{1}}}))
	want2 := canon(t, map[string]any{"schemas": []any{userURN}, "id": "u1"})
	if !reflect.DeepEqual(got2, want2) {
		t.Errorf("got %s\nwant %s", js(t, got2), js(t, want2))
	}
}

// FuzzNew checks that no parameter value makes New or Apply panic, and that
// New's errors are SCIM errors.
func FuzzNew(f *testing.F) {
	for _, s := range []string{"userName", "name.givenName", entURN, entURN + ":manager.value", "emails[type eq \"work\"]",
		"a.b.c", ":", "urn:", ",,,", "meta.lastModified", "schemas", "id", "userName.", ".x", "urn:a:b:c:d.e.f"} {
		f.Add(s, "")
		f.Add("", s)
	}
	rt := schema.Full().ResourceType("User")
	doc := decode(f, fullUser)
	f.Fuzz(func(t *testing.T, attrs, excluded string) {
		p, err := projection.New(rt, []string{attrs}, []string{excluded})
		if err != nil {
			var se *scimerror.Error
			if !errors.As(err, &se) || se.Status != 400 {
				t.Fatalf("error %v is not a 400 SCIM error", err)
			}
			return
		}
		out := p.Apply(doc)
		if out["id"] != "u1" || out["schemas"] == nil {
			t.Fatalf("always attributes missing: %v", out)
		}
		if _, ok := out["password"]; ok {
			t.Fatal("password returned")
		}
	})
}

func BenchmarkApply(b *testing.B) {
	full := schema.Full().ResourceType("User")
	dtGroup := schema.Dynatrace().ResourceType("Group")
	user := decode(b, fullUser)
	members := make([]any, 1000)
	for i := range members {
		members[i] = map[string]any{"value": fmt.Sprintf("u%d", i), "$ref": fmt.Sprintf("https://example.com/v2/Users/u%d", i), "display": "x", "type": "User"}
	}
	bigGroup := decode(b, group)
	bigGroup["members"] = members
	cases := []struct {
		name     string
		rt       *schema.ResourceType
		doc      map[string]any
		attrs    []string
		excluded []string
	}{
		{"user/default", full, user, nil, nil},
		{"user/attributes=userName,emails.value", full, user, []string{"userName,emails.value"}, nil},
		{"user/excluded=enterprise,meta.version", full, user, nil, []string{entURN, "meta.version"}},
		{"group1000/attributes=members.value", dtGroup, bigGroup, []string{"members.value"}, nil},
		{"group1000/default", dtGroup, bigGroup, nil, nil},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			p, err := projection.New(c.rt, c.attrs, c.excluded)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				p.Apply(c.doc)
			}
		})
	}
}
