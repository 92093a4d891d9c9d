package filter_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/filter"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

func TestBindPath(t *testing.T) {
	tests := []struct {
		rt     *schema.ResourceType
		path   string
		ref    string // BoundPath.Ref.String()
		filter string // ElementFilter.String(), "" for none
	}{
		{fullGroup, "members", "members", ""},
		{fullGroup, "MEMBERS", "members", ""},
		{fullGroup, `members[value eq "2819c223"]`, "members", `value eq "2819c223"`},
		{fullUser, "name.familyName", "name.familyName", ""},
		{fullUser, "NAME.GIVENNAME", "name.givenName", ""},
		{fullUser, "emails.value", "emails.value", ""},
		{fullUser, `emails[type eq "work"]`, "emails", `type eq "work"`},
		{fullUser, `emails[TYPE EQ "work" and PRIMARY eq true].VALUE`, "emails.value", `type eq "work" and primary eq true`},
		{fullUser, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", ent + ":manager.value", ""},
		{fullUser, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", ent + ":department", ""},
		{fullUser, "urn:ietf:params:scim:schemas:core:2.0:User:userName", "userName", ""},
		{fullUser, "externalId", "externalId", ""},
		{dtUser, "name.givenName", "name.givenName", ""},
		{dtUser, "active", "active", ""},
	}
	for _, tt := range tests {
		bp, err := filter.ParseAndBindPath(tt.path, tt.rt)
		if err != nil {
			t.Errorf("ParseAndBindPath(%q): %v", tt.path, err)
			continue
		}
		if got := bp.Ref.String(); got != tt.ref {
			t.Errorf("ParseAndBindPath(%q).Ref = %q, want %q", tt.path, got, tt.ref)
		}
		got := ""
		if bp.Filter != nil {
			got = bp.Filter.String()
		}
		if got != tt.filter {
			t.Errorf("ParseAndBindPath(%q).Filter = %q, want %q", tt.path, got, tt.filter)
		}
	}
}

func TestBindPathErrors(t *testing.T) {
	tests := []struct {
		rt     *schema.ResourceType
		path   string
		detail string
	}{
		{fullUser, "usrName", `at offset 0: no attribute "usrName" in resource type User`},
		{fullUser, "name.nope", `no sub-attribute "nope" in attribute "name"`},
		{fullUser, `name[givenName eq "x"]`, `attribute "name" is not multi-valued complex`},
		{fullUser, `userName[value eq "x"]`, `attribute "userName" is not multi-valued complex`},
		{fullUser, `emails[type eq "work"].nope`, `no sub-attribute "nope" in attribute "emails"`},
		{fullUser, `emails[nope eq "work"]`, `at offset 7: no sub-attribute "nope" in attribute "emails"`},
		{fullUser, `emails[primary gt true]`, `gt is not defined for boolean attribute "primary"`},
		{fullUser, `emails[type eq "work"`, `at offset 21: unbalanced bracket`},
		{dtUser, "emails", `no attribute "emails" in resource type User`},
		{fullUser, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:boss", `no attribute "boss" in schema`},
	}
	for _, tt := range tests {
		_, err := filter.ParseAndBindPath(tt.path, tt.rt)
		var se *scimerror.Error
		if !errors.As(err, &se) {
			t.Errorf("ParseAndBindPath(%q) error = %v, want a *scimerror.Error", tt.path, err)
			continue
		}
		if se.Status != 400 || se.ScimType != scimerror.InvalidPath || !strings.Contains(se.Detail, tt.detail) {
			t.Errorf("ParseAndBindPath(%q) error = %d %s %q, want 400 invalidPath containing %q", tt.path, se.Status, se.ScimType, se.Detail, tt.detail)
		}
	}
}

func TestElementFilterMatch(t *testing.T) {
	work := map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true}
	home := map[string]any{"value": "babs@jensen.org", "type": "home"}
	tests := []struct {
		path string
		elem any
		want bool
	}{
		{`emails[type eq "work"]`, work, true},
		{`emails[type eq "WORK"]`, work, true},
		{`emails[type eq "work"]`, home, false},
		{`emails[type eq "home" or primary eq true].value`, work, true},
		{`emails[not (primary eq true)]`, home, true},
		{`emails[primary ne true]`, home, true},
		{`emails[value ew "EXAMPLE.COM"]`, work, true},
		{`emails[display pr]`, work, false},
		{`emails[type eq "work"]`, "not a map", false},
		{`emails[type eq "work"]`, nil, false},
	}
	for _, tt := range tests {
		bp, err := filter.ParseAndBindPath(tt.path, fullUser)
		if err != nil {
			t.Errorf("ParseAndBindPath(%q): %v", tt.path, err)
			continue
		}
		if got := bp.Filter.Match(tt.elem); got != tt.want {
			t.Errorf("%q Match(%v) = %v, want %v", tt.path, tt.elem, got, tt.want)
		}
	}
	members, err := filter.ParseAndBindPath(`members[value eq "ABC"]`, fullGroup)
	if err != nil {
		t.Fatal(err)
	}
	if members.Filter.Match(map[string]any{"value": "abc"}) {
		t.Error(`members.value is caseExact: "abc" matched "ABC"`)
	}
}

func TestCompare(t *testing.T) {
	str := &schema.Attribute{Name: "s", Type: schema.String}
	exact := &schema.Attribute{Name: "e", Type: schema.String, CaseExact: true}
	bin := &schema.Attribute{Name: "b", Type: schema.Binary}
	dt := &schema.Attribute{Name: "d", Type: schema.DateTime}
	num := &schema.Attribute{Name: "n", Type: schema.Integer}
	dec := &schema.Attribute{Name: "f", Type: schema.Decimal}
	boo := &schema.Attribute{Name: "t", Type: schema.Boolean}
	cpx := &schema.Attribute{Name: "c", Type: schema.Complex}
	tests := []struct {
		a    *schema.Attribute
		x, y any
		want int
		ok   bool
	}{
		{str, "abc", "ABD", -1, true},
		{str, "ABC", "abc", 0, true},
		{str, "b", "A", 1, true},
		{str, "Émile", "émile", 0, true},
		{exact, "ABC", "abc", -1, true},
		{exact, "abc", "abc", 0, true},
		{bin, "QQ==", "qq==", -1, true},
		{dt, "2011-05-13T04:42:34Z", "2011-05-13T06:42:34+02:00", 0, true},
		{dt, "2011-05-13T04:42:34Z", "2011-05-13T04:42:35Z", -1, true},
		{dt, "2011-05-13T04:42:34Z", "garbage", 0, false},
		{num, int64(2), int64(10), -1, true},
		{num, int64(2), 2.0, 0, true},
		{dec, 2.5, int64(2), 1, true},
		{boo, false, true, -1, true},
		{boo, true, true, 0, true},
		{str, "a", int64(1), 0, false},
		{str, nil, "a", 0, false},
		{cpx, map[string]any{}, map[string]any{}, 0, false},
		{nil, "a", "a", 0, false},
	}
	for _, tt := range tests {
		got, ok := filter.Compare(tt.a, tt.x, tt.y)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Compare(%s, %v, %v) = %d, %v, want %d, %v", tt.a.Name, tt.x, tt.y, got, ok, tt.want, tt.ok)
		}
	}
}

func TestEqual(t *testing.T) {
	emails := fullUser.Core.Attr("emails")
	members := fullGroup.Core.Attr("members")
	userName := fullUser.Core.Attr("userName")
	meta := schema.Common.Attr("meta")
	tests := []struct {
		name string
		a    *schema.Attribute
		x, y any
		want bool
	}{
		{"fold", userName, "BJensen", "bjensen", true},
		{"differ", userName, "bjensen", "bjensen2", false},
		{"both unassigned", userName, nil, "", true},
		{"one unassigned", userName, nil, "x", false},
		{"complex fold", emails, map[string]any{"value": "A@X.COM", "type": "work"}, map[string]any{"value": "a@x.com", "type": "WORK"}, true},
		{"complex differ", emails, map[string]any{"value": "a@x.com", "type": "work"}, map[string]any{"value": "a@x.com", "type": "home"}, false},
		{"complex missing sub", emails, map[string]any{"value": "a@x.com", "primary": true}, map[string]any{"value": "a@x.com"}, false},
		{"caseExact sub", members, map[string]any{"value": "ABC"}, map[string]any{"value": "abc"}, false},
		{"caseExact sub same", members, map[string]any{"value": "abc", "display": "X"}, map[string]any{"value": "abc", "display": "x"}, true},
		{"multi any order", emails,
			[]any{map[string]any{"value": "a"}, map[string]any{"value": "b"}},
			[]any{map[string]any{"value": "B"}, map[string]any{"value": "A"}}, true},
		{"multi duplicates", emails,
			[]any{map[string]any{"value": "a"}, map[string]any{"value": "a"}},
			[]any{map[string]any{"value": "a"}, map[string]any{"value": "b"}}, false},
		{"multi vs single", emails, []any{map[string]any{"value": "a"}}, map[string]any{"value": "a"}, false},
		{"dateTime", meta, map[string]any{"created": "2011-05-13T04:42:34Z"}, map[string]any{"created": "2011-05-13T06:42:34+02:00"}, true},
	}
	for _, tt := range tests {
		if got := filter.Equal(tt.a, tt.x, tt.y); got != tt.want {
			t.Errorf("%s: Equal(%v, %v) = %v, want %v", tt.name, tt.x, tt.y, got, tt.want)
		}
	}
}

func TestExtensionSchemaAsPath(t *testing.T) {
	_, err := filter.ParseAndBindPath(ent, fullUser)
	var se *scimerror.Error
	if !errors.As(err, &se) || se.ScimType != scimerror.InvalidPath || !strings.Contains(se.Detail, "is an extension schema, not an attribute") {
		t.Fatalf("ParseAndBindPath(%q) error = %v, want invalidPath naming the extension", ent, err)
	}
	_, err = filter.ParseAndCompile(ent+" pr", fullUser)
	if !errors.As(err, &se) || se.ScimType != scimerror.InvalidFilter || !strings.Contains(se.Detail, "at offset 0: \""+ent+"\" is an extension schema") {
		t.Fatalf("ParseAndCompile(%q) error = %v, want invalidFilter naming the extension", ent+" pr", err)
	}
}
