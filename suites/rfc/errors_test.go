package rfc_test

import (
	"maps"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// RFC 7644 section 3.12: errors are SCIM error bodies with the right status
// and scimType, and a refused request changes nothing.
var _ = Describe("Errors", func() {
	It("answers malformed JSON with 400 invalidSyntax and creates nothing", Label("RFC-MALFORMED", "RFC-ERROR-BODY"), func(ctx SpecContext) {
		userName := T.Name() + "@" + T.Domain()
		for _, body := range []string{
			// cut in the middle of the document
			`{"schemas":["` + scimtest.UserURN + `"],"userName":"` + userName + `","name":{"givenName":"Ada","familyName":"Lovelace"},"active":true`,
			// a trailing comma
			`{"schemas":["` + scimtest.UserURN + `"],"userName":"` + userName + `","name":{"givenName":"Ada","familyName":"Lovelace"},"active":true,}`,
			// not JSON at all
			`userName=` + userName,
		} {
			r := T.Client.Post(ctx, "/Users", body)
			if id := r.Str("id"); r.Status == 201 && id != "" {
				T.CleanupLater("/Users/" + id)
			}
			Expect(r).To(scimtest.HaveSCIMError(400, "invalidSyntax"),
				"RFC 7644 section 3.12: a body that is not valid JSON is 400 invalidSyntax")
		}
		Expect(T.CountWhere(ctx, "/Users", scimtest.EqFilter("userName", userName))).To(Equal(0), "a refused request creates nothing")
	})

	It("answers a body that is not a resource object with 400 and creates nothing", Label("RFC-MALFORMED"), func(ctx SpecContext) {
		for _, body := range []string{`[]`, `"a string"`, `null`, ``} {
			r := T.Client.Post(ctx, "/Users", body, "Content-Type", "application/scim+json")
			if id := r.Str("id"); r.Status == 201 && id != "" {
				T.CleanupLater("/Users/" + id)
			}
			Expect(r).To(scimtest.HaveSCIMError(400, ""), "RFC 7644 section 3.12: a body that is no SCIM resource is 400 (body %q)", body)
			Expect(r.JSON["scimType"]).To(BeElementOf("invalidSyntax", "invalidValue"),
				"RFC 7644 section 3.12: the scimType of a malformed request is invalidSyntax (or invalidValue):\n%s", r)
		}
	})

	DescribeTable("answers a value of the wrong type with 400 and creates nothing",
		func(ctx SpecContext, path string, value any) {
			u := T.NewUser()
			userName := u["userName"].(string)
			setPath(u, path, value)
			r := T.Create(ctx, "/Users", u)
			Expect(r).To(scimtest.HaveSCIMError(400, ""), "RFC 7644 section 3.12: %s of the wrong type is refused", path)
			Expect(r.JSON["scimType"]).To(BeElementOf("invalidValue", "invalidSyntax"),
				"RFC 7644 section 3.12: a value of the wrong type is invalidValue (or invalidSyntax):\n%s", r)
			if path != "userName" {
				Expect(T.CountWhere(ctx, "/Users", scimtest.EqFilter("userName", userName))).To(Equal(0), "a refused request creates nothing")
			}
		},
		Entry("userName as a number", Label("RFC-MALFORMED"), "userName", 123),
		Entry("userName as an object", Label("RFC-MALFORMED"), "userName", map[string]any{"value": "x"}),
		Entry("name as a string", Label("RFC-MALFORMED"), "name", "Ada Lovelace"),
		Entry("name.givenName as an array", Label("RFC-MALFORMED"), "name.givenName", []any{"Ada"}),
		Entry("active as an object", Label("RFC-MALFORMED"), "active", map[string]any{"on": true}),
		Entry("active as a number", Label("RFC-MALFORMED"), "active", 42),
	)

	// RFC 7643 section 3: "The "schemas" attribute is a REQUIRED attribute
	// and is an array of Strings containing URIs [...]. All representations
	// of SCIM schemas MUST include a non-empty array [...]. The "schemas"
	// attribute for a resource MUST only contain values defined as "schema"
	// and "schemaExtensions" for the resource's defined "resourceType"."
	// RFC 7644 section 3.12 Table 9, invalidValue: "A required value was
	// missing, or the value specified was not compatible with the operation
	// or attribute type [...], or resource schema". (A body without
	// "schemas" is left out: servers commonly take it, the mock as a named
	// quirk outside --strict.)
	DescribeTable("answers a wrong \"schemas\" on POST and PUT with 400 invalidValue and changes nothing",
		func(ctx SpecContext, endpoint string, schemas any) {
			var doc map[string]any
			if endpoint == "/Users" {
				doc = T.NewUser()
			} else {
				doc = T.NewGroup()
			}
			created := T.MustCreate(ctx, endpoint, doc)
			id := created.Str("id")

			bad := T.NewUser()
			if endpoint == "/Groups" {
				bad = T.NewGroup()
			}
			bad["schemas"] = schemas
			r := T.Create(ctx, endpoint, bad)
			Expect(r).To(scimtest.HaveSCIMError(400, ""), "RFC 7643 section 3: a POST with \"schemas\" %v is refused", schemas)
			Expect(r.JSON["scimType"]).To(BeElementOf("invalidValue", "invalidSyntax"),
				"RFC 7644 section 3.12: a wrong \"schemas\" is invalidValue (or invalidSyntax):\n%s", r)

			put := maps.Clone(doc)
			put["schemas"] = schemas
			r = T.Client.Put(ctx, endpoint+"/"+id, put)
			Expect(r).To(scimtest.HaveSCIMError(400, ""), "RFC 7643 section 3: a PUT with \"schemas\" %v is refused", schemas)
			g := T.Client.Get(ctx, endpoint+"/"+id)
			Expect(g.Str("meta.lastModified")).To(Equal(created.Str("meta.lastModified")), "a refused PUT changes nothing:\n%s", g)
		},
		Entry("an empty array on a User", Label("RFC-MALFORMED"), "/Users", []any{}),
		Entry("a bare string on a User", Label("RFC-MALFORMED"), "/Users", scimtest.UserURN),
		Entry("the Group schema on a User", Label("RFC-MALFORMED"), "/Users", []any{scimtest.GroupURN}),
		Entry("the Group schema beside the User schema", Label("RFC-MALFORMED"), "/Users", []any{scimtest.UserURN, scimtest.GroupURN}),
		Entry("the User schema on a Group", Label("RFC-MALFORMED"), "/Groups", []any{scimtest.UserURN}),
	)

	It("leaves a resource unchanged when a PUT is malformed or of the wrong type", Label("RFC-MALFORMED"), func(ctx SpecContext) {
		created := T.MustCreate(ctx, "/Users", T.NewUser())
		id := created.Str("id")
		bad := T.NewUser("userName", created.Str("userName"), "name.familyName", "Byron", "active", map[string]any{"on": true})
		for _, body := range []any{`{"schemas":["` + scimtest.UserURN + `"],"name":{"familyName":"Byron"`, bad} {
			r := T.Client.Put(ctx, "/Users/"+id, body)
			Expect(r).To(scimtest.HaveSCIMError(400, ""), "RFC 7644 section 3.12: a malformed PUT is 400")
			g := T.Client.Get(ctx, "/Users/"+id)
			Expect(g).To(scimtest.HaveStatus(200))
			Expect(g.Str("name.familyName")).To(Equal("Lovelace"), "a refused PUT changes nothing:\n%s", g)
			Expect(g.Str("meta.lastModified")).To(Equal(created.Str("meta.lastModified")), "a refused PUT changes nothing:\n%s", g)
		}
	})

	It("answers a missing required attribute with 400 invalidValue", Label("RFC-ERROR-BODY"), func(ctx SpecContext) {
		u := T.NewUser("userName", nil)
		r := T.Create(ctx, "/Users", u)
		Expect(r).To(scimtest.HaveSCIMError(400, "invalidValue"),
			"RFC 7644 section 3.12: invalidValue is the scimType for \"a required value was missing\"")
	})

	It("writes every error as a SCIM error body with status as a string", Label("RFC-ERROR-BODY"), func(ctx SpecContext) {
		u := T.NewUser()
		T.MustCreate(ctx, "/Users", u)
		for _, r := range []*scimtest.Response{
			T.Client.Get(ctx, "/Users/scimconf-no-such-id-"+T.Name()),
			T.Client.Get(ctx, "/Groups/scimconf-no-such-id-"+T.Name()),
			T.Client.Delete(ctx, "/Users/scimconf-no-such-id-"+T.Name()),
			T.Client.Post(ctx, "/Users", `{"schemas":`),
			T.Client.Post(ctx, "/Users", T.NewUser("userName", u["userName"])),
			T.Client.WithToken("Bearer scimconf-not-a-token").Get(ctx, "/Users"),
		} {
			if r.Status == 201 {
				T.CleanupLater("/Users/" + r.Str("id"))
			}
			Expect(r).To(scimtest.HaveSCIMError(0, ""), "RFC 7644 section 3.12: errors carry the Error schema and status as a string")
			Expect(r.JSON["status"]).To(Equal(strconv.Itoa(r.Status)), "RFC 7644 section 3.12: status equals the HTTP status:\n%s", r)
			if d, ok := r.JSON["detail"]; ok {
				Expect(d).To(BeAssignableToTypeOf(""), "RFC 7644 section 3.12: detail is a string:\n%s", r)
			}
		}
	})

	It("answers an unknown id with 404 and a SCIM error", Label("RFC-HTTP-STATUS", "RFC-ERROR-BODY", scimtest.ReadOnlyLabel), func(ctx SpecContext) {
		missing := "scimconf-no-such-id-" + T.Name()
		for _, r := range []*scimtest.Response{
			T.Client.Get(ctx, "/Users/"+missing),
			T.Client.Get(ctx, "/Groups/"+missing),
			T.Client.Delete(ctx, "/Users/"+missing),
			T.Client.Delete(ctx, "/Groups/"+missing),
			T.Client.Get(ctx, "/Schemas/urn:scimconf:no-such-schema"),
			T.Client.Get(ctx, "/ResourceTypes/scimconf-no-such-type"),
		} {
			Expect(r).To(scimtest.HaveSCIMError(404, ""), "RFC 7644 section 3.12: an unknown resource is 404")
		}
		if T.Caps.Patch {
			p := T.Client.Patch(ctx, "/Users/"+missing, map[string]any{"schemas": []any{scimtest.PatchURN},
				"Operations": []any{map[string]any{"op": "replace", "path": "active", "value": false}}})
			Expect(p).To(scimtest.HaveSCIMError(404, ""), "RFC 7644 section 3.12: PATCH of an unknown resource is 404")
		}
	})

	It("answers an unknown endpoint with 404 and a SCIM error", Label("RFC-HTTP-STATUS", scimtest.ReadOnlyLabel), func(ctx SpecContext) {
		for _, path := range []string{"/scimconfNoSuchEndpoint", "/scimconfNoSuchEndpoint/123"} {
			Expect(T.Client.Get(ctx, path)).To(scimtest.HaveSCIMError(404, ""), "RFC 7644 section 3.12: an endpoint the server does not have is 404")
		}
	})

	DescribeTable("answers a method the endpoint lacks with 405 (or 501) and a SCIM error",
		func(ctx SpecContext, method, path string, body any) {
			r := T.Client.Do(ctx, method, path, body)
			if r.Status == 201 {
				T.CleanupLater("/Users/" + r.Str("id"))
			}
			Expect(r).To(scimtest.HaveStatus(405, 501), "RFC 7644 section 3.12 table: 405 for a method the endpoint does not take, 501 for one the server lacks")
			Expect(r).To(scimtest.HaveSCIMError(r.Status, ""), "RFC 7644 section 3.12: error status codes are also in the body")
			if r.Status == 405 {
				Expect(r.Header.Get("Allow")).NotTo(BeEmpty(), "RFC 7231 section 6.5.5: a 405 response carries Allow:\n%s", r)
			}
		},
		Entry("PUT /Users", Label("RFC-HTTP-STATUS", scimtest.ReadOnlyLabel), "PUT", "/Users", map[string]any{"schemas": []any{scimtest.UserURN}}),
		Entry("DELETE /Users", Label("RFC-HTTP-STATUS", scimtest.ReadOnlyLabel), "DELETE", "/Users", nil),
		Entry("DELETE /ServiceProviderConfig", Label("RFC-HTTP-STATUS", scimtest.ReadOnlyLabel), "DELETE", "/ServiceProviderConfig", nil),
		Entry("POST /ServiceProviderConfig", Label("RFC-HTTP-STATUS", scimtest.ReadOnlyLabel), "POST", "/ServiceProviderConfig", map[string]any{}),
		Entry("PUT /Schemas", Label("RFC-HTTP-STATUS", scimtest.ReadOnlyLabel), "PUT", "/Schemas", map[string]any{}),
		Entry("DELETE /ResourceTypes", Label("RFC-HTTP-STATUS", scimtest.ReadOnlyLabel), "DELETE", "/ResourceTypes", nil),
	)

	It("answers POST on a resource with 405 (or 501) and changes nothing", Label("RFC-HTTP-STATUS"), func(ctx SpecContext) {
		created := T.MustCreate(ctx, "/Users", T.NewUser())
		r := T.Client.Post(ctx, "/Users/"+created.Str("id"), T.NewUser("userName", created.Str("userName"), "name.familyName", "Byron"))
		Expect(r).To(scimtest.HaveStatus(405, 501), "RFC 7644 section 3.2: POST is not a method of /Users/{id}")
		Expect(r).To(scimtest.HaveSCIMError(r.Status, ""))
		g := T.Client.Get(ctx, "/Users/"+created.Str("id"))
		Expect(g.Str("name.familyName")).To(Equal("Lovelace"), "a refused request changes nothing:\n%s", g)
	})
})

// setPath sets a dotted path of doc, creating objects on the way.
func setPath(doc map[string]any, path string, value any) {
	m := doc
	for {
		head, rest, more := strings.Cut(path, ".")
		if !more {
			m[head] = value
			return
		}
		sub, ok := m[head].(map[string]any)
		if !ok {
			sub = map[string]any{}
			m[head] = sub
		}
		m, path = sub, rest
	}
}
