package patch_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/patch"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
)

// TestBooleanLikeABody checks that a PATCH value and a POST body agree on
// what a boolean is: both take the same values and make the same boolean
// of them (schema.Dialect.CoerceBooleans), and refuse the same ones.
func TestBooleanLikeABody(t *testing.T) {
	set, err := schema.ByName("full")
	if err != nil {
		t.Fatal(err)
	}
	rt := set.ResourceType("User")
	// (A PATCH "replace" with a null value is refused for another reason:
	// it needs a value.)
	for _, v := range []string{`true`, `false`, `"true"`, `"False"`, `"TRUE"`, `"yes"`, `"1"`, `1`} {
		t.Run(v, func(t *testing.T) {
			var val any
			if err := json.Unmarshal([]byte(v), &val); err != nil {
				t.Fatal(err)
			}
			post, postErr := rt.NormalizeDialect(map[string]any{"userName": "a@example.com", "active": val}, &schema.Dialect{})
			doc := map[string]any{"userName": "a@example.com"}
			patched, patchErr := patch.ApplyDialect(rt, doc, []patch.Operation{{Op: "replace", Path: "active", Value: val}}, &schema.Dialect{})
			if (postErr == nil) != (patchErr == nil) {
				t.Fatalf("POST error %v, PATCH error %v: they disagree", postErr, patchErr)
			}
			if postErr == nil && !reflect.DeepEqual(post["active"], patched["active"]) {
				t.Errorf("POST made active %#v, PATCH %#v", post["active"], patched["active"])
			}
			emails := []any{map[string]any{"value": "a@example.com", "primary": val}}
			post, postErr = rt.NormalizeDialect(map[string]any{"userName": "a@example.com", "emails": emails}, &schema.Dialect{})
			patched, patchErr = patch.ApplyDialect(rt, doc, []patch.Operation{{Op: "add", Path: "emails", Value: emails}}, &schema.Dialect{})
			if (postErr == nil) != (patchErr == nil) {
				t.Fatalf("emails.primary: POST error %v, PATCH error %v: they disagree", postErr, patchErr)
			}
			if postErr == nil && !reflect.DeepEqual(post["emails"], patched["emails"]) {
				t.Errorf("POST made emails %#v, PATCH %#v", post["emails"], patched["emails"])
			}
		})
	}
}
