package rfc

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// Filtering (RFC 7644 section 3.4.2.2). The specs that need data share one
// fixture of four users and three groups made for them. A spec's filter is
// sent once per fixture resource of the endpoint, ANDed with "id eq" that
// resource's id: the answer is that resource or nothing, so whatever else
// lives on the target never changes the result, and no operator besides
// the spec's own and "eq" is needed to isolate it (a provider that
// supports only "eq" and "and" still has every "eq" spec judged).
//
// A valid filter the target answers with 400 invalidFilter is "not
// supported" (a skip, scimtest.SkipDeclined), not a failure: "Filtering is
// an OPTIONAL parameter for SCIM service providers" (section 3.4.2.2), and
// Table 9's invalidFilter covers "the specified attribute and filter
// comparison combination is not supported". When the "id eq" scope is what
// the target declines, the bare filter is sent instead and judged on this
// fixture alone (its resources that should match are there, the others are
// not; resources of other specs are ignored). Wrong results, a 5xx, another
// error, an error body of the wrong shape and a filter ignored (a resource
// that does not match) stay failures.

const enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// filterFixture is the shared data of the filter specs: resources by key
// ("a".."d" users, "g1".."g3" groups) and the placeholders a filter
// template may use ("{a.userName}", "{g1.id}", "{tag}" ...).
type filterFixture struct {
	tag  string
	ids  map[string]string // key -> id
	keys map[string]string // id -> key, to say which fixture came back
	subs *strings.Replacer
	full bool // emails are in the fixture (the target advertises them)
	ent  bool // enterprise department is in the fixture
	// extID: the target kept externalId.
	extID bool
	// assignedDisplay: the target gave user "c", created without
	// displayName, one of its own.
	assignedDisplay bool
}

func (f *filterFixture) expand(s string) string { return f.subs.Replace(s) }

// shiftZone renders a dateTime as the same instant at +05:00: a target
// that compares dates as strings instead of chronologically (RFC 7644
// section 3.4.2.2, "gt" and friends) then gets the order wrong.
func shiftZone(ts string) string {
	t, err := time.Parse(time.RFC3339Nano, ts)
	Expect(err).NotTo(HaveOccurred(), "meta.created %q is not an RFC 3339 dateTime (RFC 7643 section 2.3.5)", ts)
	return t.In(time.FixedZone("", 5*3600)).Format(time.RFC3339Nano)
}

func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z':
			return r - 'a' + 'A'
		case 'A' <= r && r <= 'Z':
			return r - 'A' + 'a'
		}
		return r
	}, s)
}

