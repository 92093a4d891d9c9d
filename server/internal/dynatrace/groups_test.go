package dynatrace_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/scimconf/scimconf/server/internal/dynatrace"
	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// scimAccount is an account with its SCIM store wrapped by Groups.
func scimAccount(t *testing.T, maxGroups int) (*account.Account, store.Store, *schema.ResourceType) {
	t.Helper()
	reg := account.NewRegistry(nil)
	a, err := reg.CreateAccount("acme")
	if err != nil {
		t.Fatal(err)
	}
	if maxGroups > 0 {
		l := account.DefaultLimits()
		l.MaxGroups = maxGroups
		if err := a.SetLimits(l); err != nil {
			t.Fatal(err)
		}
	}
	set := schema.Dynatrace()
	return a, dynatrace.Groups(a, store.NewMemory(set)), set.ResourceType("Group")
}

func createSCIM(st store.Store, rt *schema.ResourceType, name string) (*store.Resource, error) {
	return st.Create(context.Background(), rt, map[string]any{"displayName": name}, nil)
}

func rename(st store.Store, rt *schema.ResourceType, id, name string) error {
	_, err := st.Update(context.Background(), rt, id, func(cur *store.Resource, _ store.Members) (map[string]any, error) {
		cur.Doc["displayName"] = name
		return cur.Doc, nil
	})
	return err
}

func wantSCIMError(t *testing.T, err error, status int, rule string) {
	t.Helper()
	var se *scimerror.Error
	if !errors.As(err, &se) || se.Status != status || se.Rule != rule {
		t.Errorf("error = %v, want a SCIM %d with rule %q", err, status, rule)
	}
}

func TestGroupNamesAcrossTypes(t *testing.T) {
	a, st, rt := scimAccount(t, 0)
	if _, err := a.CreateLocalGroup("Sales", ""); err != nil {
		t.Fatal(err)
	}
	_, err := createSCIM(st, rt, "SALES")
	wantSCIMError(t, err, http.StatusConflict, "DT-GROUP-UNIQUE")

	g, err := createSCIM(st, rt, "Okta")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateLocalGroup("okta", ""); !errors.Is(err, account.ErrGroupNameTaken) {
		t.Errorf("LOCAL group named like a SCIM group: error = %v", err)
	}
	wantSCIMError(t, rename(st, rt, g.ID, "sales"), http.StatusConflict, "DT-GROUP-UNIQUE")
	if err := rename(st, rt, g.ID, "OKTA"); err != nil {
		t.Errorf("case-only rename: %v", err)
	}
	if err := rename(st, rt, g.ID, "Okta2"); err != nil {
		t.Errorf("rename: %v", err)
	}
	if _, err := a.CreateLocalGroup("okta", ""); err != nil {
		t.Errorf("the SCIM group's old name is still taken: %v", err)
	}
	if _, err := a.CreateLocalGroup("OKTA2", ""); !errors.Is(err, account.ErrGroupNameTaken) {
		t.Errorf("the SCIM group's new name is free: %v", err)
	}
	// A second SCIM group of one name is the store's 409 (RFC uniqueness).
	_, err = createSCIM(st, rt, "okta2")
	wantSCIMError(t, err, http.StatusConflict, "")
	if err := st.Delete(context.Background(), rt, g.ID); err != nil {
		t.Fatal(err)
	}
	if a.IsSCIMGroup(g.ID) {
		t.Error("a deleted SCIM group is still known to the account")
	}
	if _, err := a.CreateLocalGroup("okta2", ""); err != nil {
		t.Errorf("a deleted SCIM group's name is still taken: %v", err)
	}
}

func TestGroupLimitAcrossTypes(t *testing.T) {
	a, st, rt := scimAccount(t, 2)
	if _, err := a.CreateLocalGroup("l1", ""); err != nil {
		t.Fatal(err)
	}
	g, err := createSCIM(st, rt, "s1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = createSCIM(st, rt, "s2")
	wantSCIMError(t, err, http.StatusBadRequest, "DT-GROUP-LIMIT")
	if _, err := a.CreateLocalGroup("l2", ""); !errors.Is(err, account.ErrGroupLimit) {
		t.Errorf("LOCAL group over the limit: error = %v", err)
	}
	if err := st.Delete(context.Background(), rt, g.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := createSCIM(st, rt, "s2"); err != nil {
		t.Errorf("a deleted SCIM group's place is still taken: %v", err)
	}
}

// TestGroupsRace: LOCAL and SCIM creates racing for names and for places
// give each name to one group and never pass maxGroups.
func TestGroupsRace(t *testing.T) {
	const names, max = 40, 25
	a, st, rt := scimAccount(t, max)
	var wins [names]atomic.Int64
	var wg sync.WaitGroup
	for i := range names {
		for j := range 4 {
			wg.Go(func() {
				name := fmt.Sprint("group-", i)
				if j%2 == 1 {
					name = strings.ToUpper(name)
				}
				var err error
				if j < 2 {
					_, err = a.CreateLocalGroup(name, "")
				} else {
					_, err = createSCIM(st, rt, name)
				}
				if err == nil {
					wins[i].Add(1)
				}
			})
		}
	}
	wg.Wait()
	total := 0
	for i := range names {
		n := wins[i].Load()
		if n > 1 {
			t.Errorf("group-%d was created %d times", i, n)
		}
		total += int(n)
	}
	held := a.LocalGroupCount() + st.Count(context.Background(), rt)
	if total != max || held != max {
		t.Errorf("%d creates succeeded and %d groups exist, want %d (maxGroups)", total, held, max)
	}
}

func TestUsers(t *testing.T) {
	verified := dynatrace.DomainsFunc(func(_ context.Context, d string) bool { return d == "example.com" })
	rule := dynatrace.Users(verified)
	tests := []struct {
		name          string
		current, next map[string]any
		rule          string // "" for no error
		wantUserName  string
	}{
		{"create", nil, map[string]any{"userName": "jo@example.com"}, "", "jo@example.com"},
		{"not an email", nil, map[string]any{"userName": "jo"}, "DT-USER-EMAIL", "jo"},
		{"unverified domain", nil, map[string]any{"userName": "jo@other.com"}, "DT-USER-DOMAIN", "jo@other.com"},
		{"change ignored", map[string]any{"userName": "jo@example.com"}, map[string]any{"userName": "x"}, "", "jo@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rule(context.Background(), tt.current, tt.next)
			var se *scimerror.Error
			if tt.rule == "" && err != nil || tt.rule != "" && (!errors.As(err, &se) || se.Rule != tt.rule) {
				t.Errorf("error = %v, want rule %q", err, tt.rule)
			}
			if got := tt.next["userName"]; got != tt.wantUserName {
				t.Errorf("userName = %v, want %s", got, tt.wantUserName)
			}
		})
	}
}
