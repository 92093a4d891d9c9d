package filter_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/filter"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

const ent = schema.EnterpriseUserURN

var (
	fullUser  = schema.Full().ResourceType("User")
	fullGroup = schema.Full().ResourceType("Group")
	dtUser    = schema.Dynatrace().ResourceType("User")
	dtGroup   = schema.Dynatrace().ResourceType("Group")
)

func meta(rt, created, modified string) map[string]any {
	return map[string]any{"resourceType": rt, "created": created, "lastModified": modified, "version": `W/"3"`}
}

// bjensen is RFC 7643 section 8.2's full user, trimmed, as the store
// evaluates it: canonical, with id and meta.
func bjensen() map[string]any {
	return map[string]any{
		"id":          "2819c223-7f76-453a-919d-413861904646",
		"externalId":  "701984",
		"userName":    "bjensen",
		"name":        map[string]any{"formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen-O'Malley", "givenName": "Barbara"},
		"displayName": "Babs Jensen",
		"title":       "Tour Guide",
		"userType":    "Employee",
		"active":      true,
		"emails": []any{
			map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true},
			map[string]any{"value": "babs@jensen.org", "type": "home"},
		},
		"ims":              []any{map[string]any{"value": "babs@foo.com", "type": "xmpp"}},
		"x509Certificates": []any{map[string]any{"value": "TUlJRE9q"}},
		"groups":           []any{map[string]any{"value": "e9e30dba", "display": "Tour Guides"}},
		"meta":             meta("User", "2010-01-23T04:56:22Z", "2011-05-13T04:42:34Z"),
		ent: map[string]any{
			"employeeNumber": "701984",
			"department":     "Tour Operations",
			"manager":        map[string]any{"value": "26118915-6090", "displayName": "John Smith"},
		},
	}
}

// intern has no title, no extension, and emails on example.org only.
func intern() map[string]any {
	return map[string]any{
		"id":       "b1",
		"userName": "JSmith",
		"userType": "Intern",
		"active":   false,
		"emails":   []any{map[string]any{"value": "js@example.org", "type": "work"}},
		"meta":     meta("User", "2011-05-13T04:42:34Z", "2011-05-13T06:42:34+02:00"),
	}
}