func newFilterFixture(ctx SpecContext) *filterFixture {
	f := &filterFixture{tag: T.Name(), ids: map[string]string{}, keys: map[string]string{}}
	f.full = T.Caps.Has("User", "emails.value") && T.Caps.Has("User", "emails.type")
	f.ent = T.Caps.Has("User", enterpriseURN+":department")
	d := T.Domain()
	users := []struct {
		key, given, family, display, ext string
		active                           bool
		emails                           []any
		dept                             string
	}{
		{"a", "Ada", "Lovelace", "Ada Lovelace", "ExtA-" + f.tag, true,
			[]any{map[string]any{"value": f.tag + ".ada@work.example.org", "type": "work"}, map[string]any{"value": f.tag + ".ada@home.example.org", "type": "home"}}, "R&D"},
		{"b", "Grace", "Hopper", "Grace Hopper", "ExtB-" + f.tag, false,
			[]any{map[string]any{"value": f.tag + ".grace@other.example.org", "type": "work"}, map[string]any{"value": f.tag + ".grace@work.example.org", "type": "home"}}, "Navy"},
		{"c", "Alan", "Turing", "", "", true, nil, ""},
		{"d", "Edsger", "Dijkstra", `Edsger "EWD" \ Dijkstra é`, "", false,
			[]any{map[string]any{"value": f.tag + ".edsger@home.example.org", "type": "home"}}, ""},
	}
	// Emails start with the tag: a target that keeps emails unique, or
	// keeps a deleted user's values reserved, never sees them twice.
	pairs := []string{"{tag}", f.tag, "{TAG}", strings.ToUpper(f.tag), "{domain}", d,
		"{A.WORKEMAIL}", strings.ToUpper(f.tag + ".ada@work.example.org")}
	for _, u := range users {
		userName := f.tag + "-" + u.key + "@" + d
		doc := T.NewUser("userName", userName, "name.givenName", u.given, "name.familyName", u.family, "active", u.active)
		if u.display != "" && T.Caps.Has("User", "displayName") {
			doc["displayName"] = u.display
		}
		if u.ext != "" {
			// externalId is a common attribute (RFC 7643 section 3.1), which
			// /Schemas does not list; whether the target keeps it shows in
			// the answer.
			doc["externalId"] = u.ext
		}
		if f.full && u.emails != nil {
			doc["emails"] = u.emails
		}
		if f.ent && u.dept != "" {
			doc["schemas"] = []any{scimtest.UserURN, enterpriseURN}
			doc[enterpriseURN] = map[string]any{"department": u.dept}
		}
		r := T.MustCreate(ctx, "/Users", doc)
		id := r.Str("id")
		f.ids[u.key], f.keys[id] = id, u.key
		if u.key == "a" {
			f.extID = r.Str("externalId") == u.ext
		}
		if u.key == "c" {
			f.assignedDisplay = r.Str("displayName") != ""
		}
		created := r.Str("meta.created")
		Expect(created).NotTo(BeEmpty(), "a created resource has meta.created (RFC 7643 section 3.1):\n%s", r)
		lastModified := r.Str("meta.lastModified")
		if lastModified == "" {
			lastModified = created
		}
		k := "{" + u.key + "."
		pairs = append(pairs,
			k+"id}", id,
			k+"userName}", userName,
			"{"+strings.ToUpper(u.key)+".USERNAME}", strings.ToUpper(userName),
			k+"externalId}", u.ext,
			k+"externalIdSwapped}", swapCase(u.ext),
			k+"created}", created,
			k+"created+05}", shiftZone(created),
			k+"lastModified}", lastModified,
		)
	}
	groups := []struct {
		key     string
		members []string
	}{{"g1", []string{"a", "b"}}, {"g2", []string{"c"}}, {"g3", nil}}
	for _, g := range groups {
		name := f.tag + "-" + g.key
		doc := T.NewGroup("displayName", name)
		if g.members != nil {
			var ms []any
			for _, m := range g.members {
				ms = append(ms, map[string]any{"value": f.ids[m]})
			}
			doc["members"] = ms
		}
		r := T.MustCreate(ctx, "/Groups", doc)
		id := r.Str("id")
		f.ids[g.key], f.keys[id] = id, g.key
		pairs = append(pairs, "{"+g.key+".id}", id, "{"+g.key+".displayName}", name,
			"{"+strings.ToUpper(g.key)+".DISPLAYNAME}", strings.ToUpper(name))
	}
	f.subs = strings.NewReplacer(pairs...)
	return f
}

var orWord = regexp.MustCompile(`(?i)\sor\s`)

// byID ANDs filter with "id eq" id. A filter with "or" in it is put in
// parentheses so that "and" binding tighter than "or" cannot change its
// meaning; filters without "or" are left bare, so that a target with
// broken grouping fails only the specs that group.
func byID(filter, id string) string {
	if orWord.MatchString(filter) {
		filter = "(" + filter + ")"
	}
	return filter + " and " + scimtest.EqFilter("id", id)
}

// fixtureKeys lists the fixture keys of endpoint, in order.
func (f *filterFixture) fixtureKeys(endpoint string) []string {
	if endpoint == "/Groups" {
		return []string{"g1", "g2", "g3"}
	}
	return []string{"a", "b", "c", "d"}
}

