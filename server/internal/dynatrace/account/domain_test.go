package account_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
)

var txtValueRE = regexp.MustCompile(`^dynatrace-verification=[a-z0-9]{32}$`)

func TestAddDomainValidation(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr error
	}{
		{in: "example.com", want: "example.com"},
		{in: "Example.COM", want: "example.com"},
		{in: "example.com.", want: "example.com"},
		{in: "uk.mycompanyname.com", want: "uk.mycompanyname.com"},
		{in: "xn--bcher-kva.example", want: "xn--bcher-kva.example"},
		{in: "a-b.c0", want: "a-b.c0"},
		{in: "", wantErr: account.ErrInvalidDomain},
		{in: "localhost", wantErr: account.ErrInvalidDomain},
		{in: ".example.com", wantErr: account.ErrInvalidDomain},
		{in: "example..com", wantErr: account.ErrInvalidDomain},
		{in: "example.com..", wantErr: account.ErrInvalidDomain},
		{in: "-bad.com", wantErr: account.ErrInvalidDomain},
		{in: "bad-.com", wantErr: account.ErrInvalidDomain},
		{in: "under_score.com", wantErr: account.ErrInvalidDomain},
		{in: "user@example.com", wantErr: account.ErrInvalidDomain},
		{in: " example.com", wantErr: account.ErrInvalidDomain},
		{in: "bücher.example", wantErr: account.ErrInvalidDomain},
		{in: "10.0.0.1", wantErr: account.ErrInvalidDomain},
		{in: strings.Repeat("a", 64) + ".com", wantErr: account.ErrInvalidDomain},
		{in: strings.Repeat("abcdefghi.", 26) + "com", wantErr: account.ErrInvalidDomain},
		{in: "\xff.com", wantErr: account.ErrInvalidDomain},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a := newEnv(t).account(t)
			got, err := a.AddDomain(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("AddDomain(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got.Name != tt.want || got.TXTName != tt.want || got.Status != account.DomainPending {
				t.Errorf("AddDomain(%q) = %+v, want pending %q with TXTName %q", tt.in, got, tt.want, tt.want)
			}
			if !txtValueRE.MatchString(got.TXTValue) {
				t.Errorf("TXTValue = %q, want %s", got.TXTValue, txtValueRE)
			}
			if got.VerifiedAt != nil || got.LastCheck != nil || got.Reason != "" {
				t.Errorf("new domain has check results: %+v", got)
			}
		})
	}
}

func TestAddDomainDuplicate(t *testing.T) {
	a := newEnv(t).account(t)
	if _, err := a.AddDomain("example.com"); err != nil {
		t.Fatal(err)
	}
	for _, dup := range []string{"example.com", "EXAMPLE.com", "example.com."} {
		if _, err := a.AddDomain(dup); !errors.Is(err, account.ErrDomainExists) {
			t.Errorf("AddDomain(%q) error = %v, want ErrDomainExists", dup, err)
		}
	}
	if got := len(a.Domains()); got != 1 {
		t.Errorf("len(Domains()) = %d, want 1", got)
	}
}

// TestVerifyLifecycle walks one domain through rule DT-DOMAIN-TXT: missing
// record, wrong value, failing DNS, propagation, verified, verified again.
func TestVerifyLifecycle(t *testing.T) {
	e := newEnv(t)
	a := e.account(t)
	d, err := a.AddDomain("example.com")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	steps := []struct {
		name       string
		before     func()
		wantStatus account.DomainStatus
		wantReason string
	}{
		{name: "no record", wantStatus: account.DomainPending, wantReason: "no TXT record found for example.com"},
		{
			name:       "wrong value",
			before:     func() { e.dns.publish("example.com", "v=spf1 -all", "dynatrace-verification=wrong") },
			wantStatus: account.DomainPending, wantReason: "TXT record found but none has the expected value",
		},
		{
			name:       "dns failure",
			before:     func() { e.dns.failWith("example.com", errors.New("i/o timeout")) },
			wantStatus: account.DomainPending, wantReason: "DNS lookup failed: i/o timeout",
		},
		{
			name: "propagated",
			before: func() {
				e.dns.failWith("example.com", nil)
				e.dns.publish("example.com", d.TXTValue)
			},
			wantStatus: account.DomainVerified,
		},
		{name: "verify again is a no-op", wantStatus: account.DomainVerified},
	}
	for i, s := range steps {
		if s.before != nil {
			s.before()
		}
		e.clock.add(time.Minute)
		got, err := a.VerifyDomain(ctx, "Example.com.")
		if err != nil {
			t.Fatalf("step %q: VerifyDomain error = %v", s.name, err)
		}
		if got.Status != s.wantStatus || got.Reason != s.wantReason {
			t.Errorf("step %q: got %s %q, want %s %q", s.name, got.Status, got.Reason, s.wantStatus, s.wantReason)
		}
		if got.TXTValue != d.TXTValue {
			t.Errorf("step %q: TXTValue changed from %q to %q", s.name, d.TXTValue, got.TXTValue)
		}
		wantCheck := t0.Add(time.Duration(min(i+1, 4)) * time.Minute) // the no-op keeps the last check
		if got.LastCheck == nil || !got.LastCheck.Equal(wantCheck) {
			t.Errorf("step %q: LastCheck = %v, want %v", s.name, got.LastCheck, wantCheck)
		}
		if s.wantStatus == account.DomainVerified {
			if want := t0.Add(4 * time.Minute); got.VerifiedAt == nil || !got.VerifiedAt.Equal(want) {
				t.Errorf("step %q: VerifiedAt = %v, want %v", s.name, got.VerifiedAt, want)
			}
		} else if got.VerifiedAt != nil {
			t.Errorf("step %q: VerifiedAt = %v on a pending domain", s.name, got.VerifiedAt)
		}
	}
	if calls := e.dns.calls.Load(); calls != 4 {
		t.Errorf("DNS lookups = %d, want 4 (none for a verified domain)", calls)
	}
	if !a.IsVerified("example.com") || !a.HasVerifiedDomain() {
		t.Errorf("IsVerified/HasVerifiedDomain false after verification")
	}
}

