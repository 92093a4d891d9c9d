package rfc

import (
	"fmt"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// Queries by POST /.search (RFC 7644 section 3.4.3): a SearchRequest body
// carries what a GET carries in its query string, and the answer is the
// same ListResponse. "Clients MAY execute queries without passing
// parameters on the URL by using the HTTP POST verb combined with the
// "/.search" path extension": a server need not offer it, so a target that
// answers POST /Users/.search with 404, 405 or 501 skips these specs, and
// the rule is at MAY.

var _ = Describe("Search with POST /.search", Ordered, ContinueOnFailure, func() {
	var (
		tag    string
		filter string
		ids    []string
		group  *scimtest.Response
	)
	BeforeAll(func(ctx SpecContext) {
		if T.ReadOnly {
			Skip("READ_ONLY is set and the search specs create fixture users")
		}
		if !T.Caps.Filter {
			Skip("the search specs find their fixture with a filter, and " + T.Caps.Unsupported("filter.supported"))
		}
		probe := T.Client.Post(ctx, "/Users/.search", map[string]any{"schemas": []any{scimtest.SearchURN}, "count": 0})
		switch probe.Status {
		case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented:
			Skip(fmt.Sprintf("the target does not offer POST /.search (RFC 7644 section 3.4.3: clients MAY use it, servers need not offer it); it answered %d", probe.Status))
		}
		tag = T.Name()
		// The fixture users share an externalId of their own: an eq on it
		// finds exactly them, on any server that filters at all.
		filter = T.Isolate(ctx, "/Users", "externalId", tag)
		ids = nil
		for _, k := range []string{"a", "b", "c"} {
			ids = append(ids, T.MustCreateSharing(ctx, "/Users", "externalId", T.NewUser("userName", tag+"-"+k+"@"+T.Domain(), "externalId", tag)).Str("id"))
		}
		group = T.MustCreate(ctx, "/Groups", T.NewGroup("displayName", tag+"-g", "members", []any{map[string]any{"value": ids[0]}}))
	})

	search := func(ctx SpecContext, path string, body map[string]any) *scimtest.Response {
		body["schemas"] = []any{scimtest.SearchURN}
		r := T.Client.Post(ctx, path, body)
		Expect(r).To(scimtest.HaveStatus(http.StatusOK), "POST %s with a SearchRequest is a query (RFC 7644 section 3.4.3)", path)
		Expect(r.JSON["schemas"]).To(ContainElement(scimtest.ListURN), "the answer is a ListResponse:\n%s", r)
		return r
	}

	It("answers POST /Users/.search like the equivalent GET", Label("RFC-SEARCH"), func(ctx SpecContext) {
		get := T.Client.Get(ctx, "/Users"+scimtest.Query("filter", filter, "startIndex", "1", "count", "2", "attributes", "userName"))
		Expect(get).To(scimtest.HaveStatus(http.StatusOK))
		r := search(ctx, "/Users/.search", map[string]any{"filter": filter, "startIndex": 1, "count": 2, "attributes": []any{"userName"}})
		Expect(r.Int("totalResults")).To(Equal(3), "totalResults counts the three fixture users:\n%s", r)
		Expect(r.Resources()).To(HaveLen(2), "count=2:\n%s", r)
		Expect(scimtest.Sorted(scimtest.ResourceIDs(r.Resources())...)).To(Equal(scimtest.Sorted(scimtest.ResourceIDs(get.Resources())...)),
			"the same query by GET and by POST /.search serves the same page:\n%s\n%s", get, r)
		for _, res := range r.Resources() {
			expectOnlyReturned("User", res, r, "userName")
		}
	})

	It("honours excludedAttributes and paging in the body", Label("RFC-SEARCH"), func(ctx SpecContext) {
		r := search(ctx, "/Users/.search", map[string]any{"filter": filter, "startIndex": 3, "count": 5, "excludedAttributes": []any{"name"}})
		Expect(r.Int("totalResults")).To(Equal(3), "totalResults:\n%s", r)
		Expect(r.Resources()).To(HaveLen(1), "startIndex=3 of three results serves the last one:\n%s", r)
		Expect(scimtest.HaveKey(r.Resources()[0], "name")).To(BeFalse(), "name is excluded:\n%s", r)
		Expect(ids).To(ContainElement(r.Resources()[0]["id"]), "the result is a fixture user:\n%s", r)
	})

	It("honours sortBy and sortOrder in the body", Label("RFC-SEARCH"), func(ctx SpecContext) {
		if !T.Caps.Sort {
			Skip(T.Caps.Unsupported("sort.supported"))
		}
		r := search(ctx, "/Users/.search", map[string]any{"filter": filter, "sortBy": "userName", "sortOrder": "descending"})
		Expect(scimtest.ResourceIDs(r.Resources())).To(Equal([]string{ids[2], ids[1], ids[0]}), "userName descending is c, b, a:\n%s", r)
	})

	It("answers POST /Groups/.search", Label("RFC-SEARCH"), func(ctx SpecContext) {
		r := search(ctx, "/Groups/.search", map[string]any{"filter": fmt.Sprintf("displayName eq %q", group.Str("displayName")), "excludedAttributes": []any{"members"}})
		Expect(scimtest.ResourceIDs(r.Resources())).To(Equal([]string{group.Str("id")}), "the filter finds the group:\n%s", r)
		Expect(scimtest.HaveKey(r.Resources()[0], "members")).To(BeFalse(), "members is excluded:\n%s", r)
	})

	It("refuses an invalid filter in the body as GET does", Label("RFC-SEARCH"), func(ctx SpecContext) {
		r := T.Client.Post(ctx, "/Users/.search", map[string]any{"schemas": []any{scimtest.SearchURN}, "filter": `userName eq`})
		Expect(r).To(scimtest.HaveSCIMError(0, ""), "RFC 7644 section 3.4.3: an invalid filter in a SearchRequest is refused as by GET, with an error in the body")
	})

	It("answers POST /.search at the root over every resource type", Label("RFC-SEARCH"), func(ctx SpecContext) {
		body := map[string]any{"schemas": []any{scimtest.SearchURN}, "filter": filter}
		r := T.Client.Post(ctx, "/.search", body)
		switch r.Status {
		case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented:
			Skip(fmt.Sprintf("the target does not offer queries at the root (RFC 7644 section 3.4.2.1: MAY); it answered %d", r.Status))
		}
		Expect(r).To(scimtest.HaveStatus(http.StatusOK), "a root query whose filter names an attribute only Users have: "+
			"for other resource types the attribute has no value, it is no error (RFC 7644 section 3.4.2.1)")
		Expect(r.Int("totalResults")).To(Equal(3), "the three fixture users match, no group does:\n%s", r)
		Expect(scimtest.Sorted(scimtest.ResourceIDs(r.Resources())...)).To(Equal(scimtest.Sorted(ids...)), "the fixture users:\n%s", r)
	})
})