// check runs filter (a template) on endpoint and expects exactly the
// fixture resources named by want.
func (f *filterFixture) check(ctx SpecContext, endpoint, filter string, want ...string) {
	expr := f.expand(filter)
	if !T.Caps.Filter {
		r := T.Client.Get(ctx, endpoint+scimtest.Query("filter", expr))
		Expect(r).To(scimtest.BeRefusedCleanly(),
			"/ServiceProviderConfig declares filter.supported false, so a filter must be refused, not ignored (ignoring it returns resources that do not match)")
		return
	}
	got, how, scoped := f.selectByID(ctx, endpoint, expr)
	complete := true
	if !scoped {
		got, how, complete = f.selectBare(ctx, endpoint, expr)
	}
	wantSorted := scimtest.Sorted(want...)
	if wantSorted == nil {
		wantSorted = []string{}
	}
	if got == nil {
		got = []string{}
	}
	if !complete && !slices.Equal(got, wantSorted) {
		if extra := slices.DeleteFunc(slices.Clone(got), func(k string) bool { return slices.Contains(wantSorted, k) }); len(extra) == 0 {
			Skip(fmt.Sprintf("could not judge: the target declined the \"id eq\" scope and the bare filter %s has more results than were read; fixture resources seen %v, want %v", expr, got, wantSorted))
		}
	}
	Expect(got).To(Equal(wantSorted), "filter %s must select exactly the fixture resources %v (keys of this spec's fixture), got %v:\n%s", expr, wantSorted, got, how)
}

// selectByID sends expr once per fixture resource of endpoint, ANDed with
// "id eq" its id, and returns the keys of the resources selected (sorted)
// and a transcript of the queries. scoped is false when the target
// declined the first query with 400 invalidFilter: then nothing is judged
// here.
func (f *filterFixture) selectByID(ctx SpecContext, endpoint, expr string) (got []string, how string, scoped bool) {
	var lines []string
	for _, key := range f.fixtureKeys(endpoint) {
		id := f.ids[key]
		q := byID(expr, id)
		r := T.Client.Get(ctx, endpoint+scimtest.Query("filter", q, "count", "50"))
		if scimtest.DeclinedFilter(r) {
			return nil, "", false
		}
		Expect(r).To(scimtest.HaveStatus(http.StatusOK), "a valid filter (RFC 7644 section 3.4.2.2) is answered 200, or declined with 400 invalidFilter when the target does not support it (section 3.12 Table 9): %s", q)
		ids := scimtest.ResourceIDs(r.Resources())
		Expect(ids).To(Or(BeEmpty(), Equal([]string{id})),
			"filter %s selects the resource %s (fixture %q) or nothing; anything else does not match its id eq clause (\"only those resources matching the filter expression SHALL be returned\", RFC 7644 section 3.4.2.2):\n%s", q, id, key, r)
		Expect(r.Int("totalResults")).To(Equal(len(ids)), "totalResults counts the matches:\n%s", r)
		verdict := "not selected"
		if len(ids) == 1 {
			got = append(got, key)
			verdict = "selected"
		}
		lines = append(lines, fmt.Sprintf("%s: %s -> %s", key, q, verdict))
	}
	slices.Sort(got)
	return got, strings.Join(lines, "\n"), true
}

// selectBare sends expr alone and reads its results page by page (up to
// 1,000), keeping the fixture resources of endpoint among them; the
// target declined the "id eq" scope, so resources of other specs are
// ignored. A 400 invalidFilter skips the spec as "not supported".
// complete is false when not every result was read. A target that ignores
// the filter altogether is caught here unless every fixture resource
// should match (the "id eq" scope catches that case too).
func (f *filterFixture) selectBare(ctx SpecContext, endpoint, expr string) (got []string, how string, complete bool) {
	const pageSize, maxPages = 100, 10
	var seen []string
	start := 1
	for page := 0; ; page++ {
		if page == maxPages {
			return scimtest.Sorted(seen...), how, false
		}
		r := T.Client.Get(ctx, endpoint+scimtest.Query("filter", expr, "startIndex", fmt.Sprint(start), "count", fmt.Sprint(pageSize)))
		if page == 0 {
			scimtest.SkipDeclined(expr, r)
		}
		Expect(r).To(scimtest.HaveStatus(http.StatusOK), "a valid filter (RFC 7644 section 3.4.2.2) is answered 200, or declined with 400 invalidFilter when the target does not support it (section 3.12 Table 9): %s", expr)
		res := r.Resources()
		for _, id := range scimtest.ResourceIDs(res) {
			if k, ok := f.keys[id]; ok && slices.Contains(f.fixtureKeys(endpoint), k) && !slices.Contains(seen, k) {
				seen = append(seen, k)
			}
		}
		how = fmt.Sprintf("the target declined the \"id eq\" scope; the bare filter %s, last page read:\n%s", expr, r)
		start += len(res)
		if len(res) == 0 || start > r.Int("totalResults") {
			return scimtest.Sorted(seen...), how, true
		}
	}
}

