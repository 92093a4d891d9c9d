package dynatrace

import (
	"bytes"
	"context"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// localGroup creates a LOCAL group in account management (account path
// "/accounts/<id>") and removes it at the end of the spec.
func localGroup(ctx context.Context, path, name string) *scimtest.Response {
	admin := T.Admin()
	r := admin.Post(ctx, path+"/groups", map[string]any{"name": name})
	ExpectWithOffset(1, r).To(scimtest.HaveStatus(201), "creating a LOCAL group in account management")
	id := r.Str("id")
	ExpectWithOffset(1, id).NotTo(BeEmpty(), "a LOCAL group has an id: %s", r)
	DeferCleanup(func(ctx context.Context) { admin.Delete(ctx, path+"/groups/"+url.PathEscape(id)) })
	return r
}

// countGroups counts the SCIM groups named name (case-insensitively, as
// the filter compares).
func countGroups(ctx context.Context, c *scimtest.Client, name string) int {
	r := filter(ctx, c, "/Groups", "displayName eq "+quote(name))
	return r.Int("totalResults")
}

var _ = Describe("DT-GROUP-TYPE: SCIM groups are of type SCIM", func() {
	It("shows a group created by SCIM as type SCIM in account management", Label("DT-GROUP-TYPE", scimtest.AdminLabel), func(ctx SpecContext) {
		doc := newGroup()
		name := doc["displayName"].(string)
		createdID(ctx, T.Client, "/Groups", doc)
		g := adminGroup(ctx, demoPath(), name)
		Expect(g).NotTo(BeNil(), "the SCIM group %s is listed in account management", name)
		Expect(g["type"]).To(Equal("SCIM"), "DT-GROUP-TYPE: a group created by SCIM is of type SCIM: %s", describe(g))

		// The control: a group made in account management is not.
		local := T.UniqueName()
		localGroup(ctx, demoPath(), local)
		lg := adminGroup(ctx, demoPath(), local)
		Expect(lg).NotTo(BeNil(), "the LOCAL group %s is listed", local)
		Expect(lg["type"]).NotTo(Equal("SCIM"), "a group created in account management is not of type SCIM: %s", describe(lg))
	})
})

var _ = Describe("DT-GROUP-LOCKED: account management cannot change SCIM groups", func() {
	It("refuses to rename or delete a SCIM group and still assigns its permissions", Label("DT-GROUP-LOCKED", scimtest.AdminLabel), func(ctx SpecContext) {
		uid := createdID(ctx, T.Client, "/Users", newUser())
		doc := newGroup("members", memberValues(uid))
		name := doc["displayName"].(string)
		id := createdID(ctx, T.Client, "/Groups", doc)
		admin := T.Admin()
		gpath := demoPath() + "/groups/" + url.PathEscape(id)

		rename := admin.Patch(ctx, gpath, map[string]any{"name": T.UniqueName(), "description": "changed in account management"})
		Expect(rename.Status).To(And(BeNumerically(">=", 400), BeNumerically("<", 500)),
			"DT-GROUP-LOCKED: a SCIM group cannot be modified through account management (403 expected):\n%s", rename)
		del := admin.Delete(ctx, gpath)
		Expect(del.Status).To(And(BeNumerically(">=", 400), BeNumerically("<", 500)),
			"DT-GROUP-LOCKED: a SCIM group cannot be removed through account management (403 expected):\n%s", del)

		get := T.Client.Get(ctx, "/Groups/"+id)
		Expect(get).To(scimtest.HaveStatus(200), "DT-GROUP-LOCKED: the SCIM group still exists")
		Expect(get.Str("displayName")).To(Equal(name), "DT-GROUP-LOCKED: the SCIM group keeps its name: %s", get)
		Expect(members(ctx, T.Client, id)).To(Equal([]string{uid}), "DT-GROUP-LOCKED: the SCIM group keeps its members")
		g := adminGroup(ctx, demoPath(), name)
		Expect(g).NotTo(BeNil(), "the SCIM group is still listed in account management")
		Expect(g["description"]).To(Or(BeNil(), BeEmpty()), "the refused change set no description: %s", describe(g))

		perms := []any{map[string]any{"permissionName": "tenant-viewer", "scope": "env" + strings.ToLower(T.RunID), "scopeType": "tenant"}}
		set := admin.Put(ctx, gpath+"/permissions", perms)
		Expect(set).To(scimtest.HaveStatus(200, 204), "DT-GROUP-LOCKED: permissions can still be assigned to a SCIM group")
		read := admin.Get(ctx, gpath+"/permissions")
		Expect(read).To(scimtest.HaveStatus(200))
		Expect(read.JSONArray()).To(ContainElement(HaveKeyWithValue("permissionName", "tenant-viewer")), "the permission is assigned: %s", read)

		// The control: the same calls work on a LOCAL group.
		local := localGroup(ctx, demoPath(), T.UniqueName())
		lpath := demoPath() + "/groups/" + url.PathEscape(local.Str("id"))
		Expect(admin.Patch(ctx, lpath, map[string]any{"name": T.UniqueName()})).To(scimtest.HaveStatus(200, 204), "a LOCAL group can be renamed")
		Expect(admin.Delete(ctx, lpath)).To(scimtest.HaveStatus(200, 204), "a LOCAL group can be deleted")
	})
})

var _ = Describe("DT-GROUP-UNIQUE: group names are unique in the account", func() {
	DescribeTable("refuses a second SCIM group of the same name with 409 uniqueness", Label("DT-GROUP-UNIQUE"),
		func(ctx SpecContext, variant func(string) string) {
			name := T.UniqueName()
			createdID(ctx, T.Client, "/Groups", newGroup("displayName", name))
			r := T.Client.Post(ctx, "/Groups", newGroup("displayName", variant(name)))
			cleanupIfCreated(T.Client, "/Groups", r)
			Expect(r).To(scimtest.HaveSCIMError(409, "uniqueness"), "DT-GROUP-UNIQUE: each group name in an account must be unique")
			Expect(countGroups(ctx, T.Client, name)).To(Equal(1), "only the first group exists")
		},
		Entry("the same name", func(s string) string { return s }),
		Entry("the name in upper case", strings.ToUpper),
	)

	It("refuses to rename a group to another group's name", Label("DT-GROUP-UNIQUE"), func(ctx SpecContext) {
		taken := T.UniqueName()
		createdID(ctx, T.Client, "/Groups", newGroup("displayName", taken))
		mine := T.UniqueName()
		id := createdID(ctx, T.Client, "/Groups", newGroup("displayName", mine))

		// RFC 7644 section 3.3's 409 uniqueness MUST names creation only;
		// for a change RFC 7643 section 7 adds "A server MAY reject an
		// invalid value based on uniqueness by returning HTTP response code
		// 400 (Bad Request)", and Dynatrace's page names no status: 409 or
		// 400, the error in the body.
		taken409or400 := Or(scimtest.HaveSCIMError(409, ""), scimtest.HaveSCIMError(400, ""))
		r := T.Client.Patch(ctx, "/Groups/"+id, patch(op("replace", "displayName", strings.ToUpper(taken))))
		Expect(r).To(taken409or400, "DT-GROUP-UNIQUE: a PATCH rename onto a taken name is refused (409 or 400)")
		r = T.Client.Put(ctx, "/Groups/"+id, newGroup("displayName", taken))
		Expect(r).To(taken409or400, "DT-GROUP-UNIQUE: a PUT rename onto a taken name is refused (409 or 400)")
		Expect(T.Client.Get(ctx, "/Groups/"+id).Str("displayName")).To(Equal(mine), "the refused renames changed nothing")

		// A group does not collide with itself: changing the case of its
		// own name is a rename like any other.
		expectPatched(T.Client.Patch(ctx, "/Groups/"+id, patch(op("replace", "displayName", strings.ToUpper(mine)))), "renaming a group to its own name in upper case")
		Expect(T.Client.Get(ctx, "/Groups/"+id).Str("displayName")).To(Equal(strings.ToUpper(mine)), "the case-only rename applied")
	})

	It("refuses a SCIM group named like a LOCAL group, and the other way round", Label("DT-GROUP-UNIQUE", scimtest.AdminLabel), func(ctx SpecContext) {
		local := T.UniqueName()
		localGroup(ctx, demoPath(), local)
		for _, name := range []string{local, strings.ToUpper(local)} {
			r := T.Client.Post(ctx, "/Groups", newGroup("displayName", name))
			cleanupIfCreated(T.Client, "/Groups", r)
			Expect(r).To(scimtest.HaveSCIMError(409, "uniqueness"), "DT-GROUP-UNIQUE: a SCIM group cannot take a LOCAL group's name")
		}
		Expect(countGroups(ctx, T.Client, local)).To(Equal(0), "no SCIM group took the LOCAL group's name")

		scim := T.UniqueName()
		createdID(ctx, T.Client, "/Groups", newGroup("displayName", scim))
		admin := T.Admin()
		r := admin.Post(ctx, demoPath()+"/groups", map[string]any{"name": strings.ToUpper(scim)})
		if id := r.Str("id"); r.Status == 201 && id != "" {
			DeferCleanup(func(ctx context.Context) { admin.Delete(ctx, demoPath()+"/groups/"+url.PathEscape(id)) })
		}
		Expect(r.Status).To(And(BeNumerically(">=", 400), BeNumerically("<", 500)),
			"DT-GROUP-UNIQUE: a LOCAL group cannot take a SCIM group's name (409 expected):\n%s", r)
	})
})

// A name that is empty, blank or padded with spaces would let account
// management show two groups that read the same ("Local Admins" and
// "Local Admins "). The mock's decision (README): SCIM refuses the names
// account management refuses for a LOCAL group, with 400 invalidValue
// naming displayName; padding is refused, not trimmed.
var _ = Describe("DT-GROUP-UNIQUE: group names that would read the same are refused", func() {
	DescribeTable("refuses an empty, blank or padded displayName on POST, PUT and PATCH", Label("DT-GROUP-UNIQUE"),
		func(ctx SpecContext, name func(string) string) {
			base := T.UniqueName()
			bad := name(base)
			r := T.Client.Post(ctx, "/Groups", newGroup("displayName", bad))
			cleanupIfCreated(T.Client, "/Groups", r)
			Expect(r).To(scimtest.HaveSCIMError(400, "invalidValue"), "DT-GROUP-UNIQUE: a group named %q is refused", bad)
			Expect(r.Str("detail")).To(ContainSubstring("displayName"), "the error names displayName: %s", r)

			id := createdID(ctx, T.Client, "/Groups", newGroup("displayName", base))
			put := T.Client.Put(ctx, "/Groups/"+id, newGroup("displayName", bad))
			Expect(put).To(scimtest.HaveSCIMError(400, "invalidValue"), "DT-GROUP-UNIQUE: a PUT renaming the group to %q is refused", bad)
			p := T.Client.Patch(ctx, "/Groups/"+id, patch(op("replace", "displayName", bad)))
			Expect(p).To(scimtest.HaveSCIMError(400, "invalidValue"), "DT-GROUP-UNIQUE: a PATCH renaming the group to %q is refused", bad)
			Expect(T.Client.Get(ctx, "/Groups/"+id).Str("displayName")).To(Equal(base), "the refused renames changed nothing")
		},
		Entry("empty", func(string) string { return "" }),
		Entry("blank", func(string) string { return "   " }),
		Entry("a trailing space", func(s string) string { return s + " " }),
		Entry("a leading space", func(s string) string { return " " + s }),
	)

	It("refuses a SCIM group named like a LOCAL group plus a space, as account management refuses the padded name", Label("DT-GROUP-UNIQUE", scimtest.AdminLabel), func(ctx SpecContext) {
		local := T.UniqueName()
		localGroup(ctx, demoPath(), local)
		r := T.Client.Post(ctx, "/Groups", newGroup("displayName", local+" "))
		cleanupIfCreated(T.Client, "/Groups", r)
		Expect(r).To(scimtest.HaveSCIMError(400, "invalidValue"), "DT-GROUP-UNIQUE: %q would read the same as the LOCAL group %q", local+" ", local)
		admin := T.Admin()
		a := admin.Post(ctx, demoPath()+"/groups", map[string]any{"name": local + " "})
		if id := a.Str("id"); a.Status == 201 && id != "" {
			DeferCleanup(func(ctx context.Context) { admin.Delete(ctx, demoPath()+"/groups/"+url.PathEscape(id)) })
		}
		Expect(a.Status).To(Equal(400), "account management refuses the same padded name for a LOCAL group:\n%s", a)
	})
})

var _ = Describe("DT-GROUP-NODESC: a group description cannot be set by SCIM", func() {
	// noDescription checks that a group's representation holds neither a
	// description attribute nor the description's (unique) text.
	noDescription := func(r *scimtest.Response, text, what string) {
		ExpectWithOffset(1, scimtest.Path(r.JSON, "description")).To(BeNil(), "DT-GROUP-NODESC: %s shows a description:\n%s", what, r)
		ExpectWithOffset(1, bytes.Contains(r.Body, []byte(text))).To(BeFalse(), "DT-GROUP-NODESC: %s shows the description's text:\n%s", what, r)
	}

	It("does not store a description sent with POST, PUT or PATCH", Label("DT-GROUP-NODESC"), func(ctx SpecContext) {
		text := "described " + T.UniqueName()
		r := T.Client.Post(ctx, "/Groups", newGroup("description", text))
		cleanupIfCreated(T.Client, "/Groups", r)
		if r.Status != 201 {
			// Refusing the attribute outright also keeps it unset.
			Expect(r).To(scimtest.HaveSCIMError(0, ""), "a group with a description is either created without it or refused with a SCIM error")
			return
		}
		id := r.Str("id")
		noDescription(r, text, "the POST answer")
		noDescription(T.Client.Get(ctx, "/Groups/"+id), text, "GET")
		noDescription(T.Client.Get(ctx, "/Groups/"+id+scimtest.Query("attributes", "description")), text, "GET with attributes=description")

		text2 := "put " + T.UniqueName()
		put := T.Client.Put(ctx, "/Groups/"+id, newGroup("displayName", r.Str("displayName"), "description", text2))
		if put.Status == 200 {
			noDescription(put, text2, "the PUT answer")
		} else {
			Expect(put).To(scimtest.HaveSCIMError(0, ""), "a PUT with a description succeeds without it or is refused with a SCIM error")
		}
		noDescription(T.Client.Get(ctx, "/Groups/"+id), text2, "GET after PUT")

		for _, o := range []map[string]any{
			op("add", "description", "patched "+text),
			op("replace", "description", "patched "+text),
			op("replace", "", map[string]any{"description": "patched " + text}),
		} {
			p := T.Client.Patch(ctx, "/Groups/"+id, patch(o))
			switch {
			case p.Status == 200:
				noDescription(p, text, "the PATCH answer")
			case p.Status != 204:
				Expect(p).To(scimtest.HaveSCIMError(0, ""), "a PATCH of description is ignored (200/204) or refused with a SCIM error")
			}
			noDescription(T.Client.Get(ctx, "/Groups/"+id), text, "GET after PATCH")
		}
	})

	It("shows no SCIM-sent description in account management", Label("DT-GROUP-NODESC", scimtest.AdminLabel), func(ctx SpecContext) {
		text := "described " + T.UniqueName()
		doc := newGroup("description", text)
		r := T.Client.Post(ctx, "/Groups", doc)
		cleanupIfCreated(T.Client, "/Groups", r)
		if r.Status != 201 {
			Expect(r).To(scimtest.HaveSCIMError(0, ""), "a group with a description is either created without it or refused with a SCIM error")
			return
		}
		p := T.Client.Patch(ctx, "/Groups/"+r.Str("id"), patch(op("add", "description", text)))
		if p.Status != 200 && p.Status != 204 {
			Expect(p).To(scimtest.HaveSCIMError(0, ""), "a PATCH of description is ignored (200/204) or refused with a SCIM error")
		}
		g := adminGroup(ctx, demoPath(), doc["displayName"].(string))
		Expect(g).NotTo(BeNil(), "the SCIM group is listed in account management")
		Expect(g["description"]).To(Or(BeNil(), BeEmpty()), "DT-GROUP-NODESC: account management shows the description sent by SCIM: %s", describe(g))
	})
})

var _ = Describe("DT-GROUP-MEMBERS: membership mirrors the IdP", func() {
	It("adds, removes and replaces members", Label("DT-GROUP-MEMBERS"), func(ctx SpecContext) {
		u1 := createdID(ctx, T.Client, "/Users", newUser())
		u2 := createdID(ctx, T.Client, "/Users", newUser())
		u3 := createdID(ctx, T.Client, "/Users", newUser())
		id := createdID(ctx, T.Client, "/Groups", newGroup("members", memberValues(u1)))
		Expect(members(ctx, T.Client, id)).To(Equal([]string{u1}), "the group has the member it was created with")

		step := func(what string, body map[string]any, want ...string) {
			expectPatched(T.Client.Patch(ctx, "/Groups/"+id, body), what)
			ExpectWithOffset(1, members(ctx, T.Client, id)).To(Equal(sorted(want...)), "DT-GROUP-MEMBERS: after %s the members are exactly these", what)
		}
		step("adding two members", patch(op("add", "members", memberValues(u2, u3))), u1, u2, u3)
		step("adding a member again", patch(op("add", "members", memberValues(u2))), u1, u2, u3)
		step("removing a member by value filter", patch(op("remove", `members[value eq "`+u1+`"]`, nil)), u2, u3)
		step("removing a member with a value array", patch(op("remove", "members", memberValues(u3))), u2)
		step("replacing the members", patch(op("replace", "members", memberValues(u1, u3))), u1, u3)
		step("removing every member", patch(op("remove", "members", nil)))
		step("adding a member to an empty group", patch(op("add", "members", memberValues(u2))), u2)

		put := T.Client.Put(ctx, "/Groups/"+id, newGroup("displayName", T.Client.Get(ctx, "/Groups/"+id).Str("displayName"), "members", memberValues(u1, u2, u3)))
		Expect(put).To(scimtest.HaveStatus(200), "PUT replaces the group with its members")
		Expect(members(ctx, T.Client, id)).To(Equal(sorted(u1, u2, u3)), "DT-GROUP-MEMBERS: after a PUT the members are exactly those sent")
	})
})

var _ = Describe("DT-GROUP-PER-USER: no user in more groups than the per-user maximum", func() {
	It("refuses adding a user to a group over maxGroupsPerUser", Label("DT-GROUP-PER-USER", scimtest.AdminLabel), func(ctx SpecContext) {
		a := T.NewSCIMAccount(ctx)
		a.SetLimit(ctx, "maxGroupsPerUser", 2)
		c := a.SCIM
		uid := createdID(ctx, c, "/Users", newUser("userName", email(a.Domain)))
		other := createdID(ctx, c, "/Users", newUser("userName", email(a.Domain)))
		g1 := createdID(ctx, c, "/Groups", newGroup("members", memberValues(uid)))
		g2 := createdID(ctx, c, "/Groups", newGroup())
		expectPatched(c.Patch(ctx, "/Groups/"+g2, patch(op("add", "members", memberValues(uid)))), "adding the user to a second group")
		g3 := createdID(ctx, c, "/Groups", newGroup("members", memberValues(other)))

		// At the limit, adding the user again to a group it is in changes
		// nothing and is no violation.
		expectPatched(c.Patch(ctx, "/Groups/"+g2, patch(op("add", "members", memberValues(uid)))), "adding the user again to a group it is in")
		Expect(members(ctx, c, g2)).To(Equal([]string{uid}), "the repeated add changed nothing")

		r := c.Patch(ctx, "/Groups/"+g3, patch(op("add", "members", memberValues(uid))))
		Expect(r).To(scimtest.HaveSCIMError(0, ""), "DT-GROUP-PER-USER: adding a user to a third group over maxGroupsPerUser=2 is refused with a SCIM error")
		Expect(members(ctx, c, g3)).To(Equal([]string{other}), "DT-GROUP-PER-USER: the refused PATCH left the members unchanged")

		r = c.Put(ctx, "/Groups/"+g3, newGroup("displayName", c.Get(ctx, "/Groups/"+g3).Str("displayName"), "members", memberValues(other, uid)))
		Expect(r).To(scimtest.HaveSCIMError(0, ""), "DT-GROUP-PER-USER: a PUT putting the user in a third group is refused with a SCIM error")
		Expect(members(ctx, c, g3)).To(Equal([]string{other}), "DT-GROUP-PER-USER: the refused PUT left the members unchanged")
		Expect(members(ctx, c, g1)).To(Equal([]string{uid}), "the user's other groups are unchanged")

		// A new group with the user as member would be a third group too:
		// it is refused, or created without the user.
		g4 := c.Post(ctx, "/Groups", newGroup("members", memberValues(uid)))
		cleanupIfCreated(c, "/Groups", g4)
		if g4.Status == 201 {
			Expect(members(ctx, c, g4.Str("id"))).NotTo(ContainElement(uid), "DT-GROUP-PER-USER: a POST made the user a member of a third group")
		} else {
			Expect(g4).To(scimtest.HaveSCIMError(0, ""), "DT-GROUP-PER-USER: a POST making the user a member of a third group is refused with a SCIM error")
		}

		// Leaving a group makes room again.
		expectPatched(c.Patch(ctx, "/Groups/"+g1, patch(op("remove", `members[value eq "`+uid+`"]`, nil))), "removing the user from a group")
		expectPatched(c.Patch(ctx, "/Groups/"+g3, patch(op("add", "members", memberValues(uid)))), "adding the user to the third group once it has room")
		Expect(members(ctx, c, g3)).To(Equal(sorted(other, uid)), "the user joined the group once under the limit")
	})
})

var _ = Describe("DT-GROUP-LIMIT: no group beyond the account's maximum", func() {
	It("refuses a group over maxGroups, LOCAL and SCIM groups counted together", Label("DT-GROUP-LIMIT", scimtest.AdminLabel), func(ctx SpecContext) {
		a := T.NewSCIMAccount(ctx)
		a.SetLimit(ctx, "maxGroups", 2)
		localGroup(ctx, a.Path, T.UniqueName())
		first := createdID(ctx, a.SCIM, "/Groups", newGroup())

		over := newGroup()
		r := a.SCIM.Post(ctx, "/Groups", over)
		cleanupIfCreated(a.SCIM, "/Groups", r)
		Expect(r).To(scimtest.HaveSCIMError(0, ""), "DT-GROUP-LIMIT: a third group (one LOCAL, one SCIM) over maxGroups=2 is refused with a SCIM error")
		Expect(countGroups(ctx, a.SCIM, over["displayName"].(string))).To(Equal(0), "the refused group was not created")

		l := a.Admin.Post(ctx, a.Path+"/groups", map[string]any{"name": T.UniqueName()})
		Expect(l.Status).To(And(BeNumerically(">=", 400), BeNumerically("<", 500)), "DT-GROUP-LIMIT: account management cannot exceed maxGroups either:\n%s", l)

		Expect(a.SCIM.Delete(ctx, "/Groups/"+first)).To(scimtest.HaveStatus(204))
		create(ctx, a.SCIM, "/Groups", over)
	})
})