func TestVerifyDomainErrors(t *testing.T) {
	e := newEnv(t)
	a := e.account(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := a.AddDomain("example.com"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		ctx        context.Context
		domain     string
		wantErr    error
		wantReason string
	}{
		{name: "unknown", ctx: context.Background(), domain: "other.com", wantErr: account.ErrDomainNotFound},
		{name: "invalid", ctx: context.Background(), domain: "not a domain", wantErr: account.ErrInvalidDomain},
		{name: "canceled", ctx: ctx, domain: "example.com", wantReason: "DNS lookup failed: context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := a.VerifyDomain(tt.ctx, tt.domain)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if got.Reason != tt.wantReason {
				t.Errorf("Reason = %q, want %q", got.Reason, tt.wantReason)
			}
		})
	}

	noDNS := account.NewRegistry(nil)
	b, _ := noDNS.CreateAccount("x")
	if _, err := b.AddDomain("example.com"); err != nil {
		t.Fatal(err)
	}
	got, err := b.VerifyDomain(context.Background(), "example.com")
	if err != nil || got.Status != account.DomainPending || !strings.Contains(got.Reason, "no resolver") {
		t.Errorf("VerifyDomain without resolver = %+v, %v; want pending, reason naming the resolver", got, err)
	}
}

// TestDomainsInParallel covers rule DT-DOMAIN-MULTI: several domains pending
// and verified at the same time, in any order, and a subdomain is separate.
func TestDomainsInParallel(t *testing.T) {
	e := newEnv(t)
	a := e.account(t)
	names := []string{"mycompanyname.com", "uk.mycompanyname.com", "de.mycompanyname.com", "other.org", "b.other.org"}
	txt := map[string]string{}
	for _, n := range names {
		d, err := a.AddDomain(n)
		if err != nil {
			t.Fatal(err)
		}
		txt[n] = d.TXTValue
	}
	// Publish the records of every second domain only.
	for i, n := range names {
		if i%2 == 0 {
			e.dns.publish(n, txt[n])
		}
	}
	var wg sync.WaitGroup
	for range 4 {
		for _, n := range names {
			wg.Go(func() {
				if _, err := a.VerifyDomain(context.Background(), n); err != nil {
					t.Errorf("VerifyDomain(%s): %v", n, err)
				}
			})
		}
	}
	wg.Wait()

	got := a.Domains()
	if len(got) != len(names) {
		t.Fatalf("len(Domains()) = %d, want %d", len(got), len(names))
	}
	for i, d := range got {
		if d.Name != names[i] {
			t.Errorf("Domains()[%d] = %s, want %s (order of addition)", i, d.Name, names[i])
		}
		want := account.DomainPending
		if i%2 == 0 {
			want = account.DomainVerified
		}
		if d.Status != want {
			t.Errorf("%s: status %s, want %s", d.Name, d.Status, want)
		}
	}

	isVerified := []struct {
		domain string
		want   bool
	}{
		{"mycompanyname.com", true},
		{"MyCompanyName.com.", true},
		{"uk.mycompanyname.com", false}, // its own domain, its record not published
		{"de.mycompanyname.com", true},
		{"x.de.mycompanyname.com", false},
		{"other.org", false},  // its record not published
		{"b.other.org", true}, // a verified subdomain does not verify its parent
		{"mycompanyname", false},
		{"com", false},
		{"", false},
		{"ycompanyname.com", false},
	}
	for _, tt := range isVerified {
		if got := a.IsVerified(tt.domain); got != tt.want {
			t.Errorf("IsVerified(%q) = %v, want %v", tt.domain, got, tt.want)
		}
	}
}