var _ = Describe("Filtering", func() {
	Describe("with a fixture of users and groups", Ordered, ContinueOnFailure, func() {
		var f *filterFixture
		BeforeAll(func(ctx SpecContext) {
			if T.ReadOnly {
				Skip("READ_ONLY is set and the filter specs create fixture users and groups")
			}
			f = newFilterFixture(ctx)
		})

		DescribeTable("on /Users selects exactly the matching users",
			func(ctx SpecContext, filter string, want ...string) {
				if strings.Contains(strings.ToLower(filter), "displayname") && !T.Caps.Has("User", "displayName") {
					Skip("the target does not advertise User displayName in /Schemas")
				}
				if strings.Contains(strings.ToLower(filter), "externalid") && !f.extID {
					Skip("the target did not keep the fixture's externalId")
				}
				if strings.Contains(strings.ToLower(filter), "displayname pr") && f.assignedDisplay {
					// RFC 7644 section 3.3: "Since the server is free to alter
					// and/or ignore POSTed content, returning the full
					// representation can be useful to the client". A value the
					// server assigned is present; the fixture has no user
					// without displayName to tell "pr" from "everything".
					Skip("the target assigned a displayName to the fixture user created without one, so no fixture user lacks it")
				}
				f.check(ctx, "/Users", filter, want...)
			},
			// Attribute operators (RFC 7644 section 3.4.2.2, table 3).
			Entry("eq on userName", Label("RFC-FILTER"), `userName eq "{a.userName}"`, "a"),
			Entry("eq on id", Label("RFC-FILTER"), `id eq "{c.id}"`, "c"),
			Entry("eq on a sub-attribute", Label("RFC-FILTER"), `name.familyName eq "Hopper"`, "b"),
			Entry("ne", Label("RFC-FILTER"), `name.givenName ne "Ada"`, "b", "c", "d"),
			Entry("co", Label("RFC-FILTER"), `name.familyName co "ove"`, "a"),
			Entry("co on userName", Label("RFC-FILTER"), `userName co "-c@"`, "c"),
			Entry("sw", Label("RFC-FILTER"), `name.givenName sw "A"`, "a", "c"),
			Entry("ew", Label("RFC-FILTER"), `name.familyName ew "a"`, "d"),
			Entry("ew on userName", Label("RFC-FILTER"), `userName ew "-d@{domain}"`, "d"),
			Entry("gt on a string", Label("RFC-FILTER"), `userName gt "{b.userName}"`, "c", "d"),
			Entry("ge on a string", Label("RFC-FILTER"), `userName ge "{b.userName}"`, "b", "c", "d"),
			Entry("lt on a string", Label("RFC-FILTER"), `userName lt "{b.userName}"`, "a"),
			Entry("le on a string", Label("RFC-FILTER"), `userName le "{b.userName}"`, "a", "b"),
			Entry("gt on a sub-attribute", Label("RFC-FILTER"), `name.familyName gt "L"`, "a", "c"),
			Entry("le on a sub-attribute", Label("RFC-FILTER"), `name.familyName le "Hopper"`, "b", "d"),
			Entry("pr", Label("RFC-FILTER"), `displayName pr`, "a", "b", "d"),
			Entry("pr on externalId", Label("RFC-FILTER"), `externalId pr`, "a", "b"),
			Entry("eq on externalId, exact case", Label("RFC-FILTER"), `externalId eq "{b.externalId}"`, "b"),
			// Booleans.
			Entry("boolean eq true", Label("RFC-FILTER"), `active eq true`, "a", "c"),
			Entry("boolean eq false", Label("RFC-FILTER"), `active eq false`, "b", "d"),
			Entry("boolean ne true", Label("RFC-FILTER"), `active ne true`, "b", "d"),
			// Logical operators, precedence ("and" binds tighter than "or") and grouping.
			Entry("and", Label("RFC-FILTER"), `active eq false and name.givenName sw "E"`, "d"),
			Entry("or", Label("RFC-FILTER"), `name.familyName eq "Lovelace" or name.familyName eq "Dijkstra"`, "a", "d"),
			Entry("and binds tighter than or (or first)", Label("RFC-FILTER"),
				`name.familyName eq "Lovelace" or name.givenName eq "Grace" and active eq false`, "a", "b"),
			Entry("and binds tighter than or (and first)", Label("RFC-FILTER"),
				`active eq false and name.givenName eq "Grace" or name.familyName eq "Lovelace"`, "a", "b"),
			Entry("parentheses override precedence", Label("RFC-FILTER"),
				`(name.familyName eq "Lovelace" or name.givenName eq "Grace") and active eq false`, "b"),
			Entry("nested parentheses", Label("RFC-FILTER"),
				`((name.givenName eq "Ada") or (name.givenName eq "Alan"))`, "a", "c"),
			Entry("not", Label("RFC-FILTER"), `not (active eq true)`, "b", "d"),
			Entry("not without a space before the parenthesis", Label("RFC-FILTER"), `not(name.givenName sw "A")`, "b", "d"),
			Entry("not over or", Label("RFC-FILTER"), `not (name.familyName eq "Lovelace" or active eq false)`, "c"),
			Entry("not over pr (absent attribute)", Label("RFC-FILTER"), `active eq true and not (displayName pr)`, "c"),
			Entry("or of ids", Label("RFC-FILTER"), `id eq "{a.id}" or id eq "{d.id}"`, "a", "d"),
			// Fully qualified attribute names (RFC 7644 section 3.10).
			Entry("URN-qualified attribute", Label("RFC-FILTER"), `urn:ietf:params:scim:schemas:core:2.0:User:userName eq "{a.userName}"`, "a"),
			Entry("URN-qualified sub-attribute", Label("RFC-FILTER"), `urn:ietf:params:scim:schemas:core:2.0:User:name.familyName eq "Hopper"`, "b"),
			// String literals are JSON strings (RFC 7644 section 3.4.2.2, compValue).
			Entry("escaped quote, backslash and \\u escape in a literal", Label("RFC-FILTER"), `displayName eq "Edsger \"EWD\" \\ Dijkstra \u00e9"`, "d"),
			Entry("escaped quotes in co", Label("RFC-FILTER"), `displayName co "\"EWD\""`, "d"),
			// Dates compare chronologically, whatever the offset they are written with.
			Entry("dateTime gt a date long past", Label("RFC-FILTER"), `meta.lastModified gt "2000-01-01T00:00:00Z"`, "a", "b", "c", "d"),
			Entry("dateTime lt a date long past", Label("RFC-FILTER"), `meta.lastModified lt "2000-01-01T00:00:00Z"`),
			Entry("dateTime ge the first fixture's creation", Label("RFC-FILTER"), `meta.created ge "{a.created}"`, "a", "b", "c", "d"),
			Entry("dateTime gt the last fixture's creation", Label("RFC-FILTER"), `meta.created gt "{d.created}"`),
			Entry("dateTime ge the same instant at another offset", Label("RFC-FILTER"), `meta.created ge "{a.created+05}"`, "a", "b", "c", "d"),
			Entry("dateTime lt the same instant at another offset", Label("RFC-FILTER"), `meta.created lt "{a.created+05}"`),
			Entry("lastModified ge the first fixture's", Label("RFC-FILTER"), `meta.lastModified ge "{a.lastModified}"`, "a", "b", "c", "d"),
			// Attribute names and operators are case-insensitive (RFC 7644 section 3.4.2.2).
			Entry("attribute name and operator in upper case", Label("RFC-FILTER-CASE"), `USERNAME EQ "{a.userName}"`, "a"),
			Entry("mixed-case operator", Label("RFC-FILTER-CASE"), `UserName Sw "{tag}-a"`, "a"),
			Entry("sub-attribute name in upper case", Label("RFC-FILTER-CASE"), `NAME.FAMILYNAME eq "Hopper"`, "b"),
			Entry("id in upper case", Label("RFC-FILTER-CASE"), `ID eq "{c.id}"`, "c"),
			Entry("AND in upper case", Label("RFC-FILTER-CASE"), `active EQ true AND name.givenName SW "A"`, "a", "c"),
			Entry("OR in upper case", Label("RFC-FILTER-CASE"), `name.familyName eq "Lovelace" OR name.familyName eq "Turing"`, "a", "c"),
			Entry("NOT in upper case", Label("RFC-FILTER-CASE"), `NOT (active eq true)`, "b", "d"),
			Entry("PR in upper case", Label("RFC-FILTER-CASE"), `displayName PR`, "a", "b", "d"),
			Entry("GT on meta in mixed case", Label("RFC-FILTER-CASE"), `Meta.LastModified GT "2000-01-01T00:00:00Z"`, "a", "b", "c", "d"),
		)

		DescribeTable("on multi-valued and extension attributes of /Users",
			func(ctx SpecContext, needs, filter string, want ...string) {
				if needs == "emails" && !f.full {
					Skip("the target does not advertise User emails.value and emails.type in /Schemas, so the fixture has no emails")
				}
				if needs == "enterprise" && !f.ent {
					Skip("the target does not advertise the enterprise extension's department in /Schemas")
				}
				f.check(ctx, "/Users", filter, want...)
			},
			Entry("value path: both conditions on the same value", Label("RFC-FILTER"), "emails",
				`emails[type eq "work" and value co "@work."]`, "a"),
			Entry("value path with one condition", Label("RFC-FILTER"), "emails", `emails[type eq "home"]`, "a", "b", "d"),
			Entry("value path combined with and", Label("RFC-FILTER"), "emails", `emails[type eq "home"] and active eq false`, "b", "d"),
			Entry("sub-attribute of a multi-valued attribute matches any value", Label("RFC-FILTER"), "emails", `emails.type eq "work"`, "a", "b"),
			Entry("multi-valued attribute without sub-attribute compares value", Label("RFC-FILTER"), "emails", `emails co "@home."`, "a", "d"),
			Entry("ew on a multi-valued sub-attribute", Label("RFC-FILTER"), "emails", `emails.value ew "@other.example.org"`, "b"),
			Entry("not pr on a multi-valued attribute", Label("RFC-FILTER"), "emails", `not (emails pr)`, "c"),
			Entry("value path in upper case", Label("RFC-FILTER-CASE"), "emails", `EMAILS[TYPE EQ "work" AND VALUE CO "@WORK."]`, "a"),
			Entry("extension attribute by URN", Label("RFC-FILTER"), "enterprise", enterpriseURN+`:department eq "Navy"`, "b"),
			Entry("extension attribute present", Label("RFC-FILTER"), "enterprise", enterpriseURN+`:department pr`, "a", "b"),
		)

		DescribeTable("on /Groups selects exactly the matching groups",
			func(ctx SpecContext, filter string, want ...string) { f.check(ctx, "/Groups", filter, want...) },
			Entry("eq on displayName", Label("RFC-FILTER"), `displayName eq "{g1.displayName}"`, "g1"),
			Entry("value path on members", Label("RFC-FILTER"), `members[value eq "{a.id}"]`, "g1"),
			Entry("sub-attribute of members", Label("RFC-FILTER"), `members.value eq "{c.id}"`, "g2"),
			Entry("members pr", Label("RFC-FILTER"), `members pr`, "g1", "g2"),
			Entry("not members pr", Label("RFC-FILTER"), `not (members pr)`, "g3"),
			Entry("id and a member (what Entra ID sends)", Label("RFC-FILTER"), `id eq "{g1.id}" and members[value eq "{b.id}"]`, "g1"),
			Entry("id and a non-member", Label("RFC-FILTER"), `id eq "{g1.id}" and members[value eq "{c.id}"]`),
			Entry("displayName in upper case", Label("RFC-FILTER-CASE"), `DISPLAYNAME eq "{g1.displayName}"`, "g1"),
		)

		// String comparison honours caseExact as /Schemas declares it (RFC 7644
		// section 3.4.2.2: "the filter is evaluated ... respecting caseExact").
		DescribeTable("compares strings as caseExact says",
			func(ctx SpecContext, rt, attr, filter string, ifInsensitive, ifExact []string) {
				a, ok := T.Caps.Attr(rt, attr)
				switch {
				case attr == "externalId" && !f.extID:
					Skip("the target did not keep the fixture's externalId")
				case attr == "externalId" && !ok:
					// A common attribute, not in /Schemas: RFC 7643 section 3.1
					// makes it caseExact.
					a.CaseExact = true
				case !ok:
					Skip(fmt.Sprintf("the target does not advertise %s.%s in /Schemas", rt, attr))
				}
				if attr == "emails.value" && !f.full {
					Skip("the fixture has no emails")
				}
				endpoint := "/" + rt + "s"
				if a.CaseExact {
					f.check(ctx, endpoint, filter, ifExact...)
				} else {
					f.check(ctx, endpoint, filter, ifInsensitive...)
				}
			},
			Entry("userName eq in another case", Label("RFC-FILTER-CASE"), "User", "userName", `userName eq "{A.USERNAME}"`, []string{"a"}, []string{}),
			Entry("userName sw in another case", Label("RFC-FILTER-CASE"), "User", "userName", `userName sw "{TAG}-B"`, []string{"b"}, []string{}),
			Entry("name.familyName co in another case", Label("RFC-FILTER-CASE"), "User", "name.familyName", `name.familyName co "OPP"`, []string{"b"}, []string{}),
			Entry("name.familyName gt ignores case when case-insensitive", Label("RFC-FILTER-CASE"), "User", "name.familyName", `name.familyName gt "l"`, []string{"a", "c"}, []string{}),
			Entry("externalId eq in another case", Label("RFC-FILTER-CASE"), "User", "externalId", `externalId eq "{a.externalIdSwapped}"`, []string{"a"}, []string{}),
			Entry("emails.value eq in another case", Label("RFC-FILTER-CASE"), "User", "emails.value", `emails.value eq "{A.WORKEMAIL}"`, []string{"a"}, []string{}),
			Entry("group displayName eq in another case", Label("RFC-FILTER-CASE"), "Group", "displayName", `displayName eq "{G1.DISPLAYNAME}"`, []string{"g1"}, []string{}),
		)
	})

	// Entra ID's "test connection" asks for a random userName and expects an
	// empty list, never a 404 (RFC 7644 section 3.4.2: a query answers a
	// ListResponse; totalResults 0 is a valid answer).
	DescribeTable("a filter that matches nothing answers 200 with an empty list",
		func(ctx SpecContext, endpoint, filterFmt string, extra ...string) {
			if !T.Caps.Filter {
				Skip(T.Caps.Unsupported("filter.supported"))
			}
			filter := fmt.Sprintf(filterFmt, T.Name()+"-nobody", T.Domain())
			r := T.Client.Get(ctx, endpoint+scimtest.Query(append([]string{"filter", filter}, extra...)...))
			// A target may decline a comparison it does not support (Table 9),
			// e.g. eq on externalId; a 404 or an empty 200 are not that.
			scimtest.SkipDeclined(filter, r)
			Expect(r).To(scimtest.HaveStatus(http.StatusOK), "a filter that matches nothing is a successful query with no results, not an error")
			Expect(r.JSON).NotTo(BeNil(), "the answer is a ListResponse:\n%s", r)
			Expect(r.JSON["schemas"]).To(ContainElement(scimtest.ListURN), "the answer is a ListResponse:\n%s", r)
			Expect(r.Int("totalResults")).To(Equal(0), "totalResults is 0 when nothing matches:\n%s", r)
			Expect(r.Resources()).To(BeEmpty(), "no Resources when nothing matches:\n%s", r)
		},
		Entry("userName eq an unknown name (Entra ID's test connection)", Label("RFC-FILTER-EMPTY", scimtest.ReadOnlyLabel), "/Users", `userName eq "%s@%s"`),
		Entry("id eq an unknown id", Label("RFC-FILTER-EMPTY", scimtest.ReadOnlyLabel), "/Users", `id eq "%s-%s"`),
		Entry("externalId eq an unknown value", Label("RFC-FILTER-EMPTY", scimtest.ReadOnlyLabel), "/Users", `externalId eq "%s-%s"`),
		Entry("group displayName eq an unknown name, members excluded", Label("RFC-FILTER-EMPTY", scimtest.ReadOnlyLabel), "/Groups", `displayName eq "%s %s"`, "excludedAttributes", "members"),
		Entry("paged query that matches nothing", Label("RFC-FILTER-EMPTY", scimtest.ReadOnlyLabel), "/Users", `userName eq "%s@%s"`, "startIndex", "1", "count", "10"),
	)

	// RFC 7644 section 3.4.2.2: "Providers MUST decline to filter results
	// if the specified filter operation is not recognized and return an
	// HTTP 400 error with a "scimType" error of "invalidFilter"". That MUST
	// names the unrecognised operator only; a filter that breaks the
	// grammar, or names an attribute the resource type lacks, is an error
	// too, but its 400 (Table 8) and invalidFilter (Table 9) are described,
	// not demanded ("scimType ... OPTIONAL"): RFC-FILTER-INVALID takes any
	// SCIM error there, and RFC-ERROR-SCIMTYPE (MAY) checks 400
	// invalidFilter for all of them.
	DescribeTable("an invalid filter answers a SCIM error (400 invalidFilter for an unknown operator)",
		func(ctx SpecContext, endpoint, filter string) {
			r := T.Client.Get(ctx, endpoint+scimtest.Query("filter", filter))
			if !T.Caps.Filter {
				Expect(r).To(scimtest.BeRefusedCleanly(), "/ServiceProviderConfig declares filter.supported false")
				return
			}
			if filter == unknownOperator {
				Expect(r).To(scimtest.HaveSCIMError(http.StatusBadRequest, "invalidFilter"), "RFC 7644 section 3.4.2.2: an unrecognised filter operation MUST be 400 invalidFilter")
				return
			}
			Expect(r).To(scimtest.HaveSCIMError(0, ""), "RFC 7644 section 3.4.2.2: an invalid filter is refused with an error in the body")
		},
		invalidFilterEntries("RFC-FILTER-INVALID"),
	)

	It("names every invalid filter 400 invalidFilter", Label("RFC-ERROR-SCIMTYPE", scimtest.ReadOnlyLabel), func(ctx SpecContext) {
		if !T.Caps.Filter {
			Skip(T.Caps.Unsupported("filter.supported"))
		}
		for _, f := range invalidFilters {
			r := T.Client.Get(ctx, f.endpoint+scimtest.Query("filter", f.filter))
			Expect(r).To(scimtest.HaveSCIMError(http.StatusBadRequest, "invalidFilter"), "RFC 7644 section 3.12 Table 9: invalidFilter is for \"The specified filter syntax was invalid [...] or the specified attribute and filter comparison combination is not supported\" (%s: %s)", f.what, f.filter)
		}
	})
})

