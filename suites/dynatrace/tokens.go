package dynatrace

import (
	"context"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// SCIM tokens, as account management generates them (seed: "Get Dynatrace
// SCIM endpoint and create secret token" and the FAQ). Every spec works in
// an account of its own: the cap is per account, and the demo account's
// token must keep working for the specs running beside these.

// tokenAccount is an account with a verified domain and no token yet.
func tokenAccount(ctx context.Context) *scimtest.Account {
	a := T.NewAccount(ctx)
	a.Domain = T.UniqueDomain()
	a.VerifyDomain(ctx, T, a.Domain)
	return a
}

// tokenList lists the account's tokens, expecting a JSON array.
func tokenList(ctx context.Context, a *scimtest.Account) (*scimtest.Response, []map[string]any) {
	r := a.Admin.Get(ctx, a.Path+"/scim-tokens")
	ExpectWithOffset(1, r).To(scimtest.HaveStatus(200), "listing the account's SCIM tokens")
	list := r.JSONArray()
	ExpectWithOffset(1, list).NotTo(BeNil(), "the token list is a JSON array: %s", r)
	return r, list
}

func tokenIDs(list []map[string]any) []string {
	ids := []string{}
	for _, t := range list {
		if id, _ := t["id"].(string); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// works reports whether token opens the account's SCIM endpoint.
func works(ctx context.Context, a *scimtest.Account, token string) *scimtest.Response {
	return scimtest.NewClient(T.SCIMBaseURL(a.ID), token).Get(ctx, "/Users"+scimtest.Query("count", "1"))
}

// leaks returns the first piece of value of at least 20 characters that
// body shows, "" when there is none. The token's id may be shown (it names
// the token; Dynatrace's ids are the token's public part), so it is cut
// out of the body before the search.
func leaks(body []byte, value, id string) string {
	const piece = 20
	text := string(body)
	if id != "" {
		text = strings.ReplaceAll(text, id, "<id>")
	}
	if strings.Contains(text, value) {
		return value
	}
	for i := 0; i+piece <= len(value); i++ {
		if w := value[i : i+piece]; strings.Contains(text, w) {
			return w
		}
	}
	return ""
}

var _ = Describe("DT-TOKEN-CAP: at most 10 SCIM tokens per account", func() {
	It("refuses the 11th token until one is deleted", Label("DT-TOKEN-CAP", scimtest.AdminLabel), func(ctx SpecContext) {
		a := tokenAccount(ctx)
		_, list := tokenList(ctx, a)
		Expect(len(list)).To(BeNumerically("<=", 10), "a fresh account holds at most 10 tokens: %s", describe(list))

		for i := len(list); i < 10; i++ {
			a.NewToken(ctx, "cap "+T.UniqueName())
		}
		_, list = tokenList(ctx, a)
		Expect(list).To(HaveLen(10), "the account holds the 10 tokens it generated")

		r := a.Admin.Post(ctx, a.Path+"/scim-tokens", map[string]any{"description": "the 11th"})
		Expect(r.Status).To(BeNumerically(">=", 400), "DT-TOKEN-CAP: the 11th token is refused:\n%s", r)
		Expect(r.Status).To(BeNumerically("<", 500), "DT-TOKEN-CAP: the 11th token is refused as a client error, not a server failure:\n%s", r)
		Expect(r.Str("token")).To(BeEmpty(), "a refused generation shows no token: %s", r)
		if r.Str("token") != "" {
			Expect(works(ctx, a, r.Str("token"))).To(scimtest.HaveStatus(401), "an 11th token must not open SCIM")
		}
		_, list = tokenList(ctx, a)
		Expect(list).To(HaveLen(10), "the refused generation added nothing")

		victim := tokenIDs(list)[0]
		Expect(a.DeleteToken(ctx, victim)).To(scimtest.HaveStatus(200, 204), "deleting one token")
		id, value := a.NewToken(ctx, "after a deletion")
		Expect(works(ctx, a, value)).To(scimtest.HaveStatus(200), "the token generated after a deletion works")
		_, list = tokenList(ctx, a)
		Expect(tokenIDs(list)).To(ContainElement(id), "the new token is listed")
		Expect(list).To(HaveLen(10), "the account is back at the cap")
	})
})

var _ = Describe("DT-TOKEN-ONCE: the token value is shown only at generation", func() {
	It("never shows the value in the list, by id, or after an edit", Label("DT-TOKEN-ONCE", scimtest.AdminLabel), func(ctx SpecContext) {
		a := tokenAccount(ctx)
		id, value := a.NewToken(ctx, "shown once")
		Expect(len(value)).To(BeNumerically(">=", 20), "a token is a secret of some length: %q", value)
		Expect(works(ctx, a, value)).To(scimtest.HaveStatus(200), "the generated value is the working token")

		r, list := tokenList(ctx, a)
		Expect(tokenIDs(list)).To(ContainElement(id), "the token is listed (without its value): %s", r)
		Expect(leaks(r.Body, value, id)).To(BeEmpty(), "DT-TOKEN-ONCE: the token list shows (part of) the token value:\n%s", r)

		one := a.Admin.Get(ctx, a.Path+"/scim-tokens/"+id)
		Expect(one).To(scimtest.HaveStatus(200), "a token can be read by id")
		Expect(leaks(one.Body, value, id)).To(BeEmpty(), "DT-TOKEN-ONCE: reading the token by id shows (part of) its value:\n%s", one)

		edit := a.Admin.Patch(ctx, a.Path+"/scim-tokens/"+id, map[string]any{"description": "edited"})
		Expect(edit).To(scimtest.HaveStatus(200, 204), "editing the token's description")
		Expect(leaks(edit.Body, value, id)).To(BeEmpty(), "DT-TOKEN-ONCE: editing the token shows (part of) its value:\n%s", edit)

		// A second generation shows its own value, never the first one's.
		_, second := a.NewToken(ctx, "second")
		Expect(second).NotTo(Equal(value), "every generation makes a new secret")
	})
})

var _ = Describe("DT-TOKEN-DESC: a token's description is optional and editable", func() {
	It("takes a description at generation and changes it later", Label("DT-TOKEN-DESC", scimtest.AdminLabel), func(ctx SpecContext) {
		a := tokenAccount(ctx)
		desc := "Entra ID provisioning " + T.UniqueName()
		gen := a.Admin.Post(ctx, a.Path+"/scim-tokens", map[string]any{"description": desc})
		Expect(gen).To(scimtest.HaveStatus(201), "generating a token with a description")
		id, value := gen.Str("id"), gen.Str("token")
		Expect(gen.Str("description")).To(Equal(desc), "the generated token carries its description: %s", gen)

		one := a.Admin.Get(ctx, a.Path+"/scim-tokens/"+id)
		Expect(one.Str("description")).To(Equal(desc), "the description is kept: %s", one)

		edited := "Okta provisioning " + T.UniqueName()
		r := a.Admin.Patch(ctx, a.Path+"/scim-tokens/"+id, map[string]any{"description": edited})
		Expect(r).To(scimtest.HaveStatus(200, 204), "DT-TOKEN-DESC: the description can be edited later")
		one = a.Admin.Get(ctx, a.Path+"/scim-tokens/"+id)
		Expect(one.Str("description")).To(Equal(edited), "the edited description is kept: %s", one)
		_, list := tokenList(ctx, a)
		var listed string
		for _, t := range list {
			if t["id"] == id {
				listed, _ = t["description"].(string)
			}
		}
		Expect(listed).To(Equal(edited), "the list shows the edited description: %s", describe(list))
		Expect(works(ctx, a, value)).To(scimtest.HaveStatus(200), "editing the description does not change the token")
	})

	It("generates a token without a description", Label("DT-TOKEN-DESC", scimtest.AdminLabel), func(ctx SpecContext) {
		a := tokenAccount(ctx)
		for _, body := range []any{nil, map[string]any{}} {
			r := a.Admin.Post(ctx, a.Path+"/scim-tokens", body)
			Expect(r).To(scimtest.HaveStatus(201), "DT-TOKEN-DESC: the description is optional")
			Expect(r.Str("token")).NotTo(BeEmpty(), "the token is generated: %s", r)
			Expect(r.Str("description")).To(BeEmpty(), "no description was given: %s", r)
			Expect(works(ctx, a, r.Str("token"))).To(scimtest.HaveStatus(200), "a token without a description works")

			// The description can be added afterwards.
			added := a.Admin.Patch(ctx, a.Path+"/scim-tokens/"+r.Str("id"), map[string]any{"description": "added later"})
			Expect(added).To(scimtest.HaveStatus(200, 204), "DT-TOKEN-DESC: a description can be added later")
			Expect(a.Admin.Get(ctx, a.Path+"/scim-tokens/"+r.Str("id")).Str("description")).To(Equal("added later"))
		}
	})
})

var _ = Describe("DT-TOKEN-REVOKE: a deleted token stops working at once", func() {
	It("refuses a deleted token on the next request and keeps the others working", Label("DT-TOKEN-REVOKE", scimtest.AdminLabel), func(ctx SpecContext) {
		a := tokenAccount(ctx)
		doomedID, doomed := a.NewToken(ctx, "to be deleted")
		_, kept := a.NewToken(ctx, "kept")
		Expect(works(ctx, a, doomed)).To(scimtest.HaveStatus(200), "the token works before it is deleted")

		Expect(a.DeleteToken(ctx, doomedID)).To(scimtest.HaveStatus(200, 204), "deleting the token")

		c := scimtest.NewClient(T.SCIMBaseURL(a.ID), doomed)
		Expect(c.Get(ctx, "/Users"+scimtest.Query("count", "1"))).To(scimtest.HaveSCIMError(401, ""),
			"DT-TOKEN-REVOKE: the deleted token is refused on the very next request")
		u := newUser("userName", email(a.Domain))
		r := c.Post(ctx, "/Users", u)
		cleanupIfCreated(scimtest.NewClient(T.SCIMBaseURL(a.ID), kept), "/Users", r)
		Expect(r).To(scimtest.HaveSCIMError(401, ""), "DT-TOKEN-REVOKE: the deleted token cannot write")

		Expect(works(ctx, a, kept)).To(scimtest.HaveStatus(200), "deleting one token leaves the others working")
		_, list := tokenList(ctx, a)
		Expect(tokenIDs(list)).NotTo(ContainElement(doomedID), "the deleted token is no longer listed")
		Expect(a.Admin.Get(ctx, a.Path+"/scim-tokens/"+doomedID)).To(scimtest.HaveStatus(404), "the deleted token is gone")
	})
})
