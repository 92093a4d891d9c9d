package account_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
)

var tokenRE = regexp.MustCompile(`^dt0s01\.([A-Z0-9]{24})\.[A-Z0-9]{64}$`)

func TestGenerateTokenShape(t *testing.T) {
	e := newEnv(t)
	a := e.verifiedAccount(t)
	seen := map[string]bool{}
	for i := range account.MaxTokens {
		info, value, err := a.GenerateToken(fmt.Sprintf("token %d", i))
		if err != nil {
			t.Fatalf("GenerateToken %d: %v", i, err)
		}
		m := tokenRE.FindStringSubmatch(value)
		if m == nil {
			t.Fatalf("token value %q does not match %s", value, tokenRE)
		}
		if info.ID != m[1] {
			t.Errorf("ID = %q, want the public part %q", info.ID, m[1])
		}
		if seen[value] || seen[info.ID] {
			t.Errorf("token %d repeats an earlier value or id", i)
		}
		seen[value], seen[info.ID] = true, true
		if !info.CreatedAt.Equal(t0) || info.LastUsedAt != nil || info.Description != fmt.Sprintf("token %d", i) {
			t.Errorf("info = %+v", info)
		}
	}
}

// TestTokenRequiresVerifiedDomain covers DT-DOMAIN-REQUIRED.
func TestTokenRequiresVerifiedDomain(t *testing.T) {
	e := newEnv(t)
	a := e.account(t)
	if _, err := a.AddDomain("example.com"); err != nil { // pending only
		t.Fatal(err)
	}
	_, value, err := a.GenerateToken("")
	if !errors.Is(err, account.ErrNoVerifiedDomain) || value != "" {
		t.Fatalf("GenerateToken without a verified domain = %q, %v; want ErrNoVerifiedDomain", value, err)
	}
	if !strings.Contains(err.Error(), "verify") {
		t.Errorf("error %q does not tell the user to verify a domain", err)
	}
	if got := a.Tokens(); len(got) != 0 {
		t.Errorf("Tokens() = %v after a refused generation", got)
	}
}

// TestTokenCap covers DT-TOKEN-CAP: the 11th is refused until one is deleted.
func TestTokenCap(t *testing.T) {
	e := newEnv(t)
	a := e.verifiedAccount(t)
	var ids []string
	for range account.MaxTokens {
		info, _, err := a.GenerateToken("")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, info.ID)
	}
	_, value, err := a.GenerateToken("eleventh")
	if !errors.Is(err, account.ErrTokenCap) || value != "" {
		t.Fatalf("11th GenerateToken = %q, %v; want ErrTokenCap", value, err)
	}
	if !strings.Contains(err.Error(), "delete an unused token") {
		t.Errorf("error %q does not say what to do", err)
	}
	if err := a.DeleteToken(ids[3]); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.GenerateToken("eleventh"); err != nil {
		t.Fatalf("GenerateToken after a delete: %v", err)
	}
	if got := len(a.Tokens()); got != account.MaxTokens {
		t.Errorf("len(Tokens()) = %d, want %d", got, account.MaxTokens)
	}
}

// TestTokenCapConcurrent: parallel generation never exceeds the cap.
func TestTokenCapConcurrent(t *testing.T) {
	e := newEnv(t)
	a := e.verifiedAccount(t)
	var ok, capped atomic.Int64
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			_, _, err := a.GenerateToken("")
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, account.ErrTokenCap):
				capped.Add(1)
			default:
				t.Errorf("GenerateToken: %v", err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != account.MaxTokens || capped.Load() != 64-account.MaxTokens {
		t.Errorf("%d generated, %d refused; want %d and %d", ok.Load(), capped.Load(), account.MaxTokens, 64-account.MaxTokens)
	}
	if got := len(a.Tokens()); got != account.MaxTokens {
		t.Errorf("len(Tokens()) = %d, want %d", got, account.MaxTokens)
	}
}

// TestTokenNeverReturned covers DT-TOKEN-ONCE through the exported API: no
// method returns the value, or its secret part, after GenerateToken.
func TestTokenNeverReturned(t *testing.T) {
	e := newEnv(t)
	a := e.verifiedAccount(t)
	info, value, err := a.GenerateToken("ci")
	if err != nil {
		t.Fatal(err)
	}
	secret := value[strings.LastIndexByte(value, '.')+1:]
	if _, err := e.reg.Authenticate(value); err != nil {
		t.Fatal(err)
	}
	upd, err := a.UpdateTokenDescription(info.ID, "renamed")
	if err != nil {
		t.Fatal(err)
	}
	one, _ := a.Token(info.ID)
	views := []any{info, upd, one, a.Tokens(), a.Domains(), a.Limits(), a.LocalGroups(), e.reg.Accounts()}
	for i, v := range views {
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		text := string(j) + fmt.Sprintf("%+v %#v", v, v)
		if strings.Contains(text, secret) {
			t.Errorf("view %d (%T) contains the token's secret", i, v)
		}
	}
	if got := account.RedactToken(value); strings.Contains(got, secret) || !strings.HasPrefix(got, "dt0s01."+info.ID+".") {
		t.Errorf("RedactToken = %q", got)
	}
}

