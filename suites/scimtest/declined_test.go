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
