package store_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// seqIDs makes ids cheaply, so that filling 100k users measures the store.
func seqIDs() store.Option {
	n := 0
	return store.WithIDGenerator(func() string { n++; return fmt.Sprintf("id-%08d", n) })
}

func filledUsers(b *testing.B, n int) (*fixture, []*store.Resource) {
	b.Helper()
	f := newFixture(b, schema.Dynatrace(), seqIDs())
	users := make([]*store.Resource, n)
	for i := range n {
		users[i] = f.mkUser(b, fmt.Sprintf("user%d@example.com", i))
	}
	// Let the collector finish with the fill before the clock starts, so
	// that its background marking is not billed to the operation.
	runtime.GC()
	return f, users
}

var sizes = []struct {
	name string
	n    int
}{{"1k", 1_000}, {"100k", 100_000}}

func BenchmarkGet(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			f, users := filledUsers(b, sz.n)
			i := 0
			for b.Loop() {
				if _, err := f.s.Get(ctx, f.user, users[i%len(users)].ID); err != nil {
					b.Fatal(err)
				}
				i += 7919
			}
		})
	}
}

func BenchmarkFilterUserNameEq(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			f, _ := filledUsers(b, sz.n)
			filters := make([]store.Query, 64)
			for i := range filters {
				filters[i] = store.Query{Count: -1, Filter: f.compile(b, f.user, fmt.Sprintf(`userName eq "USER%d@example.com"`, (i*7919)%sz.n))}
			}
			i := 0
			for b.Loop() {
				p, err := f.s.List(ctx, f.user, filters[i%len(filters)])
				if err != nil || len(p.Resources) != 1 {
					b.Fatalf("%v, %d resources", err, len(p.Resources))
				}
				i++
			}
		})
	}
}

// groupOf makes a group with n members and one user outside it.
func groupOf(b *testing.B, n int) (*fixture, *store.Resource, *store.Resource) {
	b.Helper()
	f, users := filledUsers(b, n+1)
	members := make([]store.Member, n)
	for i := range n {
		members[i] = store.Member{Value: users[i].ID}
	}
	g := f.mkGroup(b, "big", members...)
	return f, g, users[n]
}

func memberSizes() []int { return []int{5, 50_000} }

func BenchmarkMemberAdd(b *testing.B) {
	for _, n := range memberSizes() {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			f, g, outsider := groupOf(b, n)
			// Each iteration adds the outsider; removing it again is done
			// with the timer stopped, so the group keeps its size.
			for b.Loop() {
				if _, err := f.s.Update(ctx, f.group, g.ID, func(_ *store.Resource, m store.Members) (map[string]any, error) {
					return nil, m.Add(store.Member{Value: outsider.ID})
				}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				_, _ = f.s.Update(ctx, f.group, g.ID, func(_ *store.Resource, m store.Members) (map[string]any, error) {
					m.Remove(outsider.ID)
					return nil, nil
				})
				b.StartTimer()
			}
		})
	}
}

func BenchmarkMemberRemove(b *testing.B) {
	for _, n := range memberSizes() {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			f, g, outsider := groupOf(b, n)
			for b.Loop() {
				b.StopTimer()
				_, _ = f.s.Update(ctx, f.group, g.ID, func(_ *store.Resource, m store.Members) (map[string]any, error) {
					return nil, m.Add(store.Member{Value: outsider.ID})
				})
				b.StartTimer()
				if _, err := f.s.Update(ctx, f.group, g.ID, func(_ *store.Resource, m store.Members) (map[string]any, error) {
					if !m.Remove(outsider.ID) {
						b.Fatal("not a member")
					}
					return nil, nil
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCursorPage measures one default-order cursor page of 100 deep
// into the listing: O(page), not O(users).
func BenchmarkCursorPage(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			f, _ := filledUsers(b, sz.n)
			empty := ""
			p, err := f.s.List(ctx, f.user, store.Query{Cursor: &empty, Count: sz.n / 2})
			if err != nil {
				b.Fatal(err)
			}
			q := store.Query{Cursor: &p.NextCursor, Count: 100}
			for b.Loop() {
				if p, err := f.s.List(ctx, f.user, q); err != nil || len(p.Resources) != 100 {
					b.Fatal(err)
				}
			}
		})
	}
}
