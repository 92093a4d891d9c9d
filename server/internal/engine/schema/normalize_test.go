package schema_test

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// decodeJSON decodes a JSON object as the HTTP layer does (without
// UseNumber).
func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test JSON %s: %v", s, err)
	}
	return m
}

// wantInvalidValue fails unless err is a 400 invalidValue whose detail
// names path.
func wantInvalidValue(t *testing.T, what string, err error, path string) {
	t.Helper()
	var e *scimerror.Error
	if !errors.As(err, &e) {
		t.Errorf("%s: error %v, want a *scimerror.Error", what, err)
		return
	}
	if e.Status != http.StatusBadRequest || e.ScimType != scimerror.InvalidValue {
		t.Errorf("%s: got %d %q, want 400 invalidValue", what, e.Status, e.ScimType)
	}
	if !strings.Contains(e.Detail, path) {
		t.Errorf("%s: detail %q does not name %q", what, e.Detail, path)
	}
}

const ext = schema.EnterpriseUserURN

// TestNormalize: what a POST or PUT body becomes (RFC 7644 section 3.5.1
// and the package doc's canonical document).
func TestNormalize(t *testing.T) {
	cases := []struct {
		name, set, rt, in, want string
	}{
		{"keys take the schema's spelling",
			"dynatrace", "User",
			`{"USERNAME":"a@example.com","Name":{"GIVENNAME":"A","familyname":"B"},"ACTIVE":true}`,
			`{"userName":"a@example.com","name":{"givenName":"A","familyName":"B"},"active":true}`},
		{"id, meta and schemas are the server's",
			"dynatrace", "User",
			`{"schemas":["` + schema.UserURN + `"],"ID":"x","meta":{"created":"2008-01-23T04:56:22Z"},"userName":"a"}`,
			`{"userName":"a"}`},
		{"externalId is the client's",
			"dynatrace", "User",
			`{"userName":"a","externalId":"E-1"}`,
			`{"userName":"a","externalId":"E-1"}`},
		{"readOnly attributes are ignored",
			"dynatrace", "User",
			`{"userName":"a","groups":[{"value":"g1"}]}`,
			`{"userName":"a"}`},
		{"attributes outside the set are dropped",
			"dynatrace", "User",
			`{"userName":"a","nickName":"n","title":"t","x":{"y":1}}`,
			`{"userName":"a"}`},
		{"null means unassigned",
			"dynatrace", "User",
			`{"userName":"a","displayName":null,"name":{"givenName":null}}`,
			`{"userName":"a"}`},
		{"an empty complex value is unassigned",
			"dynatrace", "User",
			`{"userName":"a","name":{}}`,
			`{"userName":"a"}`},
		{"an empty array is unassigned",
			"full", "User",
			`{"userName":"a","emails":[]}`,
			`{"userName":"a"}`},
		{"null elements of a multi-valued attribute are dropped",
			"full", "User",
			`{"userName":"a","emails":[null,{"value":"a@example.com","type":"work","primary":true},{}]}`,
			`{"userName":"a","emails":[{"value":"a@example.com","type":"work","primary":true}]}`},
		{"writeOnly is writable",
			"full", "User",
			`{"userName":"a","password":"secret"}`,
			`{"userName":"a","password":"secret"}`},
		{"multi-valued simple-typed sub-attributes and references",
			"full", "User",
			`{"userName":"a","photos":[{"value":"https://example.com/a.jpg","type":"photo"}],"profileUrl":"https://example.com/a"}`,
			`{"userName":"a","photos":[{"value":"https://example.com/a.jpg","type":"photo"}],"profileUrl":"https://example.com/a"}`},
		{"binary is base64",
			"full", "User",
			`{"userName":"a","x509Certificates":[{"value":"AAECAw=="}]}`,
			`{"userName":"a","x509Certificates":[{"value":"AAECAw=="}]}`},
		{"readOnly sub-attributes of members are ignored",
			"full", "Group",
			`{"displayName":"g","members":[{"value":"u1","display":"U","type":"User"}]}`,
			`{"displayName":"g","members":[{"value":"u1","type":"User"}]}`},
		{"extension attributes sit under the extension's URN, in its spelling",
			"full", "User",
			`{"userName":"a","` + strings.ToUpper(ext) + `":{"EmployeeNumber":"7","manager":{"value":"m1","displayName":"M"}}}`,
			`{"userName":"a","` + ext + `":{"employeeNumber":"7","manager":{"value":"m1"}}}`},
		{"an extension with nothing left is absent",
			"full", "User",
			`{"userName":"a","` + ext + `":{"manager":{"displayName":"M"},"unknown":1}}`,
			`{"userName":"a"}`},
		{"a null extension is absent",
			"full", "User",
			`{"userName":"a","` + ext + `":null}`,
			`{"userName":"a"}`},
		{"an extension the resource type lacks is dropped",
			"dynatrace", "User",
			`{"userName":"a","` + ext + `":{"employeeNumber":"7"}}`,
			`{"userName":"a"}`},
		{"an extension's attribute is not a core attribute",
			"full", "User",
			`{"userName":"a","employeeNumber":"7"}`,
			`{"userName":"a"}`},
		{"required attributes are not checked here",
			"dynatrace", "User",
			`{"displayName":"d"}`,
			`{"displayName":"d"}`},
	}
	for _, c := range cases {
		got, err := resourceType(t, c.set, c.rt).Normalize(decodeJSON(t, c.in))
		if err != nil {
			t.Errorf("%s: Normalize(%s): %v", c.name, c.in, err)
			continue
		}
		if want := decodeJSON(t, c.want); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Normalize(%s)\n got %v\nwant %v", c.name, c.in, got, want)
		}
	}
}

