package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimconf/scimconf/server/internal/engine/filter"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

var ctx = context.Background()

// clock is a fake clock that advances one second per reading.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

type fixture struct {
	s     *store.Memory
	set   *schema.Set
	user  *schema.ResourceType
	group *schema.ResourceType
}

func newFixture(t testing.TB, set *schema.Set, opts ...store.Option) *fixture {
	t.Helper()
	c := newClock()
	opts = append([]store.Option{store.WithClock(c.Now)}, opts...)
	return &fixture{
		s:     store.NewMemory(set, opts...),
		set:   set,
		user:  set.ResourceType("User"),
		group: set.ResourceType("Group"),
	}
}

func userDoc(userName string) map[string]any {
	return map[string]any{
		"userName": userName,
		"name":     map[string]any{"givenName": "Ada", "familyName": "Lovelace"},
		"active":   true,
	}
}

func (f *fixture) mkUser(t testing.TB, userName string) *store.Resource {
	t.Helper()
	r, err := f.s.Create(ctx, f.user, userDoc(userName), nil)
	if err != nil {
		t.Fatalf("Create user %q: %v", userName, err)
	}
	return r
}

func (f *fixture) mkGroup(t testing.TB, name string, members ...store.Member) *store.Resource {
	t.Helper()
	r, err := f.s.Create(ctx, f.group, map[string]any{"displayName": name}, members)
	if err != nil {
		t.Fatalf("Create group %q: %v", name, err)
	}
	return r
}

// wantSCIM checks that err is a *scimerror.Error with the given status and
// scimType and that its detail mentions every one of mention.
func wantSCIM(t testing.TB, err error, status int, scimType string, mention ...string) *scimerror.Error {
	t.Helper()
	var e *scimerror.Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v (%T), want a *scimerror.Error %d %s", err, err, status, scimType)
	}
	if e.Status != status || e.ScimType != scimType {
		t.Fatalf("got %d %q (%s), want %d %q", e.Status, e.ScimType, e.Detail, status, scimType)
	}
	for _, m := range mention {
		if !strings.Contains(e.Detail, m) {
			t.Errorf("detail %q does not mention %q", e.Detail, m)
		}
	}
	return e
}

