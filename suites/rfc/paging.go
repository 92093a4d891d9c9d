package rfc

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// Paging by index (RFC 7644 section 3.4.2.4), its maxResults cap, and
// cursor paging (RFC 9865). The specs page through a fixture of users found
// by `externalId eq "<tag>"`, a value of their own that they share, so
// other resources on the target do not matter and a server that filters
// only by eq is still judged on its paging.

// pagingFixture is a set of users whose externalId is tag.
type pagingFixture struct {
	tag    string
	filter string
	ids    []string
	// walk is set when the server cannot isolate the fixture with eq: it
	// does not filter, declines eq on externalId, or keeps externalId
	// unique. The walking specs then page through the whole listing and
	// judge the fixture users in it; the others skip.
	walk bool
}

// newPagingFixture creates n users sharing an externalId of their own.
// Unless walkable, a server that cannot isolate them skips the spec.
func newPagingFixture(ctx SpecContext, n int, walkable bool) *pagingFixture {
	f := &pagingFixture{tag: T.Name()}
	reason := "paging specs find their fixture users with a filter, and " + T.Caps.Unsupported("filter.supported")
	ok := T.Caps.Filter
	if ok {
		f.filter, ok = T.TryIsolate(ctx, "/Users", "externalId", f.tag)
		reason = "the server declines eq on externalId (400 invalidFilter): cannot isolate this spec's fixtures"
	}
	if !ok && !walkable {
		Skip(reason)
	}
	f.walk = !ok
	for i := range n {
		u := T.NewUser("userName", fmt.Sprintf("%s-%02d@%s", f.tag, i+1, T.Domain()))
		if !f.walk {
			u["externalId"] = f.tag
		}
		r := T.Create(ctx, "/Users", u)
		if !f.walk && scimtest.KeepsUnique(r) {
			if !walkable {
				Skip("the server keeps externalId unique (409 uniqueness for a second resource sharing one): cannot isolate this spec's fixtures with eq")
			}
			f.walk = true
			delete(u, "externalId")
			r = T.Create(ctx, "/Users", u)
		}
		T.ExpectCreated(r, "/Users")
		f.ids = append(f.ids, r.Str("id"))
	}
	slices.Sort(f.ids)
	return f
}

// needFilter skips a spec that judges answers to the fixture's filter
// when the fixture could not be isolated.
func (f *pagingFixture) needFilter() {
	if f.walk {
		Skip("the server cannot isolate the fixture with eq on externalId (see the walking specs, which page through the whole listing instead)")
	}
}

// walkEverything pages through the whole listing with count per page from
// startIndex 1, checking each page as it goes, and returns the fixture ids
// in the order served. Other resources may be created or deleted meanwhile
// (by other specs), so totals are not compared between pages.
func (f *pagingFixture) walkEverything(ctx SpecContext, count int) []string {
	mine := map[string]bool{}
	for _, id := range f.ids {
		mine[id] = true
	}
	var served []string
	start := 1
	for range 100000 {
		r := T.Client.Get(ctx, "/Users"+scimtest.Query("startIndex", strconv.Itoa(start), "count", strconv.Itoa(count)))
		Expect(r).To(scimtest.HaveStatus(http.StatusOK), "a paged query (RFC 7644 section 3.4.2.4)")
		res := r.Resources()
		total := r.Int("totalResults")
		Expect(total).To(BeNumerically(">=", len(f.ids)), "totalResults counts at least this spec's users:\n%s", r)
		Expect(len(res)).To(BeNumerically("<=", count), "no more results than count (RFC 7644 section 3.4.2.4: SHALL NOT return more than count):\n%s", r)
		if len(res) > 0 && len(res) < total {
			Expect(r.Int("itemsPerPage")).NotTo(Equal(-1), "a partial page must carry itemsPerPage (RFC 7644 section 3.4.2):\n%s", r)
			Expect(r.Int("startIndex")).NotTo(Equal(-1), "a partial page must carry startIndex (RFC 7644 section 3.4.2):\n%s", r)
		}
		if ipp := r.Int("itemsPerPage"); ipp >= 0 {
			Expect(ipp).To(Equal(len(res)), "itemsPerPage is the number of resources on the page:\n%s", r)
		}
		if si := r.Int("startIndex"); si >= 0 {
			Expect(si).To(Equal(start), "startIndex echoes the index of the page's first result:\n%s", r)
		}
		if start > total {
			Expect(res).To(BeEmpty(), "a page past the last result is empty:\n%s", r)
			return served
		}
		Expect(res).NotTo(BeEmpty(), "results %d..%d exist (totalResults %d) but the page at startIndex %d is empty: a gap:\n%s",
			start, total, total, start, r)
		for _, id := range scimtest.ResourceIDs(res) {
			if mine[id] {
				served = append(served, id)
			}
		}
		start += len(res)
	}
	scimtest.Fail("paging did not reach the end of the results")
	return nil
}

