package durable

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/filter"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// The two stores side by side (make bench): "memory" is the in-memory
// store alone (serve without --data), "sqlite" the same store with this
// package's commit function (serve --data), each write committed to a
// database in WAL mode with synchronous=FULL before it is applied. Reads
// take the in-memory indexes in both, so they cost the same; writes add
// one SQLite transaction and its sync.

type benchStore struct {
	m    *store.Memory
	set  *schema.Set
	user *schema.ResourceType
	grp  *schema.ResourceType
	ids  []string
}

// filled returns a store of the given kind holding n users (and a group of
// members users, when members > 0), filled without a transaction per
// user: the rows are written in one transaction, as a long run of creates
// would have left them, and the store restored from them.
func filled(b *testing.B, kind string, n, members int) *benchStore {
	b.Helper()
	set, _ := schema.ByName("dynatrace")
	seq := 0
	src := store.NewMemory(set, store.WithIDGenerator(func() string { seq++; return fmt.Sprintf("id-%08d", seq) }))
	bs := &benchStore{set: set, user: set.ResourceType("User"), grp: set.ResourceType("Group")}
	ctx := context.Background()
	for i := range n {
		r, err := src.Create(ctx, bs.user, map[string]any{"userName": fmt.Sprintf("user%d@example.com", i), "active": true,
			"name": map[string]any{"givenName": "G", "familyName": "F"}}, nil)
		if err != nil {
			b.Fatal(err)
		}
		bs.ids = append(bs.ids, r.ID)
	}
	if members > 0 {
		ms := make([]store.Member, members)
		for i := range ms {
			ms[i] = store.Member{Value: bs.ids[i]}
		}
		if _, err := src.Create(ctx, bs.grp, map[string]any{"displayName": "big"}, ms); err != nil {
			b.Fatal(err)
		}
	}
	if kind == "memory" {
		bs.m = src
	} else {
		db, err := Open(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		recs, rows := src.Records()
		if err := db.tx(func(tx *sql.Tx) error { return writeAll(tx, "bench", recs, rows) }); err != nil {
			b.Fatal(err)
		}
		bs.m = store.NewMemory(set, store.WithCommit(db.Committer("bench")), store.WithIDGenerator(func() string { seq++; return fmt.Sprintf("id-%08d", seq) }))
		back, brows, err := db.Resources("bench")
		if err != nil {
			b.Fatal(err)
		}
		if err := bs.m.Restore(back, brows); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	return bs
}

// writeAll writes a whole store's records in one transaction.
func writeAll(tx *sql.Tx, acct string, recs []store.Record, rows []store.MemberRow) error {
	for _, r := range recs {
		if err := apply(tx, acct, store.Change{Op: store.ChangeCreate, Record: r}); err != nil {
			return err
		}
	}
	byGroup := map[string][]string{}
	var order []string
	for _, m := range rows {
		if byGroup[m.Group] == nil {
			order = append(order, m.Group)
		}
		byGroup[m.Group] = append(byGroup[m.Group], m.Member)
	}
	for _, g := range order {
		if err := addMembers(tx, acct, g, byGroup[g]); err != nil {
			return err
		}
	}
	return nil
}

var kinds = []string{"memory", "sqlite"}

var sizes = []struct {
	name string
	n    int
}{{"1k", 1_000}, {"100k", 100_000}}

func BenchmarkStoreGet(b *testing.B) {
	for _, sz := range sizes {
		for _, kind := range kinds {
			b.Run(sz.name+"/"+kind, func(b *testing.B) {
				s := filled(b, kind, sz.n, 0)
				i := 0
				for b.Loop() {
					if _, err := s.m.Get(context.Background(), s.user, s.ids[i%len(s.ids)]); err != nil {
						b.Fatal(err)
					}
					i += 7919
				}
			})
		}
	}
}

func BenchmarkStoreFilterUserNameEq(b *testing.B) {
	for _, sz := range sizes {
		for _, kind := range kinds {
			b.Run(sz.name+"/"+kind, func(b *testing.B) {
				s := filled(b, kind, sz.n, 0)
				qs := make([]store.Query, 64)
				for i := range qs {
					f, err := filter.ParseAndCompile(fmt.Sprintf(`userName eq "USER%d@example.com"`, (i*7919)%sz.n), s.user)
					if err != nil {
						b.Fatal(err)
					}
					qs[i] = store.Query{Count: -1, Filter: f}
				}
				i := 0
				for b.Loop() {
					p, err := s.m.List(context.Background(), s.user, qs[i%len(qs)])
					if err != nil || len(p.Resources) != 1 {
						b.Fatalf("%v", err)
					}
					i++
				}
			})
		}
	}
}

func BenchmarkStoreCreate(b *testing.B) {
	for _, sz := range sizes {
		for _, kind := range kinds {
			b.Run(sz.name+"/"+kind, func(b *testing.B) {
				s := filled(b, kind, sz.n, 0)
				i := 0
				for b.Loop() {
					if _, err := s.m.Create(context.Background(), s.user, map[string]any{"userName": fmt.Sprintf("new%d@example.com", i), "active": true,
						"name": map[string]any{"givenName": "G", "familyName": "F"}}, nil); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
	}
}

// BenchmarkStoreMemberPatch adds one member to a group of 5 or 50,000
// members and removes it again: two writes per iteration.
func BenchmarkStoreMemberPatch(b *testing.B) {
	for _, members := range []int{5, 50_000} {
		for _, kind := range kinds {
			b.Run(fmt.Sprintf("%d/%s", members, kind), func(b *testing.B) {
				s := filled(b, kind, members+1, members)
				page, err := s.m.List(context.Background(), s.grp, store.Query{Count: 1})
				if err != nil || len(page.Resources) != 1 {
					b.Fatal(err)
				}
				gid, outsider := page.Resources[0].ID, s.ids[members]
				ctx := context.Background()
				for b.Loop() {
					if _, err := s.m.Update(ctx, s.grp, gid, func(_ *store.Resource, m store.Members) (map[string]any, error) {
						return nil, m.Add(store.Member{Value: outsider})
					}); err != nil {
						b.Fatal(err)
					}
					if _, err := s.m.Update(ctx, s.grp, gid, func(_ *store.Resource, m store.Members) (map[string]any, error) {
						m.Remove(outsider)
						return nil, nil
					}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkLoad is a restart's cost: reading an account of 1k or 100k
// users from the database and restoring the store.
func BenchmarkLoad(b *testing.B) {
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			s := filled(b, "memory", sz.n, 0)
			db, err := Open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			recs, rows := s.m.Records()
			if err := db.tx(func(tx *sql.Tx) error { return writeAll(tx, "bench", recs, rows) }); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				back, brows, err := db.Resources("bench")
				if err != nil {
					b.Fatal(err)
				}
				if err := store.NewMemory(s.set).Restore(back, brows); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
