package schema_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
)

// TestCoerceBooleans is the table of what a boolean is in a request: the
// JSON literal, or (as the quirk StringBoolean) the string "true" or
// "false" in any case, wherever a boolean attribute's value stands. Bodies
// and PATCH values share this one function.
func TestCoerceBooleans(t *testing.T) {
	active := &schema.Attribute{Name: "active", Type: schema.Boolean}
	flags := &schema.Attribute{Name: "flags", Type: schema.Boolean, MultiValued: true}
	name := &schema.Attribute{Name: "nickName", Type: schema.String}
	emails := &schema.Attribute{Name: "emails", Type: schema.Complex, MultiValued: true, SubAttributes: []*schema.Attribute{
		{Name: "value", Type: schema.String}, {Name: "primary", Type: schema.Boolean}}}
	manager := &schema.Attribute{Name: "manager", Type: schema.Complex, SubAttributes: []*schema.Attribute{
		{Name: "value", Type: schema.String}}}
	cases := []struct {
		name  string
		a     *schema.Attribute
		in    string
		want  string
		quirk bool
	}{
		{"literal true", active, `true`, `true`, false},
		{"literal false", active, `false`, `false`, false},
		{"string True", active, `"True"`, `true`, true},
		{"string FALSE", active, `"FALSE"`, `false`, true},
		{"string yes is no boolean", active, `"yes"`, `"yes"`, false},
		{"string 1 is no boolean", active, `"1"`, `"1"`, false},
		{"number 1 is no boolean", active, `1`, `1`, false},
		{"padded string is no boolean", active, `" true"`, `" true"`, false},
		{"array for a single-valued boolean is left alone", active, `["true"]`, `["true"]`, false},
		{"elements of a multi-valued boolean", flags, `["true",false,"False"]`, `[true,false,false]`, true},
		{"a string attribute keeps its string", name, `"true"`, `"true"`, false},
		{"a boolean sub-attribute", emails, `[{"value":"a@example.com","primary":"true"}]`, `[{"value":"a@example.com","primary":true}]`, true},
		{"a string element of a complex array", emails, `["true"]`, `["true"]`, false},
		{"a complex value's string sub-attribute", manager, `{"value":"true"}`, `{"value":"true"}`, false},
		{"a bare string for a complex value is no boolean", manager, `"true"`, `"true"`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var in, want any
			if err := json.Unmarshal([]byte(tc.in), &in); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			before, _ := json.Marshal(in)
			d := &schema.Dialect{}
			got, changed, err := d.CoerceBooleans(tc.a, tc.a.Name, in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v, want %#v", got, want)
			}
			if changed != tc.quirk || slices.Contains(d.Recorded(), schema.StringBoolean) != tc.quirk {
				t.Errorf("changed %v, quirks %v; want the string-boolean quirk: %v", changed, d.Recorded(), tc.quirk)
			}
			if after, _ := json.Marshal(in); string(after) != string(before) {
				t.Errorf("the input changed: %s", after)
			}
			if tc.quirk {
				strict := &schema.Dialect{Strict: true}
				if _, _, err := strict.CoerceBooleans(tc.a, tc.a.Name, in); err == nil {
					t.Error("a strict dialect took a boolean string")
				}
			}
		})
	}
}
