package dynatrace

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// DT-OPS: "Dynatrace supports SCIM 2.0 and GET, POST, PATCH, PUT, and
// DELETE operations for both User and Group resources."
var _ = Describe("DT-OPS: every operation on User and Group", func() {
	It("lists Users and Groups with GET", Label("DT-OPS", scimtest.ReadOnlyLabel), func(ctx SpecContext) {
		for _, endpoint := range []string{"/Users", "/Groups"} {
			r := T.Client.Get(ctx, endpoint+scimtest.Query("count", "1"))
			Expect(r).To(scimtest.HaveStatus(200), "GET %s is supported", endpoint)
			Expect(scimtest.Path(r.JSON, "schemas")).To(ContainElement(scimtest.ListURN), "GET %s answers a ListResponse: %s", endpoint, r)
			Expect(r.Int("totalResults")).To(BeNumerically(">=", 0), "a ListResponse has totalResults: %s", r)
		}
	})

	It("supports POST, GET, PUT, PATCH and DELETE on a User", Label("DT-OPS"), func(ctx SpecContext) {
		doc := newUser()
		userName := doc["userName"].(string)

		post := create(ctx, T.Client, "/Users", doc)
		id := post.Str("id")
		Expect(post.Str("userName")).To(Equal(userName), "POST returns the created User: %s", post)

		get := T.Client.Get(ctx, "/Users/"+id)
		Expect(get).To(scimtest.HaveStatus(200))
		Expect(get.Str("userName")).To(Equal(userName), "GET returns the User as created: %s", get)
		Expect(get.Str("name.givenName")).To(Equal("Ada"), "GET returns the User as created: %s", get)

		put := T.Client.Put(ctx, "/Users/"+id, newUser("userName", userName, "name.givenName", "Grace", "name.familyName", "Hopper"))
		Expect(put).To(scimtest.HaveStatus(200), "PUT replaces the User")
		get = T.Client.Get(ctx, "/Users/"+id)
		Expect(get.Str("name.givenName")).To(Equal("Grace"), "the PUT applied: %s", get)
		Expect(get.Str("name.familyName")).To(Equal("Hopper"), "the PUT applied: %s", get)

		p := T.Client.Patch(ctx, "/Users/"+id, patch(op("replace", "name.familyName", "Brewster")))
		expectPatched(p, "PATCH of a User")
		get = T.Client.Get(ctx, "/Users/"+id)
		Expect(get.Str("name.familyName")).To(Equal("Brewster"), "the PATCH applied: %s", get)
		Expect(get.Str("name.givenName")).To(Equal("Grace"), "the PATCH changed only its path: %s", get)

		del := T.Client.Delete(ctx, "/Users/"+id)
		Expect(del).To(scimtest.HaveStatus(204), "DELETE removes the User")
		Expect(T.Client.Get(ctx, "/Users/"+id)).To(scimtest.HaveStatus(404), "the deleted User is gone")
	})

	It("supports POST, GET, PUT, PATCH and DELETE on a Group", Label("DT-OPS"), func(ctx SpecContext) {
		u1 := createdID(ctx, T.Client, "/Users", newUser())
		u2 := createdID(ctx, T.Client, "/Users", newUser())
		doc := newGroup("members", memberValues(u1))
		name := doc["displayName"].(string)

		post := create(ctx, T.Client, "/Groups", doc)
		id := post.Str("id")
		Expect(post.Str("displayName")).To(Equal(name), "POST returns the created Group: %s", post)

		get := T.Client.Get(ctx, "/Groups/"+id)
		Expect(get).To(scimtest.HaveStatus(200))
		Expect(get.Str("displayName")).To(Equal(name), "GET returns the Group as created: %s", get)
		Expect(members(ctx, T.Client, id)).To(Equal([]string{u1}), "GET returns the Group's members as created")

		renamed := T.UniqueName()
		put := T.Client.Put(ctx, "/Groups/"+id, newGroup("displayName", renamed, "members", memberValues(u2)))
		Expect(put).To(scimtest.HaveStatus(200), "PUT replaces the Group")
		get = T.Client.Get(ctx, "/Groups/"+id)
		Expect(get.Str("displayName")).To(Equal(renamed), "the PUT applied: %s", get)
		Expect(members(ctx, T.Client, id)).To(Equal([]string{u2}), "the PUT replaced the members")

		p := T.Client.Patch(ctx, "/Groups/"+id, patch(op("add", "members", memberValues(u1))))
		expectPatched(p, "PATCH of a Group")
		Expect(members(ctx, T.Client, id)).To(Equal(sorted(u1, u2)), "the PATCH added the member")

		del := T.Client.Delete(ctx, "/Groups/"+id)
		Expect(del).To(scimtest.HaveStatus(204), "DELETE removes the Group")
		Expect(T.Client.Get(ctx, "/Groups/"+id)).To(scimtest.HaveStatus(404), "the deleted Group is gone")
	})
})
