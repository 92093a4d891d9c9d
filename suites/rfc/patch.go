package rfc

import (
	"net/http"
	"slices"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// PATCH (RFC 7644 section 3.5.2): add, replace and remove on simple,
// complex and multi-valued attributes, path forms, noTarget and atomicity.
// Every change is checked on the resource as the target keeps it (a GET
// after the PATCH) and, when the target answers 200, on the answer too.
// Multi-valued attributes are emails where the target advertises them and
// Group members otherwise.

var patchOp = scimtest.PatchOperation

// skipUnlessPatch skips a spec when the target declares PATCH unsupported; one
// spec checks that PATCH is then refused cleanly.
func skipUnlessPatch() {
	if !T.Caps.Patch {
		Skip(T.Caps.Unsupported("patch.supported"))
	}
}

// skipUnlessEmails skips a spec when the target does not advertise User emails.
func skipUnlessEmails() {
	if !T.Caps.Has("User", "emails.value") || !T.Caps.Has("User", "emails.type") {
		Skip("the target does not advertise User emails.value and emails.type in /Schemas")
	}
}

// emailsByType maps type to value of a User's emails.
func emailsByType(doc map[string]any) map[string]string {
	out := map[string]string{}
	for _, e := range scimtest.ValuesOf(doc, "emails") {
		t, _ := e["type"].(string)
		v, _ := e["value"].(string)
		out[t] = v
	}
	return out
}

// expectAnswerAndStored runs check on the PATCH answer when it carries the resource
// (200) and always on the resource read back.
func expectAnswerAndStored(patch, now *scimtest.Response, check func(doc map[string]any, r *scimtest.Response)) {
	if patch.Status == http.StatusOK && patch.JSON != nil {
		check(patch.JSON, patch)
	}
	check(now.JSON, now)
}

var _ = Describe("PATCH", func() {
	var (
		user *scimtest.Response
		path string
		tag  string // unique to the run and the spec
	)
	BeforeEach(func() { tag = T.Name() })
	// mail and name make the email addresses and displayNames a spec sends
	// unique to the run and the spec: a server may keep such values unique
	// or reserved (also after a DELETE), so fixed ones would collide with an
	// earlier spec or run.
	mail := func(local, host string) string { return local + "." + tag + "@" + host + ".example.org" }
	name := func(s string) string { return s + " " + tag }
	// newUser creates the spec's user; kv as for T.NewUser.
	newUser := func(ctx SpecContext, kv ...any) {
		if T.Caps.Has("User", "displayName") && !slices.Contains(kv, any("displayName")) {
			kv = append([]any{"displayName", name("Ada Lovelace")}, kv...)
		}
		doc := T.NewUser(kv...)
		user = T.MustCreate(ctx, "/Users", doc)
		path = "/Users/" + user.Str("id")
	}
	needDisplayName := func() {
		if !T.Caps.Has("User", "displayName") {
			Skip("the target does not advertise User displayName in /Schemas")
		}
	}

	It("is refused cleanly when the target declares it unsupported", Label("RFC-PATCH"), func(ctx SpecContext) {
		if T.Caps.Patch {
			Skip("/ServiceProviderConfig declares patch.supported true; the other specs check it")
		}
		T.Caps.SkipUnlessDeclared("patch.supported")
		newUser(ctx)
		r := T.Client.Patch(ctx, path, scimtest.PatchRequest(patchOp("replace", "active", false)))
		Expect(r).To(scimtest.BeRefusedCleanly(), "patch.supported is false: PATCH must be refused (501 per RFC 7644 section 3.5.2), not half-applied")
		Expect(T.Client.Get(ctx, path).JSON["active"]).To(Equal(true), "a refused PATCH changes nothing")
	})

	Context("on simple attributes", func() {
		It("replaces a value", Label("RFC-PATCH"), func(ctx SpecContext) {
			skipUnlessPatch()
			needDisplayName()
			newUser(ctx)
			patch, now := T.PatchAndRead(ctx, path, scimtest.PatchRequest(patchOp("replace", "displayName", name("Countess of Lovelace"))))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(doc["displayName"]).To(Equal(name("Countess of Lovelace")), "replace sets the value:\n%s", r)
				Expect(scimtest.Path(doc, "name.familyName")).To(Equal("Lovelace"), "other attributes are untouched:\n%s", r)
			})
		})

		It("replaces a boolean", Label("RFC-PATCH"), func(ctx SpecContext) {
			skipUnlessPatch()
			newUser(ctx)
			patch, now := T.PatchAndRead(ctx, path, scimtest.PatchRequest(patchOp("replace", "active", false)))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(doc["active"]).To(Equal(false), "replace sets active to false:\n%s", r)
			})
		})

		It("adds a value that was not set", Label("RFC-PATCH"), func(ctx SpecContext) {
			skipUnlessPatch()
			needDisplayName()
			// Created without displayName; a server may still give it one
			// (RFC 7644 section 3.3: "the server is free to alter and/or
			// ignore POSTed content"), and then "add" replaces it (section
			// 3.5.2.1: "If the target location specifies a single-valued
			// attribute, the existing value is replaced."): either way the
			// value sent is the one stored.
			newUser(ctx, "displayName", nil)
			patch, now := T.PatchAndRead(ctx, path, scimtest.PatchRequest(patchOp("add", "displayName", name("Ada"))))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(doc["displayName"]).To(Equal(name("Ada")), "add sets a missing value:\n%s", r)
			})
		})

		It("removes a value", Label("RFC-PATCH"), func(ctx SpecContext) {
			skipUnlessPatch()
			needDisplayName()
			newUser(ctx)
			patch, now := T.PatchAndRead(ctx, path, scimtest.PatchRequest(patchOp("remove", "displayName", nil)))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(scimtest.HaveKey(doc, "displayName")).To(BeFalse(), "remove unassigns the attribute:\n%s", r)
				Expect(doc["userName"]).To(Equal(user.Str("userName")), "other attributes stay:\n%s", r)
			})
		})

		It("applies a path-less replace with a value object", Label("RFC-PATCH"), func(ctx SpecContext) {
			skipUnlessPatch()
			needDisplayName()
			newUser(ctx)
			patch, now := T.PatchAndRead(ctx, path, scimtest.PatchRequest(patchOp("replace", "", map[string]any{"displayName": name("A. L."), "active": false})))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(doc["displayName"]).To(Equal(name("A. L.")), "each attribute of the value object is replaced:\n%s", r)
				Expect(doc["active"]).To(Equal(false), "each attribute of the value object is replaced:\n%s", r)
				Expect(scimtest.Path(doc, "name.givenName")).To(Equal("Ada"), "attributes not in the value object stay:\n%s", r)
			})
		})

		It("applies several operations in order", Label("RFC-PATCH"), func(ctx SpecContext) {
			skipUnlessPatch()
			needDisplayName()
			newUser(ctx)
			patch, now := T.PatchAndRead(ctx, path, scimtest.PatchRequest(
				patchOp("replace", "displayName", name("first")), patchOp("replace", "displayName", name("second")), patchOp("replace", "active", false)))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(doc["displayName"]).To(Equal(name("second")), "operations apply in order, the last replace wins:\n%s", r)
				Expect(doc["active"]).To(Equal(false), "every operation applies:\n%s", r)
			})
		})

		It("honours attributes= in a 200 answer", Label("RFC-PATCH", "RFC-PROJECTION"), func(ctx SpecContext) {
			skipUnlessPatch()
			needDisplayName()
			newUser(ctx)
			patch, now := T.PatchAndRead(ctx, path+scimtest.Query("attributes", "displayName"), scimtest.PatchRequest(patchOp("replace", "displayName", name("Projected"))))
			Expect(now.JSON["displayName"]).To(Equal(name("Projected")), "the change is kept:\n%s", now)
			if patch.Status == http.StatusOK {
				expectOnlyReturned("User", patch.JSON, patch, "displayName")
				Expect(patch.JSON["displayName"]).To(Equal(name("Projected")), "the answer shows the change:\n%s", patch)
			}
		})
	})

	Context("on a complex attribute", func() {
		It("replaces one sub-attribute by path", Label("RFC-PATCH", "RFC-PATCH-PATHS"), func(ctx SpecContext) {
			skipUnlessPatch()
			newUser(ctx)
			patch, now := T.PatchAndRead(ctx, path, scimtest.PatchRequest(patchOp("replace", "name.givenName", "Augusta")))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(scimtest.Path(doc, "name.givenName")).To(Equal("Augusta"), "the sub-attribute is replaced:\n%s", r)
				Expect(scimtest.Path(doc, "name.familyName")).To(Equal("Lovelace"), "its sibling is untouched:\n%s", r)
			})
		})

		It("merges a replace of the whole attribute: unnamed sub-attributes stay", Label("RFC-PATCH"), func(ctx SpecContext) {
			skipUnlessPatch()
			newUser(ctx)
			patch, now := T.PatchAndRead(ctx, path, scimtest.PatchRequest(patchOp("replace", "name", map[string]any{"givenName": "Augusta"})))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(scimtest.Path(doc, "name.givenName")).To(Equal("Augusta"), "the named sub-attribute is replaced:\n%s", r)
				Expect(scimtest.Path(doc, "name.familyName")).To(Equal("Lovelace"),
					"sub-attributes not in the value are left unchanged (RFC 7644 section 3.5.2.3):\n%s", r)
			})
		})

		It("merges a path-less add of a complex value", Label("RFC-PATCH"), func(ctx SpecContext) {
			skipUnlessPatch()
			newUser(ctx)
			patch, now := T.PatchAndRead(ctx, path, scimtest.PatchRequest(patchOp("add", "", map[string]any{"name": map[string]any{"familyName": "King"}})))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(scimtest.Path(doc, "name.familyName")).To(Equal("King"), "the sub-attribute is set:\n%s", r)
				Expect(scimtest.Path(doc, "name.givenName")).To(Equal("Ada"), "the other sub-attribute stays:\n%s", r)
			})
		})
	})

	Context("on a multi-valued attribute", func() {
		It("adds, replaces and removes User emails", Label("RFC-PATCH"), func(ctx SpecContext) {
			skipUnlessPatch()
			skipUnlessEmails()
			newUser(ctx, "emails", []any{map[string]any{"value": mail("ada", "work"), "type": "work"}})
			patch, now := T.PatchAndRead(ctx, path, scimtest.PatchRequest(patchOp("add", "emails", []any{map[string]any{"value": mail("ada", "home"), "type": "home"}})))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(emailsByType(doc)).To(Equal(map[string]string{"work": mail("ada", "work"), "home": mail("ada", "home")}),
					"add appends to a multi-valued attribute (RFC 7644 section 3.5.2.1):\n%s", r)
			})
			patch, now = T.PatchAndRead(ctx, path, scimtest.PatchRequest(patchOp("replace", "emails", []any{map[string]any{"value": mail("ada", "other"), "type": "other"}})))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(emailsByType(doc)).To(Equal(map[string]string{"other": mail("ada", "other")}),
					"replace without a filter replaces all values (RFC 7644 section 3.5.2.3):\n%s", r)
			})
			patch, now = T.PatchAndRead(ctx, path, scimtest.PatchRequest(patchOp("remove", "emails", nil)))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(scimtest.ValuesOf(doc, "emails")).To(BeEmpty(), "remove without a filter removes all values:\n%s", r)
			})
		})

		It("adds, replaces and removes Group members", Label("RFC-PATCH"), func(ctx SpecContext) {
			skipUnlessPatch()
			u1 := T.MustCreate(ctx, "/Users", T.NewUser()).Str("id")
			u2 := T.MustCreate(ctx, "/Users", T.NewUser()).Str("id")
			u3 := T.MustCreate(ctx, "/Users", T.NewUser()).Str("id")
			g := T.MustCreate(ctx, "/Groups", T.NewGroup("members", []any{map[string]any{"value": u1}}))
			gp := "/Groups/" + g.Str("id")
			member := func(id string) map[string]any { return map[string]any{"value": id} }

			patch, now := T.PatchAndRead(ctx, gp, scimtest.PatchRequest(patchOp("add", "members", []any{member(u2)})))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(scimtest.ValueStrings(doc, "members")).To(Equal(scimtest.Sorted(u1, u2)), "add appends a member:\n%s", r)
			})
			patch, now = T.PatchAndRead(ctx, gp, scimtest.PatchRequest(patchOp("replace", "members", []any{member(u3)})))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(scimtest.ValueStrings(doc, "members")).To(Equal([]string{u3}), "replace sets the members:\n%s", r)
			})
			patch, now = T.PatchAndRead(ctx, gp, scimtest.PatchRequest(patchOp("remove", "members", nil)))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(scimtest.ValuesOf(doc, "members")).To(BeEmpty(), "remove without a filter removes every member:\n%s", r)
			})
		})
	})

	Context("with paths", func() {
		It("replaces only the sub-attribute of the value a filter selects", Label("RFC-PATCH-PATHS"), func(ctx SpecContext) {
			skipUnlessPatch()
			skipUnlessEmails()
			newUser(ctx, "emails", []any{
				map[string]any{"value": mail("ada", "work"), "type": "work"},
				map[string]any{"value": mail("ada", "home"), "type": "home"},
			})
			patch, now := T.PatchAndRead(ctx, path, scimtest.PatchRequest(patchOp("replace", `emails[type eq "work"].value`, mail("countess", "work"))))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(emailsByType(doc)).To(Equal(map[string]string{"work": mail("countess", "work"), "home": mail("ada", "home")}),
					"only the work email's value changes:\n%s", r)
			})
		})

		It("removes only the values a filter selects", Label("RFC-PATCH-PATHS"), func(ctx SpecContext) {
			skipUnlessPatch()
			skipUnlessEmails()
			newUser(ctx, "emails", []any{
				map[string]any{"value": mail("ada", "work"), "type": "work"},
				map[string]any{"value": mail("ada", "home"), "type": "home"},
			})
			patch, now := T.PatchAndRead(ctx, path, scimtest.PatchRequest(patchOp("remove", `emails[type eq "home"]`, nil)))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(emailsByType(doc)).To(Equal(map[string]string{"work": mail("ada", "work")}), "only the home email is removed:\n%s", r)
			})
		})

		It("removes only the member a filter selects", Label("RFC-PATCH-PATHS"), func(ctx SpecContext) {
			skipUnlessPatch()
			u1 := T.MustCreate(ctx, "/Users", T.NewUser()).Str("id")
			u2 := T.MustCreate(ctx, "/Users", T.NewUser()).Str("id")
			u3 := T.MustCreate(ctx, "/Users", T.NewUser()).Str("id")
			g := T.MustCreate(ctx, "/Groups", T.NewGroup("members", []any{map[string]any{"value": u1}, map[string]any{"value": u2}, map[string]any{"value": u3}}))
			patch, now := T.PatchAndRead(ctx, "/Groups/"+g.Str("id"), scimtest.PatchRequest(patchOp("remove", `members[value eq "`+u2+`"]`, nil)))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(scimtest.ValueStrings(doc, "members")).To(Equal(scimtest.Sorted(u1, u3)), "only the selected member is removed:\n%s", r)
			})
		})

		It("takes a URN-qualified path", Label("RFC-PATCH-PATHS"), func(ctx SpecContext) {
			skipUnlessPatch()
			newUser(ctx)
			patch, now := T.PatchAndRead(ctx, path, scimtest.PatchRequest(patchOp("replace", scimtest.UserURN+":name.familyName", "King")))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(scimtest.Path(doc, "name.familyName")).To(Equal("King"), "the URN-qualified path names name.familyName:\n%s", r)
				Expect(scimtest.Path(doc, "name.givenName")).To(Equal("Ada"), "its sibling is untouched:\n%s", r)
			})
		})

		It("takes a path in another case", Label("RFC-PATCH-PATHS"), func(ctx SpecContext) {
			skipUnlessPatch()
			newUser(ctx)
			patch, now := T.PatchAndRead(ctx, path, scimtest.PatchRequest(patchOp("replace", "NAME.GIVENNAME", "Augusta")))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(scimtest.Path(doc, "name.givenName")).To(Equal("Augusta"), "attribute names in paths are case-insensitive:\n%s", r)
			})
		})

		It("adds an extension attribute by its URN path", Label("RFC-PATCH-PATHS"), func(ctx SpecContext) {
			skipUnlessPatch()
			if !T.Caps.Has("User", enterpriseURN+":department") {
				Skip("the target does not advertise the enterprise extension's department in /Schemas")
			}
			newUser(ctx)
			patch, now := T.PatchAndRead(ctx, path, scimtest.PatchRequest(patchOp("add", enterpriseURN+":department", "Analytical Engines")))
			expectAnswerAndStored(patch, now, func(doc map[string]any, r *scimtest.Response) {
				Expect(scimtest.Path(doc[enterpriseURN], "department")).To(Equal("Analytical Engines"), "the extension attribute is set:\n%s", r)
			})
		})
	})

	Context("without a target", func() {
		// RFC 7644 section 3.5.2.2: "If "path" is unspecified, the
		// operation fails with HTTP status code 400 and a "scimType" error
		// code of "noTarget"." The failure is what the MUST rule checks
		// (section 3.5.2: an incompatible operation "SHALL return the
		// appropriate HTTP response status code and a JSON detail error
		// response"); the sentence names 400 and noTarget without a
		// keyword, so those are RFC-ERROR-SCIMTYPE's.
		It("refuses a remove without a path with a SCIM error", Label("RFC-PATCH-NOTARGET"), func(ctx SpecContext) {
			skipUnlessPatch()
			newUser(ctx)
			r := T.Client.Patch(ctx, path, scimtest.PatchRequest(patchOp("remove", "", nil)))
			Expect(r).To(scimtest.HaveSCIMError(0, ""), "RFC 7644 section 3.5.2.2: remove without a path fails")
			Expect(T.Client.Get(ctx, path).JSON["userName"]).To(Equal(user.Str("userName")), "the resource is still there and unchanged")
		})

		It("names a remove without a path 400 noTarget", Label("RFC-ERROR-SCIMTYPE"), func(ctx SpecContext) {
			skipUnlessPatch()
			newUser(ctx)
			r := T.Client.Patch(ctx, path, scimtest.PatchRequest(patchOp("remove", "", nil)))
			Expect(r).To(scimtest.HaveSCIMError(http.StatusBadRequest, "noTarget"), "RFC 7644 section 3.5.2.2: remove without a path fails with 400 noTarget")
		})

		It("refuses a replace whose value filter matches no email with 400 noTarget", Label("RFC-PATCH-NOTARGET"), func(ctx SpecContext) {
			skipUnlessPatch()
			skipUnlessEmails()
			newUser(ctx, "emails", []any{map[string]any{"value": mail("ada", "work"), "type": "work"}})
			r := T.Client.Patch(ctx, path, scimtest.PatchRequest(patchOp("replace", `emails[type eq "pager"].value`, mail("x", "pager"))))
			Expect(r).To(scimtest.HaveSCIMError(http.StatusBadRequest, "noTarget"),
				"RFC 7644 section 3.5.2.3: a value filter with no match fails with noTarget")
			Expect(emailsByType(T.Client.Get(ctx, path).JSON)).To(Equal(map[string]string{"work": mail("ada", "work")}), "nothing changed")
		})

		It("refuses a replace whose value filter matches no member with 400 noTarget", Label("RFC-PATCH-NOTARGET"), func(ctx SpecContext) {
			skipUnlessPatch()
			u1 := T.MustCreate(ctx, "/Users", T.NewUser()).Str("id")
			u2 := T.MustCreate(ctx, "/Users", T.NewUser()).Str("id")
			g := T.MustCreate(ctx, "/Groups", T.NewGroup("members", []any{map[string]any{"value": u1}}))
			gp := "/Groups/" + g.Str("id")
			r := T.Client.Patch(ctx, gp, scimtest.PatchRequest(patchOp("replace", `members[value eq "`+T.Name()+`-no-such-id"]`, map[string]any{"value": u2})))
			Expect(r).To(scimtest.HaveSCIMError(http.StatusBadRequest, "noTarget"),
				"RFC 7644 section 3.5.2.3: a value filter with no match fails with noTarget")
			Expect(scimtest.ValueStrings(T.Client.Get(ctx, gp).JSON, "members")).To(Equal([]string{u1}), "nothing changed")
		})
	})

	Context("atomically", func() {
		It("applies nothing when a later operation has no target", Label("RFC-PATCH-ATOMIC"), func(ctx SpecContext) {
			skipUnlessPatch()
			newUser(ctx)
			r := T.Client.Patch(ctx, path, scimtest.PatchRequest(patchOp("replace", "name.givenName", "Augusta"), patchOp("remove", "", nil)))
			Expect(r).To(scimtest.HaveSCIMError(http.StatusBadRequest, ""), "the second operation (remove without a path) fails")
			now := T.Client.Get(ctx, path)
			Expect(scimtest.Path(now.JSON, "name.givenName")).To(Equal("Ada"),
				"a PATCH is atomic: when one operation fails the first one's change must not be kept (RFC 7644 section 3.5.2):\n%s", now)
		})

		It("applies nothing when a later operation is not a PATCH operation", Label("RFC-PATCH-ATOMIC"), func(ctx SpecContext) {
			skipUnlessPatch()
			newUser(ctx)
			r := T.Client.Patch(ctx, path, scimtest.PatchRequest(patchOp("replace", "active", false), patchOp("frobnicate", "name.givenName", "Augusta")))
			Expect(r).To(scimtest.HaveSCIMError(http.StatusBadRequest, ""), "an unknown op is refused")
			now := T.Client.Get(ctx, path)
			Expect(now.JSON["active"]).To(Equal(true), "a PATCH is atomic: the first operation's change must not be kept:\n%s", now)
		})

		It("applies nothing to a group when a later member operation has no target", Label("RFC-PATCH-ATOMIC"), func(ctx SpecContext) {
			skipUnlessPatch()
			u1 := T.MustCreate(ctx, "/Users", T.NewUser()).Str("id")
			u2 := T.MustCreate(ctx, "/Users", T.NewUser()).Str("id")
			g := T.MustCreate(ctx, "/Groups", T.NewGroup("members", []any{map[string]any{"value": u1}}))
			gp := "/Groups/" + g.Str("id")
			r := T.Client.Patch(ctx, gp, scimtest.PatchRequest(
				patchOp("add", "members", []any{map[string]any{"value": u2}}),
				patchOp("replace", "displayName", g.Str("displayName")+"-renamed"),
				patchOp("replace", `members[value eq "`+T.Name()+`-no-such-id"]`, map[string]any{"value": u2})))
			Expect(r).To(scimtest.HaveSCIMError(http.StatusBadRequest, "noTarget"), "the last operation has no target")
			now := T.Client.Get(ctx, gp)
			Expect(scimtest.ValueStrings(now.JSON, "members")).To(Equal([]string{u1}), "the added member must not be kept:\n%s", now)
			Expect(now.JSON["displayName"]).To(Equal(g.Str("displayName")), "the rename must not be kept:\n%s", now)
		})

		It("applies nothing to emails when a later filter has no match", Label("RFC-PATCH-ATOMIC"), func(ctx SpecContext) {
			skipUnlessPatch()
			skipUnlessEmails()
			newUser(ctx, "emails", []any{map[string]any{"value": mail("ada", "work"), "type": "work"}})
			r := T.Client.Patch(ctx, path, scimtest.PatchRequest(
				patchOp("add", "emails", []any{map[string]any{"value": mail("ada", "home"), "type": "home"}}),
				patchOp("replace", `emails[type eq "pager"].value`, mail("x", "pager"))))
			Expect(r).To(scimtest.HaveSCIMError(http.StatusBadRequest, "noTarget"), "the second operation has no target")
			Expect(emailsByType(T.Client.Get(ctx, path).JSON)).To(Equal(map[string]string{"work": mail("ada", "work")}), "the added email must not be kept")
		})
	})
})
