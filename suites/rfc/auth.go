package rfc

import (
	"encoding/base64"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// RFC 7644 section 2 (and RFC 7235 section 3.1): a request without valid
// credentials is refused with 401, a WWW-Authenticate header naming the
// scheme, and a SCIM error body; and it changes nothing.
var _ = Describe("Authentication", func() {
	// Authorization values that carry no valid credentials; "" sends no
	// header at all (scimtest.Client.WithToken).
	badCredentials := func() []string {
		return []string{
			"",
			"Bearer",
			"Bearer ",
			"Basic " + base64.StdEncoding.EncodeToString([]byte("scimconf:"+T.Token)),
			"Bearer scimconf-garbage-" + T.Name(),
			"Token " + T.Token,
			"Bearer " + T.Token + "x",
		}
	}

	It("refuses reads without valid credentials with 401 and a SCIM error", Label("RFC-AUTH", scimtest.ReadOnlyLabel), func(ctx SpecContext) {
		for _, authz := range badCredentials() {
			c := clientWithAuthorization(authz)
			for _, path := range []string{"/Users", "/Groups"} {
				expectUnauthorized(c.Get(ctx, path), authz)
			}
		}
	})

	It("refuses writes without valid credentials and changes nothing", Label("RFC-AUTH"), func(ctx SpecContext) {
		victim := T.MustCreate(ctx, "/Users", T.NewUser())
		id := victim.Str("id")
		for _, authz := range badCredentials() {
			c := clientWithAuthorization(authz)
			u := T.NewUser()
			created := c.Post(ctx, "/Users", u)
			if created.Status == 201 {
				T.CleanupLater("/Users/" + created.Str("id"))
			}
			expectUnauthorized(created, authz)
			expectUnauthorized(c.Put(ctx, "/Users/"+id, T.NewUser("userName", victim.Str("userName"), "name.familyName", "Byron")), authz)
			expectUnauthorized(c.Delete(ctx, "/Users/"+id), authz)
			Expect(T.CountWhere(ctx, "/Users", scimtest.EqFilter("userName", u["userName"].(string)))).To(Equal(0),
				"a refused POST creates nothing (Authorization %q)", scimtest.RedactAuthorization(authz))
		}
		g := T.Client.Get(ctx, "/Users/"+id)
		Expect(g).To(scimtest.HaveStatus(200))
		Expect(g.Str("name.familyName")).To(Equal("Lovelace"), "refused PUTs and DELETEs change nothing:\n%s", g)
	})

	It("refuses a revoked token with 401", Label("RFC-AUTH", scimtest.AdminLabel), func(ctx SpecContext) {
		Expect(T.AccountID()).NotTo(BeEmpty(), "the base URL %s names no account after /idm/public/scim/", T.BaseURL)
		acct := T.Account()
		tokenID, token := acct.NewToken(ctx, "scimconf "+T.Name()+" (revoked by the spec)")
		revoked := false
		DeferCleanup(func(ctx SpecContext) {
			if !revoked {
				acct.DeleteToken(ctx, tokenID)
			}
		})
		c := T.Client.WithToken(token)
		Expect(c.Get(ctx, "/Users"+scimtest.Query("count", "1"))).To(scimtest.HaveStatus(200), "the new token works before it is revoked")
		Expect(acct.DeleteToken(ctx, tokenID)).To(scimtest.HaveStatus(200, 204))
		revoked = true
		expectUnauthorized(c.Get(ctx, "/Users"+scimtest.Query("count", "1")), "Bearer <revoked token>")
		u := T.NewUser()
		r := c.Post(ctx, "/Users", u)
		if r.Status == 201 {
			T.CleanupLater("/Users/" + r.Str("id"))
		}
		expectUnauthorized(r, "Bearer <revoked token>")
	})
})

// clientWithAuthorization returns a client that sends exactly authz as the
// Authorization header (none when authz is empty).
func clientWithAuthorization(authz string) *scimtest.Client {
	c := T.Client.WithToken("")
	c.Header = http.Header{}
	if authz != "" {
		c.Header.Set("Authorization", authz)
	}
	return c
}

// expectUnauthorized checks one refused request.
func expectUnauthorized(r *scimtest.Response, authz string) {
	GinkgoHelper()
	Expect(r).To(scimtest.HaveSCIMError(401, ""),
		"RFC 7644 section 2: a request with Authorization %q carries no valid credentials", scimtest.RedactAuthorization(authz))
	Expect(r.Header.Get("WWW-Authenticate")).NotTo(BeEmpty(),
		"RFC 7644 section 2 and RFC 7235 section 3.1: a 401 SHALL name the supported schemes in WWW-Authenticate:\n%s", r)
}