func TestMatchRFCExamples(t *testing.T) {
	// want[0] is bjensen, want[1] the intern.
	tests := []struct {
		filter string
		want   [2]bool
	}{
		{`userName eq "bjensen"`, [2]bool{true, false}},
		{`name.familyName co "O'Malley"`, [2]bool{true, false}},
		{`userName sw "J"`, [2]bool{false, true}},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`, [2]bool{false, true}},
		{`title pr`, [2]bool{true, false}},
		{`meta.lastModified gt "2011-05-13T04:42:34Z"`, [2]bool{false, false}},
		{`meta.lastModified ge "2011-05-13T04:42:34Z"`, [2]bool{true, true}},
		{`meta.lastModified lt "2011-05-13T04:42:34Z"`, [2]bool{false, false}},
		{`meta.lastModified le "2011-05-13T04:42:34Z"`, [2]bool{true, true}},
		{`title pr and userType eq "Employee"`, [2]bool{true, false}},
		{`title pr or userType eq "Intern"`, [2]bool{true, true}},
		{`schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`, [2]bool{true, false}},
		{`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`, [2]bool{true, false}},
		{`userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`, [2]bool{false, false}},
		{`userType eq "Employee" and (emails.type eq "work")`, [2]bool{true, false}},
		{`userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`, [2]bool{true, false}},
		{`emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`, [2]bool{true, false}},
	}
	if len(tests) != len(rfcFilters) {
		t.Fatalf("%d cases for %d RFC examples", len(tests), len(rfcFilters))
	}
	docs := [2]map[string]any{bjensen(), intern()}
	for i, tt := range tests {
		if tt.filter != rfcFilters[i] {
			t.Fatalf("case %d is %q, RFC example is %q", i, tt.filter, rfcFilters[i])
		}
		f, err := filter.ParseAndCompile(tt.filter, fullUser)
		if err != nil {
			t.Errorf("ParseAndCompile(%q): %v", tt.filter, err)
			continue
		}
		for j, doc := range docs {
			if got := f.Match(doc); got != tt.want[j] {
				t.Errorf("%q on doc %d = %v, want %v", tt.filter, j, got, tt.want[j])
			}
		}
	}
}

func TestMatch(t *testing.T) {
	bj, in := bjensen(), intern()
	group := map[string]any{
		"id":          "g1",
		"displayName": "Tour Guides",
		"members": []any{
			map[string]any{"value": "2819c223", "type": "User", "display": "Babs"},
			map[string]any{"value": "g2", "type": "Group"},
		},
		"meta": meta("Group", "2010-01-23T04:56:22Z", "2011-05-13T04:42:34Z"),
	}
	numbers := map[string]any{"n": int64(5), "d": 2.5, "b": true}
	tests := []struct {
		rt     *schema.ResourceType
		filter string
		doc    map[string]any
		want   bool
	}{
		// Case rules: userName is caseExact false, id and externalId true.
		{fullUser, `userName eq "BJENSEN"`, bj, true},
		{fullUser, `USERNAME Eq "bJensen"`, bj, true},
		{fullUser, `userName co "JENS"`, bj, true},
		{fullUser, `userName ew "SEN"`, bj, true},
		{fullUser, `userName sw "BJ"`, bj, true},
		{fullUser, `userName gt "BJENSEM"`, bj, true},
		{fullUser, `userName lt "BJENSEM"`, bj, false},
		{fullUser, `userName ge "BJENSEN" and userName le "BJENSEN"`, bj, true},
		{fullUser, `id eq "2819C223-7F76-453A-919D-413861904646"`, bj, false},
		{fullUser, `id eq "2819c223-7f76-453a-919d-413861904646"`, bj, true},
		{fullUser, `id sw "2819C"`, bj, false},
		{fullUser, `externalId eq "701984"`, bj, true},
		{fullUser, `groups.value eq "E9E30DBA"`, bj, false}, // caseExact
		{fullUser, `groups.display eq "tour guides"`, bj, true},
		{fullUser, `displayName eq "BABS JENSEN"`, bj, true},
		{fullUser, `displayName co ""`, bj, true},
		{fullUser, `displayName co ""`, in, false},
		{fullUser, `name.givenName eq "barbara"`, bj, true},
		{fullUser, `name.givenName eq "barbara"`, in, false},

		// Unicode case folding.
		{fullUser, `displayName eq "ÉCOLE"`, map[string]any{"displayName": "école"}, true},
		{fullUser, `displayName co "Ö"`, map[string]any{"displayName": "Jörg"}, true},
		{fullUser, `displayName ew "RG"`, map[string]any{"displayName": "Jörg"}, true},
		{fullUser, `displayName sw "JÖ"`, map[string]any{"displayName": "jörg"}, true},

		// Dates compare chronologically, whatever the offset or precision.
		{fullUser, `meta.lastModified eq "2011-05-13T04:42:34Z"`, in, true},
		{fullUser, `meta.lastModified eq "2011-05-13T04:42:34.000Z"`, bj, true},
		{fullUser, `meta.lastModified gt "2011-05-13T06:42:33+02:00"`, bj, true},
		{fullUser, `meta.lastModified lt "2011-05-13T04:42:34.001Z"`, bj, true},
		{fullUser, `meta.created lt "2011-01-01T00:00:00Z"`, bj, true},
		{fullUser, `meta.created gt "2011-01-01T00:00:00Z"`, bj, false},
		{fullUser, `meta.created sw "2010-01"`, bj, true},
		{fullUser, `meta.created ne "2010-01-23T04:56:22Z"`, bj, false},
		{fullUser, `meta.resourceType eq "User"`, bj, true},
		{fullUser, `meta.version pr`, bj, true},
		{fullUser, `meta pr`, bj, true},
		{fullUser, `meta.location pr`, bj, false},

		// Booleans.
		{fullUser, `active eq true`, bj, true},
		{fullUser, `active eq false`, in, true},
		{fullUser, `active ne true`, in, true},
		{fullUser, `active pr`, in, true},
		{fullUser, `emails[primary eq true]`, bj, true},
		{fullUser, `emails[primary eq true]`, in, false},

		// pr: empty strings, arrays and objects are absent.
		{fullUser, `title pr`, map[string]any{"title": ""}, false},
		{fullUser, `emails pr`, map[string]any{"emails": []any{}}, false},
		{fullUser, `name pr`, map[string]any{"name": map[string]any{}}, false},
		{fullUser, `emails pr`, bj, true},
		{fullUser, `emails.value pr`, bj, true},
		{fullUser, `addresses pr`, bj, false},
		{fullUser, `name pr`, bj, true},

		// ne and null: ne is not (eq), so an unassigned attribute is ne
		// anything; eq null is "unassigned".
		{fullUser, `title ne "Tour Guide"`, in, true},
		{fullUser, `title ne "Tour Guide"`, bj, false},
		{fullUser, `title ne "x"`, bj, true},
		{fullUser, `title eq null`, in, true},
		{fullUser, `title eq null`, bj, false},
		{fullUser, `title ne null`, bj, true},
		{fullUser, `emails.type ne "work"`, bj, false}, // one work email: not "no work email"
		{fullUser, `emails.type ne "other"`, bj, true},
		{fullUser, `not (title eq "x")`, in, true},
		{fullUser, `title gt "A"`, in, false},

		// Multi-valued: any value; the implicit "value" sub-attribute.
		{fullUser, `emails eq "BABS@jensen.org"`, bj, true},
		{fullUser, `emails.value ew ".org"`, bj, true},
		{fullUser, `emails.type eq "home"`, bj, true},
		{fullUser, `emails.type eq "other"`, bj, false},
		{fullUser, `x509Certificates eq "TUlJRE9q"`, bj, true},
		{fullUser, `x509Certificates eq "tuljre9q"`, bj, false}, // binary: exact

		// Value paths: one element must satisfy the whole bracket.
		{fullUser, `emails[type eq "home" and value co "example.com"]`, bj, false},
		{fullUser, `emails[type eq "home" and value co "jensen"]`, bj, true},
		{fullUser, `emails[type eq "home" or primary eq true]`, bj, true},
		{fullUser, `emails[not (type eq "work")]`, bj, true},
		{fullUser, `emails[not (type eq "work")]`, in, false},
		{fullUser, `emails[type eq "work"] and not (emails[type eq "home"])`, in, true},
		{fullUser, `emails[TYPE EQ "WORK"]`, bj, true},
		{fullUser, `emails[value pr]`, in, true},
		{fullUser, `addresses[type eq "work"]`, bj, false},
		{fullUser, `name[givenName eq "Barbara" and familyName sw "Jensen"]`, bj, true},

		// Extension attributes, qualified.
		{fullUser, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`, bj, true},
		{fullUser, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090"`, bj, true},
		{fullUser, `URN:IETF:params:scim:schemas:extension:enterprise:2.0:user:MANAGER.VALUE pr`, bj, true},
		{fullUser, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value pr`, in, false},
		{fullUser, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department co "tour"`, bj, true},
		{fullUser, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager[displayName eq "john smith"]`, bj, true},
		{fullUser, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber ne "1"`, in, true},
		{fullUser, `schemas eq "urn:ietf:params:scim:schemas:core:2.0:User"`, in, true},
		{fullUser, `schemas pr`, in, true},
		{fullUser, `urn:ietf:params:scim:schemas:core:2.0:User:schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user"`, bj, true},
		{fullUser, `schemas eq "urn:example:x"`, map[string]any{"schemas": []any{"urn:example:x"}}, true},

		// Logic.
		{fullUser, `title pr or (userType eq "Intern" and active eq false)`, in, true},
		{fullUser, `not (not (title pr))`, bj, true},
		{fullUser, `userName eq "x" or userName eq "y" or userName eq "bjensen"`, bj, true},
		{fullUser, `userName pr and userName pr and title pr`, in, false},

		// Groups.
		{fullGroup, `members[value eq "2819c223"]`, group, true},
		{fullGroup, `members[value eq "2819C223"]`, group, false},
		{fullGroup, `members.type eq "group"`, group, true},
		{fullGroup, `members eq "g2"`, group, true},
		{fullGroup, `displayName eq "TOUR GUIDES"`, group, true},
		{dtGroup, `displayName sw "tour" and members pr`, group, true},
		{dtGroup, `members pr`, map[string]any{"displayName": "empty"}, false},

		// Dynatrace set.
		{dtUser, `userName eq "BJENSEN"`, bj, true},
		{dtUser, `name.familyName ew "O'MALLEY"`, bj, true},
		{dtUser, `active eq true and groups[display co "guide"]`, bj, true},
		{dtUser, `meta.lastModified ge "2011-05-13T04:42:34Z"`, in, true},

		// Numbers, with a hand-made resource type.
		{numberType, `n eq 5`, numbers, true},
		{numberType, `n eq 5.0`, numbers, true},
		{numberType, `n gt 4.5`, numbers, true},
		{numberType, `n le -1`, numbers, false},
		{numberType, `d gt 2`, numbers, true},
		{numberType, `d eq 2.5`, numbers, true},
		{numberType, `d lt 2.5`, numbers, false},
		{numberType, `d ge 25e-1`, numbers, true},
		{numberType, `b eq true`, numbers, true},
		{numberType, `n ne 5`, numbers, false},
	}
	for _, tt := range tests {
		f, err := filter.ParseAndCompile(tt.filter, tt.rt)
		if err != nil {
			t.Errorf("ParseAndCompile(%q): %v", tt.filter, err)
			continue
		}
		if got := f.Match(tt.doc); got != tt.want {
			t.Errorf("%q on %v = %v, want %v", tt.filter, tt.doc["id"], got, tt.want)
		}
	}
}

