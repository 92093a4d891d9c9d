package rfc

import (
	"maps"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// RFC 7644 section 3.12: errors are SCIM error bodies ("implementers MUST
// return the errors in the body of the response"), and a refused request
// changes nothing. The 400 of Table 8 and the keywords of Table 9 describe
// what an error means; they are no MUST ("scimType ... OPTIONAL"), so the
// MUST specs accept any 4xx error and the keywords are checked apart, under
// RFC-ERROR-SCIMTYPE (MAY).
var _ = Describe("Errors", func() {
	It("answers malformed JSON with a SCIM error and creates nothing", Label("RFC-MALFORMED", "RFC-ERROR-BODY"), func(ctx SpecContext) {
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
			Expect(r).To(scimtest.HaveSCIMError(0, ""),
				"RFC 7644 section 3.12: a body that is not valid JSON is refused with an error in the body")
		}
		Expect(T.CountWhere(ctx, "/Users", scimtest.EqFilter("userName", userName))).To(Equal(0), "a refused request creates nothing")
	})

	It("answers a body that is not a resource object with a SCIM error and creates nothing", Label("RFC-MALFORMED"), func(ctx SpecContext) {
		for _, body := range []string{`[]`, `"a string"`, `null`, ``} {
			r := T.Client.Post(ctx, "/Users", body, "Content-Type", "application/scim+json")
			if id := r.Str("id"); r.Status == 201 && id != "" {
				T.CleanupLater("/Users/" + id)
			}
			Expect(r).To(scimtest.HaveSCIMError(0, ""), "RFC 7644 section 3.12: a body that is no SCIM resource is refused (body %q)", body)
		}
	})

	DescribeTable("answers a value of the wrong type with a SCIM error and creates nothing",
		func(ctx SpecContext, path string, value any) {
			u := T.NewUser()
			userName := u["userName"].(string)
			setPath(u, path, value)
			r := T.Create(ctx, "/Users", u)
			if id := r.Str("id"); r.Status == 201 && id != "" {
				T.CleanupLater("/Users/" + id)
			}
			Expect(r).To(scimtest.HaveSCIMError(0, ""), "RFC 7644 section 3.12: %s of the wrong type is refused", path)
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
	// quirk outside --strict.) No sentence obliges a server to refuse such a
	// body, so RFC-SCHEMAS is advisory (MAY).
	DescribeTable("answers a wrong \"schemas\" on POST and PUT with a SCIM error and changes nothing",
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
			if id := r.Str("id"); r.Status == 201 && id != "" {
				T.CleanupLater(endpoint + "/" + id)
			}
			Expect(r).To(scimtest.HaveSCIMError(0, ""), "RFC 7643 section 3: a POST with \"schemas\" %v is refused", schemas)

			put := maps.Clone(doc)
			put["schemas"] = schemas
			r = T.Client.Put(ctx, endpoint+"/"+id, put)
			Expect(r).To(scimtest.HaveSCIMError(0, ""), "RFC 7643 section 3: a PUT with \"schemas\" %v is refused", schemas)
			g := T.Client.Get(ctx, endpoint+"/"+id)
			Expect(g.Str("meta.lastModified")).To(Equal(created.Str("meta.lastModified")), "a refused PUT changes nothing:\n%s", g)
		},
		Entry("an empty array on a User", Label("RFC-SCHEMAS"), "/Users", []any{}),
		Entry("a bare string on a User", Label("RFC-SCHEMAS"), "/Users", scimtest.UserURN),
		Entry("the Group schema on a User", Label("RFC-SCHEMAS"), "/Users", []any{scimtest.GroupURN}),
		Entry("the Group schema beside the User schema", Label("RFC-SCHEMAS"), "/Users", []any{scimtest.UserURN, scimtest.GroupURN}),
		Entry("the User schema on a Group", Label("RFC-SCHEMAS"), "/Groups", []any{scimtest.UserURN}),
	)

	It("leaves a resource unchanged when a PUT is malformed or of the wrong type", Label("RFC-MALFORMED"), func(ctx SpecContext) {
		created := T.MustCreate(ctx, "/Users", T.NewUser())
		id := created.Str("id")
		bad := T.NewUser("userName", created.Str("userName"), "name.familyName", "Byron", "active", map[string]any{"on": true})
		for _, body := range []any{`{"schemas":["` + scimtest.UserURN + `"],"name":{"familyName":"Byron"`, bad} {
			r := T.Client.Put(ctx, "/Users/"+id, body)
			Expect(r).To(scimtest.HaveSCIMError(0, ""), "RFC 7644 section 3.12: a malformed PUT is refused with an error in the body")
			g := T.Client.Get(ctx, "/Users/"+id)
			Expect(g).To(scimtest.HaveStatus(200))
			Expect(g.Str("name.familyName")).To(Equal("Lovelace"), "a refused PUT changes nothing:\n%s", g)
			Expect(g.Str("meta.lastModified")).To(Equal(created.Str("meta.lastModified")), "a refused PUT changes nothing:\n%s", g)
		}
	})

	It("answers a missing required attribute with a SCIM error", Label("RFC-ERROR-BODY"), func(ctx SpecContext) {
		u := T.NewUser("userName", nil)
		r := T.Create(ctx, "/Users", u)
		if id := r.Str("id"); r.Status == 201 && id != "" {
			T.CleanupLater("/Users/" + id)
		}
		Expect(r).To(scimtest.HaveSCIMError(0, ""),
			"RFC 7644 section 3.12: a request without a REQUIRED attribute (userName, RFC 7643 section 4.1.1) is refused with an error in the body")
	})

	// RFC 7644 section 3.12 describes the 400 (Table 8) and the keywords
	// (Table 9) of a bad request, but makes scimType "OPTIONAL": a server
	// that names them helps its clients, one that does not breaks no MUST.
	// Hence a rule of its own, at MAY; the MUST of a refusal is checked by
	// the specs above.
	It("names the 400 and the Table 9 scimType of a malformed or invalid request", Label("RFC-ERROR-SCIMTYPE"), func(ctx SpecContext) {
		userName := T.Name() + "@" + T.Domain()
		type attempt struct {
			what  string
			r     *scimtest.Response
			types []string
		}
		var attempts []attempt
		for _, body := range []string{
			`{"schemas":["` + scimtest.UserURN + `"],"userName":"` + userName + `","name":{"givenName":"Ada","familyName":"Lovelace"},"active":true`,
			`userName=` + userName,
		} {
			attempts = append(attempts, attempt{"malformed JSON", T.Client.Post(ctx, "/Users", body), []string{"invalidSyntax"}})
		}
		for _, body := range []string{`[]`, `null`} {
			attempts = append(attempts, attempt{"a body that is no resource", T.Client.Post(ctx, "/Users", body, "Content-Type", "application/scim+json"), []string{"invalidSyntax", "invalidValue"}})
		}
		for _, c := range []struct {
			path  string
			value any
		}{{"userName", 123}, {"name", "Ada Lovelace"}, {"active", 42}} {
			u := T.NewUser()
			setPath(u, c.path, c.value)
			attempts = append(attempts, attempt{c.path + " of the wrong type", T.Create(ctx, "/Users", u), []string{"invalidValue", "invalidSyntax"}})
		}
		wrong := T.NewUser()
		wrong["schemas"] = []any{scimtest.GroupURN}
		attempts = append(attempts, attempt{"a wrong \"schemas\"", T.Create(ctx, "/Users", wrong), []string{"invalidValue", "invalidSyntax"}})
		attempts = append(attempts, attempt{"a missing userName", T.Create(ctx, "/Users", T.NewUser("userName", nil)), []string{"invalidValue"}})
		for _, a := range attempts {
			if id := a.r.Str("id"); a.r.Status == 201 && id != "" {
				T.CleanupLater("/Users/" + id)
			}
			Expect(a.r).To(scimtest.HaveSCIMError(400, ""), "RFC 7644 section 3.12 Table 8: 400 is the status of a request that is \"unparsable, syntactically incorrect, or violates schema\" (%s)", a.what)
			Expect(a.r.JSON["scimType"]).To(BeElementOf(a.types), "RFC 7644 section 3.12 Table 9: the scimType of %s is %s:\n%s", a.what, strings.Join(a.types, " or "), a.r)
		}
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
				// The duplicate was accepted: RFC-UNIQUENESS's defect, which
				// its own specs charge; there is no error here to judge.
				T.CleanupLater("/Users/" + r.Str("id"))
				continue
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

	// RFC 7644 section 3.12 only says "The SCIM protocol uses the HTTP
	// response status codes defined in Section 6 of [RFC7231]": a method an
	// endpoint lacks may be 404 (no such resource for that method), 405 or
	// 501, each an error with the error in the body. RFC-HTTP-STATUS takes
	// any of them; the 405 with Allow (RFC 7231 section 6.5.5) or 501 is
	// RFC-HTTP-METHOD, at MAY.
	methodAttempts := []struct {
		method, path string
		body         any
	}{
		{"PUT", "/Users", map[string]any{"schemas": []any{scimtest.UserURN}}},
		{"DELETE", "/Users", nil},
		{"DELETE", "/ServiceProviderConfig", nil},
		{"POST", "/ServiceProviderConfig", map[string]any{}},
		{"PUT", "/Schemas", map[string]any{}},
		{"DELETE", "/ResourceTypes", nil},
	}
	expectRefused := func(r *scimtest.Response) {
		GinkgoHelper()
		if r.Status == 501 {
			Expect(r).To(scimtest.HaveSCIMError(501, ""), "RFC 7644 section 3.12: error status codes are also in the body")
			return
		}
		Expect(r).To(scimtest.HaveSCIMError(0, ""), "RFC 7644 section 3.12: a method the endpoint lacks is an error (4xx or 501), with the error in the body")
	}
	for _, a := range methodAttempts {
		It("answers "+a.method+" "+a.path+", a method the endpoint lacks, with a SCIM error", Label("RFC-HTTP-STATUS", scimtest.ReadOnlyLabel), func(ctx SpecContext) {
			r := T.Client.Do(ctx, a.method, a.path, a.body)
			if r.Status == 201 {
				T.CleanupLater("/Users/" + r.Str("id"))
			}
			expectRefused(r)
		})
	}

	It("answers a method the endpoint lacks with 405 and Allow, or 501", Label("RFC-HTTP-METHOD", scimtest.ReadOnlyLabel), func(ctx SpecContext) {
		for _, a := range methodAttempts {
			r := T.Client.Do(ctx, a.method, a.path, a.body)
			if r.Status == 201 {
				T.CleanupLater("/Users/" + r.Str("id"))
			}
			Expect(r).To(scimtest.HaveStatus(405, 501), "RFC 7231 section 6.5.5: 405 for a method the endpoint does not take; RFC 7644 section 3.12 Table 8: 501 for one the server lacks (%s %s)", a.method, a.path)
			if r.Status == 405 {
				Expect(r.Header.Get("Allow")).NotTo(BeEmpty(), "RFC 7231 section 6.5.5: a 405 response carries Allow:\n%s", r)
			}
		}
	})

	It("answers POST on a resource with a SCIM error and changes nothing", Label("RFC-HTTP-STATUS"), func(ctx SpecContext) {
		created := T.MustCreate(ctx, "/Users", T.NewUser())
		r := T.Client.Post(ctx, "/Users/"+created.Str("id"), T.NewUser("userName", created.Str("userName"), "name.familyName", "Byron"))
		expectRefused(r)
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
