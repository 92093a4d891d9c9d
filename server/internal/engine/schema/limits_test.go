package schema_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

func TestLimitsCheck(t *testing.T) {
	l := schema.Limits{MaxString: 100, MaxName: 10, MaxValues: 3}
	ok := []struct {
		path string
		v    any
	}{
		{"", map[string]any{"userName": strings.Repeat("a", 10), "title": strings.Repeat("t", 100)}},
		{"", map[string]any{"emails": []any{map[string]any{"value": "a"}, map[string]any{"value": "b"}, map[string]any{"value": "c"}}}},
		{"members", []any{map[string]any{"value": "1", "display": strings.Repeat("d", 100)}}},
	}
	for _, c := range ok {
		if err := l.Check(c.path, c.v); err != nil {
			t.Errorf("Check(%q) = %v, want nil", c.path, err)
		}
	}
	bad := []struct {
		path string
		v    any
		name string
	}{
		{"", map[string]any{"userName": strings.Repeat("a", 11)}, "userName"},
		{"", map[string]any{"title": strings.Repeat("t", 101)}, "title"},
		{"", map[string]any{"name": map[string]any{"givenName": strings.Repeat("g", 101)}}, "name.givenName"},
		{"", map[string]any{"urn:ietf:params:scim:schemas:core:2.0:User:displayName": strings.Repeat("n", 11)}, "displayName"},
		{"displayName", strings.Repeat("n", 11), "displayName"},
		{"emails[type eq \"work\"].value", strings.Repeat("e", 101), "emails"},
		{"members", []any{map[string]any{"value": "1"}, map[string]any{"value": "2"}, map[string]any{"value": "3"}, map[string]any{"value": "4"}}, "members"},
		{"", map[string]any{"unknownAttribute": strings.Repeat("x", 101)}, "unknownAttribute"},
	}
	for _, c := range bad {
		err := l.Check(c.path, c.v)
		var se *scimerror.Error
		if !errors.As(err, &se) || se.Status != 400 || se.ScimType != scimerror.InvalidValue || !strings.Contains(se.Detail, c.name) || !strings.Contains(se.Detail, "at most") {
			t.Errorf("Check(%q, %.40v) = %v, want 400 invalidValue naming %s and the limit", c.path, c.v, err, c.name)
		}
	}
	if err := (schema.Limits{}).Check("", map[string]any{"userName": strings.Repeat("a", 1<<20)}); err != nil {
		t.Errorf("zero Limits refused: %v", err)
	}
}
