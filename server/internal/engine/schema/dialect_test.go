package schema_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

func body(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func rtOf(t *testing.T, set, name string) *schema.ResourceType {
	t.Helper()
	s, err := schema.ByName(set)
	if err != nil {
		t.Fatal(err)
	}
	return s.ResourceType(name)
}

// TestNormalizeDialect checks the quirks POST and PUT bodies may carry:
// each is accepted and recorded by a lenient dialect, refused by a strict
// one, and the RFC shapes record nothing.
func TestNormalizeDialect(t *testing.T) {
	const mgr = `"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`
	cases := []struct {
		name, set, rt, in string
		want              string // the normalised document
		quirks            []schema.Quirk
	}{
		{name: "RFC user", set: "dynatrace", rt: "User",
			in:   `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a@example.com","active":true}`,
			want: `{"userName":"a@example.com","active":true}`},
		{name: "enterprise URN on a set without it is no quirk", set: "dynatrace", rt: "User",
			in:   `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",` + mgr + `],"userName":"a@example.com"}`,
			want: `{"userName":"a@example.com"}`},
		{name: "active as the string False", set: "dynatrace", rt: "User",
			in:     `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a@example.com","active":"False"}`,
			want:   `{"userName":"a@example.com","active":false}`,
			quirks: []schema.Quirk{schema.StringBoolean}},
		{name: "a sub-attribute as the string true", set: "full", rt: "User",
			in:     `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a@example.com","emails":[{"value":"a@example.com","primary":"true"}]}`,
			want:   `{"userName":"a@example.com","emails":[{"value":"a@example.com","primary":true}]}`,
			quirks: []schema.Quirk{schema.StringBoolean}},
		{name: "no schemas", set: "dynatrace", rt: "User",
			in:     `{"userName":"a@example.com"}`,
			want:   `{"userName":"a@example.com"}`,
			quirks: []schema.Quirk{schema.MissingSchemas}},
		{name: "the key Schemas in another case", set: "dynatrace", rt: "Group",
			in:   `{"SCHEMAS":["URN:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"G"}`,
			want: `{"displayName":"G"}`},
		{name: "Entra's group schema URI", set: "dynatrace", rt: "Group",
			in:     `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],"displayName":"G"}`,
			want:   `{"displayName":"G"}`,
			quirks: []schema.Quirk{schema.ForeignSchemaURN}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rt := rtOf(t, c.set, c.rt)
			in := body(t, c.in)
			before := body(t, c.in)
			d := &schema.Dialect{}
			got, err := rt.NormalizeDialect(in, d)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(in, before) {
				t.Errorf("the input changed: %v", in)
			}
			if want := body(t, c.want); !reflect.DeepEqual(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
			if r := d.Recorded(); !slices.Equal(r, c.quirks) {
				t.Errorf("recorded %v, want %v", r, c.quirks)
			}
			_, err = rt.NormalizeDialect(body(t, c.in), &schema.Dialect{Strict: true})
			if len(c.quirks) == 0 {
				if err != nil {
					t.Errorf("strict refused an RFC body: %v", err)
				}
				return
			}
			var e *scimerror.Error
			if !errors.As(err, &e) || e.Status != 400 || e.ScimType != c.quirks[0].Info().ScimType || !strings.Contains(e.Detail, string(c.quirks[0])) {
				t.Errorf("strict: got %v, want a 400 %s naming %s", err, c.quirks[0].Info().ScimType, c.quirks[0])
			}
		})
	}
}

// TestSchemasRefused: a "schemas" no IdP sends is refused in every
// dialect, lenient or strict, with 400 invalidValue naming "schemas"
// (RFC 7643 section 3; RFC 7644 section 3.12 Table 9: "A required value
// was missing, or the value specified was not compatible with the
// operation or attribute type [...], or resource schema"), and nothing is
// recorded as a quirk.
func TestSchemasRefused(t *testing.T) {
	for _, c := range []struct{ name, rt, in string }{
		{"empty array", "User", `{"schemas":[],"userName":"a@example.com"}`},
		{"a bare string", "User", `{"schemas":"urn:ietf:params:scim:schemas:core:2.0:User","userName":"a@example.com"}`},
		{"null", "User", `{"schemas":null,"userName":"a@example.com"}`},
		{"an object", "User", `{"schemas":{"a":1},"userName":"a@example.com"}`},
		{"a number in the list", "User", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",1],"userName":"a@example.com"}`},
		{"the Group schema on a User", "User", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"userName":"a@example.com"}`},
		{"the Group schema beside the User schema", "User", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:core:2.0:Group"],"userName":"a@example.com"}`},
		{"the User schema on a Group", "Group", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"displayName":"G"}`},
		{"a message URN", "User", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"userName":"a@example.com"}`},
		{"only an extension", "User", `{"schemas":["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"a@example.com"}`},
		{"only a foreign URI", "Group", `{"schemas":["http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],"displayName":"G"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, strict := range []bool{false, true} {
				d := &schema.Dialect{Strict: strict}
				_, err := rtOf(t, "full", c.rt).NormalizeDialect(body(t, c.in), d)
				e := scimerror.From(err)
				if err == nil || e.Status != 400 || e.ScimType != scimerror.InvalidValue || !strings.Contains(e.Detail, `"schemas"`) {
					t.Errorf("strict=%v: got %v, want 400 invalidValue naming \"schemas\"", strict, err)
				}
			}
		})
	}
}

// TestNormalizeKeepsRFCTypes: Normalize, without a dialect, still refuses a
// string for a boolean.
func TestNormalizeKeepsRFCTypes(t *testing.T) {
	_, err := rtOf(t, "dynatrace", "User").Normalize(body(t, `{"userName":"a@example.com","active":"False"}`))
	if scimerror.From(err).ScimType != scimerror.InvalidValue {
		t.Errorf("got %v, want 400 invalidValue", err)
	}
}

func TestDialectRecorder(t *testing.T) {
	var nilD *schema.Dialect
	if err := nilD.Accept(schema.CapitalizedOp, "x"); err != nil || nilD.String() != "" || nilD.Recorded() != nil {
		t.Errorf("a nil dialect must accept and record nothing")
	}
	d := &schema.Dialect{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			d.Accept(schema.CapitalizedOp, "x")
			d.Accept(schema.StringBoolean, "y")
		})
	}
	wg.Wait()
	if got := d.Recorded(); len(got) != 2 {
		t.Errorf("recorded %v, want each quirk once", got)
	}
	for _, i := range schema.Quirks() {
		if i.Rule == "" || i.ScimType == "" || i.SentBy == "" || i.Quirk.Info() != i {
			t.Errorf("quirk %s is not fully described: %+v", i.Quirk, i)
		}
	}
}

// TestDialectRefuse checks a Dialect that refuses some quirks and takes
// the others: the refused one is a 400 with the quirk's scimType that does
// not blame --strict, and is recorded all the same.
func TestDialectRefuse(t *testing.T) {
	tests := []struct {
		name     string
		d        *schema.Dialect
		q        schema.Quirk
		wantErr  bool
		inDetail string
	}{
		{"refused quirk", &schema.Dialect{Refuse: []schema.Quirk{schema.StringBoolean}}, schema.StringBoolean, true, "does not take this quirk"},
		{"other quirk taken", &schema.Dialect{Refuse: []schema.Quirk{schema.StringBoolean}}, schema.CapitalizedOp, false, ""},
		{"strict wins", &schema.Dialect{Strict: true, Refuse: []schema.Quirk{schema.StringBoolean}}, schema.StringBoolean, true, "--strict"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.d.Accept(tc.q, "sent")
			if got := err != nil; got != tc.wantErr {
				t.Fatalf("Accept(%s) = %v, want error %t", tc.q, err, tc.wantErr)
			}
			if tc.wantErr {
				e := scimerror.From(err)
				if e.Status != 400 || e.ScimType != tc.q.Info().ScimType || !strings.Contains(e.Detail, tc.inDetail) || !strings.Contains(e.Detail, string(tc.q)) {
					t.Errorf("Accept(%s) = %+v, want 400 %s naming the quirk and %q", tc.q, e, tc.q.Info().ScimType, tc.inDetail)
				}
			}
			if got := tc.d.Recorded(); len(got) != 1 || got[0] != tc.q {
				t.Errorf("recorded %v, want [%s]", got, tc.q)
			}
		})
	}
}
