package dynatrace

import (
	"context"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// refusedUser POSTs doc, expects a 4xx SCIM error, and checks through a
// filter that no user with doc's userName exists afterwards.
func refusedUser(ctx context.Context, c *scimtest.Client, doc map[string]any, why string) {
	r := c.Post(ctx, "/Users", doc)
	cleanupIfCreated(c, "/Users", r)
	ExpectWithOffset(1, r).To(scimtest.HaveSCIMError(0, ""), "%s", why)
	if name, ok := doc["userName"].(string); ok && name != "" {
		found := filter(ctx, c, "/Users", "userName eq "+quote(name))
		ExpectWithOffset(1, found.Int("totalResults")).To(Equal(0), "a refused user is not created: %s", found)
	}
}

var _ = Describe("DT-USER-EMAIL: userName is an email address", func() {
	It("accepts an email address on a verified domain", Label("DT-USER-EMAIL"), func(ctx SpecContext) {
		doc := newUser()
		r := create(ctx, T.Client, "/Users", doc)
		Expect(strings.EqualFold(r.Str("userName"), doc["userName"].(string))).To(BeTrue(), "the userName is kept: %s", r)
	})

	DescribeTable("refuses a userName that is not an email address", Label("DT-USER-EMAIL"),
		func(ctx SpecContext, userName func() string) {
			refusedUser(ctx, T.Client, newUser("userName", userName()),
				"DT-USER-EMAIL: a userName that is not an email address is refused with a SCIM error")
		},
		Entry("no @", func() string { return T.UniqueName() }),
		Entry("nothing after @", func() string { return T.UniqueName() + "@" }),
		Entry("nothing before @", func() string { return "@" + T.Domain() }),
		Entry("a display name with the address in angle brackets", func() string {
			return "Jane Doe <" + T.UniqueName() + "@" + T.Domain() + ">"
		}),
		Entry("two @ signs", func() string { return T.UniqueName() + "@" + T.UniqueName() + "@" + T.Domain() }),
		Entry("a space in the local part", func() string { return "jane " + T.UniqueName() + "@" + T.Domain() }),
	)
})

var _ = Describe("DT-USER-DOMAIN: userName's domain is verified in the account", func() {
	DescribeTable("refuses a user on a domain that is not verified", Label("DT-USER-DOMAIN"),
		func(ctx SpecContext, domain func() string) {
			d := domain()
			if slices.ContainsFunc(T.VerifiedDomains, func(v string) bool { return strings.EqualFold(v, d) }) {
				Skip("domain " + d + " is among the verified domains given (VERIFIED_DOMAIN)")
			}
			refusedUser(ctx, T.Client, newUser("userName", email(d)),
				"DT-USER-DOMAIN: a userName on domain "+d+", which is not verified in the account, is refused with a SCIM error")
		},
		Entry("the configured unverified domain", func() string {
			if T.UnverifiedDomain == "" {
				return "unverified.invalid" // RFC 2606: .invalid can never be verified
			}
			return T.UnverifiedDomain
		}),
		Entry("a domain that ends with the verified one", func() string { return "x" + T.Domain() }),
		Entry("a subdomain of the verified one", func() string { return "sub." + T.Domain() }),
		Entry("a domain that starts with the verified one", func() string { return T.Domain() + ".invalid" }),
	)
})

var _ = Describe("DT-USER-REQUIRED: name.givenName, name.familyName and active are required", func() {
	// requireDeclared skips on the embedded mock started with the "full"
	// schema set: that is RFC 7643's User, where these are optional, not
	// Dynatrace's. Any other target must require them, whatever its
	// /Schemas says (a target declaring them optional breaks the rule).
	requireDeclared := func(path string) {
		if T.OnEmbeddedMock() && strings.EqualFold(T.Schema, "full") {
			Skip("the embedded mock runs the full schema set (SCIMCONF_SCHEMA=full), where User " + path + " is optional as in RFC 7643; DT-USER-REQUIRED is Dynatrace's schema")
		}
	}

	DescribeTable("refuses a POST without a required attribute", Label("DT-USER-REQUIRED"),
		func(ctx SpecContext, path string) {
			requireDeclared(path)
			refusedUser(ctx, T.Client, newUser(path, nil),
				"DT-USER-REQUIRED: a User without "+path+" is refused with a SCIM error")
		},
		Entry("without name.givenName", "name.givenName"),
		Entry("without name.familyName", "name.familyName"),
		Entry("without active", "active"),
		Entry("without name", "name"),
	)

	DescribeTable("refuses a PUT without a required attribute and keeps the user", Label("DT-USER-REQUIRED"),
		func(ctx SpecContext, path string) {
			requireDeclared(path)
			doc := newUser("name.givenName", "Katherine", "name.familyName", "Johnson")
			id := createdID(ctx, T.Client, "/Users", doc)
			put := newUser("userName", doc["userName"], "name.givenName", "Dorothy", "name.familyName", "Vaughan", path, nil)
			r := T.Client.Put(ctx, "/Users/"+id, put)
			Expect(r).To(scimtest.HaveSCIMError(0, ""), "DT-USER-REQUIRED: a PUT without %s is refused with a SCIM error", path)
			get := T.Client.Get(ctx, "/Users/"+id)
			Expect(get.Str("name.givenName")).To(Equal("Katherine"), "a refused PUT changes nothing: %s", get)
			Expect(get.Str("name.familyName")).To(Equal("Johnson"), "a refused PUT changes nothing: %s", get)
		},
		Entry("without name.givenName", "name.givenName"),
		Entry("without name.familyName", "name.familyName"),
		Entry("without active", "active"),
	)

	// An empty or blank required name is no name: account management would
	// show a user without one. The mock's decision (README): 400
	// invalidValue naming the attribute, on POST, PUT and PATCH alike.
	DescribeTable("refuses an empty or blank required name on POST, PUT and PATCH and keeps the user", Label("DT-USER-REQUIRED"),
		func(ctx SpecContext, path, value string) {
			requireDeclared(path)
			r := T.Client.Post(ctx, "/Users", newUser(path, value))
			cleanupIfCreated(T.Client, "/Users", r)
			Expect(r).To(scimtest.HaveSCIMError(400, "invalidValue"), "DT-USER-REQUIRED: a POST with %s %q is refused", path, value)
			Expect(r.Str("detail")).To(ContainSubstring(path), "the error names the attribute: %s", r)

			doc := newUser("name.givenName", "Katherine", "name.familyName", "Johnson")
			id := createdID(ctx, T.Client, "/Users", doc)
			put := T.Client.Put(ctx, "/Users/"+id, newUser("userName", doc["userName"], path, value))
			Expect(put).To(scimtest.HaveSCIMError(400, "invalidValue"), "DT-USER-REQUIRED: a PUT with %s %q is refused", path, value)
			p := T.Client.Patch(ctx, "/Users/"+id, patch(op("replace", path, value)))
			Expect(p).To(scimtest.HaveSCIMError(400, "invalidValue"), "DT-USER-REQUIRED: a PATCH setting %s to %q is refused", path, value)
			get := T.Client.Get(ctx, "/Users/"+id)
			Expect(get.Str("name.givenName")).To(Equal("Katherine"), "a refused write changes nothing: %s", get)
			Expect(get.Str("name.familyName")).To(Equal("Johnson"), "a refused write changes nothing: %s", get)
		},
		Entry("empty name.givenName", "name.givenName", ""),
		Entry("blank name.givenName", "name.givenName", "   "),
		Entry("empty name.familyName", "name.familyName", ""),
		Entry("blank name.familyName", "name.familyName", " \t "),
	)
})

var _ = Describe("DT-USER-EMAIL-IMMUTABLE: a userName change is ignored", func() {
	It("keeps userName on a PUT that changes it and applies the rest", Label("DT-USER-EMAIL-IMMUTABLE"), func(ctx SpecContext) {
		doc := newUser()
		userName := doc["userName"].(string)
		id := createdID(ctx, T.Client, "/Users", doc)
		changed := email("")

		r := T.Client.Put(ctx, "/Users/"+id, newUser("userName", changed, "name.givenName", "Grace", "name.familyName", "Hopper"))
		Expect(r).To(scimtest.HaveStatus(200), "DT-USER-EMAIL-IMMUTABLE: a PUT with another userName succeeds (the change is ignored)")
		Expect(strings.EqualFold(r.Str("userName"), userName)).To(BeTrue(), "DT-USER-EMAIL-IMMUTABLE: the PUT answer keeps the userName: %s", r)
		get := T.Client.Get(ctx, "/Users/"+id)
		Expect(strings.EqualFold(get.Str("userName"), userName)).To(BeTrue(), "DT-USER-EMAIL-IMMUTABLE: userName stays %q: %s", userName, get)
		Expect(get.Str("name.givenName")).To(Equal("Grace"), "the rest of the PUT applies: %s", get)
		Expect(get.Str("name.familyName")).To(Equal("Hopper"), "the rest of the PUT applies: %s", get)
		found := filter(ctx, T.Client, "/Users", "userName eq "+quote(changed))
		Expect(found.Int("totalResults")).To(Equal(0), "no user has the ignored userName: %s", found)
	})

	DescribeTable("keeps userName on a PATCH that changes it and applies the rest", Label("DT-USER-EMAIL-IMMUTABLE"),
		func(ctx SpecContext, ops func(userName string) map[string]any) {
			doc := newUser()
			userName := doc["userName"].(string)
			id := createdID(ctx, T.Client, "/Users", doc)
			changed := email("")

			r := T.Client.Patch(ctx, "/Users/"+id, ops(changed))
			Expect(r).To(scimtest.HaveStatus(200, 204), "DT-USER-EMAIL-IMMUTABLE: a PATCH of userName succeeds (the change is ignored)")
			if r.Status == 200 {
				Expect(strings.EqualFold(r.Str("userName"), userName)).To(BeTrue(), "DT-USER-EMAIL-IMMUTABLE: the PATCH answer keeps the userName: %s", r)
			}
			get := T.Client.Get(ctx, "/Users/"+id)
			Expect(strings.EqualFold(get.Str("userName"), userName)).To(BeTrue(), "DT-USER-EMAIL-IMMUTABLE: userName stays %q: %s", userName, get)
			Expect(get.Str("name.familyName")).To(Equal("Brewster"), "the rest of the PATCH applies: %s", get)
			found := filter(ctx, T.Client, "/Users", "userName eq "+quote(changed))
			Expect(found.Int("totalResults")).To(Equal(0), "no user has the ignored userName: %s", found)
		},
		Entry("replace with a path", func(u string) map[string]any {
			return patch(op("replace", "userName", u), op("replace", "name.familyName", "Brewster"))
		}),
		Entry("replace without a path", func(u string) map[string]any {
			return patch(op("replace", "", map[string]any{"userName": u, "name": map[string]any{"familyName": "Brewster"}}))
		}),
		Entry("add with a path", func(u string) map[string]any {
			return patch(op("add", "userName", u), op("replace", "name.familyName", "Brewster"))
		}),
	)
})

var _ = Describe("DT-USER-DISABLE: active=false disables, the user stays visible", func() {
	It("keeps a disabled user in GET, filters and the list", Label("DT-USER-DISABLE"), func(ctx SpecContext) {
		doc := newUser()
		userName := doc["userName"].(string)
		id := createdID(ctx, T.Client, "/Users", doc)

		expectPatched(T.Client.Patch(ctx, "/Users/"+id, patch(op("replace", "active", false))), "disabling the user")
		get := T.Client.Get(ctx, "/Users/"+id)
		Expect(get).To(scimtest.HaveStatus(200), "DT-USER-DISABLE: a disabled user is still returned by GET")
		Expect(scimtest.Path(get.JSON, "active")).To(Equal(false), "DT-USER-DISABLE: the user shows active=false: %s", get)

		both := filter(ctx, T.Client, "/Users", "active eq false and userName eq "+quote(userName))
		Expect(both.Int("totalResults")).To(Equal(1), "DT-USER-DISABLE: a filter on active=false finds the disabled user: %s", both)
		byName := filter(ctx, T.Client, "/Users", "userName eq "+quote(userName))
		Expect(byName.Int("totalResults")).To(Equal(1), "DT-USER-DISABLE: the disabled user is still listed: %s", byName)
		active := filter(ctx, T.Client, "/Users", "active eq true and userName eq "+quote(userName))
		Expect(active.Int("totalResults")).To(Equal(0), "the disabled user is not among active users: %s", active)

		expectPatched(T.Client.Patch(ctx, "/Users/"+id, patch(op("replace", "active", true))), "enabling the user again")
		get = T.Client.Get(ctx, "/Users/"+id)
		Expect(scimtest.Path(get.JSON, "active")).To(Equal(true), "a disabled user can be enabled again: %s", get)
	})

	It("disables a user through PUT too", Label("DT-USER-DISABLE"), func(ctx SpecContext) {
		doc := newUser()
		id := createdID(ctx, T.Client, "/Users", doc)
		Expect(T.Client.Put(ctx, "/Users/"+id, newUser("userName", doc["userName"], "active", false))).To(scimtest.HaveStatus(200))
		get := T.Client.Get(ctx, "/Users/"+id)
		Expect(get).To(scimtest.HaveStatus(200), "DT-USER-DISABLE: a disabled user is still returned by GET")
		Expect(scimtest.Path(get.JSON, "active")).To(Equal(false), "DT-USER-DISABLE: the user shows active=false: %s", get)
	})

	It("shows the disabled user as DISABLED in account management", Label("DT-USER-DISABLE", scimtest.AdminLabel), func(ctx SpecContext) {
		doc := newUser()
		userName := doc["userName"].(string)
		id := createdID(ctx, T.Client, "/Users", doc)
		status := func() string {
			r := T.Admin().Get(ctx, demoPath()+"/users")
			Expect(r).To(scimtest.HaveStatus(200), "listing the account's users in account management")
			for _, u := range r.JSONArray() {
				if e, _ := u["email"].(string); strings.EqualFold(e, userName) || u["id"] == id {
					s, _ := u["status"].(string)
					return s
				}
			}
			return "(not listed)"
		}
		Expect(status()).To(Equal("ACTIVE"), "a new user is active in account management")
		expectPatched(T.Client.Patch(ctx, "/Users/"+id, patch(op("replace", "active", false))), "disabling the user")
		Expect(status()).To(Equal("DISABLED"), "DT-USER-DISABLE: active=false disables the user in account management")
	})
})

var _ = Describe("DT-USER-DELETE: DELETE removes the user, who can be provisioned again", func() {
	It("answers 404 after DELETE", Label("DT-USER-DELETE"), func(ctx SpecContext) {
		doc := newUser()
		userName := doc["userName"].(string)
		id := createdID(ctx, T.Client, "/Users", doc)
		gid := createdID(ctx, T.Client, "/Groups", newGroup("members", memberValues(id)))

		Expect(T.Client.Delete(ctx, "/Users/"+id)).To(scimtest.HaveStatus(204), "DT-USER-DELETE: DELETE removes the user")
		Expect(T.Client.Get(ctx, "/Users/"+id)).To(scimtest.HaveSCIMError(404, ""), "DT-USER-DELETE: the deleted user is gone")
		Expect(T.Client.Delete(ctx, "/Users/"+id)).To(scimtest.HaveSCIMError(404, ""), "DT-USER-DELETE: a second DELETE finds nothing")
		found := filter(ctx, T.Client, "/Users", "userName eq "+quote(userName))
		Expect(found.Int("totalResults")).To(Equal(0), "DT-USER-DELETE: the deleted user is not found by filter: %s", found)
		Expect(members(ctx, T.Client, gid)).NotTo(ContainElement(id), "the deleted user is no longer a group member")
	})

	// RFC 7644 section 3.6: "a CREATE request for a User resource with the
	// same userName as the previously deleted resource SHOULD NOT fail with
	// a 409 error due to userName conflict": a SHOULD, so a rule of its
	// own, DT-USER-REPROVISION.
	It("accepts the same userName again after DELETE", Label("DT-USER-REPROVISION"), func(ctx SpecContext) {
		doc := newUser()
		userName := doc["userName"].(string)
		id := createdID(ctx, T.Client, "/Users", doc)
		Expect(T.Client.Delete(ctx, "/Users/"+id)).To(scimtest.HaveStatus(204), "DELETE removes the user")
		again := create(ctx, T.Client, "/Users", doc)
		Expect(strings.EqualFold(again.Str("userName"), userName)).To(BeTrue(), "DT-USER-REPROVISION: the same userName is provisioned again: %s", again)
		Expect(T.Client.Get(ctx, "/Users/"+again.Str("id"))).To(scimtest.HaveStatus(200))
	})
})

var _ = Describe("DT-USER-LIMIT: no user beyond the account's maximum", func() {
	It("refuses a user over maxUsers and accepts it once the limit is raised", Label("DT-USER-LIMIT", scimtest.AdminLabel), func(ctx SpecContext) {
		a := T.NewSCIMAccount(ctx)
		a.SetLimit(ctx, "maxUsers", 2)
		createdID(ctx, a.SCIM, "/Users", newUser("userName", email(a.Domain)))
		createdID(ctx, a.SCIM, "/Users", newUser("userName", email(a.Domain)))

		third := newUser("userName", email(a.Domain))
		refusedUser(ctx, a.SCIM, third, "DT-USER-LIMIT: a third user over maxUsers=2 is refused with a SCIM error")

		a.SetLimit(ctx, "maxUsers", 3)
		thirdID := createdID(ctx, a.SCIM, "/Users", third)
		fourth := newUser("userName", email(a.Domain))
		refusedUser(ctx, a.SCIM, fourth, "DT-USER-LIMIT: a fourth user over maxUsers=3 is refused with a SCIM error")

		// Deleting a user makes room.
		Expect(a.SCIM.Delete(ctx, "/Users/"+thirdID)).To(scimtest.HaveStatus(204))
		create(ctx, a.SCIM, "/Users", fourth)
	})
})
