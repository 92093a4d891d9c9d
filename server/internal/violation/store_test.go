package violation_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
	"github.com/scimconf/scimconf/server/internal/engine/store"
	"github.com/scimconf/scimconf/server/internal/violation"
)

func newStore(t *testing.T, switches ...string) (store.Store, *schema.Set) {
	t.Helper()
	set, err := violation.New(switches...)
	if err != nil {
		t.Fatal(err)
	}
	sch := schema.Dynatrace()
	st := store.NewMemory(sch, append(violation.StoreOptions(set), store.WithLimits(store.Limits{MaxUsers: 1, MaxGroupsPerUser: 1}))...)
	return violation.Store(set, st), sch
}

func user(name string) map[string]any { return map[string]any{"userName": name} }

func is409(err error) bool {
	var se *scimerror.Error
	return errors.As(err, &se) && se.Status == http.StatusConflict
}

func TestStoreSwitchesOff(t *testing.T) {
	st, sch := newStore(t)
	ctx, users := context.Background(), sch.ResourceType("User")
	u, err := st.Create(ctx, users, user("a@example.com"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Create(ctx, users, user("b@example.com"), nil); err == nil {
		t.Error("maxUsers 1 let a second User in")
	}
	if err := st.Delete(ctx, users, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Create(ctx, users, user("A@example.com"), nil); err != nil {
		t.Errorf("a deleted User's userName is still taken: %v", err)
	}
}

func TestDeletedUsernameReserved(t *testing.T) {
	st, sch := newStore(t, "deleted-username-reserved", "ignore-user-limit")
	ctx, users := context.Background(), sch.ResourceType("User")
	u, _ := st.Create(ctx, users, user("a@example.com"), nil)
	other, _ := st.Create(ctx, users, user("b@example.com"), nil)
	if err := st.Delete(ctx, users, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Create(ctx, users, user("A@EXAMPLE.COM"), nil); !is409(err) {
		t.Errorf("create with a deleted User's userName: %v, want 409", err)
	}
	_, err := st.Update(ctx, users, other.ID, func(cur *store.Resource, _ store.Members) (map[string]any, error) {
		return user("a@example.com"), nil
	})
	if !is409(err) {
		t.Errorf("rename onto a deleted User's userName: %v, want 409", err)
	}
}

func TestIgnoreLimits(t *testing.T) {
	st, sch := newStore(t, "ignore-user-limit", "ignore-groups-per-user")
	ctx, users, groups := context.Background(), sch.ResourceType("User"), sch.ResourceType("Group")
	u, _ := st.Create(ctx, users, user("a@example.com"), nil)
	if _, err := st.Create(ctx, users, user("b@example.com"), nil); err != nil {
		t.Errorf("ignore-user-limit: %v", err)
	}
	for i := range 2 {
		if _, err := st.Create(ctx, groups, map[string]any{"displayName": fmt.Sprint("g", i)}, []store.Member{{Value: u.ID}}); err != nil {
			t.Errorf("ignore-groups-per-user: group %d: %v", i, err)
		}
	}
}

func TestDuplicateGroupNames(t *testing.T) {
	st, sch := newStore(t, "duplicate-group-names")
	ctx, groups := context.Background(), sch.ResourceType("Group")
	for range 2 {
		if _, err := st.Create(ctx, groups, map[string]any{"displayName": "Ops"}, nil); err != nil {
			t.Errorf("duplicate-group-names: %v", err)
		}
	}
}

// TestRacyUniqueness: parallel creates of one userName all succeed; a
// create that overlaps with none still meets the uniqueness check.
func TestRacyUniqueness(t *testing.T) {
	st, sch := newStore(t, "racy-uniqueness", "ignore-user-limit")
	ctx, users := context.Background(), sch.ResourceType("User")
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Go(func() { _, errs[i] = st.Create(ctx, users, user("race@example.com"), nil) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("racer %d: %v", i, err)
		}
	}
	if _, err := st.Create(ctx, users, user("race@example.com"), nil); !is409(err) {
		t.Errorf("a create that races nobody: %v, want 409", err)
	}
}
