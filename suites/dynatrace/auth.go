package dynatrace

import (
	"encoding/base64"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// DT-AUTH: "For authentication, SCIM requires Bearer token in Authorization
// header." and "Dynatrace SCIM supports Bearer Token Authentication only."
var _ = Describe("DT-AUTH: Bearer token authentication only", func() {
	It("accepts the configured token as Authorization: Bearer", Label("DT-AUTH", scimtest.ReadOnlyLabel), func(ctx SpecContext) {
		// The control for the refusals below: the same request with the
		// right credentials works.
		for _, endpoint := range []string{"/Users", "/Groups"} {
			Expect(T.Client.Get(ctx, endpoint+scimtest.Query("count", "1"))).To(scimtest.HaveStatus(200),
				"a request with \"Authorization: Bearer <token>\" is accepted")
		}
	})

	// Each entry is an Authorization header value ("" sends none) that is
	// not "Bearer <the token>".
	DescribeTable("refuses other credentials with 401 and a SCIM error", Label("DT-AUTH", scimtest.ReadOnlyLabel),
		func(ctx SpecContext, authorization func() string) {
			c := T.Client.WithToken("")
			var headers []string
			if a := authorization(); a != "" {
				headers = []string{"Authorization", a}
			}
			for _, endpoint := range []string{"/Users", "/Groups"} {
				r := c.Get(ctx, endpoint+scimtest.Query("count", "1"), headers...)
				Expect(r).To(scimtest.HaveSCIMError(401, ""), "DT-AUTH: only \"Authorization: Bearer <token>\" is accepted")
				Expect(r.Resources()).To(BeEmpty(), "a refused request shows no resources: %s", r)
			}
		},
		Entry("no Authorization header", func() string { return "" }),
		Entry("Basic with the token as password", func() string {
			return "Basic " + base64.StdEncoding.EncodeToString([]byte("scim:"+T.Token))
		}),
		Entry("Basic with the token as user", func() string {
			return "Basic " + base64.StdEncoding.EncodeToString([]byte(T.Token+":"))
		}),
		Entry("the token without a scheme", func() string { return T.Token }),
		Entry("the Token scheme", func() string { return "Token " + T.Token }),
		Entry("the Api-Token scheme", func() string { return "Api-Token " + T.Token }),
		Entry("Bearer with no token", func() string { return "Bearer " }),
		Entry("Bearer alone", func() string { return "Bearer" }),
		Entry("Bearer with an unknown token", func() string { return "Bearer dt0s01.NOTAREALTOKEN.NOTAREALSECRET" }),
		Entry("Bearer with the token cut short", func() string { return "Bearer " + T.Token[:len(T.Token)-1] }),
		Entry("Bearer with the token and extra characters", func() string { return "Bearer " + T.Token + "x" }),
	)

	It("answers a differently-cased Bearer scheme either as Bearer or with a clean 401", Label("DT-AUTH", scimtest.ReadOnlyLabel), func(ctx SpecContext) {
		// RFC 9110 section 11.1: auth scheme names are case-insensitive, so
		// a server may take "bearer"; if it refuses, it refuses like any
		// other wrong credential.
		for _, scheme := range []string{"bearer", "BEARER"} {
			r := T.Client.WithToken("").Get(ctx, "/Users"+scimtest.Query("count", "1"), "Authorization", scheme+" "+T.Token)
			if r.Status == 200 {
				Expect(scimtest.Path(r.JSON, "schemas")).To(ContainElement(scimtest.ListURN), "accepted, so it answers like Bearer: %s", r)
				continue
			}
			Expect(r).To(scimtest.HaveSCIMError(401, ""), "scheme %q is either taken as Bearer (200) or refused with 401 and a SCIM error", scheme)
		}
	})

	It("refuses a write without a Bearer token and creates nothing", Label("DT-AUTH"), func(ctx SpecContext) {
		doc := newUser()
		for _, auth := range []string{"", "Basic " + base64.StdEncoding.EncodeToString([]byte("scim:"+T.Token)), "Token " + T.Token} {
			var headers []string
			if auth != "" {
				headers = []string{"Authorization", auth}
			}
			r := T.Client.WithToken("").Post(ctx, "/Users", doc, headers...)
			cleanupIfCreated(T.Client, "/Users", r)
			Expect(r).To(scimtest.HaveSCIMError(401, ""), "DT-AUTH: a POST without \"Authorization: Bearer <token>\" is refused")
		}
		found := filter(ctx, T.Client, "/Users", "userName eq "+quote(doc["userName"].(string)))
		Expect(found.Int("totalResults")).To(Equal(0), "a refused POST creates nothing: %s", found)
	})

	It("refuses PUT, PATCH and DELETE without a Bearer token and changes nothing", Label("DT-AUTH"), func(ctx SpecContext) {
		doc := newUser()
		id := createdID(ctx, T.Client, "/Users", doc)
		anon := T.Client.WithToken("")
		basic := []string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte("scim:"+T.Token))}
		for _, headers := range [][]string{nil, basic} {
			Expect(anon.Put(ctx, "/Users/"+id, newUser("userName", doc["userName"], "name.givenName", "Mallory"), headers...)).To(scimtest.HaveSCIMError(401, ""),
				"DT-AUTH: a PUT without \"Authorization: Bearer <token>\" is refused")
			Expect(anon.Patch(ctx, "/Users/"+id, patch(op("replace", "name.givenName", "Mallory")), headers...)).To(scimtest.HaveSCIMError(401, ""),
				"DT-AUTH: a PATCH without \"Authorization: Bearer <token>\" is refused")
			Expect(anon.Delete(ctx, "/Users/"+id, headers...)).To(scimtest.HaveSCIMError(401, ""),
				"DT-AUTH: a DELETE without \"Authorization: Bearer <token>\" is refused")
		}
		get := T.Client.Get(ctx, "/Users/"+id)
		Expect(get).To(scimtest.HaveStatus(200), "the refused DELETE left the user")
		Expect(get.Str("name.givenName")).To(Equal("Ada"), "the refused PUT and PATCH changed nothing: %s", get)
	})
})

