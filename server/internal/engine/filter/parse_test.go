package filter_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/filter"
)

// rfcFilters are every example filter of RFC 7644 section 3.4.2.2.
var rfcFilters = []string{
	`userName eq "bjensen"`,
	`name.familyName co "O'Malley"`,
	`userName sw "J"`,
	`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`,
	`title pr`,
	`meta.lastModified gt "2011-05-13T04:42:34Z"`,
	`meta.lastModified ge "2011-05-13T04:42:34Z"`,
	`meta.lastModified lt "2011-05-13T04:42:34Z"`,
	`meta.lastModified le "2011-05-13T04:42:34Z"`,
	`title pr and userType eq "Employee"`,
	`title pr or userType eq "Intern"`,
	`schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`,
	`userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`,
	`userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`,
	`userType eq "Employee" and (emails.type eq "work")`,
	`userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`,
	`emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
}

func str(e filter.Expr) string { return e.(fmt.Stringer).String() }

func TestParseString(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		// RFC 7644 examples render as written, bar "not (" spacing and the
		// parentheses that precedence makes redundant.
		{rfcFilters[0], rfcFilters[0]},
		{rfcFilters[1], rfcFilters[1]},
		{rfcFilters[3], rfcFilters[3]},
		{rfcFilters[4], rfcFilters[4]},
		{rfcFilters[9], rfcFilters[9]},
		{rfcFilters[12], rfcFilters[12]},
		{rfcFilters[13], rfcFilters[13]},
		{rfcFilters[14], `userType eq "Employee" and emails.type eq "work"`},
		{rfcFilters[15], rfcFilters[15]},
		{rfcFilters[16], rfcFilters[16]},

		// Case of operators and keywords, whitespace.
		{`userName EQ "x"`, `userName eq "x"`},
		{`userName Eq "x" AND title PR`, `userName eq "x" and title pr`},
		{"  userName\teq\n\"x\"   Or\r\ntitle pr  ", `userName eq "x" or title pr`},
		{`userName eq"x"`, `userName eq "x"`},
		{`(userName pr)and(title pr)`, `userName pr and title pr`},
		{`NOT(title pr)`, `not (title pr)`},
		{`not   (title pr)`, `not (title pr)`},
		{`emails [type eq "work"]`, `emails[type eq "work"]`},
		{`emails[ type eq "work" ]`, `emails[type eq "work"]`},

		// Precedence: not > and > or; chains are left-associative.
		{`a pr or b pr and c pr`, `a pr or b pr and c pr`},
		{`(a pr or b pr) and c pr`, `(a pr or b pr) and c pr`},
		{`a pr and (b pr or c pr)`, `a pr and (b pr or c pr)`},
		{`a pr and (b pr and c pr)`, `a pr and (b pr and c pr)`},
		{`(a pr and b pr) and c pr`, `a pr and b pr and c pr`},
		{`((((a pr))))`, `a pr`},
		{`not (a pr) and b pr`, `not (a pr) and b pr`},
		{`not (not (a pr))`, `not (not (a pr))`},
		{`a pr or b pr or c pr`, `a pr or b pr or c pr`},

		// Value paths with logic and grouping inside the brackets.
		{`emails[type eq "work" and (value co "@x" or primary eq true)]`, `emails[type eq "work" and (value co "@x" or primary eq true)]`},
		{`emails[not (type eq "work")]`, `emails[not (type eq "work")]`},
		{`members[value eq "1" or value eq "2"] and displayName pr`, `members[value eq "1" or value eq "2"] and displayName pr`},

		// Names: sub-attributes, URNs, $ref, nameChars.
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "42"`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "42"`},
		{`members.$ref pr`, `members.$ref pr`},
		{`x-a_b9.c-1 pr`, `x-a_b9.c-1 pr`},
		{`not pr`, `not pr`}, // an attribute called "not"
		{`not[a pr]`, `not[a pr]`},
		{`and eq "x" and or pr`, `and eq "x" and or pr`},

		// Literals.
		{`a eq true`, `a eq true`},
		{`a eq FALSE`, `a eq false`},
		{`a eq Null`, `a eq null`},
		{`a eq 42`, `a eq 42`},
		{`a eq -7`, `a eq -7`},
		{`a eq 0`, `a eq 0`},
		{`a eq 1.5`, `a eq 1.5`},
		{`a eq 1.0`, `a eq 1.0`},
		{`a eq 1e3`, `a eq 1000.0`},
		{`a eq -2.5E-3`, `a eq -0.0025`},
		{`a eq 99999999999999999999`, `a eq 1e+20`},
		{`a eq "\"\\\/\b\f\n\r\t"`, `a eq "\"\\/\b\f\n\r\t"`},
		{`a eq "\u00e9\u00E9"`, `a eq "éé"`},
		{`a eq "\ud83d\ude00"`, `a eq "😀"`},
		{`a eq "\ud83d"`, "a eq \"\uFFFD\""},
		{`a eq "\ud83dx"`, "a eq \"\uFFFDx\""},
		{`a eq "\u0001"`, `a eq "\u0001"`},
		{`a eq "O'Malley (Jr.) [x]"`, `a eq "O'Malley (Jr.) [x]"`},
		{`a eq ""`, `a eq ""`},
	}
	for _, tt := range tests {
		e, err := filter.Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := str(e); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseAST(t *testing.T) {
	tests := []struct {
		in   string
		want filter.Expr
	}{
		{`userName eq "bjensen"`, &filter.AttrExpr{Path: filter.AttrPath{Name: "userName"}, Op: filter.Eq, Value: "bjensen"}},
		{`a GE 3`, &filter.AttrExpr{Path: filter.AttrPath{Name: "a"}, Op: filter.Ge, Value: int64(3)}},
		{`a lt 3.25`, &filter.AttrExpr{Path: filter.AttrPath{Name: "a"}, Op: filter.Lt, Value: 3.25}},
		{`a eq null`, &filter.AttrExpr{Path: filter.AttrPath{Name: "a"}, Op: filter.Eq, Value: nil}},
		{`a pr`, &filter.AttrExpr{Path: filter.AttrPath{Name: "a"}, Op: filter.Pr}},
		{
			`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x"`,
			&filter.AttrExpr{Path: filter.AttrPath{URN: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", Name: "manager", Sub: "value"}, Op: filter.Eq, Value: "x"},
		},
		{
			`a pr or b pr and not (c pr)`,
			&filter.LogicalExpr{Op: "or",
				Left: &filter.AttrExpr{Path: filter.AttrPath{Name: "a"}, Op: filter.Pr},
				Right: &filter.LogicalExpr{Op: "and",
					Left:  &filter.AttrExpr{Path: filter.AttrPath{Name: "b", Pos: 8}, Op: filter.Pr, Pos: 8},
					Right: &filter.NotExpr{X: &filter.AttrExpr{Path: filter.AttrPath{Name: "c", Pos: 22}, Op: filter.Pr, Pos: 22}, Pos: 17},
					Pos:   8},
			},
		},
		{
			`emails[type eq "work"]`,
			&filter.ValuePathExpr{Path: filter.AttrPath{Name: "emails"},
				Filter: &filter.AttrExpr{Path: filter.AttrPath{Name: "type", Pos: 7}, Op: filter.Eq, Value: "work", Pos: 7}},
		},
	}
	for _, tt := range tests {
		got, err := filter.Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	deep := strings.Repeat("(", filter.MaxDepth+1) + "a pr" + strings.Repeat(")", filter.MaxDepth+1)
	tests := []struct {
		in      string
		offset  int
		message string
	}{
		{``, 0, "empty filter"},
		{`   `, 3, "empty filter"},
		{`userName`, 8, `expected an operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr) after attribute "userName"`},
		{`userName "x"`, 9, `expected an operator`},
		{`userName equals "x"`, 9, `unknown operator "equals" after attribute "userName"`},
		{`userName eq`, 11, `expected a value after "eq"`},
		{`userName eq bjensen`, 12, `strings must be quoted`},
		{`userName eq "bjensen`, 12, "unterminated string starting at offset 12"},
		{`userName eq "a\"`, 12, "unterminated string"},
		{`userName eq "a\q"`, 14, `invalid escape \q`},
		{`userName eq "\u12"`, 13, `\u must be followed by four hex digits`},
		{"userName eq \"a\nb\"", 14, "control character"},
		{`userName eq 01`, 12, "leading zeros"},
		{`userName eq 1.`, 12, "decimal point"},
		{`userName eq 1e`, 12, "exponent"},
		{`userName eq 12abc`, 12, "invalid number"},
		{`userName eq -`, 12, "invalid number"},
		{`userName eq 1e999`, 12, "out of range"},
		{`userName eq "x" garbage`, 16, `expected "and", "or" or the end of the filter, found "garbage"`},
		{`userName eq "x" and`, 19, "unexpected end of filter"},
		{`userName eq "x" or or`, 21, `expected an operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr) after attribute "or"`},
		{`userName pr "x"`, 12, `expected "and", "or"`},
		{`(userName pr`, 12, `unbalanced parenthesis: the "(" at offset 0 is never closed`},
		{`userName pr)`, 11, `unbalanced parenthesis: ")" has no matching "("`},
		{`(userName pr x`, 13, `to close the "(" at offset 0`},
		{`()`, 1, `unexpected ")"`},
		{`not userName pr`, 4, `expected "(" after "not"`},
		{`not`, 3, `expected "(" after "not"`},
		{`emails[type eq "work"`, 21, `the "[" at offset 6 is never closed`},
		{`emails[]`, 7, "empty value filter"},
		{`emails[type eq "work"]]`, 22, `"]" has no matching "["`},
		{"userName eq \"ab\xff\"", 15, "not valid UTF-8"},
		{`emails[type[value pr] pr]`, 11, "value paths cannot be nested"},
		{`emails.value[type pr]`, 12, "not a sub-attribute"},
		{`emails[type pr].value eq "x"`, 15, "cannot be followed by a sub-attribute"},
		{`userName.x.y pr`, 10, "more than one sub-attribute"},
		{`user$Name pr`, 4, `invalid character '$'`},
		{`1abc pr`, 0, "starts with a letter"},
		{`:userName pr`, 0, "empty schema URN"},
		{`urn:x: pr`, 6, "empty attribute name"},
		{`name. pr`, 5, "empty sub-attribute name"},
		{`.name pr`, 0, "before \".\""},
		{`urn:a b:c pr`, 6, `unknown operator "b:c" after attribute "urn:a"`},
		{`urn:a<b:c pr`, 5, `invalid character '<' in schema URN`},
		{`userName== "x"`, 8, `invalid character '='`},
		{`"x" eq userName`, 0, `unexpected '"'`},
		{`[a pr]`, 0, `unexpected '['`},
		{deep, filter.MaxDepth, "nested too deeply"},
		{strings.Repeat("not (", filter.MaxDepth+1) + "a pr" + strings.Repeat(")", filter.MaxDepth+1), 5*filter.MaxDepth + 4, "nested too deeply"},
	}
	for _, tt := range tests {
		e, err := filter.Parse(tt.in)
		var se *filter.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, %v; want a *SyntaxError", tt.in, e, err)
			continue
		}
		if se.Offset != tt.offset || !strings.Contains(se.Msg, tt.message) {
			t.Errorf("Parse(%q) error = %q at %d, want %q at %d", tt.in, se.Msg, se.Offset, tt.message, tt.offset)
		}
	}
}

