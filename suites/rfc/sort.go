package rfc

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// Sorting (RFC 7644 section 3.4.2.3) over a fixture of five users whose
// creation order, userName order and familyName order all differ, and
// whose familyNames differ in case, so that a byte-wise sort of a
// case-insensitive attribute shows.

var _ = Describe("Sorting", Ordered, ContinueOnFailure, func() {
	type sortUser struct{ key, family, id string }
	var (
		tag    string
		filter string
		// walk is set when the server cannot isolate the fixture with eq
		// (it declines eq on externalId or keeps externalId unique): the
		// specs then walk the whole sorted listing with paging and judge
		// the order among the fixture users.
		walk  bool
		users []sortUser // in creation order
		// assignedDisplay is set when the server gave a fixture user
		// created without displayName one of its own.
		assignedDisplay bool
	)
	BeforeAll(func(ctx SpecContext) {
		if T.ReadOnly {
			Skip("READ_ONLY is set and the sort specs create fixture users")
		}
		tag = T.Name()
		// The fixture users share an externalId of their own: an eq on it
		// finds exactly them, on any server that filters at all.
		// Without filtering (filter.supported false) the specs walk.
		walk = !T.Caps.Filter
		if !walk {
			var ok bool
			filter, ok = T.TryIsolate(ctx, "/Users", "externalId", tag)
			walk = !ok
		}
		users = []sortUser{{key: "d", family: "Adams"}, {key: "b", family: "carter"}, {key: "e", family: "Baker"}, {key: "a", family: "Evans"}, {key: "c", family: "davis"}}
		for i, u := range users {
			doc := T.NewUser("userName", tag+"-"+u.key+"@"+T.Domain(), "name.familyName", u.family)
			if !walk {
				doc["externalId"] = tag
			}
			// Two users have a displayName, the others none: sorting on it
			// shows where resources without a value go.
			if display := map[string]string{"d": "Zed", "b": "Amy"}[u.key]; display != "" && T.Caps.Has("User", "displayName") {
				// The tag keeps the values unique to the run and the spec; the
				// order stays Amy, Zed.
				display += " " + tag
				doc["displayName"] = display
			}
			r := T.Create(ctx, "/Users", doc)
			if !walk && scimtest.KeepsUnique(r) {
				walk = true
				delete(doc, "externalId")
				r = T.Create(ctx, "/Users", doc)
			}
			T.ExpectCreated(r, "/Users")
			users[i].id = r.Str("id")
			if _, sent := doc["displayName"]; !sent && r.Str("displayName") != "" {
				assignedDisplay = true
			}
		}
	})

	// order returns the fixture ids sorted by key (userName) or family
	// name; familyName compares as /Schemas says (case-insensitive unless
	// caseExact).
	order := func(by string, descending bool) []string {
		s := slices.Clone(users)
		exact := false
		if a, ok := T.Caps.Attr("User", "name.familyName"); ok {
			exact = a.CaseExact
		}
		slices.SortFunc(s, func(x, y sortUser) int {
			if by == "userName" {
				return strings.Compare(x.key, y.key)
			}
			if exact {
				return strings.Compare(x.family, y.family)
			}
			return strings.Compare(strings.ToLower(x.family), strings.ToLower(y.family))
		})
		if descending {
			slices.Reverse(s)
		}
		ids := make([]string, len(s))
		for i, u := range s {
			ids[i] = u.id
		}
		return ids
	}

	// walkFixture walks the whole listing with kv by index paging and
	// answers the last page with its Resources replaced by the fixture
	// users in the order served.
	walkFixture := func(ctx SpecContext, kv ...string) *scimtest.Response {
		var rest []string
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] != "count" && kv[i] != "startIndex" {
				rest = append(rest, kv[i], kv[i+1])
			}
		}
		all, last := T.WalkAll(ctx, "/Users", rest...)
		if last.Status != http.StatusOK {
			return last
		}
		mine := map[string]bool{}
		for _, u := range users {
			mine[u.id] = true
		}
		var kept []any
		for _, res := range all {
			if id, _ := res["id"].(string); mine[id] {
				kept = append(kept, res)
			}
		}
		r := *last
		r.JSON = maps.Clone(last.JSON)
		r.JSON["Resources"] = kept
		return &r
	}

	list := func(ctx SpecContext, kv ...string) *scimtest.Response {
		if !slices.Contains(kv, "count") {
			kv = append(kv, "count", "50")
		}
		if walk {
			return walkFixture(ctx, kv...)
		}
		return T.Client.Get(ctx, "/Users"+scimtest.Query(append([]string{"filter", filter}, kv...)...))
	}

	DescribeTable("orders the results by sortBy and sortOrder",
		func(ctx SpecContext, by, sortBy, sortOrder string, descending bool) {
			kv := []string{"sortBy", sortBy}
			if sortOrder != "" {
				kv = append(kv, "sortOrder", sortOrder)
			}
			r := list(ctx, kv...)
			if !T.Caps.Sort {
				if r.Status != http.StatusOK {
					Expect(r).To(scimtest.BeRefusedCleanly(), "sort.supported is false: sortBy is refused cleanly or ignored")
					return
				}
				Expect(scimtest.Sorted(scimtest.ResourceIDs(r.Resources())...)).To(Equal(scimtest.Sorted(order(by, false)...)),
					"sort.supported is false and sortBy is ignored: the query still serves exactly the matches:\n%s", r)
				return
			}
			Expect(r).To(scimtest.HaveStatus(http.StatusOK), "a sorted query (RFC 7644 section 3.4.2.3)")
			Expect(scimtest.ResourceIDs(r.Resources())).To(Equal(order(by, descending)),
				"the results must come ordered by %s %s (RFC 7644 section 3.4.2.3; strings compare as caseExact says):\n%s", sortBy, map[bool]string{true: "descending", false: "ascending"}[descending], r)
		},
		Entry("userName, ascending by default", Label("RFC-SORT"), "userName", "userName", "", false),
		Entry("userName ascending", Label("RFC-SORT"), "userName", "userName", "ascending", false),
		Entry("userName descending", Label("RFC-SORT"), "userName", "userName", "descending", true),
		Entry("name.familyName, ascending by default, case-insensitive", Label("RFC-SORT"), "familyName", "name.familyName", "", false),
		Entry("name.familyName descending", Label("RFC-SORT"), "familyName", "name.familyName", "descending", true),
		Entry("URN-qualified sortBy", Label("RFC-SORT"), "userName", "urn:ietf:params:scim:schemas:core:2.0:User:userName", "", false),
		Entry("sortBy in another case", Label("RFC-SORT"), "userName", "USERNAME", "descending", true),
	)

	// RFC 7644 section 3.4.2.3: resources without a value for sortBy are
	// "ordered last if ascending and first if descending".
	DescribeTable("puts resources without a value last ascending, first descending",
		func(ctx SpecContext, sortOrder string) {
			if !T.Caps.Sort {
				Skip(T.Caps.Unsupported("sort.supported"))
			}
			if !T.Caps.Has("User", "displayName") {
				Skip("the target does not advertise User displayName in /Schemas")
			}
			if assignedDisplay {
				// RFC 7644 section 3.3: "the server is free to alter and/or
				// ignore POSTed content"; a value it assigned is a value.
				Skip("the target assigned a displayName to the fixture users created without one, so none lacks a value to sort")
			}
			byKey := map[string]string{}
			for _, u := range users {
				byKey[u.key] = u.id
			}
			r := list(ctx, "sortBy", "displayName", "sortOrder", sortOrder)
			Expect(r).To(scimtest.HaveStatus(http.StatusOK))
			got := scimtest.ResourceIDs(r.Resources())
			Expect(got).To(HaveLen(5), "the five fixture users:\n%s", r)
			valued, missing := []string{byKey["b"], byKey["d"]}, scimtest.Sorted(byKey["a"], byKey["c"], byKey["e"])
			if sortOrder == "descending" {
				slices.Reverse(valued)
				Expect(scimtest.Sorted(got[:3]...)).To(Equal(missing), "descending: the users without displayName come first:\n%s", r)
				Expect(got[3:]).To(Equal(valued), "then Zed, Amy:\n%s", r)
				return
			}
			Expect(got[:2]).To(Equal(valued), "ascending: Amy, Zed first:\n%s", r)
			Expect(scimtest.Sorted(got[2:]...)).To(Equal(missing), "then the users without displayName:\n%s", r)
		},
		Entry("ascending", Label("RFC-SORT"), "ascending"),
		Entry("descending", Label("RFC-SORT"), "descending"),
	)

	It("pages through sorted results", Label("RFC-SORT"), func(ctx SpecContext) {
		if !T.Caps.Sort {
			Skip(T.Caps.Unsupported("sort.supported"))
		}
		if walk {
			Skip("the server cannot isolate the fixture with eq on externalId; the other sort specs walk the sorted listing page by page instead")
		}
		r := list(ctx, "sortBy", "userName", "sortOrder", "descending", "startIndex", "2", "count", "2")
		Expect(r).To(scimtest.HaveStatus(http.StatusOK))
		Expect(scimtest.ResourceIDs(r.Resources())).To(Equal(order("userName", true)[1:3]),
			"startIndex=2&count=2 of the descending order are its 2nd and 3rd results:\n%s", r)
		Expect(r.Int("totalResults")).To(Equal(5), "totalResults:\n%s", r)
	})
})
