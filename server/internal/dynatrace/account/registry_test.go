package account_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
)

func TestCreateAccount(t *testing.T) {
	tests := []struct {
		name    string
		wantErr error
	}{
		{name: "acme"},
		{name: "Acme GmbH & Co. KG"},
		{name: "", wantErr: account.ErrInvalidAccountName},
		{name: " acme", wantErr: account.ErrInvalidAccountName},
		{name: "a\x00b", wantErr: account.ErrInvalidAccountName},
		{name: strings.Repeat("a", account.MaxNameLen+1), wantErr: account.ErrInvalidAccountName},
	}
	e := newEnv(t)
	for _, tt := range tests {
		a, err := e.reg.CreateAccount(tt.name)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("CreateAccount(%.20q) error = %v, want %v", tt.name, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if !uuidRE.MatchString(a.ID()) || a.Name() != tt.name || !a.CreatedAt().Equal(t0) {
			t.Errorf("CreateAccount(%q) = id %q name %q created %v", tt.name, a.ID(), a.Name(), a.CreatedAt())
		}
		if got, ok := e.reg.Account(a.ID()); !ok || got != a {
			t.Errorf("Account(%s) = %v, %v", a.ID(), got, ok)
		}
	}
}

func TestAccountsOrderAndDelete(t *testing.T) {
	var created, deleted []string
	var mu sync.Mutex
	e := newEnv(t,
		account.WithAccountCreated(func(a *account.Account) {
			mu.Lock()
			created = append(created, a.Name())
			mu.Unlock()
		}),
		account.WithAccountDeleted(func(a *account.Account) {
			mu.Lock()
			deleted = append(deleted, a.Name())
			mu.Unlock()
		}))
	var all []*account.Account
	for _, n := range []string{"a", "b", "c", "d"} {
		a, err := e.reg.CreateAccount(n)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, a)
	}
	names := func() string {
		var s []string
		for _, a := range e.reg.Accounts() {
			s = append(s, a.Name())
		}
		return strings.Join(s, ",")
	}
	if got := names(); got != "a,b,c,d" {
		t.Errorf("Accounts() = %s, want a,b,c,d", got)
	}
	if err := e.reg.DeleteAccount(all[1].ID()); err != nil {
		t.Fatal(err)
	}
	if err := e.reg.DeleteAccount(all[1].ID()); !errors.Is(err, account.ErrAccountNotFound) {
		t.Errorf("second DeleteAccount error = %v", err)
	}
	if _, ok := e.reg.Account(all[1].ID()); ok {
		t.Error("Account() finds a deleted account")
	}
	if got := names(); got != "a,c,d" {
		t.Errorf("Accounts() after delete = %s", got)
	}

	// A stale *Account refuses every change.
	stale := all[1]
	for name, err := range map[string]error{
		"AddDomain":        func() error { _, err := stale.AddDomain("example.com"); return err }(),
		"MarkVerified":     func() error { _, err := stale.MarkVerified("example.com"); return err }(),
		"GenerateToken":    func() error { _, _, err := stale.GenerateToken(""); return err }(),
		"CreateLocalGroup": func() error { _, err := stale.CreateLocalGroup("g", ""); return err }(),
		"SetLimits":        stale.SetLimits(account.DefaultLimits()),
	} {
		if !errors.Is(err, account.ErrAccountNotFound) {
			t.Errorf("%s on a deleted account: error = %v, want ErrAccountNotFound", name, err)
		}
	}

	// Reset removes everything and kills every token.
	if _, err := all[2].MarkVerified("example.com"); err != nil {
		t.Fatal(err)
	}
	_, value, err := all[2].GenerateToken("")
	if err != nil {
		t.Fatal(err)
	}
	e.reg.Reset()
	if got := e.reg.Accounts(); len(got) != 0 {
		t.Errorf("Accounts() after Reset = %d accounts", len(got))
	}
	if _, err := e.reg.Authenticate(value); !errors.Is(err, account.ErrUnauthorized) {
		t.Errorf("token after Reset: error = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(created, ",") != "a,b,c,d" || strings.Join(deleted, ",") != "b,a,c,d" {
		t.Errorf("hooks saw created %v, deleted %v", created, deleted)
	}
}

// TestAccountScope covers DT-AUTH-SCOPE at this level: accounts share
// nothing.
func TestAccountScope(t *testing.T) {
	e := newEnv(t)
	a, b := e.account(t), e.account(t)
	d, _ := a.AddDomain("example.com")
	e.dns.publish("example.com", d.TXTValue)
	if _, err := a.VerifyDomain(context.Background(), "example.com"); err != nil {
		t.Fatal(err)
	}
	if b.IsVerified("example.com") {
		t.Error("a domain verified in one account is verified in another")
	}
	if _, _, err := b.GenerateToken(""); !errors.Is(err, account.ErrNoVerifiedDomain) {
		t.Errorf("b.GenerateToken error = %v", err)
	}
	if _, err := b.AddDomain("example.com"); err != nil {
		t.Errorf("another account cannot add the same domain: %v", err)
	}
	if _, err := a.CreateLocalGroup("g", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := b.CreateLocalGroup("G", ""); err != nil {
		t.Errorf("group names are unique per account only: %v", err)
	}
}

// TestConcurrentMix runs every kind of call at once; -race does the
// checking.
func TestConcurrentMix(t *testing.T) {
	e := newEnv(t)
	a := e.verifiedAccount(t)
	newFakeSCIM(a)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 20 {
				info, value, err := a.GenerateToken("")
				if err == nil {
					_, _ = e.reg.Authenticate(value)
					_, _ = a.UpdateTokenDescription(info.ID, "x")
					_ = a.DeleteToken(info.ID)
				}
				d, _ := a.AddDomain(strings.Repeat("x", i+1) + ".example.org")
				_, _ = a.VerifyDomain(context.Background(), d.Name)
				_ = a.IsVerified(d.Name)
				g, err := a.CreateLocalGroup(strings.Repeat("g", j+1), "")
				if err == nil {
					_ = a.SetPermissions(g.ID, []account.Permission{{Name: "tenant-viewer", Scope: "e", ScopeType: account.ScopeTenant}})
					_, _ = a.UpdateLocalGroup(g.ID, strings.Repeat("h", j+1), "")
					_ = a.DeleteLocalGroup(g.ID)
				}
				_ = a.SetLimits(account.DefaultLimits())
				_ = a.Tokens()
				_ = a.Domains()
				_ = a.LocalGroups()
				_ = e.reg.Accounts()
			}
		})
	}
	wg.Wait()
}