// DT-AUTH-SCOPE: "SCIM is configured for the account and domain scopes": a
// token generated in one account opens that account's endpoint only.
var _ = Describe("DT-AUTH-SCOPE: a token opens only its own account", func() {
	It("refuses another account's token and accepts it on its own account", Label("DT-AUTH-SCOPE", scimtest.AdminLabel), func(ctx SpecContext) {
		other := T.NewSCIMAccount(ctx)

		// The other account's token works where it belongs.
		own := other.SCIM.Get(ctx, "/Users"+scimtest.Query("count", "1"))
		Expect(own).To(scimtest.HaveStatus(200), "a token opens its own account")
		mine := createdID(ctx, other.SCIM, "/Users", newUser("userName", email(other.Domain)))

		// ...and nowhere else, in either direction.
		foreign := T.Client.WithToken(other.Token)
		for _, endpoint := range []string{"/Users", "/Groups"} {
			r := foreign.Get(ctx, endpoint+scimtest.Query("count", "1"))
			Expect(r).To(scimtest.HaveStatus(401, 403, 404), "DT-AUTH-SCOPE: another account's token does not open this account's %s", endpoint)
			Expect(r.Resources()).To(BeEmpty(), "a refused request shows no resources: %s", r)
		}
		r := foreign.Post(ctx, "/Users", newUser())
		cleanupIfCreated(T.Client, "/Users", r)
		Expect(r).To(scimtest.HaveStatus(401, 403, 404), "DT-AUTH-SCOPE: another account's token cannot create users here")

		Expect(T.Client.Get(ctx, "/Users/"+mine)).To(scimtest.HaveStatus(404),
			"DT-AUTH-SCOPE: another account's user is not reachable through this account's endpoint")

		back := other.SCIM.WithToken(T.Token)
		r = back.Get(ctx, "/Users/"+mine)
		Expect(r).To(scimtest.HaveStatus(401, 403, 404), "DT-AUTH-SCOPE: this account's token does not open the other account")
		Expect(r.Str("userName")).To(BeEmpty(), "a refused request shows nothing of the other account: %s", r)
	})
})
