package dynatrace

import (
	"context"
	"net/url"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// Domain ownership (seed: "Verify your ownership of the domain"). Every
// spec has an account and DNS names of its own.

// domainStatus reads a domain of account a through the management API.
func domainStatus(ctx context.Context, a *scimtest.Account, domain string) *scimtest.Response {
	r := a.Admin.Get(ctx, a.Path+"/domains/"+url.PathEscape(domain))
	ExpectWithOffset(1, r).To(scimtest.HaveStatus(200), "reading domain %s of the account", domain)
	return r
}

// userOn POSTs a new user on domain with client c; a 201 is cleaned up.
func userOn(ctx context.Context, c *scimtest.Client, domain string) *scimtest.Response {
	r := c.Post(ctx, "/Users", newUser("userName", email(domain)))
	cleanupIfCreated(c, "/Users", r)
	return r
}

var _ = Describe("DT-DOMAIN-TXT: a domain is pending until its TXT record is found", func() {
	It("stays pending while the record is missing or wrong and verifies once it is published", Label("DT-DOMAIN-TXT", scimtest.AdminLabel), func(ctx SpecContext) {
		a := T.NewSCIMAccount(ctx)
		d := T.UniqueDomain()

		add := a.AddDomain(ctx, d)
		Expect(add.Str("status")).To(Equal("PENDING"), "DT-DOMAIN-TXT: a new domain is pending: %s", add)
		txtName, txtValue := add.Str("txtName"), add.Str("txtValue")
		Expect(txtValue).NotTo(BeEmpty(), "a pending domain names the TXT value to publish: %s", add)
		if txtName == "" {
			txtName = d
		}
		Expect(userOn(ctx, a.SCIM, d)).To(scimtest.HaveSCIMError(0, ""), "a user on a pending domain is refused")

		// No record yet: the check fails, says why, and the domain stays
		// pending (a 4xx for the failed check is fine too).
		v := a.Verify(ctx, d)
		Expect(v.Status).To(Or(Equal(200), And(BeNumerically(">=", 400), BeNumerically("<", 500))),
			"verifying without a TXT record answers the check's result or a client error:\n%s", v)
		Expect(v.Str("status")).NotTo(Equal("VERIFIED"), "DT-DOMAIN-TXT: no TXT record, so no verification:\n%s", v)
		Expect(v.Str("reason")+v.Str("detail")+v.Str("message")).NotTo(BeEmpty(), "a failed check says why:\n%s", v)
		Expect(domainStatus(ctx, a, d).Str("status")).To(Equal("PENDING"), "DT-DOMAIN-TXT: the domain stays pending without its record")

		// A record with another value does not verify either.
		T.PublishTXT(ctx, txtName, "not-the-value-"+T.RunID)
		v = a.Verify(ctx, d)
		Expect(v.Str("status")).NotTo(Equal("VERIFIED"), "DT-DOMAIN-TXT: a TXT record with another value does not verify:\n%s", v)
		Expect(domainStatus(ctx, a, d).Str("status")).To(Equal("PENDING"), "DT-DOMAIN-TXT: the domain stays pending with a wrong record")
		Expect(userOn(ctx, a.SCIM, d)).To(scimtest.HaveSCIMError(0, ""), "a user on a still-pending domain is refused")

		// Retrying after the record propagated succeeds.
		T.PublishTXT(ctx, txtName, "not-the-value-"+T.RunID, txtValue)
		v = a.Verify(ctx, d)
		Expect(v).To(scimtest.HaveStatus(200), "verifying once the record is published")
		Expect(v.Str("status")).To(Equal("VERIFIED"), "DT-DOMAIN-TXT: verification can be retried and succeeds once the record is there:\n%s", v)
		Expect(domainStatus(ctx, a, d).Str("status")).To(Equal("VERIFIED"))
		Expect(userOn(ctx, a.SCIM, d)).To(scimtest.HaveStatus(201), "a user on the newly verified domain is accepted")
	})
})

var _ = Describe("DT-DOMAIN-MULTI: several domains, each verified on its own", func() {
	It("verifies domains in parallel and treats a subdomain as a domain of its own", Label("DT-DOMAIN-MULTI", scimtest.AdminLabel), func(ctx SpecContext) {
		a := T.NewAccount(ctx)
		parent, other, lone := T.UniqueDomain(), T.UniqueDomain(), T.UniqueDomain()
		sub, loneSub := "uk."+parent, "eu."+lone
		txt := map[string]*scimtest.Response{}
		for _, d := range []string{parent, other, sub, lone, loneSub} {
			txt[d] = a.AddDomain(ctx, d)
		}
		list := a.Admin.Get(ctx, a.Path+"/domains")
		Expect(list).To(scimtest.HaveStatus(200))
		pending := 0
		for _, d := range list.JSONArray() {
			if d["status"] == "PENDING" {
				pending++
			}
		}
		Expect(pending).To(Equal(5), "DT-DOMAIN-MULTI: several domains are pending at once:\n%s", list)

		publish := func(d string) {
			name := txt[d].Str("txtName")
			if name == "" {
				name = d
			}
			T.PublishTXT(ctx, name, txt[d].Str("txtValue"))
		}
		publish(parent)
		publish(other)
		publish(loneSub)

		// Verify the two domains at the same time.
		var wg sync.WaitGroup
		results := make([]*scimtest.Response, 2)
		for i, d := range []string{parent, other} {
			wg.Go(func() { results[i] = a.Verify(ctx, d) })
		}
		wg.Wait()
		for _, v := range results {
			Expect(v).To(scimtest.HaveStatus(200))
			Expect(v.Str("status")).To(Equal("VERIFIED"), "DT-DOMAIN-MULTI: domains verify in parallel:\n%s", v)
		}
		v := a.Verify(ctx, loneSub)
		Expect(v.Str("status")).To(Equal("VERIFIED"), "the subdomain with its record verifies:\n%s", v)

		Expect(domainStatus(ctx, a, sub).Str("status")).To(Equal("PENDING"),
			"DT-DOMAIN-MULTI: verifying %s does not verify its subdomain %s", parent, sub)
		Expect(domainStatus(ctx, a, lone).Str("status")).To(Equal("PENDING"),
			"DT-DOMAIN-MULTI: verifying %s does not verify its parent %s", loneSub, lone)

		_, token := a.NewToken(ctx, "multi")
		c := scimtest.NewClient(T.SCIMBaseURL(a.ID), token)
		for _, d := range []string{parent, other, loneSub} {
			Expect(userOn(ctx, c, d)).To(scimtest.HaveStatus(201), "a user on verified domain %s is accepted", d)
		}
		Expect(userOn(ctx, c, sub)).To(scimtest.HaveSCIMError(0, ""),
			"DT-DOMAIN-MULTI: a user on %s is refused: its parent %s being verified does not cover it", sub, parent)
		Expect(userOn(ctx, c, lone)).To(scimtest.HaveSCIMError(0, ""),
			"DT-DOMAIN-MULTI: a user on %s is refused: its subdomain %s being verified does not cover it", lone, loneSub)

		publish(sub)
		v = a.Verify(ctx, sub)
		Expect(v.Str("status")).To(Equal("VERIFIED"), "the subdomain verifies with its own record:\n%s", v)
		Expect(userOn(ctx, c, sub)).To(scimtest.HaveStatus(201), "once verified itself, the subdomain's users are accepted")
	})
})

var _ = Describe("DT-DOMAIN-REQUIRED: SCIM needs a verified domain", func() {
	It("gives no working SCIM provisioning to an account without a verified domain", Label("DT-DOMAIN-REQUIRED", scimtest.AdminLabel), func(ctx SpecContext) {
		a := T.NewAccount(ctx)
		d := T.UniqueDomain()

		// Either no token is generated, or the token provisions nobody.
		refused := func(stage string) {
			r := a.Admin.Post(ctx, a.Path+"/scim-tokens", map[string]any{"description": stage})
			if r.Status == 201 && r.Str("token") != "" {
				c := scimtest.NewClient(T.SCIMBaseURL(a.ID), r.Str("token"))
				Expect(userOn(ctx, c, d)).To(scimtest.HaveSCIMError(0, ""),
					"DT-DOMAIN-REQUIRED (%s): a token was generated, so SCIM must refuse to provision users", stage)
				// A group involves no domain: only the missing verified
				// domain can refuse it.
				g := c.Post(ctx, "/Groups", newGroup())
				cleanupIfCreated(c, "/Groups", g)
				Expect(g).To(scimtest.HaveSCIMError(0, ""),
					"DT-DOMAIN-REQUIRED (%s): a token was generated, but SCIM is not configured until a domain is verified, so it must refuse to provision", stage)
				Expect(a.DeleteToken(ctx, r.Str("id"))).To(scimtest.HaveStatus(200, 204))
				return
			}
			Expect(r.Status).To(And(BeNumerically(">=", 400), BeNumerically("<", 500)),
				"DT-DOMAIN-REQUIRED (%s): without a verified domain the token is refused with a client error:\n%s", stage, r)
			Expect(r.Str("token")).To(BeEmpty(), "a refused generation shows no token: %s", r)
		}
		refused("no domain")

		add := a.AddDomain(ctx, d)
		refused("a pending domain only")

		name := add.Str("txtName")
		if name == "" {
			name = d
		}
		T.PublishTXT(ctx, name, add.Str("txtValue"))
		Expect(a.Verify(ctx, d).Str("status")).To(Equal("VERIFIED"))
		_, token := a.NewToken(ctx, "after verification")
		c := scimtest.NewClient(T.SCIMBaseURL(a.ID), token)
		Expect(userOn(ctx, c, d)).To(scimtest.HaveStatus(201), "with a verified domain, SCIM provisions users")
	})
})

// The seed: "SCIM is configured for the account and domain scopes. At
// least one domain ownership verification is required for the account."
// Once the last verified domain is deleted SCIM is no longer configured:
// the mock's decision (README) is that the account's tokens stay, but
// every SCIM request they make is refused (403, a detail naming the
// missing verified domain) until a domain is verified again.
var _ = Describe("DT-DOMAIN-REQUIRED: SCIM stops when the last verified domain goes", func() {
	It("refuses every SCIM request of the account's tokens until a domain is verified again", Label("DT-DOMAIN-REQUIRED", scimtest.AdminLabel), func(ctx SpecContext) {
		a := T.NewSCIMAccount(ctx)
		Expect(a.SCIM.Get(ctx, "/Users")).To(scimtest.HaveStatus(200), "with a verified domain the token works")
		Expect(a.Admin.Delete(ctx, a.Path+"/domains/"+url.PathEscape(a.Domain))).To(scimtest.HaveStatus(200, 204), "deleting the account's only verified domain")

		for _, r := range []*scimtest.Response{
			a.SCIM.Get(ctx, "/Users"),
			a.SCIM.Get(ctx, "/ServiceProviderConfig"),
			func() *scimtest.Response {
				g := a.SCIM.Post(ctx, "/Groups", newGroup())
				cleanupIfCreated(a.SCIM, "/Groups", g)
				return g
			}(),
		} {
			Expect(r).To(scimtest.HaveSCIMError(0, ""), "DT-DOMAIN-REQUIRED: without a verified domain SCIM is not configured, so the token must not provision")
			Expect(r.Status).To(BeElementOf(401, 403), "DT-DOMAIN-REQUIRED: the refusal is about the credentials' reach (401 or 403):\n%s", r)
			if T.OnEmbeddedMock() {
				Expect(r.Status).To(Equal(403), "the mock answers 403: the token is right, the account lets it in no more:\n%s", r)
				Expect(r.Str("detail")).To(ContainSubstring("verified domain"), "the detail names the missing verified domain:\n%s", r)
			}
		}

		later := T.UniqueDomain()
		a.VerifyDomain(ctx, T, later)
		Expect(a.SCIM.Get(ctx, "/Users")).To(scimtest.HaveStatus(200), "DT-DOMAIN-REQUIRED: once a domain is verified again the same token works")
		Expect(userOn(ctx, a.SCIM, later)).To(scimtest.HaveStatus(201), "and provisions users on the verified domain")
	})
})

var _ = Describe("DT-DOMAIN-SHARED: a domain verified once serves SCIM", func() {
	It("lets SCIM use a domain verified in account management without any SCIM step", Label("DT-DOMAIN-SHARED", scimtest.AdminLabel), func(ctx SpecContext) {
		a := T.NewSCIMAccount(ctx)
		Expect(userOn(ctx, a.SCIM, a.Domain)).To(scimtest.HaveStatus(201), "a user on the account's verified domain is accepted")

		// A domain verified after SCIM was configured serves the existing
		// token at once: there is one list of verified domains.
		later := T.UniqueDomain()
		a.VerifyDomain(ctx, T, later)
		Expect(userOn(ctx, a.SCIM, later)).To(scimtest.HaveStatus(201),
			"DT-DOMAIN-SHARED: a domain verified in account management is valid for SCIM with the token already in use")

		// Verified once is enough: the TXT record may go away.
		dom := domainStatus(ctx, a, later)
		name := dom.Str("txtName")
		if name == "" {
			name = later
		}
		Expect(T.Admin().Delete(ctx, "/dns/txt/"+url.PathEscape(name))).To(scimtest.HaveStatus(200, 204), "removing the TXT record")
		Expect(domainStatus(ctx, a, later).Str("status")).To(Equal("VERIFIED"), "DT-DOMAIN-SHARED: a verified domain stays verified")
		Expect(userOn(ctx, a.SCIM, later)).To(scimtest.HaveStatus(201),
			"DT-DOMAIN-SHARED: it is sufficient to verify the domain once")
	})
})