func TestParseDepthLimitAllowsMaxDepth(t *testing.T) {
	in := strings.Repeat("(", filter.MaxDepth) + "a pr" + strings.Repeat(")", filter.MaxDepth)
	if _, err := filter.Parse(in); err != nil {
		t.Fatalf("Parse at depth %d: %v", filter.MaxDepth, err)
	}
	// Long flat chains are not nesting: they parse, and print, without deep
	// recursion.
	long := "a pr" + strings.Repeat(" and a pr", 100000)
	e, err := filter.Parse(long)
	if err != nil {
		t.Fatalf("Parse(long chain): %v", err)
	}
	if got := str(e); got != long {
		t.Fatalf("long chain did not round-trip")
	}
}

func TestParseRFCExamples(t *testing.T) {
	for _, in := range rfcFilters {
		e, err := filter.Parse(in)
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			continue
		}
		again, err := filter.Parse(str(e))
		if err != nil || str(again) != str(e) {
			t.Errorf("Parse(%q).String() = %q does not re-parse to itself: %v", in, str(e), err)
		}
	}
}

func TestParsePath(t *testing.T) {
	work := &filter.AttrExpr{Path: filter.AttrPath{Name: "type", Pos: 7}, Op: filter.Eq, Value: "work", Pos: 7}
	tests := []struct {
		in   string
		want filter.Path
		str  string
	}{
		{"members", filter.Path{Attr: filter.AttrPath{Name: "members"}}, "members"},
		{"name.familyName", filter.Path{Attr: filter.AttrPath{Name: "name", Sub: "familyName"}}, "name.familyName"},
		{"  userName  ", filter.Path{Attr: filter.AttrPath{Name: "userName", Pos: 2}}, "userName"},
		{`emails[type eq "work"]`, filter.Path{Attr: filter.AttrPath{Name: "emails"}, Filter: work}, `emails[type eq "work"]`},
		{`emails[type eq "work"].value`, filter.Path{Attr: filter.AttrPath{Name: "emails", Sub: "value"}, Filter: work}, `emails[type eq "work"].value`},
		{
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
			filter.Path{Attr: filter.AttrPath{URN: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", Name: "manager", Sub: "value"}},
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
		},
		{
			`members[value eq "2819c223-7f76-453a-919d-413861904646"]`,
			filter.Path{Attr: filter.AttrPath{Name: "members"}, Filter: &filter.AttrExpr{Path: filter.AttrPath{Name: "value", Pos: 8}, Op: filter.Eq, Value: "2819c223-7f76-453a-919d-413861904646", Pos: 8}},
			`members[value eq "2819c223-7f76-453a-919d-413861904646"]`,
		},
	}
	for _, tt := range tests {
		got, err := filter.ParsePath(tt.in)
		if err != nil {
			t.Errorf("ParsePath(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParsePath(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
		if s := got.String(); s != tt.str {
			t.Errorf("ParsePath(%q).String() = %q, want %q", tt.in, s, tt.str)
		}
	}
}

func TestParsePathErrors(t *testing.T) {
	tests := []struct {
		in      string
		offset  int
		message string
	}{
		{"", 0, "empty path"},
		{"emails[", 7, "unexpected end of filter"},
		{`emails[type eq "work"`, 21, "never closed"},
		{`emails[type eq "work"].`, 23, "expected a sub-attribute name"},
		{`emails[type eq "work"].value.x`, 28, "invalid character '.'"},
		{`emails[type eq "work"]x`, 22, "unexpected \"x\" after the end of the path"},
		{`emails.value[type eq "work"]`, 12, "not a sub-attribute"},
		{"userName eq", 9, "unexpected \"eq\""},
		{"a.b.c", 3, "more than one sub-attribute"},
	}
	for _, tt := range tests {
		_, err := filter.ParsePath(tt.in)
		var se *filter.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("ParsePath(%q) error = %v, want a *SyntaxError", tt.in, err)
			continue
		}
		if se.Offset != tt.offset || !strings.Contains(se.Msg, tt.message) {
			t.Errorf("ParsePath(%q) error = %q at %d, want %q at %d", tt.in, se.Msg, se.Offset, tt.message, tt.offset)
		}
	}
}