// TestNormalizeRefuses: a value of the wrong type is a 400 invalidValue
// naming the attribute's full path.
func TestNormalizeRefuses(t *testing.T) {
	cases := []struct {
		name, set, rt, in, path string
	}{
		{"number for a string", "dynatrace", "User", `{"userName":42}`, "userName"},
		{"number for a boolean", "dynatrace", "User", `{"userName":"a","active":1}`, "active"},
		{"array for a single value", "dynatrace", "User", `{"displayName":["d"]}`, "displayName"},
		{"string for a complex value", "dynatrace", "User", `{"name":"A B"}`, "name"},
		{"wrong type in a sub-attribute", "dynatrace", "User", `{"name":{"givenName":true}}`, "name.givenName"},
		{"case-insensitive key, canonical path", "dynatrace", "User", `{"NAME":{"FAMILYNAME":1}}`, "name.familyName"},
		{"object for a multi-valued attribute", "full", "User", `{"emails":{"value":"a@example.com"}}`, "emails"},
		{"string for a complex element", "full", "User", `{"emails":["a@example.com"]}`, "emails"},
		{"wrong type in an element", "full", "User", `{"emails":[{"value":"a@example.com","primary":"yes please"}]}`, "emails.primary"},
		{"two primary values", "full", "User",
			`{"emails":[{"value":"a@example.com","primary":true},{"value":"b@example.com","primary":true}]}`, "emails"},
		{"binary that is not base64", "full", "User", `{"x509Certificates":[{"value":"not base64!"}]}`, "x509Certificates.value"},
		{"extension that is not an object", "full", "User", `{"` + ext + `":"x"}`, ext},
		{"wrong type in an extension", "full", "User", `{"` + ext + `":{"employeeNumber":7}}`, ext + ":employeeNumber"},
		{"wrong type in an extension's sub-attribute", "full", "User", `{"` + ext + `":{"manager":{"value":5}}}`, ext + ":manager.value"},
		{"wrong type in a group member", "full", "Group", `{"displayName":"g","members":[{"value":1}]}`, "members.value"},
	}
	for _, c := range cases {
		got, err := resourceType(t, c.set, c.rt).Normalize(decodeJSON(t, c.in))
		if err == nil {
			t.Errorf("%s: Normalize(%s) = %v, want an error", c.name, c.in, got)
			continue
		}
		wantInvalidValue(t, c.name, err, c.path)
	}
}

