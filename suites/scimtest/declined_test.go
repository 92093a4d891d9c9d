package scimtest

import (
	"slices"
	"testing"
)

func TestFilterFeatures(t *testing.T) {
	for _, c := range []struct {
		filter string
		want   []string
	}{
		{`name.familyName co "ove"`, []string{"co on name.familyName"}},
		{`displayName eq "Edsger \"EWD\" and or not ( Dijkstra"`, []string{"eq on displayName"}},
		{`not(name.givenName SW "A") and active eq true`, []string{"sw on name.givenName", "eq on active", "not", "and", "parentheses"}},
		{`emails[type eq "work" and value co "@work."]`, []string{"value path on emails", "eq on type", "co on value", "and"}},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department pr`, []string{"pr on urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"}},
	} {
		if got := FilterFeatures(c.filter); !slices.Equal(got, c.want) {
			t.Errorf("FilterFeatures(%s) = %q, want %q", c.filter, got, c.want)
		}
	}
}

// Only Table 9's answer is a decline: a 400 SCIM error with scimType
// invalidFilter and "status" as a string. Everything else a target may
// answer to a valid filter stays a failure of the spec that sent it.
func TestDeclinedFilter(t *testing.T) {
	errBody := func(status any, scimType string) map[string]any {
		m := map[string]any{"schemas": []any{ErrorURN}, "status": status}
		if scimType != "" {
			m["scimType"] = scimType
		}
		return m
	}
	for _, c := range []struct {
		what string
		r    Response
		want bool
	}{
		{"400 invalidFilter", Response{Status: 400, JSON: errBody("400", "invalidFilter")}, true},
		{"400 invalidValue", Response{Status: 400, JSON: errBody("400", "invalidValue")}, false},
		{"400 without scimType", Response{Status: 400, JSON: errBody("400", "")}, false},
		{"status as a number", Response{Status: 400, JSON: errBody(400.0, "invalidFilter")}, false},
		{"500 invalidFilter", Response{Status: 500, JSON: errBody("500", "invalidFilter")}, false},
		{"400 without an error body", Response{Status: 400}, false},
		{"200", Response{Status: 200, JSON: map[string]any{"schemas": []any{ListURN}}}, false},
	} {
		if got := DeclinedFilter(&c.r); got != c.want {
			t.Errorf("%s: DeclinedFilter = %v, want %v", c.what, got, c.want)
		}
	}
}
