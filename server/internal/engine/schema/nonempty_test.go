package schema

import (
	"errors"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// RFC 7643 section 4.1.1: "Each User MUST include a non-empty userName
// value." The check is the engine's, so it holds with any rules on top.
func TestCheckRequiredRefusesEmptyUserName(t *testing.T) {
	for _, set := range []*Set{Dynatrace(), Full()} {
		rt := set.ResourceType("User")
		doc := map[string]any{"userName": "", "active": true, "name": map[string]any{"givenName": "A", "familyName": "B"}}
		err := rt.CheckRequired(doc)
		var se *scimerror.Error
		if !errors.As(err, &se) || se.Status != 400 || se.ScimType != scimerror.InvalidValue {
			t.Errorf("%s: an empty userName gives %v, want 400 invalidValue", set.Name, err)
		}
		// Non-empty is all the RFC asks: "jdoe" and even " " pass here.
		for _, ok := range []string{"jdoe", " "} {
			doc["userName"] = ok
			if err := rt.CheckRequired(doc); err != nil {
				t.Errorf("%s: userName %q gives %v, want no error", set.Name, ok, err)
			}
		}
	}
}