func TestCRUD(t *testing.T) {
	f := newFixture(t, schema.Dynatrace())
	in := userDoc("ada@example.com")
	created, err := f.s.Create(ctx, f.user, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == "" || created.Type != "User" || created.Version != 1 || !created.Created.Equal(created.LastModified) {
		t.Fatalf("created = %+v", created)
	}
	if len(created.ID) != 36 || created.ID[14] != '4' {
		t.Errorf("id %q is not a version 4 UUID", created.ID)
	}

	got, err := f.s.Get(ctx, f.user, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Doc["userName"] != "ada@example.com" || got.Version != 1 {
		t.Errorf("Get = %+v", got)
	}

	// A change bumps the version and lastModified.
	upd, err := f.s.Update(ctx, f.user, created.ID, func(cur *store.Resource, _ store.Members) (map[string]any, error) {
		d := cur.Doc
		d["displayName"] = "Ada L."
		return d, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if upd.Version != 2 || !upd.LastModified.After(created.LastModified) || !upd.Created.Equal(created.Created) {
		t.Errorf("after change: version %d, lastModified %v (created %v)", upd.Version, upd.LastModified, created.LastModified)
	}

	// The same document again changes nothing.
	same, err := f.s.Update(ctx, f.user, created.ID, func(cur *store.Resource, _ store.Members) (map[string]any, error) {
		return cur.Doc, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if same.Version != 2 || !same.LastModified.Equal(upd.LastModified) {
		t.Errorf("no-op update: version %d, lastModified %v, want 2, %v", same.Version, same.LastModified, upd.LastModified)
	}
	if n := f.s.Count(ctx, f.user); n != 1 {
		t.Errorf("Count = %d, want 1", n)
	}

	if err := f.s.Delete(ctx, f.user, created.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.s.Get(ctx, f.user, created.ID)
	wantSCIM(t, err, 404, "", created.ID)
	wantSCIM(t, f.s.Delete(ctx, f.user, created.ID), 404, "", created.ID)
	_, err = f.s.Update(ctx, f.user, created.ID, func(cur *store.Resource, _ store.Members) (map[string]any, error) { return cur.Doc, nil })
	wantSCIM(t, err, 404, "")
	// A user id is not a group id.
	g := f.mkGroup(t, "ops")
	_, err = f.s.Get(ctx, f.user, g.ID)
	wantSCIM(t, err, 404, "")
	if n := f.s.Count(ctx, f.user); n != 0 {
		t.Errorf("Count after delete = %d", n)
	}
}

func TestDeepCopies(t *testing.T) {
	f := newFixture(t, schema.Dynatrace())
	in := userDoc("ada@example.com")
	r, err := f.s.Create(ctx, f.user, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	in["name"].(map[string]any)["givenName"] = "changed-input"
	r.Doc["name"].(map[string]any)["givenName"] = "changed-output"
	_, _ = f.s.Update(ctx, f.user, r.ID, func(cur *store.Resource, _ store.Members) (map[string]any, error) {
		cur.Doc["name"].(map[string]any)["givenName"] = "changed-in-fn"
		return nil, errors.New("refused")
	})
	var kept map[string]any
	upd, err := f.s.Update(ctx, f.user, r.ID, func(cur *store.Resource, _ store.Members) (map[string]any, error) {
		kept = cur.Doc
		d := map[string]any{}
		for k, v := range cur.Doc {
			d[k] = v
		}
		d["displayName"] = "x"
		return d, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	kept["displayName"] = "changed-after-update"
	got, _ := f.s.Get(ctx, f.user, r.ID)
	if g := got.Doc["name"].(map[string]any)["givenName"]; g != "Ada" {
		t.Errorf("givenName = %v, want Ada (stored state reached by a caller)", g)
	}
	if got.Doc["displayName"] != "x" || upd.Version != 2 {
		t.Errorf("displayName = %v, version %d", got.Doc["displayName"], upd.Version)
	}
}

func TestServerAttributesAreNotStored(t *testing.T) {
	f := newFixture(t, schema.Dynatrace())
	d := userDoc("ada@example.com")
	d["id"], d["meta"], d["schemas"], d["groups"] = "mine", map[string]any{}, []any{schema.UserURN}, []any{}
	u, err := f.s.Create(ctx, f.user, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "meta", "schemas", "groups"} {
		if _, ok := u.Doc[k]; ok {
			t.Errorf("stored Doc holds %q", k)
		}
	}
	if u.ID == "mine" {
		t.Error("the client chose the id")
	}
	g, err := f.s.Create(ctx, f.group, map[string]any{"displayName": "g", "members": []any{map[string]any{"value": u.ID}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := g.Doc["members"]; ok {
		t.Error("stored group Doc holds members")
	}
	// A nil document is an empty one, not a panic.
	if _, err := f.s.Create(ctx, f.group, nil, nil); err != nil {
		t.Errorf("Create(nil doc): %v", err)
	}
}

func TestUniqueness(t *testing.T) {
	tests := []struct {
		name    string
		set     *schema.Set
		typ     string
		first   map[string]any
		second  map[string]any
		attr    string
		conflit bool
	}{
		{"userName same", schema.Dynatrace(), "User", userDoc("ada@example.com"), userDoc("ada@example.com"), "userName", true},
		{"userName other case", schema.Dynatrace(), "User", userDoc("ada@example.com"), userDoc("ADA@Example.COM"), "userName", true},
		{"userName different", schema.Dynatrace(), "User", userDoc("ada@example.com"), userDoc("bob@example.com"), "userName", false},
		{"userName non-ASCII case", schema.Full(), "User", userDoc("ÄDA@example.com"), userDoc("äda@example.com"), "userName", true},
		{"group displayName other case", schema.Dynatrace(), "Group", map[string]any{"displayName": "Ops"}, map[string]any{"displayName": "OPS"}, "displayName", true},
		{"group displayName different", schema.Full(), "Group", map[string]any{"displayName": "Ops"}, map[string]any{"displayName": "Dev"}, "displayName", false},
		{"user displayName not unique", schema.Dynatrace(), "User",
			map[string]any{"userName": "a@x.io", "displayName": "Same"}, map[string]any{"userName": "b@x.io", "displayName": "Same"}, "", false},
		{"externalId not unique", schema.Dynatrace(), "User",
			map[string]any{"userName": "a@x.io", "externalId": "e1"}, map[string]any{"userName": "b@x.io", "externalId": "e1"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.set)
			rt := tt.set.ResourceType(tt.typ)
			if _, err := f.s.Create(ctx, rt, tt.first, nil); err != nil {
				t.Fatal(err)
			}
			_, err := f.s.Create(ctx, rt, tt.second, nil)
			if !tt.conflit {
				if err != nil {
					t.Fatalf("second Create: %v", err)
				}
				return
			}
			wantSCIM(t, err, 409, scimerror.Uniqueness, tt.attr, fmt.Sprint(tt.second[tt.attr]))
			if n := f.s.Count(ctx, rt); n != 1 {
				t.Errorf("Count = %d after a refused create", n)
			}
		})
	}
}

func TestUniquenessOnUpdateAndDelete(t *testing.T) {
	f := newFixture(t, schema.Dynatrace())
	a := f.mkUser(t, "ada@example.com")
	b := f.mkUser(t, "bob@example.com")
	rename := func(id, to string) (*store.Resource, error) {
		return f.s.Update(ctx, f.user, id, func(cur *store.Resource, _ store.Members) (map[string]any, error) {
			cur.Doc["userName"] = to
			return cur.Doc, nil
		})
	}
	_, err := rename(b.ID, "Ada@Example.com")
	wantSCIM(t, err, 409, scimerror.Uniqueness, "userName", "Ada@Example.com")
	if got, _ := f.s.Get(ctx, f.user, b.ID); got.Doc["userName"] != "bob@example.com" || got.Version != 1 {
		t.Errorf("refused rename changed the user: %+v", got)
	}
	// A resource never conflicts with itself.
	if _, err := rename(a.ID, "ADA@example.com"); err != nil {
		t.Errorf("changing the case of one's own userName: %v", err)
	}
	// The old value is free after a rename, and after a delete.
	if _, err := rename(b.ID, "carl@example.com"); err != nil {
		t.Fatal(err)
	}
	f.mkUser(t, "bob@example.com")
	if err := f.s.Delete(ctx, f.user, a.ID); err != nil {
		t.Fatal(err)
	}
	f.mkUser(t, "ada@example.com")
}

func TestParallelCreatesOfOneUserName(t *testing.T) {
	f := newFixture(t, schema.Dynatrace())
	const n = 64
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := "same@x.io"
			if i%2 == 1 {
				name = "SAME@X.io"
			}
			_, errs[i] = f.s.Create(ctx, f.user, userDoc(name), nil)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		wantSCIM(t, err, 409, scimerror.Uniqueness)
	}
	if ok != 1 || f.s.Count(ctx, f.user) != 1 {
		t.Errorf("%d creates succeeded, %d users stored; want exactly 1", ok, f.s.Count(ctx, f.user))
	}
}

func TestMembership(t *testing.T) {
	f := newFixture(t, schema.Dynatrace())
	u1 := f.mkUser(t, "u1@x.io")
	u2 := f.mkUser(t, "u2@x.io")
	inner := f.mkGroup(t, "inner", store.Member{Value: u2.ID})
	outer := f.mkGroup(t, "outer", store.Member{Value: u1.ID}, store.Member{Value: inner.ID, Type: "User"}, store.Member{Value: u1.ID})

	members, err := f.s.Members(ctx, outer.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Display is the member's displayName, or a User's userName when it
	// has none (RFC 7643 section 4.2's members.display).
	want := []store.Member{{Value: u1.ID, Type: "User", Display: "u1@x.io"}, {Value: inner.ID, Type: "Group", Display: "inner"}}
	if fmt.Sprint(members) != fmt.Sprint(want) {
		t.Errorf("Members = %v, want %v (types from the store, duplicates once, display names)", members, want)
	}
	gs, _ := f.s.GroupsOf(ctx, u2.ID)
	if fmt.Sprint(gs) != fmt.Sprint([]string{inner.ID}) {
		t.Errorf("GroupsOf(u2) = %v", gs)
	}
	gs, _ = f.s.GroupsOf(ctx, inner.ID)
	if fmt.Sprint(gs) != fmt.Sprint([]string{outer.ID}) {
		t.Errorf("GroupsOf(inner) = %v", gs)
	}

	update := func(g *store.Resource, fn func(m store.Members) error) (*store.Resource, error) {
		return f.s.Update(ctx, f.group, g.ID, func(cur *store.Resource, m store.Members) (map[string]any, error) {
			if err := fn(m); err != nil {
				return nil, err
			}
			return cur.Doc, nil
		})
	}

	// Unknown member, the group itself: 400 invalidValue naming the id.
	_, err = update(outer, func(m store.Members) error { return m.Add(store.Member{Value: "nope"}) })
	wantSCIM(t, err, 400, scimerror.InvalidValue, "nope")
	_, err = update(outer, func(m store.Members) error { return m.Add(store.Member{Value: outer.ID}) })
	wantSCIM(t, err, 400, scimerror.InvalidValue, outer.ID)
	_, err = f.s.Create(ctx, f.group, map[string]any{"displayName": "bad"}, []store.Member{{Value: "ghost"}})
	wantSCIM(t, err, 400, scimerror.InvalidValue, "ghost")

	// The overlay: changes made by a failing fn are discarded.
	_, err = update(outer, func(m store.Members) error {
		m.Remove(u1.ID)
		if err := m.Add(store.Member{Value: u2.ID}); err != nil {
			return err
		}
		if !m.Has(u2.ID) || m.Has(u1.ID) || m.Len() != 2 {
			t.Errorf("overlay: Has(u2)=%v Has(u1)=%v Len=%d", m.Has(u2.ID), m.Has(u1.ID), m.Len())
		}
		return errors.New("precondition failed")
	})
	if err == nil {
		t.Fatal("fn's error was not returned")
	}
	members, _ = f.s.Members(ctx, outer.ID)
	if fmt.Sprint(members) != fmt.Sprint(want) {
		t.Errorf("after a failed update Members = %v, want %v", members, want)
	}
	if g, _ := f.s.Get(ctx, f.group, outer.ID); g.Version != 1 {
		t.Errorf("failed update bumped the version to %d", g.Version)
	}

	// Clear and re-add the same members (a PUT with the same list): no change.
	same, err := update(outer, func(m store.Members) error {
		m.Clear()
		if m.Len() != 0 || m.Has(u1.ID) {
			t.Error("Clear left members")
		}
		if err := m.Add(store.Member{Value: inner.ID}); err != nil {
			return err
		}
		return m.Add(store.Member{Value: u1.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	if same.Version != 1 {
		t.Errorf("re-adding the same members bumped the version to %d", same.Version)
	}

	// A real change: remove u1, add u2.
	changed, err := update(outer, func(m store.Members) error {
		if !m.Remove(u1.ID) || m.Remove(u1.ID) {
			t.Error("Remove reported wrongly")
		}
		if err := m.Add(store.Member{Value: u2.ID}); err != nil {
			return err
		}
		if got := m.List(); fmt.Sprint(got) != fmt.Sprint([]store.Member{{Value: inner.ID, Type: "Group"}, {Value: u2.ID, Type: "User"}}) {
			t.Errorf("overlay List = %v", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if changed.Version != 2 {
		t.Errorf("membership change: version %d, want 2", changed.Version)
	}
	if gs, _ := f.s.GroupsOf(ctx, u1.ID); len(gs) != 0 {
		t.Errorf("GroupsOf(u1) = %v after removal", gs)
	}
	gs, _ = f.s.GroupsOf(ctx, u2.ID)
	if fmt.Sprint(gs) != fmt.Sprint([]string{inner.ID, outer.ID}) {
		t.Errorf("GroupsOf(u2) = %v, want [inner outer]", gs)
	}

	// Deleting a member removes it from every group and changes them.
	if err := f.s.Delete(ctx, f.user, u2.ID); err != nil {
		t.Fatal(err)
	}
	for _, g := range []*store.Resource{inner, outer} {
		cur, _ := f.s.Get(ctx, f.group, g.ID)
		ms, _ := f.s.Members(ctx, g.ID)
		for _, m := range ms {
			if m.Value == u2.ID {
				t.Errorf("deleted user still in %s", g.Doc["displayName"])
			}
		}
		if cur.Version <= g.Version || !cur.LastModified.After(g.LastModified) {
			t.Errorf("group %s: version %d lastModified %v not bumped by the member's deletion", g.Doc["displayName"], cur.Version, cur.LastModified)
		}
	}
	// Deleting a group ends its memberships, both ways.
	if err := f.s.Delete(ctx, f.group, inner.ID); err != nil {
		t.Fatal(err)
	}
	members, _ = f.s.Members(ctx, outer.ID)
	if len(members) != 0 {
		t.Errorf("outer still lists %v", members)
	}
	if _, err := f.s.Members(ctx, inner.ID); err == nil {
		t.Error("Members of a deleted group")
	}
	if _, err := f.s.GroupsOf(ctx, "ghost"); err == nil {
		t.Error("GroupsOf an unknown id")
	}

	// Users have no members.
	_, err = f.s.Update(ctx, f.user, u1.ID, func(cur *store.Resource, m store.Members) (map[string]any, error) {
		return nil, m.Add(store.Member{Value: outer.ID})
	})
	wantSCIM(t, err, 400, scimerror.InvalidValue)
	_, err = f.s.Create(ctx, f.user, userDoc("z@x.io"), []store.Member{{Value: u1.ID}})
	wantSCIM(t, err, 400, scimerror.InvalidValue)
}

func TestOverlayReAddAfterRemoveKeepsPlace(t *testing.T) {
	f := newFixture(t, schema.Dynatrace())
	a, b, c := f.mkUser(t, "a@x.io"), f.mkUser(t, "b@x.io"), f.mkUser(t, "c@x.io")
	g := f.mkGroup(t, "g", store.Member{Value: a.ID}, store.Member{Value: b.ID})
	r, err := f.s.Update(ctx, f.group, g.ID, func(cur *store.Resource, m store.Members) (map[string]any, error) {
		m.Remove(a.ID)
		if err := m.Add(store.Member{Value: c.ID}); err != nil {
			return nil, err
		}
		m.Remove(c.ID)
		return nil, m.Add(store.Member{Value: a.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := f.s.Members(ctx, g.ID)
	if fmt.Sprint(ms) != fmt.Sprint([]store.Member{{Value: a.ID, Type: "User", Display: "a@x.io"}, {Value: b.ID, Type: "User", Display: "b@x.io"}}) || r.Version != 1 {
		t.Errorf("Members = %v, version %d; want [a b], 1", ms, r.Version)
	}
}

func TestLimits(t *testing.T) {
	f := newFixture(t, schema.Dynatrace(), store.WithLimits(store.Limits{MaxUsers: 2, MaxGroups: 1}))
	u1 := f.mkUser(t, "u1@x.io")
	f.mkUser(t, "u2@x.io")
	_, err := f.s.Create(ctx, f.user, userDoc("u3@x.io"), nil)
	if e := wantSCIM(t, err, 400, "", "maximum of 2 users"); e.Rule != "DT-USER-LIMIT" {
		t.Errorf("Rule = %q", e.Rule)
	}
	g1 := f.mkGroup(t, "g1", store.Member{Value: u1.ID})
	_, err = f.s.Create(ctx, f.group, map[string]any{"displayName": "g2"}, nil)
	if e := wantSCIM(t, err, 400, "", "maximum of 1 groups"); e.Rule != "DT-GROUP-LIMIT" {
		t.Errorf("Rule = %q", e.Rule)
	}
	if err := f.s.Delete(ctx, f.user, u1.ID); err != nil {
		t.Fatal(err)
	}
	u3 := f.mkUser(t, "u3@x.io") // room again

	f.s.SetLimits(store.Limits{MaxGroups: 3, MaxGroupsPerUser: 1})
	if got := f.s.Limits(); got.MaxGroupsPerUser != 1 {
		t.Errorf("Limits() = %+v", got)
	}
	_, err = f.s.Update(ctx, f.group, g1.ID, func(cur *store.Resource, m store.Members) (map[string]any, error) {
		return nil, m.Add(store.Member{Value: u3.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.s.Create(ctx, f.group, map[string]any{"displayName": "g2"}, []store.Member{{Value: u3.ID}})
	if e := wantSCIM(t, err, 400, "", u3.ID, "maximum of groups per user"); e.Rule != "DT-GROUP-PER-USER" {
		t.Errorf("Rule = %q", e.Rule)
	}
	// Moving the user between groups within the limit works, and
	// re-adding a member of the group does not count twice.
	_, err = f.s.Update(ctx, f.group, g1.ID, func(cur *store.Resource, m store.Members) (map[string]any, error) {
		m.Clear()
		return nil, m.Add(store.Member{Value: u3.ID})
	})
	if err != nil {
		t.Errorf("re-adding an existing member at the limit: %v", err)
	}
}

func TestResetAndBadInput(t *testing.T) {
	f := newFixture(t, schema.Dynatrace())
	f.mkUser(t, "a@x.io")
	f.s.Reset()
	if n := f.s.Count(ctx, f.user); n != 0 {
		t.Errorf("Count after Reset = %d", n)
	}
	f.mkUser(t, "a@x.io")

	//nolint:staticcheck // a nil context must not panic either
	var nilCtx context.Context
	if _, err := f.s.Get(nilCtx, f.user, "x"); err == nil {
		t.Error("Get unknown id with nil ctx")
	}
	if _, err := f.s.Get(ctx, nil, "x"); err == nil {
		t.Error("Get with nil resource type")
	}
	other := &schema.ResourceType{Name: "Device", Core: &schema.Schema{}}
	if _, err := f.s.Create(ctx, other, nil, nil); err == nil {
		t.Error("Create of an unknown resource type")
	}
	if _, err := f.s.List(ctx, other, store.Query{}); err == nil {
		t.Error("List of an unknown resource type")
	}
	if f.s.Count(ctx, other) != 0 || f.s.Count(ctx, nil) != 0 {
		t.Error("Count of an unknown resource type")
	}
	if _, err := f.s.Update(ctx, f.user, "x", nil); err == nil {
		t.Error("Update with a nil fn")
	}
	if _, err := f.s.List(ctx, f.user, store.Query{SortBy: &schema.AttrRef{}}); err == nil {
		t.Error("List with an empty SortBy")
	}
	if _, err := f.s.List(ctx, f.user, store.Query{SortBy: &schema.AttrRef{Attr: f.user.Core.Attr("userName"), Extension: true}}); err == nil {
		t.Error("List with an extension SortBy without its schema")
	}
	// A zero Filter selects everything rather than panicking.
	if p, err := f.s.List(ctx, f.user, store.Query{Filter: &filter.Filter{}, Count: -1}); err != nil || p.TotalResults != 1 {
		t.Errorf("zero Filter: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.s.Create(cancelled, f.user, userDoc("b@x.io"), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Create with a cancelled context: %v", err)
	}
	// A repeating id generator makes Create fail, not overwrite.
	g := newFixture(t, schema.Dynatrace(), store.WithIDGenerator(func() string { return "same" }))
	g.mkUser(t, "a@x.io")
	if _, err := g.s.Create(ctx, g.user, userDoc("b@x.io"), nil); err == nil {
		t.Error("a repeated id was accepted")
	}
}

func TestConcurrentUse(t *testing.T) {
	f := newFixture(t, schema.Dynatrace())
	g := f.mkGroup(t, "all")
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				u, err := f.s.Create(ctx, f.user, userDoc(fmt.Sprintf("w%d-%d@x.io", w, i)), nil)
				if err != nil {
					t.Error(err)
					return
				}
				_, err = f.s.Update(ctx, f.group, g.ID, func(cur *store.Resource, m store.Members) (map[string]any, error) {
					return nil, m.Add(store.Member{Value: u.ID})
				})
				if err != nil {
					t.Error(err)
				}
				if i%3 == 0 {
					_ = f.s.Delete(ctx, f.user, u.ID)
				}
			}
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if _, err := f.s.List(ctx, f.user, store.Query{Count: 10, StartIndex: 1}); err != nil {
					t.Error(err)
				}
				_, _ = f.s.Members(ctx, g.ID)
				_ = f.s.Count(ctx, f.user)
			}
		}()
	}
	wg.Wait()
	ms, _ := f.s.Members(ctx, g.ID)
	if users := f.s.Count(ctx, f.user); len(ms) != users {
		t.Errorf("%d members, %d users; every surviving user should be a member", len(ms), users)
	}
}
