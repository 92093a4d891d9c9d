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
