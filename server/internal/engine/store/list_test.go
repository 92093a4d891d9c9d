package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/filter"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

func (f *fixture) compile(t testing.TB, rt *schema.ResourceType, s string) *filter.Filter {
	t.Helper()
	flt, err := filter.ParseAndCompile(s, rt)
	if err != nil {
		t.Fatalf("filter %q: %v", s, err)
	}
	return flt
}

func (f *fixture) sortBy(t testing.TB, rt *schema.ResourceType, path string) *schema.AttrRef {
	t.Helper()
	ref, err := rt.ResolvePath(path)
	if err != nil {
		t.Fatalf("sortBy %q: %v", path, err)
	}
	return &ref
}

// names lists a page's resources by an attribute of their documents.
func names(p *store.Page, attr string) []string {
	out := []string{}
	for _, r := range p.Resources {
		out = append(out, fmt.Sprint(r.Doc[attr]))
	}
	return out
}

func TestListFilterDynatrace(t *testing.T) {
	f := newFixture(t, schema.Dynatrace())
	ada := f.mkUser(t, "ada@x.io")
	bob, err := f.s.Create(ctx, f.user, map[string]any{"userName": "Bob@x.io", "active": false, "externalId": "ext-1", "displayName": "Bob"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	carl, err := f.s.Create(ctx, f.user, map[string]any{"userName": "carl@y.io", "active": true, "externalId": "ext-1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ops := f.mkGroup(t, "Ops", store.Member{Value: bob.ID})
	f.mkGroup(t, "Dev", store.Member{Value: ops.ID})

	users := []struct {
		filter string
		want   []string
	}{
		{`userName eq "ada@x.io"`, []string{"ada@x.io"}},
		{`USERNAME eq "ADA@X.IO"`, []string{"ada@x.io"}},
		{`userName eq "nobody@x.io"`, []string{}},
		{`userName eq "ada@x.io" and active eq false`, []string{}},
		{`active eq true and userName eq "carl@y.io"`, []string{"carl@y.io"}},
		{`userName eq "ada@x.io" or userName eq "carl@y.io"`, []string{"ada@x.io", "carl@y.io"}},
		{`not (userName eq "ada@x.io")`, []string{"Bob@x.io", "carl@y.io"}},
		{`active eq false`, []string{"Bob@x.io"}},
		{`userName ew "@x.io"`, []string{"ada@x.io", "Bob@x.io"}},
		{`externalId eq "ext-1"`, []string{"Bob@x.io", "carl@y.io"}},
		{`externalId eq "EXT-1"`, []string{}}, // externalId is caseExact
		{`externalId eq "ext-1" and displayName pr`, []string{"Bob@x.io"}},
		{`id eq "` + ada.ID + `"`, []string{"ada@x.io"}},
		{`id eq "` + ops.ID + `"`, []string{}}, // a group's id is not a user's
		{`meta.resourceType eq "User" and userName sw "c"`, []string{"carl@y.io"}},
		{`meta.version eq "W/\"1\""`, []string{"ada@x.io", "Bob@x.io", "carl@y.io"}},
		{`meta.created gt "2000-01-01T00:00:00Z"`, []string{"ada@x.io", "Bob@x.io", "carl@y.io"}},
		{`groups.value eq "` + ops.ID + `"`, []string{"Bob@x.io"}},
		{`groups[type eq "direct"]`, []string{"Bob@x.io"}},
		{`groups pr`, []string{"Bob@x.io"}},
		{`not (groups pr)`, []string{"ada@x.io", "carl@y.io"}},
	}
	for _, tt := range users {
		t.Run("User "+tt.filter, func(t *testing.T) {
			p, err := f.s.List(ctx, f.user, store.Query{Filter: f.compile(t, f.user, tt.filter), Count: -1})
			if err != nil {
				t.Fatal(err)
			}
			if got := names(p, "userName"); !slices.Equal(got, tt.want) || p.TotalResults != len(tt.want) {
				t.Errorf("got %v (total %d), want %v", got, p.TotalResults, tt.want)
			}
		})
	}
	groups := []struct {
		filter string
		want   []string
	}{
		{`displayName eq "ops"`, []string{"Ops"}},
		{`members.value eq "` + bob.ID + `"`, []string{"Ops"}},
		{`members[type eq "Group"]`, []string{"Dev"}},
		{`members[value eq "` + ops.ID + `" and type eq "Group"]`, []string{"Dev"}},
		{`displayName eq "Dev" and members pr`, []string{"Dev"}},
		{`members.value eq "` + carl.ID + `"`, []string{}},
	}
	for _, tt := range groups {
		t.Run("Group "+tt.filter, func(t *testing.T) {
			p, err := f.s.List(ctx, f.group, store.Query{Filter: f.compile(t, f.group, tt.filter), Count: -1})
			if err != nil {
				t.Fatal(err)
			}
			if got := names(p, "displayName"); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	// An index hit on a deleted-then-recreated name finds the new one only.
	if err := f.s.Delete(ctx, f.user, ada.ID); err != nil {
		t.Fatal(err)
	}
	again := f.mkUser(t, "ADA@x.io")
	p, _ := f.s.List(ctx, f.user, store.Query{Filter: f.compile(t, f.user, `userName eq "ada@x.io"`), Count: -1})
	if len(p.Resources) != 1 || p.Resources[0].ID != again.ID {
		t.Errorf("after delete and re-create: %v", names(p, "userName"))
	}
}

func fullUser(userName string, extra map[string]any) map[string]any {
	d := map[string]any{"userName": userName}
	for k, v := range extra {
		d[k] = v
	}
	return d
}

func TestListFilterFull(t *testing.T) {
	f := newFixture(t, schema.Full())
	docs := []map[string]any{
		fullUser("a", map[string]any{"emails": []any{map[string]any{"value": "a@work.io", "type": "work"}},
			schema.EnterpriseUserURN: map[string]any{"department": "R&D", "manager": map[string]any{"value": "m1"}}}),
		fullUser("b", map[string]any{"emails": []any{map[string]any{"value": "b@home.io", "type": "home"}}}),
		fullUser("c", map[string]any{schema.EnterpriseUserURN: map[string]any{"department": "Sales"}}),
	}
	for _, d := range docs {
		if _, err := f.s.Create(ctx, f.user, d, nil); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		filter string
		want   []string
	}{
		{`emails[type eq "work"]`, []string{"a"}},
		{`emails.value ew "io"`, []string{"a", "b"}},
		{schema.EnterpriseUserURN + `:department eq "r&d"`, []string{"a"}},
		{schema.EnterpriseUserURN + `:manager.value eq "m1"`, []string{"a"}},
		{`userName eq "c" and ` + schema.EnterpriseUserURN + `:department pr`, []string{"c"}},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			p, err := f.s.List(ctx, f.user, store.Query{Filter: f.compile(t, f.user, tt.filter), Count: -1})
			if err != nil {
				t.Fatal(err)
			}
			if got := names(p, "userName"); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSort(t *testing.T) {
	f := newFixture(t, schema.Full())
	email := func(v string, primary bool) map[string]any {
		m := map[string]any{"value": v}
		if primary {
			m["primary"] = true
		}
		return m
	}
	docs := []map[string]any{
		fullUser("delta", map[string]any{"title": "b", "emails": []any{email("z@x", false), email("a@x", true)}}),
		fullUser("Alpha", map[string]any{"emails": []any{email("m@x", false), email("b@x", false)}}),
		fullUser("charlie", map[string]any{"title": "B", schema.EnterpriseUserURN: map[string]any{"department": "x"}}),
		fullUser("bravo", map[string]any{"title": "a", "name": map[string]any{"givenName": "Zed"}}),
		fullUser("echo", map[string]any{"title": "c", "name": map[string]any{"givenName": "amy"}}),
	}
	for _, d := range docs {
		if _, err := f.s.Create(ctx, f.user, d, nil); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		sortBy string
		desc   bool
		want   []string
	}{
		{"", false, []string{"delta", "Alpha", "charlie", "bravo", "echo"}},
		{"userName", false, []string{"Alpha", "bravo", "charlie", "delta", "echo"}},
		{"userName", true, []string{"echo", "delta", "charlie", "bravo", "Alpha"}},
		// Case-insensitive ties ("b", "B") keep creation order, in both
		// directions; unassigned last ascending, first descending.
		{"title", false, []string{"bravo", "delta", "charlie", "echo", "Alpha"}},
		{"title", true, []string{"Alpha", "echo", "delta", "charlie", "bravo"}},
		// Multi-valued: the primary value, else the first.
		{"emails.value", false, []string{"delta", "Alpha", "charlie", "bravo", "echo"}},
		{"emails", true, []string{"charlie", "bravo", "echo", "Alpha", "delta"}},
		{"name.givenName", false, []string{"echo", "bravo", "delta", "Alpha", "charlie"}},
		{schema.EnterpriseUserURN + ":department", false, []string{"charlie", "delta", "Alpha", "bravo", "echo"}},
		{"meta.created", true, []string{"echo", "bravo", "charlie", "Alpha", "delta"}},
		{"id", false, nil}, // only checks it sorts without error
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s desc=%v", tt.sortBy, tt.desc), func(t *testing.T) {
			q := store.Query{Count: -1, Descending: tt.desc}
			if tt.sortBy != "" {
				q.SortBy = f.sortBy(t, f.user, tt.sortBy)
			}
			p, err := f.s.List(ctx, f.user, q)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(p, "userName"); tt.want != nil && !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSortByLastModifiedAndMembers(t *testing.T) {
	f := newFixture(t, schema.Dynatrace())
	a, b := f.mkUser(t, "a@x.io"), f.mkUser(t, "b@x.io")
	g1 := f.mkGroup(t, "g1", store.Member{Value: b.ID})
	f.mkGroup(t, "g2", store.Member{Value: a.ID})
	f.mkGroup(t, "g3")
	// Touch a so that it is the most recently modified.
	if _, err := f.s.Update(ctx, f.user, a.ID, func(cur *store.Resource, _ store.Members) (map[string]any, error) {
		cur.Doc["displayName"] = "A"
		return cur.Doc, nil
	}); err != nil {
		t.Fatal(err)
	}
	p, _ := f.s.List(ctx, f.user, store.Query{Count: -1, SortBy: f.sortBy(t, f.user, "meta.lastModified"), Descending: true})
	if got := names(p, "userName"); !slices.Equal(got, []string{"a@x.io", "b@x.io"}) {
		t.Errorf("by lastModified desc: %v", got)
	}
	// a is in g2, b in g1: groups.value (caseExact) orders them by those ids.
	g2 := f.mkGroup(t, "g4") // a later group, to show only direct groups count
	_ = g2
	p, _ = f.s.List(ctx, f.user, store.Query{Count: -1, SortBy: f.sortBy(t, f.user, "groups.value")})
	want := []string{"b@x.io", "a@x.io"}
	if gp, _ := f.s.List(ctx, f.group, store.Query{Count: -1, Filter: f.compile(t, f.group, `displayName eq "g2"`)}); gp.Resources[0].ID < g1.ID {
		want = []string{"a@x.io", "b@x.io"}
	}
	if got := names(p, "userName"); !slices.Equal(got, want) {
		t.Errorf("by groups.value: %v, want %v", got, want)
	}
	gp, _ := f.s.List(ctx, f.group, store.Query{Count: -1, SortBy: f.sortBy(t, f.group, "members.value"), Descending: true})
	if got := names(gp, "displayName"); got[0] != "g3" {
		t.Errorf("by members.value desc, the group without members comes first: %v", got)
	}
}

func TestIndexPaging(t *testing.T) {
	f := newFixture(t, schema.Dynatrace())
	for i := 1; i <= 5; i++ {
		f.mkUser(t, fmt.Sprintf("u%d@x.io", i))
	}
	tests := []struct {
		name       string
		start      int
		count      int
		want       []string
		wantStart  int
		withFilter bool
	}{
		{"all", 1, -1, []string{"u1", "u2", "u3", "u4", "u5"}, 1, false},
		{"count 0", 1, 0, []string{}, 1, false},
		{"count 2", 1, 2, []string{"u1", "u2"}, 1, false},
		{"start 0 is 1", 0, 2, []string{"u1", "u2"}, 1, false},
		{"start negative is 1", -7, 1, []string{"u1"}, 1, false},
		{"middle", 3, 2, []string{"u3", "u4"}, 3, false},
		{"last partial", 4, 10, []string{"u4", "u5"}, 4, false},
		{"exactly the end", 5, 10, []string{"u5"}, 5, false},
		{"beyond the end", 6, 10, []string{}, 6, false},
		{"far beyond", 1000, -1, []string{}, 1000, false},
		{"filtered middle", 2, 2, []string{"u2", "u3"}, 2, true},
		{"filtered count 0", 1, 0, []string{}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := store.Query{StartIndex: tt.start, Count: tt.count}
			if tt.withFilter {
				q.Filter = f.compile(t, f.user, `userName ew "@x.io"`)
			}
			p, err := f.s.List(ctx, f.user, q)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, n := range names(p, "userName") {
				got = append(got, strings.TrimSuffix(n, "@x.io"))
			}
			if !slices.Equal(got, tt.want) || p.TotalResults != 5 || p.StartIndex != tt.wantStart {
				t.Errorf("got %v total %d start %d, want %v total 5 start %d", got, p.TotalResults, p.StartIndex, tt.want, tt.wantStart)
			}
			if p.NextCursor != "" || p.PrevCursor != "" {
				t.Error("index paging returned cursors")
			}
		})
	}
	// With deleted resources in the creation order.
	p, _ := f.s.List(ctx, f.user, store.Query{Filter: f.compile(t, f.user, `userName eq "u2@x.io"`), Count: -1})
	if err := f.s.Delete(ctx, f.user, p.Resources[0].ID); err != nil {
		t.Fatal(err)
	}
	p, _ = f.s.List(ctx, f.user, store.Query{StartIndex: 2, Count: 2})
	if got := names(p, "userName"); !slices.Equal(got, []string{"u3@x.io", "u4@x.io"}) || p.TotalResults != 4 {
		t.Errorf("after a delete: %v total %d", got, p.TotalResults)
	}
}

// TestIndexPagingWalk walks every page of several queries and checks that
// together they hold every result once, in order, with stable totals.
func TestIndexPagingWalk(t *testing.T) {
	f := newFixture(t, schema.Full())
	for i := range 23 {
		d := fullUser(fmt.Sprintf("user%02d", i), nil)
		if i%3 != 0 {
			d["title"] = fmt.Sprintf("t%d", i%4)
		}
		if _, err := f.s.Create(ctx, f.user, d, nil); err != nil {
			t.Fatal(err)
		}
	}
	queries := map[string]store.Query{
		"default":     {},
		"sorted":      {SortBy: f.sortBy(t, f.user, "title")},
		"sorted desc": {SortBy: f.sortBy(t, f.user, "title"), Descending: true},
		"filtered":    {Filter: f.compile(t, f.user, `title pr`)},
	}
	for name, q := range queries {
		for _, count := range []int{1, 4, 5, 23, 50} {
			t.Run(fmt.Sprintf("%s/count=%d", name, count), func(t *testing.T) {
				all := q
				all.Count = -1
				whole, err := f.s.List(ctx, f.user, all)
				if err != nil {
					t.Fatal(err)
				}
				var walked []string
				for start := 1; ; start += count {
					q := q
					q.StartIndex, q.Count = start, count
					p, err := f.s.List(ctx, f.user, q)
					if err != nil {
						t.Fatal(err)
					}
					if p.TotalResults != whole.TotalResults {
						t.Fatalf("total %d on page %d, %d overall", p.TotalResults, start, whole.TotalResults)
					}
					if len(p.Resources) == 0 {
						break
					}
					walked = append(walked, names(p, "userName")...)
				}
				if want := names(whole, "userName"); !slices.Equal(walked, want) {
					t.Errorf("walked %v, want %v", walked, want)
				}
			})
		}
	}
}

// walkCursor follows nextCursor from the first page, calling between after
// every page, and returns the ids seen in order.
func walkCursor(t *testing.T, f *fixture, q store.Query, between func(page int)) ([]string, []*store.Page) {
	t.Helper()
	var ids []string
	var pages []*store.Page
	cur := ""
	for i := 0; i < 1000; i++ {
		c := cur
		q.Cursor = &c
		p, err := f.s.List(ctx, f.user, q)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		pages = append(pages, p)
		for _, r := range p.Resources {
			ids = append(ids, r.ID)
		}
		if p.NextCursor == "" {
			return ids, pages
		}
		if between != nil {
			between(i)
		}
		cur = p.NextCursor
	}
	t.Fatal("cursor walk did not end")
	return nil, nil
}

func TestCursorPaging(t *testing.T) {
	f := newFixture(t, schema.Full())
	var created []*store.Resource
	for i := range 20 {
		r, err := f.s.Create(ctx, f.user, fullUser(fmt.Sprintf("user%02d", i), map[string]any{"title": fmt.Sprintf("t%02d", 19-i)}), nil)
		if err != nil {
			t.Fatal(err)
		}
		created = append(created, r)
	}
	for _, tc := range []struct {
		name string
		q    store.Query
	}{
		{"default order", store.Query{Count: 3}},
		{"filtered", store.Query{Count: 3, Filter: f.compile(t, f.user, `userName sw "user"`)}},
		{"sorted", store.Query{Count: 3, SortBy: f.sortBy(t, f.user, "title")}},
		{"sorted desc", store.Query{Count: 3, SortBy: f.sortBy(t, f.user, "userName"), Descending: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			all := tc.q
			all.Count = -1
			whole, _ := f.s.List(ctx, f.user, all)
			var want []string
			for _, r := range whole.Resources {
				want = append(want, r.ID)
			}
			got, pages := walkCursor(t, f, tc.q, nil)
			if !slices.Equal(got, want) {
				t.Errorf("walk = %d ids, want %d in list order", len(got), len(want))
			}
			if len(pages) != 7 || pages[0].PrevCursor != "" || pages[1].PrevCursor == "" {
				t.Errorf("%d pages, first prev %q, second prev %q", len(pages), pages[0].PrevCursor, pages[1].PrevCursor)
			}
			for _, p := range pages {
				if p.TotalResults != 20 {
					t.Errorf("TotalResults = %d", p.TotalResults)
				}
			}
			// previousCursor of page 3 gives page 2 again.
			q := tc.q
			q.Cursor = &pages[2].PrevCursor
			back, err := f.s.List(ctx, f.user, q)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(ids(back)) != fmt.Sprint(ids(pages[1])) {
				t.Errorf("previousCursor gave %v, want %v", ids(back), ids(pages[1]))
			}
			if back.NextCursor == "" || back.PrevCursor == "" {
				t.Error("a middle page reached backwards lacks a cursor")
			}
			// Back from the last page, then forward again.
			last := pages[len(pages)-1]
			q.Cursor = &last.PrevCursor
			back, _ = f.s.List(ctx, f.user, q)
			if fmt.Sprint(ids(back)) != fmt.Sprint(ids(pages[len(pages)-2])) {
				t.Errorf("previousCursor of the last page gave %v", ids(back))
			}
		})
	}
	_ = created
}

func ids(p *store.Page) []string {
	out := []string{}
	for _, r := range p.Resources {
		out = append(out, r.ID)
	}
	return out
}

// TestCursorPagingWithChanges creates and deletes resources between pages:
// every resource that exists for the whole walk is seen exactly once, and
// no resource is seen twice.
func TestCursorPagingWithChanges(t *testing.T) {
	for _, sorted := range []bool{false, true} {
		t.Run(fmt.Sprintf("sorted=%v", sorted), func(t *testing.T) {
			f := newFixture(t, schema.Full())
			var live []string
			for i := range 30 {
				r, err := f.s.Create(ctx, f.user, fullUser(fmt.Sprintf("m%03d", i*10), nil), nil)
				if err != nil {
					t.Fatal(err)
				}
				live = append(live, r.ID)
			}
			q := store.Query{Count: 4}
			if sorted {
				q.SortBy = f.sortBy(t, f.user, "userName")
			}
			deleted := map[string]bool{}
			n := 0
			got, _ := walkCursor(t, f, q, func(page int) {
				// Delete one resource near the front and one near the
				// back, and create two: one sorting early, one late.
				for _, idx := range []int{page, len(live) - 1 - page} {
					id := live[idx]
					if deleted[id] {
						continue
					}
					if err := f.s.Delete(ctx, f.user, id); err != nil {
						t.Fatal(err)
					}
					deleted[id] = true
				}
				for _, name := range []string{fmt.Sprintf("a-new%02d", n), fmt.Sprintf("z-new%02d", n)} {
					if _, err := f.s.Create(ctx, f.user, fullUser(name, nil), nil); err != nil {
						t.Fatal(err)
					}
				}
				n++
			})
			seen := map[string]int{}
			for _, id := range got {
				seen[id]++
				if seen[id] > 1 {
					t.Errorf("%s seen twice", id)
				}
			}
			for _, id := range live {
				if !deleted[id] && seen[id] != 1 {
					t.Errorf("%s, present throughout, seen %d times", id, seen[id])
				}
			}
		})
	}
}

func TestCursorCount(t *testing.T) {
	f := newFixture(t, schema.Dynatrace())
	for i := range 3 {
		f.mkUser(t, fmt.Sprintf("u%d@x.io", i))
	}
	empty := ""
	p, err := f.s.List(ctx, f.user, store.Query{Cursor: &empty, Count: 0})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Resources) != 0 || p.TotalResults != 3 || p.NextCursor == "" || p.PrevCursor != "" {
		t.Errorf("count 0: %d resources, total %d, next %q, prev %q", len(p.Resources), p.TotalResults, p.NextCursor, p.PrevCursor)
	}
	// The count-0 cursor leads to the first page.
	p, _ = f.s.List(ctx, f.user, store.Query{Cursor: &p.NextCursor, Count: -1})
	if len(p.Resources) != 3 || p.NextCursor != "" || p.PrevCursor != "" {
		t.Errorf("all after count 0: %d resources, next %q prev %q", len(p.Resources), p.NextCursor, p.PrevCursor)
	}
	// An empty listing: no cursors at all.
	p, _ = f.s.List(ctx, f.group, store.Query{Cursor: &empty, Count: 10})
	if len(p.Resources) != 0 || p.NextCursor != "" || p.PrevCursor != "" || p.TotalResults != 0 {
		t.Errorf("empty listing: %+v", p)
	}
	// The last resource deleted after its page: the cursor still works and
	// ends the walk.
	first, _ := f.s.List(ctx, f.user, store.Query{Cursor: &empty, Count: 2})
	for _, r := range []string{"u2@x.io"} {
		q, _ := f.s.List(ctx, f.user, store.Query{Filter: f.compile(t, f.user, `userName eq "`+r+`"`), Count: -1})
		_ = f.s.Delete(ctx, f.user, q.Resources[0].ID)
	}
	p, err = f.s.List(ctx, f.user, store.Query{Cursor: &first.NextCursor, Count: 2})
	if err != nil || len(p.Resources) != 0 || p.NextCursor != "" || p.PrevCursor == "" {
		t.Errorf("after deleting the rest: %v, %d resources, next %q, prev %q", err, len(p.Resources), p.NextCursor, p.PrevCursor)
	}
}

func TestBadCursors(t *testing.T) {
	f := newFixture(t, schema.Dynatrace())
	for i := range 5 {
		f.mkUser(t, fmt.Sprintf("u%d@x.io", i))
	}
	empty := ""
	first, err := f.s.List(ctx, f.user, store.Query{Cursor: &empty, Count: 2})
	if err != nil {
		t.Fatal(err)
	}
	good := first.NextCursor
	for _, c := range good {
		if !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~", c) {
			t.Fatalf("cursor %q has %q, outside RFC 3986's unreserved set", good, c)
		}
	}
	flip := []byte(good)
	flip[len(flip)/2] ^= 1
	if flip[len(flip)/2] < '0' {
		flip[len(flip)/2] = 'A'
	}
	bad := []string{
		"garbage", "!!!", "AAAA", strings.Repeat("A", 100), string(flip), good[:len(good)-2],
		good + "A", "\x00\xff", strings.Repeat("x", 1<<17),
	}
	for _, c := range bad {
		t.Run(fmt.Sprintf("%.12q", c), func(t *testing.T) {
			_, err := f.s.List(ctx, f.user, store.Query{Cursor: &c, Count: 2})
			wantSCIM(t, err, 400, store.InvalidCursor)
		})
	}
	// A cursor from another query, or another resource type.
	_, err = f.s.List(ctx, f.user, store.Query{Cursor: &good, Count: 2, Filter: f.compile(t, f.user, `active eq true`)})
	wantSCIM(t, err, 400, store.InvalidCursor, "different query")
	_, err = f.s.List(ctx, f.user, store.Query{Cursor: &good, Count: 2, SortBy: f.sortBy(t, f.user, "userName")})
	wantSCIM(t, err, 400, store.InvalidCursor)
	_, err = f.s.List(ctx, f.group, store.Query{Cursor: &good, Count: 2})
	wantSCIM(t, err, 400, store.InvalidCursor)
	// Another store's cursor.
	other := newFixture(t, schema.Dynatrace())
	_, err = other.s.List(ctx, other.user, store.Query{Cursor: &good, Count: 2})
	wantSCIM(t, err, 400, store.InvalidCursor)
	// The count may change between pages.
	if _, err := f.s.List(ctx, f.user, store.Query{Cursor: &good, Count: 3}); err != nil {
		t.Errorf("a different count: %v", err)
	}
	// After Reset: expired.
	f.s.Reset()
	_, err = f.s.List(ctx, f.user, store.Query{Cursor: &good, Count: 2})
	wantSCIM(t, err, 400, store.ExpiredCursor)

	// With a cursor timeout (the fake clock advances a second per reading).
	g := newFixture(t, schema.Dynatrace(), store.WithCursorTimeout(30*1e9))
	for i := range 3 {
		g.mkUser(t, fmt.Sprintf("u%d@x.io", i))
	}
	p, _ := g.s.List(ctx, g.user, store.Query{Cursor: &empty, Count: 1})
	if _, err := g.s.List(ctx, g.user, store.Query{Cursor: &p.NextCursor, Count: 1}); err != nil {
		t.Errorf("fresh cursor: %v", err)
	}
	for i := range 40 {
		g.mkUser(t, fmt.Sprintf("later%d@x.io", i))
	}
	_, err = g.s.List(ctx, g.user, store.Query{Cursor: &p.NextCursor, Count: 1})
	wantSCIM(t, err, 400, store.ExpiredCursor, "30 seconds")
}

// TestQueryPlan checks which filters are answered from an index, the
// property that keeps "GET by id" and "userName eq" flat in the number of
// users (see BenchmarkFilterUserNameEq).
func TestQueryPlan(t *testing.T) {
	f := newFixture(t, schema.Dynatrace())
	var first *store.Resource
	for i := range 50 {
		d := userDoc(fmt.Sprintf("u%d@x.io", i))
		d["externalId"] = fmt.Sprintf("e%d", i%5)
		r, err := f.s.Create(ctx, f.user, d, nil)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = r
		}
	}
	g := f.mkGroup(t, "Ops")
	tests := []struct {
		rt         *schema.ResourceType
		filter     string
		candidates int
		indexed    bool
	}{
		{f.user, `userName eq "U7@X.IO"`, 1, true},
		{f.user, `urn:ietf:params:scim:schemas:core:2.0:User:userName eq "u7@x.io"`, 1, true},
		{f.user, `userName eq "nobody"`, 0, true},
		{f.user, `id eq "` + first.ID + `"`, 1, true},
		{f.user, `externalId eq "e3"`, 10, true},
		{f.user, `active eq true and userName eq "u7@x.io"`, 1, true},
		{f.user, `(externalId eq "e1" and active eq true) and userName eq "u1@x.io"`, 1, true},
		{f.user, `externalId eq "e1" and userName eq "u1@x.io"`, 1, true}, // the smaller index wins
		{f.group, `displayName eq "ops" and members pr`, 1, true},
		{f.group, `id eq "` + g.ID + `"`, 1, true},
		// Everything else scans.
		{f.user, `userName eq "u7@x.io" or active eq true`, 0, false},
		{f.user, `not (userName eq "u7@x.io")`, 0, false},
		{f.user, `userName sw "u7"`, 0, false},
		{f.user, `userName ne "u7@x.io"`, 0, false},
		{f.user, `displayName eq "u7"`, 0, false},
		{f.user, `name.givenName eq "Ada"`, 0, false},
		{f.user, `groups[value eq "x"]`, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			n, ok := store.PlanOf(f.s, tt.rt, f.compile(t, tt.rt, tt.filter))
			if n != tt.candidates || ok != tt.indexed {
				t.Errorf("plan = %d candidates, indexed %v; want %d, %v", n, ok, tt.candidates, tt.indexed)
			}
		})
	}
}