// TestSubdomainIsSeparate: verifying a parent does not verify a subdomain,
// and verifying a subdomain does not verify its parent.
func TestSubdomainIsSeparate(t *testing.T) {
	e := newEnv(t)
	a := e.account(t)
	sub, _ := a.AddDomain("uk.example.com")
	if _, err := a.AddDomain("example.com"); err != nil {
		t.Fatal(err)
	}
	e.dns.publish("uk.example.com", sub.TXTValue)
	got, err := a.VerifyDomain(context.Background(), "uk.example.com")
	if err != nil || got.Status != account.DomainVerified {
		t.Fatalf("VerifyDomain(uk.example.com) = %+v, %v", got, err)
	}
	parent, _ := a.VerifyDomain(context.Background(), "example.com")
	if parent.Status != account.DomainPending {
		t.Errorf("example.com is %s after only uk.example.com was verified", parent.Status)
	}
	if a.IsVerified("example.com") || !a.IsVerified("uk.example.com") {
		t.Errorf("IsVerified: parent %v, sub %v; want false, true", a.IsVerified("example.com"), a.IsVerified("uk.example.com"))
	}
}

// TestMarkVerified covers DT-DOMAIN-SHARED: a domain verified once, for
// SAML, counts for SCIM.
func TestMarkVerified(t *testing.T) {
	e := newEnv(t)
	a := e.account(t)
	if _, err := a.AddDomain("pending.com"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"pending.com", "saml.example.com"} {
		got, err := a.MarkVerified(n)
		if err != nil || got.Status != account.DomainVerified || got.VerifiedAt == nil {
			t.Errorf("MarkVerified(%s) = %+v, %v", n, got, err)
		}
	}
	if _, err := a.MarkVerified("bad"); !errors.Is(err, account.ErrInvalidDomain) {
		t.Errorf("MarkVerified(bad) error = %v, want ErrInvalidDomain", err)
	}
	if _, _, err := a.GenerateToken(""); err != nil {
		t.Errorf("GenerateToken after MarkVerified: %v", err)
	}
}

func TestDeleteDomain(t *testing.T) {
	e := newEnv(t)
	a := e.verifiedAccount(t)
	if err := a.DeleteDomain("EXAMPLE.com."); err != nil {
		t.Fatal(err)
	}
	if a.IsVerified("example.com") || a.HasVerifiedDomain() {
		t.Error("domain still verified after DeleteDomain")
	}
	if err := a.DeleteDomain("example.com"); !errors.Is(err, account.ErrDomainNotFound) {
		t.Errorf("second DeleteDomain error = %v, want ErrDomainNotFound", err)
	}
	// Added again, it starts over as pending with a fresh value.
	d, err := a.AddDomain("example.com")
	if err != nil || d.Status != account.DomainPending {
		t.Errorf("AddDomain after delete = %+v, %v", d, err)
	}
}

// blockingDNS holds every lookup until released, to delete a domain while
// its lookup runs.
type blockingDNS struct {
	started chan struct{}
	release chan struct{}
	value   string
}

func (b *blockingDNS) LookupTXT(ctx context.Context, name string) ([]string, error) {
	b.started <- struct{}{}
	<-b.release
	return []string{b.value}, nil
}

func TestVerifyRacesDelete(t *testing.T) {
	dns := &blockingDNS{started: make(chan struct{}), release: make(chan struct{})}
	reg := account.NewRegistry(dns)
	a, _ := reg.CreateAccount("x")
	d, _ := a.AddDomain("example.com")
	dns.value = d.TXTValue
	errc := make(chan error)
	go func() {
		_, err := a.VerifyDomain(context.Background(), "example.com")
		errc <- err
	}()
	<-dns.started
	if err := a.DeleteDomain("example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddDomain("example.com"); err != nil { // new value
		t.Fatal(err)
	}
	close(dns.release)
	if err := <-errc; !errors.Is(err, account.ErrDomainNotFound) {
		t.Errorf("VerifyDomain racing a delete: error = %v, want ErrDomainNotFound", err)
	}
	if a.IsVerified("example.com") {
		t.Error("the re-added domain was verified with the old value")
	}
}

func ExampleAccount_VerifyDomain() {
	reg := account.NewRegistry(staticDNS{})
	a, _ := reg.CreateAccount("acme")
	d, _ := a.AddDomain("Example.com")
	fmt.Println(d.Name, d.Status, d.TXTName, strings.HasPrefix(d.TXTValue, account.TXTPrefix))
	d, _ = a.VerifyDomain(context.Background(), "example.com")
	fmt.Println(d.Status, d.Reason)
	// Output:
	// example.com PENDING example.com true
	// PENDING TXT record found but none has the expected value
}

type staticDNS struct{}

func (staticDNS) LookupTXT(context.Context, string) ([]string, error) {
	return []string{"google-site-verification=abc"}, nil
}
