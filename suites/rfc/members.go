package rfc

import (
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// Group membership (RFC 7643 section 4.2): members set at creation, added,
// removed and replaced by PATCH and PUT; each member's User "groups"
// attribute (readOnly, RFC 7643 section 4.1.2) follows where the target
// advertises it.

var _ = Describe("Group members", func() {
	var (
		u1, u2, u3 string
		group      *scimtest.Response
		gp         string
	)
	member := func(id string) map[string]any { return map[string]any{"value": id} }

	BeforeEach(func(ctx SpecContext) {
		u1 = T.MustCreate(ctx, "/Users", T.NewUser()).Str("id")
		u2 = T.MustCreate(ctx, "/Users", T.NewUser()).Str("id")
		u3 = T.MustCreate(ctx, "/Users", T.NewUser()).Str("id")
		group = T.MustCreate(ctx, "/Groups", T.NewGroup("members", []any{member(u1), member(u2)}))
		gp = "/Groups/" + group.Str("id")
	})

	// members reads the group and returns its member ids, sorted.
	members := func(ctx SpecContext) []string {
		r := T.Client.Get(ctx, gp)
		ExpectWithOffset(1, r).To(scimtest.HaveStatus(http.StatusOK))
		return scimtest.ValueStrings(r.JSON, "members")
	}

	// groupsOf reads user id's "groups" (asked for by name, in case the
	// target returns it only on request) and returns the group ids, or
	// skips when the target does not advertise User groups.
	groupsOf := func(ctx SpecContext, id string) []string {
		if !T.Caps.Has("User", "groups") {
			Skip("the target does not advertise User groups in /Schemas")
		}
		r := T.Client.Get(ctx, "/Users/"+id+scimtest.Query("attributes", "groups"))
		ExpectWithOffset(1, r).To(scimtest.HaveStatus(http.StatusOK))
		return scimtest.ValueStrings(r.JSON, "groups")
	}

	It("keeps the members a group is created with", Label("RFC-GROUP-MEMBERS"), func(ctx SpecContext) {
		Expect(scimtest.ValueStrings(group.JSON, "members")).To(Equal(scimtest.Sorted(u1, u2)), "the POST answer lists the members:\n%s", group)
		Expect(members(ctx)).To(Equal(scimtest.Sorted(u1, u2)), "GET lists exactly the members the group was created with")
	})

	It("describes each member by value, and by $ref and type when given", Label("RFC-GROUP-MEMBERS"), func(ctx SpecContext) {
		r := T.Client.Get(ctx, gp)
		Expect(r).To(scimtest.HaveStatus(http.StatusOK))
		for _, m := range scimtest.ValuesOf(r.JSON, "members") {
			id, _ := m["value"].(string)
			Expect([]string{u1, u2}).To(ContainElement(id), "members[].value is a member's id:\n%s", r)
			if ref, ok := m["$ref"].(string); ok {
				Expect(strings.HasSuffix(ref, "/Users/"+id)).To(BeTrue(), "members[].$ref is the URI of the member User (RFC 7643 section 4.2):\n%s", r)
			}
			if typ, ok := m["type"].(string); ok {
				Expect(typ).To(Equal("User"), "members[].type of a User member is \"User\":\n%s", r)
			}
		}
	})

	It("adds a member with PATCH add", Label("RFC-GROUP-MEMBERS"), func(ctx SpecContext) {
		skipUnlessPatch()
		T.PatchAndRead(ctx, gp, scimtest.PatchRequest(patchOp("add", "members", []any{member(u3)})))
		Expect(members(ctx)).To(Equal(scimtest.Sorted(u1, u2, u3)), "the new member joins the others")
	})

	It("removes one member with PATCH remove members[value eq id]", Label("RFC-GROUP-MEMBERS"), func(ctx SpecContext) {
		skipUnlessPatch()
		T.PatchAndRead(ctx, gp, scimtest.PatchRequest(patchOp("remove", fmt.Sprintf("members[value eq %q]", u1), nil)))
		Expect(members(ctx)).To(Equal([]string{u2}), "only the named member leaves")
	})

	It("replaces all members with PATCH replace", Label("RFC-GROUP-MEMBERS"), func(ctx SpecContext) {
		skipUnlessPatch()
		T.PatchAndRead(ctx, gp, scimtest.PatchRequest(patchOp("replace", "members", []any{member(u3)})))
		Expect(members(ctx)).To(Equal([]string{u3}), "replace sets exactly the given members")
	})

	It("replaces all members with PUT", Label("RFC-GROUP-MEMBERS"), func(ctx SpecContext) {
		r := T.Client.Put(ctx, gp, T.NewGroup("displayName", group.Str("displayName"), "members", []any{member(u2), member(u3)}))
		Expect(r).To(scimtest.HaveStatus(http.StatusOK), "PUT replaces the group (RFC 7644 section 3.5.1)")
		Expect(scimtest.ValueStrings(r.JSON, "members")).To(Equal(scimtest.Sorted(u2, u3)), "the PUT answer lists the new members:\n%s", r)
		Expect(members(ctx)).To(Equal(scimtest.Sorted(u2, u3)), "the group has exactly the members of the PUT")
	})

	It("lists the group in each member's groups and drops it on removal", Label("RFC-GROUP-MEMBERS"), func(ctx SpecContext) {
		gid := group.Str("id")
		Expect(groupsOf(ctx, u1)).To(ContainElement(gid), "a member User's groups lists the group (RFC 7643 section 4.1.2)")
		Expect(groupsOf(ctx, u3)).NotTo(ContainElement(gid), "a User who is not a member does not list the group")

		r := T.Client.Put(ctx, gp, T.NewGroup("displayName", group.Str("displayName"), "members", []any{member(u2), member(u3)}))
		Expect(r).To(scimtest.HaveStatus(http.StatusOK))
		Expect(groupsOf(ctx, u1)).NotTo(ContainElement(gid), "a User removed from the group no longer lists it")
		Expect(groupsOf(ctx, u3)).To(ContainElement(gid), "a User added to the group lists it")
	})

	It("shows the group's displayName in the member's groups", Label("RFC-GROUP-MEMBERS"), func(ctx SpecContext) {
		if !T.Caps.Has("User", "groups.display") {
			Skip("the target does not advertise User groups.display in /Schemas")
		}
		r := T.Client.Get(ctx, "/Users/"+u2+scimtest.Query("attributes", "groups"))
		Expect(r).To(scimtest.HaveStatus(http.StatusOK))
		for _, g := range scimtest.ValuesOf(r.JSON, "groups") {
			if g["value"] == group.Str("id") {
				if d, ok := g["display"]; ok {
					Expect(d).To(Equal(group.Str("displayName")), "groups[].display is the group's displayName:\n%s", r)
				}
				return
			}
		}
		scimtest.Fail(fmt.Sprintf("user %s's groups does not list group %s:\n%s", u2, group.Str("id"), r))
	})

	It("empties the group when all members are removed", Label("RFC-GROUP-MEMBERS"), func(ctx SpecContext) {
		skipUnlessPatch()
		T.PatchAndRead(ctx, gp, scimtest.PatchRequest(patchOp("remove", "members", nil)))
		Expect(members(ctx)).To(BeEmpty(), "no member is left")
		if T.Caps.Has("User", "groups") {
			Expect(groupsOf(ctx, u1)).NotTo(ContainElement(group.Str("id")), "the former member no longer lists the group")
		}
	})
})
