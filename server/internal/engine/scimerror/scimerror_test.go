package scimerror_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// TestScimTypes pins the scimType vocabulary to RFC 7644 section 3.12,
// table 9.
func TestScimTypes(t *testing.T) {
	cases := []struct{ got, want string }{
		{scimerror.InvalidFilter, "invalidFilter"},
		{scimerror.TooMany, "tooMany"},
		{scimerror.Uniqueness, "uniqueness"},
		{scimerror.Mutability, "mutability"},
		{scimerror.InvalidSyntax, "invalidSyntax"},
		{scimerror.InvalidPath, "invalidPath"},
		{scimerror.NoTarget, "noTarget"},
		{scimerror.InvalidValue, "invalidValue"},
		{scimerror.InvalidVers, "invalidVers"},
		{scimerror.Sensitive, "sensitive"},
		{scimerror.URN, "urn:ietf:params:scim:api:messages:2.0:Error"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// TestConstructors: each constructor's status, scimType and formatted
// detail.
func TestConstructors(t *testing.T) {
	cases := []struct {
		name string
		got  *scimerror.Error
		want scimerror.Error
	}{
		{"New", scimerror.New(http.StatusForbidden, "", "no %s", "access"),
			scimerror.Error{Status: 403, Detail: "no access"}},
		{"New with scimType", scimerror.New(http.StatusBadRequest, scimerror.TooMany, "%d results", 5),
			scimerror.Error{Status: 400, ScimType: "tooMany", Detail: "5 results"}},
		{"BadRequest", scimerror.BadRequest(scimerror.InvalidFilter, "bad filter %q", "x eq"),
			scimerror.Error{Status: 400, ScimType: "invalidFilter", Detail: `bad filter "x eq"`}},
		{"NotFound", scimerror.NotFound("User %s not found", "42"),
			scimerror.Error{Status: 404, Detail: "User 42 not found"}},
		{"Conflict", scimerror.Conflict("userName %q is taken", "a"),
			scimerror.Error{Status: 409, ScimType: "uniqueness", Detail: `userName "a" is taken`}},
	}
	for _, c := range cases {
		if *c.got != c.want {
			t.Errorf("%s = %+v, want %+v", c.name, *c.got, c.want)
		}
	}
}

// TestMarshalJSON: the wire form of RFC 7644 section 3.12, with "status" a
// JSON string, scimType and detail left out when empty, and the rule kept
// off the wire.
func TestMarshalJSON(t *testing.T) {
	cases := []struct {
		name string
		err  *scimerror.Error
		want string
	}{
		{"with scimType",
			scimerror.BadRequest(scimerror.InvalidValue, "userName is required"),
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidValue","detail":"userName is required"}`},
		{"without scimType",
			scimerror.NotFound("no such User"),
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"no such User"}`},
		{"without detail",
			&scimerror.Error{Status: http.StatusPreconditionFailed},
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"412"}`},
		{"rule is not on the wire",
			scimerror.Conflict("taken").WithRule("DT-GROUP-UNIQUE"),
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"taken"}`},
	}
	for _, c := range cases {
		b, err := json.Marshal(c.err)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		var got, want map[string]any
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: %s is not JSON: %v", c.name, b, err)
		}
		if err := json.Unmarshal([]byte(c.want), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", c.name, b, c.want)
		}
	}
}

// TestMarshalJSONInStruct: an *Error inside another value renders the same
// way.
func TestMarshalJSONInStruct(t *testing.T) {
	b, err := json.Marshal(map[string]any{"error": scimerror.NotFound("gone")})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"error":{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"gone"}}`
	if string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

func TestErrorString(t *testing.T) {
	cases := []struct {
		err  *scimerror.Error
		want string
	}{
		{scimerror.BadRequest(scimerror.InvalidPath, "bad path"), "400 invalidPath: bad path"},
		{scimerror.NotFound("gone"), "404: gone"},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.want {
			t.Errorf("Error() = %q, want %q", got, c.want)
		}
	}
}

// TestWithRule returns a copy: the original, which a package may hold as a
// shared value, keeps no rule.
func TestWithRule(t *testing.T) {
	orig := scimerror.BadRequest(scimerror.InvalidValue, "not on a verified domain")
	got := orig.WithRule("DT-USER-DOMAIN")
	want := scimerror.Error{Status: 400, ScimType: "invalidValue", Detail: "not on a verified domain", Rule: "DT-USER-DOMAIN"}
	if *got != want {
		t.Errorf("WithRule = %+v, want %+v", *got, want)
	}
	if got == orig || orig.Rule != "" {
		t.Errorf("WithRule changed the original: %+v", *orig)
	}
}

// TestFrom: a SCIM error passes through, also wrapped; anything else is a
// 500 whose detail carries the message.
func TestFrom(t *testing.T) {
	e := scimerror.Conflict("taken")
	cases := []struct {
		name string
		in   error
		same *scimerror.Error // From must return this very value
		want scimerror.Error
	}{
		{"a SCIM error", e, e, *e},
		{"a wrapped SCIM error", fmt.Errorf("creating user: %w", e), e, *e},
		{"a twice-wrapped SCIM error", fmt.Errorf("a: %w", fmt.Errorf("b: %w", e)), e, *e},
		{"any other error", errors.New("disk full"), nil,
			scimerror.Error{Status: 500, Detail: "internal error: disk full"}},
	}
	for _, c := range cases {
		got := scimerror.From(c.in)
		if got == nil {
			t.Errorf("%s: From = nil", c.name)
			continue
		}
		if c.same != nil && got != c.same {
			t.Errorf("%s: From returned a different *Error", c.name)
		}
		if *got != c.want {
			t.Errorf("%s: From = %+v, want %+v", c.name, *got, c.want)
		}
	}
	if got := scimerror.From(nil); got != nil {
		t.Errorf("From(nil) = %+v, want nil", got)
	}
}

// TestErrorsAs: *Error is found through wrapping with errors.As, as the
// HTTP edge does.
func TestErrorsAs(t *testing.T) {
	var err error = fmt.Errorf("patch: %w", scimerror.BadRequest(scimerror.NoTarget, "no match").WithRule("RFC-PATCH-NOTARGET"))
	var e *scimerror.Error
	if !errors.As(err, &e) {
		t.Fatal("errors.As found no *scimerror.Error")
	}
	want := scimerror.Error{Status: 400, ScimType: "noTarget", Detail: "no match", Rule: "RFC-PATCH-NOTARGET"}
	if *e != want {
		t.Errorf("errors.As = %+v, want %+v", *e, want)
	}
}