const unknownOperator = `userName zz "x"`

var invalidFilters = []struct{ what, endpoint, filter string }{
	{"comparison without a value", "/Users", `userName eq`},
	{"unknown operator", "/Users", unknownOperator},
	{"unbalanced opening parenthesis", "/Users", `(userName eq "x"`},
	{"unbalanced closing parenthesis", "/Users", `userName eq "x")`},
	{"unterminated string", "/Users", `userName eq "x`},
	{"unquoted string value", "/Users", `userName eq x`},
	{"dangling and", "/Users", `userName eq "x" and`},
	{"pr with a value", "/Users", `userName pr "x"`},
	{"unclosed value path", "/Groups", `members[value eq "x"`},
	{"gt on a boolean", "/Users", `active gt false`},
	{"unknown attribute", "/Users", `noSuchAttribute eq "x"`},
	{"unknown sub-attribute", "/Users", `name.noSuchPart eq "x"`},
	{"syntax error on /Groups", "/Groups", `displayName eq "x" or`},
}

func invalidFilterEntries(rule string) []TableEntry {
	var out []TableEntry
	for _, f := range invalidFilters {
		out = append(out, Entry(f.what, Label(rule, scimtest.ReadOnlyLabel), f.endpoint, f.filter))
	}
	return out
}