// TestAuthenticate covers DT-AUTH, DT-AUTH-SCOPE and DT-TOKEN-REVOKE, and
// drives both outcomes of the constant-time comparison path.
func TestAuthenticate(t *testing.T) {
	e := newEnv(t)
	a := e.verifiedAccount(t)
	b := e.verifiedAccount(t)
	ia, va, _ := a.GenerateToken("a")
	_, vb, _ := b.GenerateToken("b")

	flip := func(s string, i int) string {
		c := byte('A')
		if s[i] == 'A' {
			c = 'B'
		}
		return s[:i] + string(c) + s[i+1:]
	}
	tests := []struct {
		name  string
		token string
		want  *account.Account
	}{
		{"account a", va, a},
		{"account b", vb, b},
		{"empty", "", nil},
		{"bearer prefix kept", "Bearer " + va, nil},
		{"lower case", strings.ToLower(va), nil},
		{"truncated", va[:len(va)-1], nil},
		{"extra char", va + "A", nil},
		{"wrong prefix", "dt0c01" + va[6:], nil},
		{"last secret char changed", flip(va, len(va)-1), nil},
		{"public part changed", flip(va, 8), nil},
		{"a's public part with b's secret", va[:32] + vb[32:], nil},
		{"trailing newline", va + "\n", nil},
		{"not UTF-8", "\xff" + va[1:], nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.reg.Authenticate(tt.token)
			if tt.want == nil {
				if !errors.Is(err, account.ErrUnauthorized) || got != nil {
					t.Errorf("Authenticate = %v, %v; want ErrUnauthorized", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Authenticate = %v, %v; want account %s", got, err, tt.want.ID())
			}
		})
	}

	// Last use is recorded.
	e.clock.add(time.Hour)
	if _, err := e.reg.Authenticate(va); err != nil {
		t.Fatal(err)
	}
	got, _ := a.Token(ia.ID)
	if want := t0.Add(time.Hour); got.LastUsedAt == nil || !got.LastUsedAt.Equal(want) {
		t.Errorf("LastUsedAt = %v, want %v", got.LastUsedAt, want)
	}

	// Revoke: fails at once; the other account's token still works.
	if err := a.DeleteToken(ia.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.reg.Authenticate(va); !errors.Is(err, account.ErrUnauthorized) {
		t.Errorf("Authenticate after DeleteToken error = %v, want ErrUnauthorized", err)
	}
	if _, ok := a.Token(ia.ID); ok {
		t.Error("Token() still finds a deleted token")
	}
	if err := a.DeleteToken(ia.ID); !errors.Is(err, account.ErrTokenNotFound) {
		t.Errorf("second DeleteToken error = %v, want ErrTokenNotFound", err)
	}
	if got, err := e.reg.Authenticate(vb); err != nil || got != b {
		t.Errorf("b's token after a's revoke: %v, %v", got, err)
	}

	// Deleting an account revokes its tokens.
	if err := e.reg.DeleteAccount(b.ID()); err != nil {
		t.Fatal(err)
	}
	if _, err := e.reg.Authenticate(vb); !errors.Is(err, account.ErrUnauthorized) {
		t.Errorf("Authenticate for a deleted account error = %v, want ErrUnauthorized", err)
	}
}

// TestRevokeWhileAuthenticating: once DeleteToken returns, no Authenticate
// that starts afterwards succeeds.
func TestRevokeWhileAuthenticating(t *testing.T) {
	e := newEnv(t)
	a := e.verifiedAccount(t)
	info, value, _ := a.GenerateToken("")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
					_, _ = e.reg.Authenticate(value)
				}
			}
		})
	}
	if err := a.DeleteToken(info.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.reg.Authenticate(value); !errors.Is(err, account.ErrUnauthorized) {
		t.Errorf("Authenticate right after DeleteToken error = %v", err)
	}
	close(stop)
	wg.Wait()
}

