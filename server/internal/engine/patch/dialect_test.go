package patch_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/patch"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// TestDialectQuirks checks that each IdP shape is reported as its quirk,
// that RFC shapes report none, and that a strict dialect refuses exactly
// the shapes that report one, with the quirk's scimType and name.
func TestDialectQuirks(t *testing.T) {
	cases := []struct {
		name string
		set  string
		rt   string
		doc  string
		ops  string
		want []schema.Quirk
	}{
		{name: "RFC replace", rt: "User", doc: dtUser,
			ops: `[{"op":"replace","path":"displayName","value":"B"}]`},
		{name: "RFC path-less replace", rt: "User", doc: dtUser,
			ops: `[{"op":"replace","value":{"active":false,"name":{"givenName":"B"}}}]`},
		{name: "RFC member removal by filter", rt: "Group", doc: group,
			ops: `[{"op":"remove","path":"members[value eq \"` + member1 + `\"]"}]`},
		{name: "RFC extension object key", set: "full", rt: "User", doc: dtUser,
			ops: `[{"op":"add","value":{"` + enterprise + `":{"department":"Sales"}}}]`},
		{name: "RFC unknown key dropped", rt: "User", doc: dtUser,
			ops: `[{"op":"replace","value":{"nickNameX":"x"}}]`},
		{name: "capitalised op", rt: "User", doc: dtUser,
			ops:  `[{"op":"Replace","path":"displayName","value":"B"}]`,
			want: []schema.Quirk{schema.CapitalizedOp}},
		{name: "False as a string", rt: "User", doc: dtUser,
			ops:  `[{"op":"replace","path":"active","value":"False"}]`,
			want: []schema.Quirk{schema.StringBoolean}},
		{name: "True as a string in a path-less value", rt: "User", doc: dtUser,
			ops:  `[{"op":"replace","value":{"active":"True"}}]`,
			want: []schema.Quirk{schema.StringBoolean}},
		{name: "string boolean in a sub-attribute", set: "full", rt: "User", doc: fullUser,
			ops:  `[{"op":"replace","path":"emails[type eq \"home\"].primary","value":"true"}]`,
			want: []schema.Quirk{schema.StringBoolean}},
		{name: "dotted key", rt: "User", doc: dtUser,
			ops:  `[{"op":"replace","value":{"name.givenName":"B"}}]`,
			want: []schema.Quirk{schema.DottedPathKey}},
		{name: "URN-qualified key", set: "full", rt: "User", doc: fullUser,
			ops:  `[{"op":"replace","value":{"` + enterprise + `:department":"Sales"}}]`,
			want: []schema.Quirk{schema.DottedPathKey}},
		{name: "value filter key", set: "full", rt: "User", doc: fullUser,
			ops:  `[{"op":"replace","value":{"emails[type eq \"home\"].value":"b@j.org"}}]`,
			want: []schema.Quirk{schema.DottedPathKey}},
		{name: "remove with a value", rt: "Group", doc: group,
			ops:  `[{"op":"remove","path":"members","value":[{"value":"` + member1 + `"}]}]`,
			want: []schema.Quirk{schema.RemoveWithValue}},
		{name: "the group's id in a rename", rt: "Group", doc: `{"displayName":"G"}`,
			ops:  `[{"op":"replace","value":{"id":"g1","displayName":"H"}}]`,
			want: []schema.Quirk{schema.IDInPatchValue}},
		{name: "an unchanged readOnly attribute", rt: "Group", doc: `{"displayName":"G"}`,
			ops:  `[{"op":"replace","value":{"meta":{"resourceType":"Group"},"displayName":"H"}}]`,
			want: []schema.Quirk{schema.ReadOnlyInPatchValue}},
		{name: "a bare string for the manager", set: "full", rt: "User", doc: dtUser,
			ops:  `[{"op":"add","path":"` + enterprise + `:manager","value":"m1"}]`,
			want: []schema.Quirk{schema.StringForComplex}},
		{name: "Entra default: several at once", rt: "Group", doc: group,
			ops:  `[{"op":"Replace","path":"displayName","value":"H"},{"op":"Remove","path":"members","value":[{"value":"` + member1 + `"}]}]`,
			want: []schema.Quirk{schema.CapitalizedOp, schema.RemoveWithValue}},
	}
	for _, c := range cases {
		set := c.set
		if set == "" {
			set = "dynatrace"
		}
		t.Run(c.name, func(t *testing.T) {
			rt := resourceType(t, set, c.rt)
			d := &schema.Dialect{}
			if _, err := patch.ApplyDialect(rt, docOf(t, c.doc), opsOf(t, c.ops), d); err != nil {
				t.Fatalf("lenient dialect: %v", err)
			}
			if got := d.Recorded(); !slices.Equal(got, c.want) {
				t.Errorf("recorded %v, want %v", got, c.want)
			}

			strict := &schema.Dialect{Strict: true}
			_, err := patch.ApplyDialect(rt, docOf(t, c.doc), opsOf(t, c.ops), strict)
			if len(c.want) == 0 {
				if err != nil {
					t.Errorf("strict dialect refused an RFC shape: %v", err)
				}
				return
			}
			var e *scimerror.Error
			if !errors.As(err, &e) || e.Status != 400 {
				t.Fatalf("strict dialect: got %v, want a 400", err)
			}
			q := strict.Recorded()[0]
			if e.ScimType != q.Info().ScimType || !strings.Contains(e.Detail, string(q)) || !strings.Contains(e.Detail, "RFC") {
				t.Errorf("strict refusal %s %q should carry scimType %s and name quirk %s and its RFC rule", e.ScimType, e.Detail, q.Info().ScimType, q)
			}
		})
	}
}

// TestValidateDialect checks the envelope quirks, which the service
// provider's member fast path sees only through ValidateDialect.
func TestValidateDialect(t *testing.T) {
	req := &patch.Request{Schemas: []string{patch.URN}, Operations: opsOf(t, `[{"op":"Add","path":"members","value":[{"value":"u1"}]},{"op":"Remove","path":"members","value":[{"value":"u2"}]}]`)}
	d := &schema.Dialect{}
	if err := req.ValidateDialect(d); err != nil {
		t.Fatal(err)
	}
	if got, want := d.Recorded(), []schema.Quirk{schema.CapitalizedOp, schema.RemoveWithValue}; !slices.Equal(got, want) {
		t.Errorf("recorded %v, want %v", got, want)
	}
	if err := req.ValidateDialect(&schema.Dialect{Strict: true}); scimerror.From(err).ScimType != scimerror.InvalidSyntax {
		t.Errorf("strict: got %v, want 400 invalidSyntax", err)
	}
	if err := req.Validate(); err != nil {
		t.Errorf("Validate without a dialect accepts the quirks: %v", err)
	}
}