var numberType = &schema.ResourceType{
	Name: "Thing",
	Core: &schema.Schema{ID: "urn:example:Thing", Attributes: []*schema.Attribute{
		{Name: "n", Type: schema.Integer},
		{Name: "d", Type: schema.Decimal},
		{Name: "b", Type: schema.Boolean},
	}},
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		rt     *schema.ResourceType
		filter string
		detail string
	}{
		{fullUser, `usrName eq "x"`, `at offset 0: no attribute "usrName" in resource type User; did you mean "userName"?`},
		{fullUser, `title pr and nope pr`, `at offset 13: no attribute "nope" in resource type User`},
		{fullUser, `name.famlyName eq "x"`, `at offset 0: no sub-attribute "famlyName" in attribute "name"; did you mean "familyName"?`},
		{fullUser, `userName.x eq "x"`, `at offset 0: attribute "userName" has no sub-attributes`},
		{fullUser, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:boss pr`, `at offset 0: no attribute "boss" in schema urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`},
		{fullUser, `urn:example:Other:x pr`, `at offset 0: schema "urn:example:Other" is not a schema of resource type User`},
		{fullUser, `userName[value eq "x"]`, `at offset 0: attribute "userName" is not complex`},
		{fullUser, `emails[tpye eq "work"]`, `at offset 7: no sub-attribute "tpye" in attribute "emails"; did you mean "type"?`},
		{fullUser, `emails[emails.type eq "work"]`, `at offset 7: inside the value filter of "emails" name its sub-attributes only`},
		{fullUser, `active gt true`, `at offset 0: gt is not defined for boolean attribute "active"`},
		{fullUser, `active co true`, `co is not defined for boolean attribute "active"`},
		{fullUser, `active eq "true"`, `at offset 0: attribute "active" is boolean: compare it with true or false, not the string "true"`},
		{fullUser, `emails[primary le false]`, `at offset 7: le is not defined for boolean attribute "primary"`},
		{fullUser, `x509Certificates.value gt "a"`, `gt is not defined for binary attribute "x509Certificates.value"`},
		{fullUser, `meta.created gt "yesterday"`, `at offset 0: attribute "meta.created" is a dateTime: "yesterday" is not an xsd:dateTime`},
		{fullUser, `meta.created gt 5`, `attribute "meta.created" is a dateTime: compare it with a string`},
		{fullUser, `userName eq 5`, `attribute "userName" is a string: compare it with a string in double quotes, not the number 5`},
		{fullUser, `userName eq true`, `not true`},
		{fullUser, `userName gt null`, `null can only be compared with eq or ne`},
		{fullUser, `name eq "x"`, `attribute "name" is complex: compare one of its sub-attributes`},
		{fullUser, `addresses co "x"`, `attribute "addresses" is complex`},
		{numberType, `n co 5`, `co is not defined for integer attribute "n"`},
		{numberType, `n eq "5"`, `attribute "n" is numeric (integer): compare it with a number, not the string "5"`},
		{dtUser, `emails co "x"`, `at offset 0: no attribute "emails" in resource type User`},
		{dtUser, `title pr`, `no attribute "title" in resource type User`},
		{fullUser, `userName eq "x" and`, `at offset 19: unexpected end of filter`},
		{fullUser, `userName eq "x`, `at offset 12: unterminated string starting at offset 12`},
	}
	for _, tt := range tests {
		_, err := filter.ParseAndCompile(tt.filter, tt.rt)
		var se *scimerror.Error
		if !errors.As(err, &se) {
			t.Errorf("ParseAndCompile(%q) error = %v, want a *scimerror.Error", tt.filter, err)
			continue
		}
		if se.Status != 400 || se.ScimType != scimerror.InvalidFilter || !strings.Contains(se.Detail, tt.detail) {
			t.Errorf("ParseAndCompile(%q) error = %d %s %q, want 400 invalidFilter containing %q", tt.filter, se.Status, se.ScimType, se.Detail, tt.detail)
		}
	}
}