// TestTokenDescription covers DT-TOKEN-DESC.
func TestTokenDescription(t *testing.T) {
	e := newEnv(t)
	a := e.verifiedAccount(t)
	info, _, err := a.GenerateToken("")
	if err != nil || info.Description != "" {
		t.Fatalf("GenerateToken(\"\") = %+v, %v", info, err)
	}
	tests := []struct {
		desc    string
		wantErr error
	}{
		{desc: "Entra provisioning"},
		{desc: "Ünïcödé ✓ " + strings.Repeat("x", account.MaxNameLen-10)},
		{desc: ""},
		{desc: strings.Repeat("x", account.MaxNameLen+1), wantErr: account.ErrInvalidDescription},
		{desc: "line\nbreak", wantErr: account.ErrInvalidDescription},
		{desc: "\xff", wantErr: account.ErrInvalidDescription},
	}
	for _, tt := range tests {
		before, _ := a.Token(info.ID)
		got, err := a.UpdateTokenDescription(info.ID, tt.desc)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("UpdateTokenDescription(%.20q) error = %v, want %v", tt.desc, err, tt.wantErr)
			continue
		}
		after, _ := a.Token(info.ID)
		if err != nil {
			if after != before {
				t.Errorf("a refused update changed the token: %+v -> %+v", before, after)
			}
			continue
		}
		if got.Description != tt.desc || after.Description != tt.desc {
			t.Errorf("description = %q / %q, want %q", got.Description, after.Description, tt.desc)
		}
	}
	if _, err := a.UpdateTokenDescription("nope", "x"); !errors.Is(err, account.ErrTokenNotFound) {
		t.Errorf("update of unknown token error = %v", err)
	}
	if _, _, err := a.GenerateToken(strings.Repeat("x", account.MaxNameLen+1)); !errors.Is(err, account.ErrInvalidDescription) {
		t.Errorf("GenerateToken with a long description error = %v", err)
	}
}

func TestTokensOrder(t *testing.T) {
	e := newEnv(t)
	a := e.verifiedAccount(t)
	var want []string
	for i := range 5 {
		e.clock.add(time.Second)
		info, _, _ := a.GenerateToken(fmt.Sprint(i))
		want = append(want, info.ID)
	}
	for range 3 {
		var got []string
		for _, ti := range a.Tokens() {
			got = append(got, ti.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("Tokens() order = %v, want %v", got, want)
		}
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("entropy exhausted") }

type constReader struct{ b byte }

func (c constReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = c.b
	}
	return len(p), nil
}

// TestBrokenRandomSource: a failing source, and one that only yields bytes
// the unbiased draw must reject, give errors: no hang, no panic, no
// repeated id.
func TestBrokenRandomSource(t *testing.T) {
	reg := account.NewRegistry(nil, account.WithRandom(failingReader{}))
	if _, err := reg.CreateAccount("x"); err == nil {
		t.Error("CreateAccount succeeded with a failing random source")
	}

	reg = account.NewRegistry(nil, account.WithRandom(constReader{0xff}))
	a, err := reg.CreateAccount("x") // UUIDs take any byte
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddDomain("example.com"); err == nil {
		t.Error("AddDomain succeeded with a source that yields no usable byte")
	}
	if _, err := reg.CreateAccount("y"); err == nil {
		t.Error("CreateAccount reused an id")
	}
}

// TestAuthenticateNeedsVerifiedDomain: once the last verified domain is
// deleted the account's tokens open nothing (ErrSCIMNeedsDomain, rule
// DT-DOMAIN-REQUIRED) until a domain is verified again; deleting a pending
// domain or one of two verified domains changes nothing. A token rule that
// waives the domain (the tokens-without-domain switch) waives it for the
// use of a token too.
func TestAuthenticateNeedsVerifiedDomain(t *testing.T) {
	e := newEnv(t)
	a := e.verifiedAccount(t)
	_, v, err := a.GenerateToken("")
	if err != nil {
		t.Fatal(err)
	}
	opens := func(when string, want error) {
		t.Helper()
		got, err := e.reg.Authenticate(v)
		if !errors.Is(err, want) || err == nil && got != a {
			t.Errorf("%s: Authenticate = %v, %v; want %v", when, got, err, want)
		}
	}
	opens("verified", nil)
	if _, err := a.MarkVerified("second.example"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddDomain("pending.example"); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"pending.example", "example.com"} {
		if err := a.DeleteDomain(d); err != nil {
			t.Fatal(err)
		}
		opens("after deleting "+d+", a verified domain left", nil)
	}
	if err := a.DeleteDomain("SECOND.example."); err != nil {
		t.Fatal(err)
	}
	opens("after deleting the last verified domain", account.ErrSCIMNeedsDomain)
	if a.HasVerifiedDomain() {
		t.Error("HasVerifiedDomain after deleting the last verified domain")
	}
	if _, err := a.MarkVerified("again.example"); err != nil {
		t.Fatal(err)
	}
	opens("after verifying a domain again", nil)

	waived := newEnv(t, account.WithTokenRule(func(c account.TokenClaim) error {
		c.VerifiedDomain = true
		return account.CheckToken(c)
	}))
	b := waived.account(t)
	_, vb, err := b.GenerateToken("")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := waived.reg.Authenticate(vb); err != nil || got != b {
		t.Errorf("a rule that waives the domain: Authenticate = %v, %v; want the account", got, err)
	}
}