// page asks for one index page of the fixture.
func (f *pagingFixture) page(ctx SpecContext, kv ...string) *scimtest.Response {
	r := T.Client.Get(ctx, "/Users"+scimtest.Query(append([]string{"filter", f.filter}, kv...)...))
	ExpectWithOffset(1, r).To(scimtest.HaveStatus(http.StatusOK), "a paged query (RFC 7644 section 3.4.2.4)")
	return r
}

// walkIndex pages through the fixture with count per page from startIndex
// 1, checking each page as it goes, and returns the ids in the order served.
func (f *pagingFixture) walkIndex(ctx SpecContext, count int) []string {
	var served []string
	start := 1
	for range 2*len(f.ids) + 2 {
		r := f.page(ctx, "startIndex", strconv.Itoa(start), "count", strconv.Itoa(count))
		res := r.Resources()
		Expect(r.Int("totalResults")).To(Equal(len(f.ids)), "totalResults is the number of matches on every page, whatever the page:\n%s", r)
		Expect(len(res)).To(BeNumerically("<=", count), "no more results than count (RFC 7644 section 3.4.2.4: SHALL NOT return more than count):\n%s", r)
		if len(res) > 0 && len(res) < len(f.ids) {
			// RFC 7644 section 3.4.2: both are REQUIRED when partial results
			// are returned due to pagination.
			Expect(r.Int("itemsPerPage")).NotTo(Equal(-1), "a partial page must carry itemsPerPage (RFC 7644 section 3.4.2):\n%s", r)
			Expect(r.Int("startIndex")).NotTo(Equal(-1), "a partial page must carry startIndex (RFC 7644 section 3.4.2):\n%s", r)
		}
		if ipp := r.Int("itemsPerPage"); ipp >= 0 {
			Expect(ipp).To(Equal(len(res)), "itemsPerPage is the number of resources on the page:\n%s", r)
		}
		if si := r.Int("startIndex"); si >= 0 {
			Expect(si).To(Equal(start), "startIndex echoes the index of the page's first result:\n%s", r)
		}
		if start > len(f.ids) {
			Expect(res).To(BeEmpty(), "a page past the last result is empty:\n%s", r)
			return served
		}
		Expect(res).NotTo(BeEmpty(), "results %d..%d exist (totalResults %d) but the page at startIndex %d is empty: a gap:\n%s",
			start, len(f.ids), len(f.ids), start, r)
		served = append(served, scimtest.ResourceIDs(res)...)
		start += len(res)
	}
	scimtest.Fail("paging did not reach the end of the results")
	return nil
}

func expectEachOnce(served, want []string, how string) {
	seen := map[string]int{}
	for _, id := range served {
		seen[id]++
	}
	for id, n := range seen {
		Expect(n).To(Equal(1), "%s served resource %s %d times: pages must not overlap (served in order: %v)", how, id, n, served)
	}
	Expect(scimtest.Sorted(served...)).To(Equal(want), "%s must serve every matching resource exactly once (served %v)", how, served)
}

