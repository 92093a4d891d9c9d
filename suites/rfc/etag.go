package rfc

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// RFC 7644 section 3.14: when the target declares etag.supported, "SCIM
// ETags MUST be specified as an HTTP header and SHOULD be specified within
// the 'version' attribute", and If-Match on PUT and PATCH works as RFC 7232
// says (RFC-ETAG). meta.version equal to the ETag is the SHOULD
// (RFC-ETAG-VERSION); 304 for If-None-Match (described, not demanded) and
// If-Match on DELETE (3.14 names PUT and PATCH only) are RFC-ETAG-CONDITIONAL,
// at MAY.
var _ = Describe("ETags", func() {
	BeforeEach(func() {
		if !T.Caps.ETag {
			Skip(T.Caps.Unsupported("etag.supported") + ": RFC 7644 section 3.14 makes resource versioning optional")
		}
	})

	// expectVersioned checks that r carries an ETag and returns it.
	expectVersioned := func(r *scimtest.Response) string {
		GinkgoHelper()
		etag := r.Header.Get("ETag")
		Expect(etag).NotTo(BeEmpty(), "RFC 7644 section 3.14: with etag supported, a resource answer carries an ETag:\n%s", r)
		Expect(scimtest.IsEntityTag(etag)).To(BeTrue(), "RFC 7232 section 2.3: the ETag is a quoted entity-tag, optionally W/:\n%s", r)
		return etag
	}

	// expectVersionIsETag checks RFC 7644 section 3.14's SHOULD: the ETag
	// is also in meta.version.
	expectVersionIsETag := func(r *scimtest.Response) {
		GinkgoHelper()
		Expect(r.Str("meta.version")).To(Equal(r.Header.Get("ETag")), "RFC 7644 section 3.14: the ETag SHOULD be specified within meta.version:\n%s", r)
	}

	replaceGivenName := func(userName, givenName string) map[string]any {
		return T.NewUser("userName", userName, "name.givenName", givenName)
	}

	patchGivenName := func(givenName string) map[string]any {
		return map[string]any{"schemas": []any{scimtest.PatchURN},
			"Operations": []any{map[string]any{"op": "replace", "path": "name.givenName", "value": givenName}}}
	}

	It("answers POST, GET, PUT and PATCH with an ETag, new on each change", Label("RFC-ETAG"), func(ctx SpecContext) {
		created := T.MustCreate(ctx, "/Users", T.NewUser())
		id := created.Str("id")
		v1 := expectVersioned(created)
		g := T.Client.Get(ctx, "/Users/"+id)
		Expect(g).To(scimtest.HaveStatus(200))
		Expect(expectVersioned(g)).To(Equal(v1), "an unchanged resource keeps its version:\n%s", g)
		p := T.Client.Put(ctx, "/Users/"+id, replaceGivenName(created.Str("userName"), "Augusta"))
		Expect(p).To(scimtest.HaveStatus(200))
		v2 := expectVersioned(p)
		Expect(v2).NotTo(Equal(v1), "RFC 7644 section 3.14: a change gives a new version:\n%s", p)
		if T.Caps.Patch {
			pa := T.Client.Patch(ctx, "/Users/"+id, patchGivenName("Ada"))
			Expect(pa).To(scimtest.HaveStatus(200, 204))
			if pa.Status == 200 {
				Expect(expectVersioned(pa)).NotTo(Equal(v2), "a PATCH gives a new version:\n%s", pa)
			}
			g := T.Client.Get(ctx, "/Users/"+id)
			Expect(expectVersioned(g)).NotTo(Equal(v2), "a PATCH gives a new version:\n%s", g)
		}
		grp := T.MustCreate(ctx, "/Groups", T.NewGroup())
		expectVersioned(grp)
		expectVersioned(T.Client.Get(ctx, "/Groups/"+grp.Str("id")))
	})

	It("answers POST, GET, PUT and PATCH with meta.version equal to the ETag, usable as If-Match", Label("RFC-ETAG-VERSION"), func(ctx SpecContext) {
		created := T.MustCreate(ctx, "/Users", T.NewUser())
		id := created.Str("id")
		expectVersionIsETag(created)
		expectVersionIsETag(T.Client.Get(ctx, "/Users/"+id))
		p := T.Client.Put(ctx, "/Users/"+id, replaceGivenName(created.Str("userName"), "Augusta"))
		Expect(p).To(scimtest.HaveStatus(200))
		expectVersionIsETag(p)
		if T.Caps.Patch {
			pa := T.Client.Patch(ctx, "/Users/"+id, patchGivenName("Ada"))
			Expect(pa).To(scimtest.HaveStatus(200, 204))
			if pa.Status == 200 {
				expectVersionIsETag(pa)
			}
		}
		grp := T.MustCreate(ctx, "/Groups", T.NewGroup())
		expectVersionIsETag(grp)
		expectVersionIsETag(T.Client.Get(ctx, "/Groups/"+grp.Str("id")))
		// A version is a version: the created resource's meta.version,
		// stale now, stops a PUT as its ETag would.
		stale := T.Client.Put(ctx, "/Users/"+id, replaceGivenName(created.Str("userName"), "Stale"), "If-Match", created.Str("meta.version"))
		Expect(stale).To(scimtest.HaveSCIMError(412, ""), "RFC 7644 section 3.14: meta.version is the ETag, so a stale one in If-Match is 412")
	})

	It("answers If-None-Match with the current version with 304 and no body", Label("RFC-ETAG-CONDITIONAL"), func(ctx SpecContext) {
		created := T.MustCreate(ctx, "/Users", T.NewUser())
		id := created.Str("id")
		v1 := created.Header.Get("ETag")
		r := T.Client.Get(ctx, "/Users/"+id, "If-None-Match", v1)
		Expect(r).To(scimtest.HaveStatus(304), "RFC 7644 section 3.14: If-None-Match with the current version is 304 Not Modified")
		Expect(r.Body).To(BeEmpty(), "RFC 7232 section 4.1: a 304 has no body:\n%s", r)

		Expect(T.Client.Put(ctx, "/Users/"+id, replaceGivenName(created.Str("userName"), "Augusta"))).To(scimtest.HaveStatus(200))
		stale := T.Client.Get(ctx, "/Users/"+id, "If-None-Match", v1)
		Expect(stale).To(scimtest.HaveStatus(200), "If-None-Match with a stale version returns the resource")
		Expect(stale.Str("name.givenName")).To(Equal("Augusta"), "the resource as changed:\n%s", stale)
	})

	It("refuses PUT and PATCH with a stale If-Match with 412 and changes nothing", Label("RFC-ETAG"), func(ctx SpecContext) {
		created := T.MustCreate(ctx, "/Users", T.NewUser())
		id, userName := created.Str("id"), created.Str("userName")
		stale := created.Header.Get("ETag")
		p := T.Client.Put(ctx, "/Users/"+id, replaceGivenName(userName, "Augusta"))
		Expect(p).To(scimtest.HaveStatus(200))
		current := p.Header.Get("ETag")
		Expect(current).NotTo(Equal(stale), "the PUT gave a new version:\n%s", p)

		attempts := []*scimtest.Response{
			T.Client.Put(ctx, "/Users/"+id, replaceGivenName(userName, "Stale"), "If-Match", stale),
		}
		if T.Caps.Patch {
			attempts = append(attempts, T.Client.Patch(ctx, "/Users/"+id, patchGivenName("Stale"), "If-Match", stale))
		}
		for _, r := range attempts {
			Expect(r).To(scimtest.HaveSCIMError(412, ""), "RFC 7232 section 3.1: a stale If-Match is 412 Precondition Failed")
		}
		g := T.Client.Get(ctx, "/Users/"+id)
		Expect(g).To(scimtest.HaveStatus(200))
		Expect(g.Str("name.givenName")).To(Equal("Augusta"), "refused writes change nothing:\n%s", g)
		Expect(g.Header.Get("ETag")).To(Equal(current), "refused writes leave the version:\n%s", g)
	})

	It("refuses DELETE with a stale If-Match with 412 and keeps the resource", Label("RFC-ETAG-CONDITIONAL"), func(ctx SpecContext) {
		created := T.MustCreate(ctx, "/Users", T.NewUser())
		id := created.Str("id")
		stale := created.Header.Get("ETag")
		Expect(T.Client.Put(ctx, "/Users/"+id, replaceGivenName(created.Str("userName"), "Augusta"))).To(scimtest.HaveStatus(200))
		d := T.Client.Delete(ctx, "/Users/"+id, "If-Match", stale)
		Expect(d).To(scimtest.HaveSCIMError(412, ""), "RFC 7232 section 3.1: a server that evaluates If-Match on DELETE answers a stale one with 412")
		Expect(T.Client.Get(ctx, "/Users/"+id)).To(scimtest.HaveStatus(200), "a refused DELETE leaves the resource")
	})

	It("applies PUT, PATCH and DELETE with the current If-Match", Label("RFC-ETAG"), func(ctx SpecContext) {
		created := T.MustCreate(ctx, "/Users", T.NewUser())
		id, userName := created.Str("id"), created.Str("userName")
		p := T.Client.Put(ctx, "/Users/"+id, replaceGivenName(userName, "Augusta"), "If-Match", created.Header.Get("ETag"))
		Expect(p).To(scimtest.HaveStatus(200), "RFC 7644 section 3.14: If-Match with the current version lets the PUT through")
		current := p.Header.Get("ETag")
		if T.Caps.Patch {
			pa := T.Client.Patch(ctx, "/Users/"+id, patchGivenName("Ada"), "If-Match", current)
			Expect(pa).To(scimtest.HaveStatus(200, 204), "If-Match with the current version lets the PATCH through")
			current = T.Client.Get(ctx, "/Users/"+id).Header.Get("ETag")
		}
		d := T.Client.Delete(ctx, "/Users/"+id, "If-Match", current)
		Expect(d).To(scimtest.HaveStatus(204), "If-Match with the current version lets the DELETE through")
		Expect(T.Client.Get(ctx, "/Users/"+id)).To(scimtest.HaveSCIMError(404, ""))
	})
})
