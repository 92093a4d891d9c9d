package scimtest

import (
	"strings"
	"testing"
)

// TestRedactAuthorization: no part of a secret reaches a report, however
// short it is; a Dynatrace token keeps its public id.
func TestRedactAuthorization(t *testing.T) {
	dt := "dt0s01.ABCDEFGHIJKLMNOPQRSTUVWX." + strings.Repeat("Z", 64)
	tests := []struct{ in, want string }{
		{"Bearer x", "Bearer (redacted)"},
		{"Bearer c37a1f9e0b", "Bearer (redacted)"},
		{"Basic dXNlcjpwYXNz", "Basic (redacted)"},
		{"Bearer " + dt, "Bearer dt0s01.ABCDEFGHIJKLMNOPQRSTUVWX…(redacted)"},
		{"Bearer", "(redacted)"}, // one word may be a bare token
		{"secretwithnoscheme", "(redacted)"},
	}
	for _, tc := range tests {
		if got := RedactAuthorization(tc.in); got != tc.want {
			t.Errorf("RedactAuthorization(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestResolveLocation: a relative Location is resolved against the request
// (RFC 7231 section 7.1.2), an absolute one is kept, none stays none.
func TestResolveLocation(t *testing.T) {
	r := &Response{URL: "http://127.0.0.1:8080/v2/Users"}
	for ref, want := range map[string]string{
		"Users/42":                         "http://127.0.0.1:8080/v2/Users/42",
		"/v2/Users/42":                     "http://127.0.0.1:8080/v2/Users/42",
		"https://scim.example.com/Users/1": "https://scim.example.com/Users/1",
		"":                                 "",
	} {
		if got := r.Resolve(ref); got != want {
			t.Errorf("Resolve(%q) = %q, want %q", ref, got, want)
		}
	}
}