// TestNormalizeValueTypes checks NormalizeSingle against each data type of
// RFC 7643 section 2.3, including those neither set uses at the top level
// (integer, decimal, a writable dateTime), with values as encoding/json
// gives them with and without UseNumber.
func TestNormalizeValueTypes(t *testing.T) {
	cases := []struct {
		typ  schema.Type
		in   any
		want any // nil: an error is expected
	}{
		{schema.String, "x", "x"},
		{schema.String, float64(1), nil},
		{schema.String, true, nil},
		{schema.Reference, "https://example.com/Users/1", "https://example.com/Users/1"},
		{schema.Reference, map[string]any{}, nil},
		{schema.Boolean, true, true},
		{schema.Boolean, false, false},
		{schema.Boolean, float64(0), nil},
		{schema.Integer, float64(3), int64(3)},
		{schema.Integer, float64(-3), int64(-3)},
		{schema.Integer, json.Number("42"), int64(42)},
		{schema.Integer, int64(7), int64(7)},
		{schema.Integer, float64(1.5), nil},
		{schema.Integer, json.Number("1.5"), nil},
		{schema.Integer, float64(1 << 60), nil}, // beyond what a float64 holds exactly
		{schema.Integer, "3", nil},
		{schema.Decimal, float64(1.5), 1.5},
		{schema.Decimal, json.Number("2.25"), 2.25},
		{schema.Decimal, int64(2), float64(2)},
		{schema.Decimal, "1.5", nil},
		{schema.DateTime, "2008-01-23T04:56:22Z", "2008-01-23T04:56:22Z"},
		{schema.DateTime, "2008-01-23T04:56:22.123+01:00", "2008-01-23T04:56:22.123+01:00"},
		{schema.DateTime, "2008-01-23", nil},
		{schema.DateTime, "yesterday", nil},
		{schema.DateTime, float64(1201064182), nil},
		{schema.Binary, "AAECAw==", "AAECAw=="},
		{schema.Binary, "%%%", nil},
		{schema.Binary, float64(1), nil},
	}
	for _, c := range cases {
		a := &schema.Attribute{Name: "v", Type: c.typ, Mutability: schema.ReadWrite}
		got, err := schema.NormalizeSingle(a, "x.v", c.in)
		what := string(c.typ) + " " + jsonOf(c.in)
		if c.want == nil {
			if err == nil {
				t.Errorf("%s: got %#v, want an error", what, got)
				continue
			}
			wantInvalidValue(t, what, err, "x.v")
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", what, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: got %#v, want %#v", what, got, c.want)
		}
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestNormalizeValueMultiValued: a multi-valued attribute takes an array;
// null, an empty array or an array of nothing but nulls is unassigned.
func TestNormalizeValueMultiValued(t *testing.T) {
	a := &schema.Attribute{Name: "tags", Type: schema.String, MultiValued: true, Mutability: schema.ReadWrite}
	cases := []struct {
		in      any
		want    any
		wantErr bool
	}{
		{nil, nil, false},
		{[]any{}, nil, false},
		{[]any{nil, nil}, nil, false},
		{[]any{"a", nil, "b"}, []any{"a", "b"}, false},
		{"a", nil, true},
		{[]any{"a", float64(1)}, nil, true},
	}
	for _, c := range cases {
		got, err := schema.NormalizeValue(a, "tags", c.in)
		if c.wantErr {
			if err == nil {
				t.Errorf("NormalizeValue(%s) = %v, want an error", jsonOf(c.in), got)
			} else {
				wantInvalidValue(t, jsonOf(c.in), err, "tags")
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("NormalizeValue(%s) = %#v, %v; want %#v", jsonOf(c.in), got, err, c.want)
		}
	}
}

// TestPrimaryCount: at most one value is primary (RFC 7643 section 2.4); a
// false primary does not count.
func TestPrimaryCount(t *testing.T) {
	emails := attrOf(t, schemaSet(t, "full"), schema.UserURN, "emails")
	cases := []struct {
		in      string
		wantErr bool
	}{
		{`[{"value":"a","primary":true}]`, false},
		{`[{"value":"a","primary":true},{"value":"b","primary":false},{"value":"c"}]`, false},
		{`[{"value":"a","primary":false},{"value":"b","primary":false}]`, false},
		{`[{"value":"a","primary":true},{"value":"b","primary":true}]`, true},
		{`[{"value":"a","primary":true},{"value":"b"},{"value":"c","primary":true},{"value":"d","primary":true}]`, true},
	}
	for _, c := range cases {
		var v any
		if err := json.Unmarshal([]byte(c.in), &v); err != nil {
			t.Fatal(err)
		}
		_, err := schema.NormalizeValue(emails, "emails", v)
		if (err != nil) != c.wantErr {
			t.Errorf("emails %s: error %v, want error %v", c.in, err, c.wantErr)
		}
	}
}

// TestCheckRequired: the first required attribute (or required
// sub-attribute of a present complex value) the document lacks is a 400
// invalidValue naming it.
func TestCheckRequired(t *testing.T) {
	const dtUser = `"userName":"a@example.com","name":{"givenName":"A","familyName":"B"},"active":true`
	cases := []struct {
		name, set, rt, doc string
		want               string // the detail; "" for no error
	}{
		{"dynatrace user complete", "dynatrace", "User", `{` + dtUser + `}`, ""},
		{"empty: userName comes first", "dynatrace", "User", `{}`, "userName is required"},
		{"no name", "dynatrace", "User", `{"userName":"a","active":true}`, "name is required"},
		{"no familyName", "dynatrace", "User", `{"userName":"a","name":{"givenName":"A"},"active":true}`, "name.familyName is required"},
		{"null givenName", "dynatrace", "User", `{"userName":"a","name":{"givenName":null,"familyName":"B"},"active":true}`, "name.givenName is required"},
		{"no active", "dynatrace", "User", `{"userName":"a","name":{"givenName":"A","familyName":"B"}}`, "active is required"},
		{"active false is present", "dynatrace", "User", `{"userName":"a","name":{"givenName":"A","familyName":"B"},"active":false}`, ""},
		{"dynatrace group", "dynatrace", "Group", `{"displayName":"g"}`, ""},
		{"dynatrace group without a name", "dynatrace", "Group", `{"members":[{"value":"u"}]}`, "displayName is required"},
		{"full user: only userName", "full", "User", `{"userName":"a"}`, ""},
		{"full user without userName", "full", "User", `{"displayName":"a"}`, "userName is required"},
		{"full group without a name (RFC 7643 section 4.2)", "full", "Group", `{}`, "displayName is required"},
	}
	for _, c := range cases {
		err := resourceType(t, c.set, c.rt).CheckRequired(decodeJSON(t, c.doc))
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error, want %q", c.name, c.want)
			continue
		}
		wantInvalidValue(t, c.name, err, c.want)
		if got := scimerror.From(err).Detail; got != c.want {
			t.Errorf("%s: detail %q, want %q", c.name, got, c.want)
		}
	}
}

// TestCheckRequiredExtension: a required extension must be present, and an
// extension's required attributes are checked under its URN.
func TestCheckRequiredExtension(t *testing.T) {
	rt := resourceType(t, "full", "User")
	if err := rt.CheckRequired(decodeJSON(t, `{"userName":"a"}`)); err != nil {
		t.Fatalf("optional extension absent: %v", err)
	}
	rt.ExtensionRequired[0] = true
	err := rt.CheckRequired(decodeJSON(t, `{"userName":"a"}`))
	wantInvalidValue(t, "required extension absent", err, ext)
	if err := rt.CheckRequired(decodeJSON(t, `{"userName":"a","`+ext+`":{"employeeNumber":"7"}}`)); err != nil {
		t.Errorf("required extension present: %v", err)
	}
	rt.Extensions[0].Attr("employeeNumber").Required = true
	err = rt.CheckRequired(decodeJSON(t, `{"userName":"a","`+ext+`":{"department":"d"}}`))
	wantInvalidValue(t, "required extension attribute absent", err, ext+":employeeNumber")
}

// TestCheckRequiredElements: in a multi-valued complex attribute every
// element must carry the required sub-attributes; readOnly attributes are
// the server's and never required of a client.
func TestCheckRequiredElements(t *testing.T) {
	rw := func(name string, typ schema.Type, req bool) *schema.Attribute {
		return &schema.Attribute{Name: name, Type: typ, Required: req, Mutability: schema.ReadWrite, Returned: schema.Default, Uniqueness: schema.None}
	}
	phones := rw("phones", schema.Complex, false)
	phones.MultiValued = true
	phones.SubAttributes = []*schema.Attribute{rw("value", schema.String, true), rw("type", schema.String, false)}
	serial := rw("serial", schema.String, true)
	serial.Mutability = schema.ReadOnly
	rt := &schema.ResourceType{Name: "Device", Core: &schema.Schema{ID: "urn:example:Device", Attributes: []*schema.Attribute{phones, serial}}}

	cases := []struct {
		doc, want string
	}{
		{`{}`, ""},
		{`{"phones":[{"value":"1"},{"value":"2","type":"work"}]}`, ""},
		{`{"phones":[{"value":"1"},{"type":"work"}]}`, "phones.value is required"},
	}
	for _, c := range cases {
		err := rt.CheckRequired(decodeJSON(t, c.doc))
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.doc, err)
			}
			continue
		}
		if got := scimerror.From(err); got == nil || got.Detail != c.want {
			t.Errorf("%s: error %v, want %q", c.doc, err, c.want)
		}
	}
}