func TestCompileCorruptAST(t *testing.T) {
	// Compile takes any Expr: hand-built trees with holes are errors, not
	// panics.
	tests := []filter.Expr{
		nil,
		&filter.NotExpr{},
		&filter.LogicalExpr{Op: "xor", Left: &filter.AttrExpr{Path: filter.AttrPath{Name: "title"}, Op: filter.Pr}},
		&filter.LogicalExpr{Op: "and"},
		&filter.AttrExpr{Path: filter.AttrPath{Name: "title"}, Op: "like", Value: "x"},
		&filter.AttrExpr{Path: filter.AttrPath{Name: "title"}, Op: filter.Eq, Value: []string{"x"}},
		&filter.ValuePathExpr{Path: filter.AttrPath{Name: "emails"}},
		&filter.ValuePathExpr{Path: filter.AttrPath{Name: "emails"}, Filter: &filter.ValuePathExpr{Path: filter.AttrPath{Name: "emails"}, Filter: &filter.AttrExpr{Path: filter.AttrPath{Name: "type"}, Op: filter.Pr}}},
	}
	for _, e := range tests {
		if f, err := filter.Compile(e, fullUser); err == nil {
			t.Errorf("Compile(%#v) = %v, want an error", e, f)
		}
	}
}

func TestFilterString(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{`USERNAME EQ "x"`, `userName eq "x"`},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`, `userName sw "J"`},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:MANAGER.value pr`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value pr`},
		{`EMAILS[TYPE eq "work"] Or meta.LASTMODIFIED gt "2011-05-13T04:42:34Z"`, `emails[type eq "work"] or meta.lastModified gt "2011-05-13T04:42:34Z"`},
		{`emails co "x"`, `emails co "x"`},
		{`(a pr and b pr) and c pr`, ``}, // unknown attributes: error
		{`(title pr and userType pr) and (nickName pr and locale pr)`, `title pr and userType pr and (nickName pr and locale pr)`},
		{`not (title pr or nickName pr)`, `not (title pr or nickName pr)`},
	}
	for _, tt := range tests {
		f, err := filter.ParseAndCompile(tt.in, fullUser)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseAndCompile(%q) succeeded, want an error", tt.in)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseAndCompile(%q): %v", tt.in, err)
			continue
		}
		if got := f.String(); got != tt.want {
			t.Errorf("ParseAndCompile(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		if f.Expr() == nil {
			t.Errorf("ParseAndCompile(%q).Expr() = nil", tt.in)
		}
	}
}

func TestUses(t *testing.T) {
	tests := []struct {
		rt     *schema.ResourceType
		filter string
		attr   string
		want   bool
	}{
		{fullGroup, `members[value eq "x"]`, "members", true},
		{fullGroup, `members.value eq "x"`, "members", true},
		{fullGroup, `displayName eq "x"`, "members", false},
		{fullGroup, `displayName eq "x" or not (members pr)`, "members", true},
		{fullUser, `groups.display eq "x"`, "groups", true},
		{fullUser, `GROUPS pr`, "groups", true},
		{fullUser, `userName eq "x"`, "groups", false},
		{fullUser, `meta.created gt "2011-05-13T04:42:34Z"`, "meta", true},
		{fullUser, `userName eq "x"`, "meta", false},
		{fullUser, `userName eq "x"`, "userName", true},
		{fullUser, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value pr`, ent + ":manager", true},
		{fullUser, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value pr`, "manager", false},
		{fullUser, `schemas pr`, "schemas", true},
	}
	for _, tt := range tests {
		f, err := filter.ParseAndCompile(tt.filter, tt.rt)
		if err != nil {
			t.Errorf("ParseAndCompile(%q): %v", tt.filter, err)
			continue
		}
		if got := f.Uses(tt.attr); got != tt.want {
			t.Errorf("%q Uses(%q) = %v, want %v", tt.filter, tt.attr, got, tt.want)
		}
	}
}

func TestNilFilterMatchesEverything(t *testing.T) {
	var f *filter.Filter
	if !f.Match(bjensen()) {
		t.Fatal("nil filter did not match")
	}
}