var _ = Describe("Paging", func() {
	Describe("by index over a fixture of seven users", Ordered, ContinueOnFailure, func() {
		var f *pagingFixture
		BeforeAll(func(ctx SpecContext) {
			if T.ReadOnly {
				Skip("READ_ONLY is set and the paging specs create fixture users")
			}
			f = newPagingFixture(ctx, 7, true)
		})

		It("walks every result exactly once with count=2 and stable totals", Label("RFC-PAGING"), func(ctx SpecContext) {
			if f.walk {
				expectEachOnce(f.walkEverything(ctx, 2), f.ids, "paging through the whole listing with count=2")
				return
			}
			expectEachOnce(f.walkIndex(ctx, 2), f.ids, "paging with count=2")
		})

		It("walks every result exactly once with count=3", Label("RFC-PAGING"), func(ctx SpecContext) {
			if f.walk {
				expectEachOnce(f.walkEverything(ctx, 3), f.ids, "paging through the whole listing with count=3")
				return
			}
			expectEachOnce(f.walkIndex(ctx, 3), f.ids, "paging with count=3")
		})

		It("serves the same results for the same window whatever the page size", Label("RFC-PAGING"), func(ctx SpecContext) {
			f.needFilter()
			// The whole result in the order served, read with count=7: a
			// server whose maxResults is smaller serves it over several
			// pages ("When specified, the service provider MUST NOT return
			// more results than specified, although it MAY return fewer
			// results.", RFC 7644 section 3.4.2.4).
			all := f.walkIndex(ctx, 7)
			Expect(all).To(HaveLen(7), "count=7 over seven matches, page after page: %v", all)
			tail := f.page(ctx, "startIndex", "6", "count", "3")
			got := scimtest.ResourceIDs(tail.Resources())
			Expect(got).NotTo(BeEmpty(), "startIndex=6&count=3 over seven matches serves result 6 at least:\n%s", tail)
			Expect(got).To(Equal(all[5:5+min(len(got), 2)]),
				"startIndex=6&count=3 must serve results 6 and 7 of the same query (fewer is allowed), as the walk with count=7 served them (%v):\n%s", all, tail)
		})

		It("answers count=0 with totalResults only", Label("RFC-PAGING"), func(ctx SpecContext) {
			f.needFilter()
			r := f.page(ctx, "count", "0")
			Expect(r.Int("totalResults")).To(Equal(7), "count=0 still counts the matches (RFC 7644 section 3.4.2.4):\n%s", r)
			Expect(r.Resources()).To(BeEmpty(), "count=0: no resource results are returned, only totalResults:\n%s", r)
		})

		It("treats a negative count as 0", Label("RFC-PAGING"), func(ctx SpecContext) {
			f.needFilter()
			r := f.page(ctx, "count", "-3")
			Expect(r.Int("totalResults")).To(Equal(7), "a negative count SHALL be interpreted as 0 (RFC 7644 section 3.4.2.4):\n%s", r)
			Expect(r.Resources()).To(BeEmpty(), "a negative count SHALL be interpreted as 0, so no resources:\n%s", r)
		})

		DescribeTable("treats a startIndex below 1 as 1",
			func(ctx SpecContext, startIndex string) {
				f.needFilter()
				want := f.page(ctx, "startIndex", "1", "count", "3")
				r := f.page(ctx, "startIndex", startIndex, "count", "3")
				Expect(r.Int("totalResults")).To(Equal(7), "totalResults:\n%s", r)
				Expect(scimtest.ResourceIDs(r.Resources())).To(Equal(scimtest.ResourceIDs(want.Resources())),
					"a startIndex less than 1 SHALL be interpreted as 1 (RFC 7644 section 3.4.2.4):\n%s\n%s", want, r)
				if si := r.Int("startIndex"); si >= 0 {
					Expect(si).To(Equal(1), "the page served starts at index 1:\n%s", r)
				}
			},
			Entry("startIndex=0", Label("RFC-PAGING"), "0"),
			Entry("startIndex=-5", Label("RFC-PAGING"), "-5"),
		)

		It("answers a startIndex past the end with an empty page and the right total", Label("RFC-PAGING"), func(ctx SpecContext) {
			f.needFilter()
			r := f.page(ctx, "startIndex", "100", "count", "2")
			Expect(r.Int("totalResults")).To(Equal(7), "totalResults:\n%s", r)
			Expect(r.Resources()).To(BeEmpty(), "no results past the end:\n%s", r)
		})

		It("caps a count above maxResults instead of refusing it", Label("RFC-PAGING-MAX"), func(ctx SpecContext) {
			f.needFilter()
			maxResults := T.Caps.MaxResults
			if maxResults <= 0 {
				Skip("/ServiceProviderConfig declares no filter.maxResults")
			}
			over := strconv.Itoa(maxResults + 1)
			r := f.page(ctx, "count", over)
			Expect(r.Resources()).To(HaveLen(min(7, maxResults)),
				"count above maxResults (%d) is capped, so the query still serves min(matches, maxResults):\n%s", maxResults, r)
			Expect(r.Int("totalResults")).To(Equal(7), "totalResults:\n%s", r)

			// Without the fixture filter there may be more than maxResults
			// resources: then the cap must show.
			all := T.Client.Get(ctx, "/Users"+scimtest.Query("count", over, "attributes", "id"))
			Expect(all).To(scimtest.HaveStatus(http.StatusOK), "RFC-PAGING-MAX (MAY): a count above maxResults is capped, not refused (RFC 7644 section 3.4.2.4: the server \"MAY return fewer results\")")
			Expect(len(all.Resources())).To(BeNumerically("<=", maxResults), "no more than maxResults=%d resources in one page:\n%s", maxResults, all)
			if ipp := all.Int("itemsPerPage"); ipp >= 0 {
				Expect(ipp).To(BeNumerically("<=", maxResults), "itemsPerPage <= maxResults:\n%s", all)
			}
		})

		Context("by cursor (RFC 9865)", func() {
			It("walks every result exactly once with cursor and nextCursor", Label("RFC-CURSOR"), func(ctx SpecContext) {
				f.needFilter()
				if !T.Caps.Cursor {
					Skip("/ServiceProviderConfig does not declare pagination.cursor; see the spec on an ignored or refused cursor")
				}
				var served []string
				var pages []*scimtest.Response
				cursor := ""
				for range 2*len(f.ids) + 2 {
					r := f.page(ctx, "cursor", cursor, "count", "2")
					pages = append(pages, r)
					res := r.Resources()
					Expect(len(res)).To(BeNumerically("<=", 2), "no more results than count:\n%s", r)
					if tr := r.Int("totalResults"); tr >= 0 {
						Expect(tr).To(Equal(7), "totalResults, when given, counts the matches:\n%s", r)
					}
					served = append(served, scimtest.ResourceIDs(res)...)
					cursor = r.Str("nextCursor")
					if cursor == "" {
						break
					}
					Expect(res).NotTo(BeEmpty(), "a page with a nextCursor serves results (RFC 9865):\n%s", r)
					// RFC 7644 section 3.4.2: "itemsPerPage The number of
					// resources returned in a list response page. REQUIRED
					// when partial results are returned due to pagination."
					Expect(r.Int("itemsPerPage")).To(Equal(len(res)), "a partial page carries itemsPerPage, the number of resources on it (RFC 7644 section 3.4.2):\n%s", r)
				}
				Expect(cursor).To(BeEmpty(), "the walk must end: the last page has no nextCursor")
				expectEachOnce(served, f.ids, "cursor paging with count=2")

				// A previousCursor, when given, leads back to the page before.
				if len(pages) >= 2 {
					if prev := pages[1].Str("previousCursor"); prev != "" {
						back := f.page(ctx, "cursor", prev, "count", "2")
						Expect(scimtest.ResourceIDs(back.Resources())).To(Equal(scimtest.ResourceIDs(pages[0].Resources())),
							"previousCursor of page 2 must serve page 1 again:\n%s\n%s", pages[0], back)
					}
				}
			})
		})
	})

	Describe("by cursor while resources change", func() {
		It("serves every resource that existed throughout exactly once", Label("RFC-CURSOR"), func(ctx SpecContext) {
			if !T.Caps.Cursor {
				Skip("/ServiceProviderConfig does not declare pagination.cursor")
			}
			f := newPagingFixture(ctx, 6, false)
			first := f.page(ctx, "cursor", "", "count", "2")
			served := scimtest.ResourceIDs(first.Resources())
			cursor := first.Str("nextCursor")
			Expect(cursor).NotTo(BeEmpty(), "six matches and count=2: the first page has a nextCursor:\n%s", first)

			// Between pages: one new matching user, and one not yet served
			// fixture user deleted.
			T.MustCreateSharing(ctx, "/Users", "externalId", T.NewUser("userName", fmt.Sprintf("%s-00-late@%s", f.tag, T.Domain()), "externalId", f.tag))
			var deleted string
			for _, id := range f.ids {
				if !slices.Contains(served, id) {
					deleted = id
					break
				}
			}
			Expect(T.Client.Delete(ctx, "/Users/"+deleted)).To(scimtest.HaveStatus(http.StatusNoContent))

			for range 20 {
				if cursor == "" {
					break
				}
				r := f.page(ctx, "cursor", cursor, "count", "2")
				served = append(served, scimtest.ResourceIDs(r.Resources())...)
				cursor = r.Str("nextCursor")
			}
			Expect(cursor).To(BeEmpty(), "the walk must end")
			counts := map[string]int{}
			for _, id := range served {
				counts[id]++
			}
			for id, n := range counts {
				Expect(n).To(Equal(1), "resource %s served %d times across cursor pages (served %v)", id, n, served)
			}
			for _, id := range f.ids {
				if id != deleted {
					Expect(counts).To(HaveKey(id), "resource %s existed throughout the walk and must be served (served %v)", id, served)
				}
			}
		})
	})

	// RFC 9865 section 2: "If a service provider encounters invalid
	// pagination query parameters (invalid cursor value, count value, etc),
	// or other error conditions, the service provider SHOULD return the
	// appropriate HTTP response status code and detailed JSON error
	// response": a SHOULD, hence RFC-CURSOR-INVALID.
	It("refuses an invalid cursor with 400 invalidCursor", Label("RFC-CURSOR-INVALID", scimtest.ReadOnlyLabel), func(ctx SpecContext) {
		r := T.Client.Get(ctx, "/Users"+scimtest.Query("cursor", "scimconf-not-a-cursor-"+T.RunID, "count", "2"))
		if !T.Caps.Cursor {
			// RFC 7644 section 3.4.2: unknown query parameters SHOULD be
			// ignored; refusing them cleanly is also acceptable.
			if r.Status != http.StatusOK {
				Expect(r).To(scimtest.BeRefusedCleanly(), "pagination.cursor is not declared: the cursor parameter is ignored or refused cleanly")
			}
			return
		}
		Expect(r).To(scimtest.HaveSCIMError(http.StatusBadRequest, "invalidCursor"), "RFC 9865: a cursor the server cannot use is 400 invalidCursor")
	})

	It("ignores or cleanly refuses cursor when cursor paging is not declared", Label("RFC-CURSOR"), func(ctx SpecContext) {
		if T.Caps.Cursor {
			Skip("/ServiceProviderConfig declares pagination.cursor; the walking specs check it")
		}
		T.Caps.SkipUnlessDeclared("pagination.cursor")
		f := newPagingFixture(ctx, 3, false)
		r := T.Client.Get(ctx, "/Users"+scimtest.Query("filter", f.filter, "cursor", "", "count", "2"))
		if r.Status != http.StatusOK {
			Expect(r).To(scimtest.BeRefusedCleanly(), "pagination.cursor is not declared: cursor is ignored or refused cleanly")
			return
		}
		Expect(r.Int("totalResults")).To(Equal(3), "an ignored cursor leaves an ordinary query:\n%s", r)
		Expect(len(r.Resources())).To(BeNumerically("<=", 2), "count still applies:\n%s", r)
		Expect(r.Str("nextCursor")).To(BeEmpty(), "a target that does not declare cursor paging hands out no cursors:\n%s", r)
	})
})