// TestNormalizeIntegerRange: integers beyond 2^53 cannot be held exactly by
// a float64 and are refused rather than rounded.
func TestNormalizeIntegerRange(t *testing.T) {
	a := &schema.Attribute{Name: "n", Type: schema.Integer, Mutability: schema.ReadWrite}
	for _, in := range []any{json.Number("12345678901234567890"), float64(math.MaxInt64), -float64(1 << 54)} {
		if got, err := schema.NormalizeSingle(a, "n", in); err == nil {
			t.Errorf("NormalizeSingle(%v) = %v, want an error", in, got)
		}
	}
}

// TestNormalizeDropsReadOnly: a readOnly attribute in a body "SHALL be
// ignored" (RFC 7643 section 7), at the top level and in an extension,
// whatever its type. The sets' readOnly attributes are all complex with
// readOnly sub-attributes, so this builds simple ones.
func TestNormalizeDropsReadOnly(t *testing.T) {
	attr := func(name string, m schema.Mutability) *schema.Attribute {
		return &schema.Attribute{Name: name, Type: schema.String, Mutability: m, Returned: schema.Default, Uniqueness: schema.None}
	}
	const extURN = "urn:example:params:scim:schemas:extension:Device"
	rt := &schema.ResourceType{
		Name:              "Device",
		Core:              &schema.Schema{ID: "urn:example:params:scim:schemas:Device", Attributes: []*schema.Attribute{attr("label", schema.ReadWrite), attr("serial", schema.ReadOnly)}},
		Extensions:        []*schema.Schema{{ID: extURN, Attributes: []*schema.Attribute{attr("site", schema.Immutable), attr("vendor", schema.ReadOnly)}}},
		ExtensionRequired: []bool{false},
	}
	got, err := rt.Normalize(decodeJSON(t, `{"label":"l","serial":"s","`+extURN+`":{"site":"x","vendor":"v"}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"label": "l", extURN: map[string]any{"site": "x"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Normalize = %v, want %v", got, want)
	}
}
