package durable

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

func fullSet(t *testing.T) *schema.Set {
	t.Helper()
	set, err := schema.ByName("full")
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func user(name string) map[string]any {
	return map[string]any{"userName": name, "active": true, "name": map[string]any{"givenName": "G", "familyName": "F"}}
}

// writeSome makes one of each change through a store that commits to db.
func writeSome(t *testing.T, m *store.Memory, set *schema.Set) {
	t.Helper()
	ctx := context.Background()
	u, g := set.ResourceType("User"), set.ResourceType("Group")
	var ids []string
	for i := range 6 {
		doc := user(fmt.Sprintf("u%d@example.com", i))
		doc["externalId"] = fmt.Sprintf("ext-%d", i)
		r, err := m.Create(ctx, u, doc, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	grp, err := m.Create(ctx, g, map[string]any{"displayName": "G1"}, []store.Member{{Value: ids[0]}, {Value: ids[1]}, {Value: ids[2]}})
	if err != nil {
		t.Fatal(err)
	}
	outer, err := m.Create(ctx, g, map[string]any{"displayName": "Outer"}, []store.Member{{Value: grp.ID}, {Value: ids[3]}})
	if err != nil {
		t.Fatal(err)
	}
	// Remove one, add two, rename: one update.
	if _, err := m.Update(ctx, g, grp.ID, func(cur *store.Resource, ms store.Members) (map[string]any, error) {
		ms.Remove(ids[1])
		if err := ms.Add(store.Member{Value: ids[4]}); err != nil {
			return nil, err
		}
		if err := ms.Add(store.Member{Value: ids[5]}); err != nil {
			return nil, err
		}
		cur.Doc["displayName"] = "G1 renamed"
		return cur.Doc, nil
	}); err != nil {
		t.Fatal(err)
	}
	// Clear and keep one: the kept member keeps its place.
	if _, err := m.Update(ctx, g, outer.ID, func(cur *store.Resource, ms store.Members) (map[string]any, error) {
		ms.Clear()
		return nil, ms.Add(store.Member{Value: ids[3]})
	}); err != nil {
		t.Fatal(err)
	}
	// A user's document, with a decimal and an integer in it.
	if _, err := m.Update(ctx, u, ids[0], func(cur *store.Resource, _ store.Members) (map[string]any, error) {
		cur.Doc["displayName"] = "Zero"
		return cur.Doc, nil
	}); err != nil {
		t.Fatal(err)
	}
	// A member deleted: it leaves its group, which changes version.
	if err := m.Delete(ctx, u, ids[2]); err != nil {
		t.Fatal(err)
	}
}

func TestStoreRoundTrip(t *testing.T) {
	set := fullSet(t)
	db, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m := store.NewMemory(set, store.WithCommit(db.Committer("acct")))
	writeSome(t, m, set)
	wantRecs, wantRows := m.Records()

	recs, rows, err := db.Resources("acct")
	if err != nil {
		t.Fatal(err)
	}
	back := store.NewMemory(set)
	if err := back.Restore(recs, rows); err != nil {
		t.Fatal(err)
	}
	gotRecs, gotRows := back.Records()
	if !reflect.DeepEqual(gotRecs, wantRecs) {
		t.Errorf("records after restore differ:\n got %+v\nwant %+v", gotRecs, wantRecs)
	}
	if !reflect.DeepEqual(gotRows, wantRows) {
		t.Errorf("memberships after restore differ:\n got %v\nwant %v", gotRows, wantRows)
	}
	// The indexes are rebuilt: uniqueness holds against restored users.
	if _, err := back.Create(context.Background(), set.ResourceType("User"), user("u0@example.com"), nil); err == nil {
		t.Error("a restored store accepted a second u0@example.com")
	}
	// Another account's rows are apart.
	if recs, _, _ := db.Resources("other"); len(recs) != 0 {
		t.Errorf("account other has %d resources", len(recs))
	}
}

// A change the database refuses is not applied in memory either.
func TestRefusedCommitChangesNothing(t *testing.T) {
	set := fullSet(t)
	db, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m := store.NewMemory(set, store.WithCommit(db.Committer("acct")))
	ctx := context.Background()
	u := set.ResourceType("User")
	r, err := m.Create(ctx, u, user("a@example.com"), nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := m.Create(ctx, u, user("b@example.com"), nil); err == nil {
		t.Fatal("a create was accepted with the database closed")
	}
	if _, err := m.Update(ctx, u, r.ID, func(cur *store.Resource, _ store.Members) (map[string]any, error) {
		cur.Doc["displayName"] = "changed"
		return cur.Doc, nil
	}); err == nil {
		t.Fatal("an update was accepted with the database closed")
	}
	if err := m.Delete(ctx, u, r.ID); err == nil {
		t.Fatal("a delete was accepted with the database closed")
	}
	got, err := m.Get(ctx, u, r.ID)
	if err != nil || got.Doc["displayName"] != nil || got.Version != 1 || m.Count(ctx, u) != 1 {
		t.Errorf("refused writes changed the store: %+v %v, %d users", got, err, m.Count(ctx, u))
	}
}

func TestDecimalsStayDecimals(t *testing.T) {
	in := map[string]any{"i": int64(2), "f": 2.0, "g": 2.5, "big": 1e21, "l": []any{int64(1), 1.0, map[string]any{"x": 3.0}}, "s": "2", "b": true}
	enc, err := encodeDoc(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := decodeDoc(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out, in) {
		t.Errorf("round trip of %s:\n got %#v\nwant %#v", enc, out, in)
	}
}

func rawExec(t *testing.T, path string, stmts ...string) {
	t.Helper()
	sdb, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	for _, s := range stmts {
		if _, err := sdb.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// A database of schema version 1 (before the member index) is migrated,
// its contents intact.
func TestMigratesAnOlderSchema(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	sdb, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	sdb.SetMaxOpenConns(1)
	old := &DB{db: sdb, path: path}
	if err := old.migrateTo(1); err != nil {
		t.Fatal(err)
	}
	set := fullSet(t)
	m := store.NewMemory(set, store.WithCommit(old.Committer("acct")))
	writeSome(t, m, set)
	wantRecs, wantRows := m.Records()
	if v, _ := old.Version(); v != 1 {
		t.Fatalf("the old database has version %d, want 1", v)
	}
	old.Close()

	db, err := Open(dir)
	if err != nil {
		t.Fatalf("opening a version 1 database: %v", err)
	}
	defer db.Close()
	if v, _ := db.Version(); v != SchemaVersion {
		t.Errorf("after Open the version is %d, want %d", v, SchemaVersion)
	}
	var n int
	if err := db.db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'members_member'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("the migration to version 2 did not create members_member (%d, %v)", n, err)
	}
	recs, rows, err := db.Resources("acct")
	if err != nil {
		t.Fatal(err)
	}
	back := store.NewMemory(set)
	if err := back.Restore(recs, rows); err != nil {
		t.Fatal(err)
	}
	gotRecs, gotRows := back.Records()
	if !reflect.DeepEqual(gotRecs, wantRecs) || !reflect.DeepEqual(gotRows, wantRows) {
		t.Error("the contents changed in the migration")
	}
}

// A newer database, or one another program wrote, is refused with a
// message that says what to do, and not a byte of it changes.
func TestRefusesNewerOrForeignDatabases(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"newer", func(t *testing.T, dir string) {
			db, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			rawExec(t, filepath.Join(dir, FileName), `PRAGMA journal_mode = DELETE`, `PRAGMA user_version = 99`)
		}, "schema version 99"},
		{"foreign", func(t *testing.T, dir string) {
			rawExec(t, filepath.Join(dir, FileName), `CREATE TABLE notes (x TEXT)`, `INSERT INTO notes VALUES ('mine')`)
		}, "not a scimconf database"},
		{"not sqlite", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, FileName), []byte(strings.Repeat("not a database ", 100)), 0o600)
		}, "SQLite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			path := filepath.Join(dir, FileName)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			db, err := Open(dir)
			if err == nil {
				db.Close()
				t.Fatal("Open accepted it")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Error("the refused database was changed")
			}
		})
	}
}

// TestOneProcessPerDirectory: a second open of a directory in use is
// refused with a message that says why, and the first keeps working; once
// the first closes, the directory opens again.
func TestOneProcessPerDirectory(t *testing.T) {
	dir := t.TempDir()
	first, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if second, err := Open(dir); err == nil {
		second.Close()
		first.Close()
		t.Fatal("a second Open of a directory in use succeeded")
	} else if !strings.Contains(err.Error(), "in use by another process") {
		t.Errorf("second Open: %v; want it to say the directory is in use", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(dir)
	if err != nil {
		t.Fatalf("Open after the first closed: %v", err)
	}
	again.Close()
}
