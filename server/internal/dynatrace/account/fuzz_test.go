package account_test

import (
	"errors"
	"testing"

	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
)

// FuzzAuthenticate: no input panics, and only the one real token opens the
// account.
func FuzzAuthenticate(f *testing.F) {
	e := newEnv(f)
	a := e.verifiedAccount(f)
	_, value, err := a.GenerateToken("")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", value, value + "A", value[:len(value)-1], "dt0s01.", "Bearer " + value, "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		got, err := e.reg.Authenticate(token)
		if token == value {
			if err != nil || got != a {
				t.Fatalf("the real token was refused: %v", err)
			}
			return
		}
		if !errors.Is(err, account.ErrUnauthorized) || got != nil {
			t.Fatalf("Authenticate(%q) = %v, %v", token, got, err)
		}
		_ = account.RedactToken(token)
	})
}

// FuzzNormalizeDomain: no input panics; what is accepted is stable under a
// second normalisation and can be added and looked up.
func FuzzNormalizeDomain(f *testing.F) {
	for _, s := range []string{"example.com", "Example.COM.", "a..b", "-a.b", "1.2.3.4", "xn--bcher-kva.example", "ü.de", ".", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := account.NormalizeDomain(in)
		if err != nil {
			return
		}
		if n2, err := account.NormalizeDomain(n); err != nil || n2 != n {
			t.Fatalf("NormalizeDomain(%q) = %q, again %q, %v", in, n, n2, err)
		}
		a, _ := account.NewRegistry(nil).CreateAccount("x")
		if _, err := a.MarkVerified(in); err != nil {
			t.Fatalf("MarkVerified(%q): %v", in, err)
		}
		if !a.IsVerified(in) || !a.IsVerified(n) {
			t.Fatalf("IsVerified(%q) false after MarkVerified", in)
		}
	})
}

// FuzzGroupName: no input panics; an accepted name is taken in every case
// variant strings.EqualFold matches.
func FuzzGroupName(f *testing.F) {
	for _, s := range []string{"Admins", "\u212A", "ß", "", " x", "\xff"} {
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, name, other string) {
		a, _ := account.NewRegistry(nil).CreateAccount("x")
		if _, err := a.CreateLocalGroup(name, ""); err != nil {
			return
		}
		_, err := a.CreateLocalGroup(other, "")
		if err == nil && equalFold(name, other) {
			t.Fatalf("%q and %q both created", name, other)
		}
		if errors.Is(err, account.ErrGroupNameTaken) && !equalFold(name, other) {
			t.Fatalf("%q refused as taken by %q", other, name)
		}
	})
}
