package rfc

import (
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// Projection: "attributes" and "excludedAttributes" (RFC 7644 sections
// 3.4.2.5 and 3.9) on GET by id, on queries and on the answers to POST and
// PUT, with "id" and "schemas" always returned and RFC 7643 section 7's
// "returned: always" attributes returned whatever the lists say.

// expectOnlyReturned checks that doc has the requested top-level attributes and
// nothing else but id, schemas, the attributes /Schemas says are always
// returned, and meta (RFC 7643 gives meta no "returned" characteristic and
// many servers always return it, so it is tolerated).
func expectOnlyReturned(rt string, doc map[string]any, r *scimtest.Response, requested ...string) {
	allowed := map[string]bool{"id": true, "schemas": true, "meta": true}
	for _, a := range requested {
		allowed[strings.ToLower(a)] = true
	}
	for path, a := range T.Caps.Attrs[rt] {
		if a.Returned != "always" {
			continue
		}
		if strings.HasPrefix(path, "urn:") {
			// An extension attribute lives in the extension's object.
			if i := strings.LastIndex(path, ":"); i > 0 {
				allowed[path[:i]] = true
			}
			continue
		}
		top, _, _ := strings.Cut(path, ".")
		allowed[top] = true
	}
	Expect(doc).To(HaveKey("id"), "id is always returned (RFC 7643 section 3.1):\n%s", r)
	Expect(doc).To(HaveKey("schemas"), "schemas is always returned:\n%s", r)
	for _, a := range requested {
		Expect(scimtest.HaveKey(doc, a)).To(BeTrue(), "%s was asked for with attributes= and has a value:\n%s", a, r)
	}
	for k := range doc {
		Expect(allowed).To(HaveKey(strings.ToLower(k)),
			"attributes=%s: %q is neither asked for nor always returned, so it must not be returned (RFC 7644 section 3.9):\n%s",
			strings.Join(requested, ","), k, r)
	}
}

var _ = Describe("Projection", func() {
	var (
		user     *scimtest.Response
		userPath string
	)
	newUser := func(ctx SpecContext) {
		user = T.MustCreate(ctx, "/Users", T.NewUser())
		userPath = "/Users/" + user.Str("id")
	}

	It("returns only the listed attributes, id and schemas on GET by id", Label("RFC-PROJECTION"), func(ctx SpecContext) {
		newUser(ctx)
		r := T.Client.Get(ctx, userPath+scimtest.Query("attributes", "userName"))
		Expect(r).To(scimtest.HaveStatus(http.StatusOK))
		expectOnlyReturned("User", r.JSON, r, "userName")
		Expect(r.Str("id")).To(Equal(user.Str("id")), "the id:\n%s", r)
	})

	It("accepts a URN-qualified and an odd-case attribute name", Label("RFC-PROJECTION"), func(ctx SpecContext) {
		newUser(ctx)
		r := T.Client.Get(ctx, userPath+scimtest.Query("attributes", "urn:ietf:params:scim:schemas:core:2.0:User:userName"))
		Expect(r).To(scimtest.HaveStatus(http.StatusOK))
		expectOnlyReturned("User", r.JSON, r, "userName")
		r = T.Client.Get(ctx, userPath+scimtest.Query("attributes", "USERNAME"))
		Expect(r).To(scimtest.HaveStatus(http.StatusOK))
		expectOnlyReturned("User", r.JSON, r, "userName")
	})

	It("returns only the listed sub-attribute of a complex attribute", Label("RFC-PROJECTION"), func(ctx SpecContext) {
		newUser(ctx)
		r := T.Client.Get(ctx, userPath+scimtest.Query("attributes", "name.givenName,userName"))
		Expect(r).To(scimtest.HaveStatus(http.StatusOK))
		expectOnlyReturned("User", r.JSON, r, "userName", "name")
		Expect(scimtest.Path(r.JSON, "name.givenName")).To(Equal("Ada"), "name.givenName was asked for:\n%s", r)
		Expect(scimtest.Path(r.JSON, "name.familyName")).To(BeNil(), "only name.givenName was asked for, not name.familyName:\n%s", r)
	})

	It("returns only the listed attributes in a query", Label("RFC-PROJECTION"), func(ctx SpecContext) {
		if !T.Caps.Filter {
			Skip("the spec finds its user with a filter, and filter.supported is false")
		}
		newUser(ctx)
		r := T.Client.Get(ctx, "/Users"+scimtest.Query("filter", fmt.Sprintf("userName eq %q", user.Str("userName")), "attributes", "userName"))
		Expect(r).To(scimtest.HaveStatus(http.StatusOK))
		Expect(r.Resources()).To(HaveLen(1), "the filter finds the user:\n%s", r)
		expectOnlyReturned("User", r.Resources()[0], r, "userName")
	})

	It("leaves out excluded attributes and keeps the others", Label("RFC-PROJECTION"), func(ctx SpecContext) {
		newUser(ctx)
		r := T.Client.Get(ctx, userPath+scimtest.Query("excludedAttributes", "name"))
		Expect(r).To(scimtest.HaveStatus(http.StatusOK))
		Expect(scimtest.HaveKey(r.JSON, "name")).To(BeFalse(), "name is excluded:\n%s", r)
		Expect(r.Str("userName")).To(Equal(user.Str("userName")), "userName is not excluded and is returned by default:\n%s", r)
		Expect(r.JSON["active"]).To(Equal(true), "active is not excluded:\n%s", r)
	})

	It("returns id and schemas even when they are excluded", Label("RFC-PROJECTION"), func(ctx SpecContext) {
		newUser(ctx)
		r := T.Client.Get(ctx, userPath+scimtest.Query("excludedAttributes", "id,schemas,userName"))
		Expect(r).To(scimtest.HaveStatus(http.StatusOK))
		Expect(r.Str("id")).To(Equal(user.Str("id")), "id is returned always: excludedAttributes SHALL have no effect on it (RFC 7644 section 3.9):\n%s", r)
		Expect(r.JSON).To(HaveKey("schemas"), "schemas is always returned:\n%s", r)
		if a, ok := T.Caps.Attr("User", "userName"); ok && a.Returned != "always" {
			Expect(scimtest.HaveKey(r.JSON, "userName")).To(BeFalse(), "userName is excluded:\n%s", r)
		}
	})

	It("projects the answer to a POST", Label("RFC-PROJECTION"), func(ctx SpecContext) {
		r := T.Create(ctx, "/Users"+scimtest.Query("attributes", "userName"), T.NewUser())
		Expect(r).To(scimtest.HaveStatus(http.StatusCreated))
		T.CleanupLater("/Users/" + r.Str("id"))
		expectOnlyReturned("User", r.JSON, r, "userName")
	})

	It("projects the answer to a PUT", Label("RFC-PROJECTION"), func(ctx SpecContext) {
		newUser(ctx)
		doc := T.NewUser("userName", user.Str("userName"), "name.givenName", "Augusta")
		r := T.Client.Put(ctx, userPath+scimtest.Query("excludedAttributes", "name"), doc)
		Expect(r).To(scimtest.HaveStatus(http.StatusOK))
		Expect(scimtest.HaveKey(r.JSON, "name")).To(BeFalse(), "name is excluded from the PUT answer (RFC 7644 section 3.9):\n%s", r)
		Expect(r.Str("userName")).To(Equal(user.Str("userName")), "userName is returned:\n%s", r)
	})

	Context("on a Group", func() {
		var group *scimtest.Response
		BeforeEach(func(ctx SpecContext) {
			newUser(ctx)
			group = T.MustCreate(ctx, "/Groups", T.NewGroup("members", []any{map[string]any{"value": user.Str("id")}}))
			Expect(scimtest.ValueStrings(group.JSON, "members")).To(Equal([]string{user.Str("id")}), "the group was created with its member:\n%s", group)
		})

		It("leaves out members with excludedAttributes=members on GET by id", Label("RFC-PROJECTION"), func(ctx SpecContext) {
			r := T.Client.Get(ctx, "/Groups/"+group.Str("id")+scimtest.Query("excludedAttributes", "members"))
			Expect(r).To(scimtest.HaveStatus(http.StatusOK))
			Expect(scimtest.HaveKey(r.JSON, "members")).To(BeFalse(), "members is excluded (Entra ID relies on this):\n%s", r)
			Expect(r.Str("displayName")).To(Equal(group.Str("displayName")), "displayName is still returned:\n%s", r)
		})

		It("leaves out members with excludedAttributes=members in a query", Label("RFC-PROJECTION"), func(ctx SpecContext) {
			if !T.Caps.Filter {
				Skip("the spec finds its group with a filter, and filter.supported is false")
			}
			r := T.Client.Get(ctx, "/Groups"+scimtest.Query("filter", fmt.Sprintf("displayName eq %q", group.Str("displayName")), "excludedAttributes", "members"))
			Expect(r).To(scimtest.HaveStatus(http.StatusOK))
			Expect(r.Resources()).To(HaveLen(1), "the filter finds the group:\n%s", r)
			Expect(scimtest.HaveKey(r.Resources()[0], "members")).To(BeFalse(), "members is excluded:\n%s", r)
		})

		It("returns only displayName with attributes=displayName", Label("RFC-PROJECTION"), func(ctx SpecContext) {
			r := T.Client.Get(ctx, "/Groups/"+group.Str("id")+scimtest.Query("attributes", "displayName"))
			Expect(r).To(scimtest.HaveStatus(http.StatusOK))
			expectOnlyReturned("Group", r.JSON, r, "displayName")
		})
	})
})
