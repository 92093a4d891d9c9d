package account_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
)

func TestDefaultLimits(t *testing.T) {
	want := account.Limits{MaxUsers: 10000, MaxGroups: 5000, MaxGroupsPerUser: 8000, MaxPermissionsPerGroup: 1000}
	if got := account.DefaultLimits(); got != want {
		t.Errorf("DefaultLimits() = %+v, want %+v", got, want)
	}
	if got := newEnv(t).account(t).Limits(); got != want {
		t.Errorf("a new account's Limits() = %+v, want %+v", got, want)
	}
}

func TestSetLimits(t *testing.T) {
	ok := account.Limits{MaxUsers: 1, MaxGroups: 2, MaxGroupsPerUser: 3, MaxPermissionsPerGroup: 4}
	tests := []struct {
		name     string
		limits   account.Limits
		wantErr  error
		wantText string
	}{
		{name: "all ones", limits: account.Limits{MaxUsers: 1, MaxGroups: 1, MaxGroupsPerUser: 1, MaxPermissionsPerGroup: 1}},
		{name: "set", limits: ok},
		{name: "zero", limits: account.Limits{}, wantErr: account.ErrInvalidLimits, wantText: "maxUsers is 0, maxGroups is 0, maxGroupsPerUser is 0, maxPermissionsPerGroup is 0"},
		{name: "negative users", limits: account.Limits{MaxUsers: -1, MaxGroups: 1, MaxGroupsPerUser: 1, MaxPermissionsPerGroup: 1}, wantErr: account.ErrInvalidLimits, wantText: "maxUsers is -1"},
		{name: "zero perms", limits: account.Limits{MaxUsers: 1, MaxGroups: 1, MaxGroupsPerUser: 1}, wantErr: account.ErrInvalidLimits, wantText: "maxPermissionsPerGroup is 0"},
	}
	e := newEnv(t)
	a := e.account(t)
	var pushed []account.Limits
	a.SetHooks(account.Hooks{OnLimitsChange: func(l account.Limits) { pushed = append(pushed, l) }})
	if len(pushed) != 1 || pushed[0] != account.DefaultLimits() {
		t.Fatalf("SetHooks pushed %v, want the current limits once", pushed)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, n := a.Limits(), len(pushed)
			err := a.SetLimits(tt.limits)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("SetLimits error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tt.wantText) {
					t.Errorf("error %q does not contain %q", err, tt.wantText)
				}
				if a.Limits() != before || len(pushed) != n {
					t.Error("a refused SetLimits changed the limits or called the hook")
				}
				return
			}
			if a.Limits() != tt.limits || len(pushed) != n+1 || pushed[n] != tt.limits {
				t.Errorf("after SetLimits: Limits() = %+v, pushed %v", a.Limits(), pushed)
			}
		})
	}
}

func TestWithLimits(t *testing.T) {
	e := newEnv(t, account.WithLimits(account.Limits{MaxUsers: 5, MaxGroups: -3}))
	want := account.DefaultLimits()
	want.MaxUsers = 5
	if got := e.account(t).Limits(); got != want {
		t.Errorf("Limits() = %+v, want %+v (fields below 1 keep the default)", got, want)
	}
}

// TestLimitsHookOrder: concurrent SetLimits reach the hook in the order
// they took effect, so the last pushed value is the account's value.
func TestLimitsHookOrder(t *testing.T) {
	a := newEnv(t).account(t)
	var mu sync.Mutex
	var last account.Limits
	a.SetHooks(account.Hooks{OnLimitsChange: func(l account.Limits) {
		mu.Lock()
		last = l
		mu.Unlock()
	}})
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			l := account.DefaultLimits()
			l.MaxUsers = i + 1
			if err := a.SetLimits(l); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if last != a.Limits() {
		t.Errorf("hook's last value %+v differs from Limits() %+v", last, a.Limits())
	}
}
