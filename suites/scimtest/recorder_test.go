package scimtest

import (
	"net/url"
	"strings"
	"testing"
)

// TestRedactAuthorization: no part of a secret reaches a report, however
// short it is; a Dynatrace token, not even its public id, only a
// fingerprint that tells two tokens apart.
func TestRedactAuthorization(t *testing.T) {
	dt := "dt0s01.ABCDEFGHIJKLMNOPQRSTUVWX." + strings.Repeat("Z", 64)
	tests := []struct{ in, want string }{
		{"Bearer x", "Bearer (redacted)"},
		{"Bearer c37a1f9e0b", "Bearer (redacted)"},
		{"Basic dXNlcjpwYXNz", "Basic (redacted)"},
		{"Bearer " + dt, "Bearer " + fingerprint(dt)},
		{"Bearer", "(redacted)"}, // one word may be a bare token
		{"secretwithnoscheme", "(redacted)"},
	}
	for _, tc := range tests {
		if got := RedactAuthorization(tc.in); got != tc.want {
			t.Errorf("RedactAuthorization(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	other := "dt0s01.ABCDEFGHIJKLMNOPQRSTUVWX." + strings.Repeat("Y", 64)
	if f := fingerprint(dt); strings.Contains(f, "dt0s01") || strings.Contains(f, "ABCDEFGH") || f == fingerprint(other) {
		t.Errorf("fingerprint %q shows part of the token, or does not tell two tokens apart", f)
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

// TestRecorderHidesCredentials: a credential sent in the query string
// (access_token, RFC 6750 section 2.3), a form body (section 2.2) or a
// JSON member named like one does not reach the report; the rest stays.
func TestRecorderHidesCredentials(t *testing.T) {
	u, _ := url.Parse("http://h/v2/Users?count=1&access_token=s3cr3t&Refresh_Token=s3cr3t2")
	if got := redactURL(u); strings.Contains(got, "s3cr3t") || !strings.Contains(got, "count=1") {
		t.Errorf("redactURL = %q", got)
	}
	for _, body := range []string{"access_token=s3cr3t&x=1", `{"userName":"a","password":"s3cr3t","client_secret":"s\"3cr3t"}`} {
		if got := clip([]byte(body)); strings.Contains(got, "s3cr3t") || strings.Contains(got, "3cr3t") {
			t.Errorf("clip(%q) = %q", body, got)
		}
	}
	if got := clip([]byte(`{"userName":"a","tokenCount":3}`)); got != `{"userName":"a","tokenCount":3}` {
		t.Errorf("a body without a credential became %q", got)
	}
}
