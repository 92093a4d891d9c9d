package patch_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/patch"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// FuzzApply feeds arbitrary operations (as JSON) to Apply on a user of the
// full set and on a group. Properties: no panic; the input document never
// changes; an error is a *scimerror.Error with a 4xx status; a result is
// canonical.
func FuzzApply(f *testing.F) {
	for _, seed := range []string{
		`[{"op":"add","path":"members","value":[{"value":"u1"},{"value":"u2","type":"User"}]}]`,
		`[{"op":"remove","path":"members[value eq \"` + member1 + `\"]"}]`,
		`[{"op":"Remove","path":"members","value":[{"value":"` + member1 + `"}]}]`,
		`[{"op":"replace","path":"members","value":[]}]`,
		`[{"op":"replace","value":{"id":"g1","displayName":"renamed"}}]`,
		`[{"op":"replace","value":{"active":false}}]`,
		`[{"op":"Replace","value":{"name.givenName":"B","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":"m"}}]`,
		`[{"op":"add","path":"emails[type eq \"other\"].value","value":"x@y.org"}]`,
		`[{"op":"replace","path":"emails[type eq \"home\"].primary","value":"True"}]`,
		`[{"op":"replace","path":"addresses[type eq \"work\"]","value":{"streetAddress":"1 Main St","primary":true}}]`,
		`[{"op":"remove","path":"emails[type eq \"work\" and value ew \"example.com\"].display"}]`,
		`[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"}]`,
		`[{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"D"}}}]`,
		`[{"op":"replace","path":"name","value":{"givenName":null}},{"op":"remove","path":"userName"}]`,
		`[{"op":"add","path":"emails[","value":1}]`,
		`[{"op":"move","path":"x"},{"op":"remove"},{"op":"add","path":"displayName"}]`,
		`[{"op":"replace","path":"emails","value":{"value":[1,2]}}]`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, opsJSON string) {
		var ops []patch.Operation
		if json.Unmarshal([]byte(opsJSON), &ops) != nil {
			return
		}
		for _, c := range []struct{ set, rt, doc string }{
			{"full", "User", fullUser},
			{"dynatrace", "Group", group},
		} {
			rt := resourceType(t, c.set, c.rt)
			doc := docOf(t, c.doc)
			before := canon(t, doc)
			got, err := patch.Apply(rt, doc, ops)
			if after := canon(t, doc); !reflect.DeepEqual(after, before) {
				t.Fatalf("%s: input document changed by %s", c.rt, opsJSON)
			}
			if err != nil {
				var e *scimerror.Error
				if !errors.As(err, &e) || e.Status < 400 || e.Status > 499 {
					t.Fatalf("%s: error %v is not a SCIM client error", c.rt, err)
				}
				continue
			}
			checkCanonical(t, "", got)
		}
	})
}
