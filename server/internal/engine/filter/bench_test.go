package filter_test

import (
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/filter"
)

func BenchmarkMatch(b *testing.B) {
	cases := []struct {
		name, filter string
	}{
		{"userNameEq", `userName eq "BJENSEN"`},
		{"complex", `userType eq "Employee" and (emails[type eq "home" and value co "@JENSEN.org"] or ims[type eq "xmpp" and value co "@foo.com"]) and not (meta.lastModified lt "2011-01-01T00:00:00Z")`},
		{"extension", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090"`},
	}
	doc := bjensen()
	for _, c := range cases {
		f, err := filter.ParseAndCompile(c.filter, fullUser)
		if err != nil {
			b.Fatal(err)
		}
		if !f.Match(doc) {
			b.Fatalf("%q does not match", c.filter)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f.Match(doc)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	cases := []struct {
		name, filter string
	}{
		{"userNameEq", `userName eq "bjensen"`},
		{"rfcComplex", `emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := filter.Parse(c.filter); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("compile", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := filter.ParseAndCompile(`userName eq "bjensen" and meta.lastModified gt "2011-05-13T04:42:34Z"`, fullUser); err != nil {
				b.Fatal(err)
			}
		}
	})
}
