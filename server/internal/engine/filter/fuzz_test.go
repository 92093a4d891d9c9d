package filter_test

import (
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/filter"
)

// tricky are inputs that probe the lexer's edges: escapes, surrogates,
// keywords as names, nesting, numbers, stray delimiters.
var tricky = []string{
	``, ` `, `(`, `)`, `[`, `]`, `"`, `not`, `not (`, `a`, `a pr`, `a eq`, `a eq "`,
	`a eq "\`, `a eq "\u"`, `a eq "\ud800\udc00"`, `a eq "\udc00\ud800"`, `a eq "\ud800\u0041"`,
	`a eq "\u0000"`, "a eq \"\xff\xfe\"", "a eq \"\x7f\"", `a eq -0`, `a eq -0.0`, `a eq 1E+2`,
	`a eq 9223372036854775807`, `a eq -9223372036854775808`, `a eq 9223372036854775808`,
	`a eq 1e308`, `a eq 5e-324`, `a eq tRUE`, `not pr`, `not eq "x"`, `and pr and or pr or not pr`,
	`a[b[c pr]]`, `a[b pr].c`, `a.b[c pr]`, `urn:x:y:a.b pr`, `urn::a pr`, `a:b:c:d.e eq 1`,
	`$ref pr`, `a.$ref pr`, `((a pr) or (b pr)) and not (c[d pr])`, `a pr)`, `(a pr]`, `a[b pr)`,
	"a\tEQ\r\n\"x\"", `emails[type eq "work"].value`, `members[value eq "1"]`, `x eq "a"and y pr`,
}

func FuzzParse(f *testing.F) {
	for _, s := range rfcFilters {
		f.Add(s)
	}
	for _, s := range tricky {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := filter.Parse(s)
		if err != nil {
			if se, ok := err.(*filter.SyntaxError); !ok || se.Offset < 0 || se.Offset > len(s) {
				t.Fatalf("Parse(%q) error %#v: want a *SyntaxError with an offset in the input", s, err)
			}
			return
		}
		out := str(e)
		again, err := filter.Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not re-parse: %v", s, out, err)
		}
		if got := str(again); got != out {
			t.Fatalf("Parse(%q).String() = %q re-parses to %q", s, out, got)
		}
		// Binding must not panic either, whatever the tree.
		if f, err := filter.Compile(e, fullUser); err == nil {
			// The canonical form compiles to the same filter.
			g, err := filter.ParseAndCompile(f.String(), fullUser)
			if err != nil {
				t.Fatalf("canonical %q of %q does not compile: %v", f.String(), s, err)
			}
			if g.String() != f.String() {
				t.Fatalf("canonical %q of %q recompiles to %q", f.String(), s, g.String())
			}
			for _, doc := range []map[string]any{bjensen(), intern()} {
				if f.Match(doc) != g.Match(doc) {
					t.Fatalf("%q and its canonical form %q disagree on %v", s, f.String(), doc["id"])
				}
			}
		}
	})
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{
		"members", "name.familyName", `emails[type eq "work"]`, `emails[type eq "work"].value`,
		`members[value eq "2819c223-7f76-453a-919d-413861904646"]`,
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
		`emails[type eq "work" and (value co "@x" or primary eq true)].display`,
		"", " ", "[", "].", `a[b pr].`, `a[b pr].c.d`, `a[b pr]x`, "a.b.c", "a..b", `a[b[c pr]]`,
	} {
		f.Add(s)
	}
	for _, s := range tricky {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := filter.ParsePath(s)
		if err != nil {
			if se, ok := err.(*filter.SyntaxError); !ok || se.Offset < 0 || se.Offset > len(s) {
				t.Fatalf("ParsePath(%q) error %#v: want a *SyntaxError with an offset in the input", s, err)
			}
			return
		}
		out := p.String()
		again, err := filter.ParsePath(out)
		if err != nil {
			t.Fatalf("ParsePath(%q).String() = %q does not re-parse: %v", s, out, err)
		}
		if got := again.String(); got != out {
			t.Fatalf("ParsePath(%q).String() = %q re-parses to %q", s, out, got)
		}
		if bp, err := filter.BindPath(p, fullUser); err == nil && bp.Filter != nil {
			bp.Filter.Match(map[string]any{"type": "work", "value": "x"})
		}
	})
}
