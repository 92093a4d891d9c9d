package journal_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/double/journal"
)

// FuzzRedactBody: no input panics, and a password value sent as a JSON
// string never survives.
func FuzzRedactBody(f *testing.F) {
	for _, s := range []string{`{"password":"hunter2"}`, `{"Operations":[{"op":"replace","path":"password","value":"hunter2"}]}`, `[{"PASSWORD":1}]`, `password`, `{"a":{"b":[{"password":"x"}]}}`, `{"password":"a"} {"password":"b"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		journal.RedactBody([]byte(body))
		const secret = "s3cr3t-VALUE-xyz"
		if strings.Contains(body, secret) {
			return
		}
		withSecret := `{"x":` + quote(body) + `,"password":"` + secret + `"}`
		if out := journal.RedactBody([]byte(withSecret)); strings.Contains(out, secret) {
			t.Fatalf("the password survived: %s", out)
		}
	})
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			b.WriteString(" ")
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// FuzzParseFilter: any query string is a filter or an error; a filter
// matches an entry without panicking.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"method=PATCH&path=/Users/*&status=4xx", "path=[", "since=2026-01-01T00:00:00Z", "limit=-1", "op=Replace&after=3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		filter, err := journal.ParseFilter(v)
		if err != nil {
			return
		}
		e := journal.Entry{Method: "PATCH", Path: "/idm/public/scim/a/v2/Users/1", Status: 429, PatchOps: []string{"add"}}
		filter.Match(&e)
	})
}
