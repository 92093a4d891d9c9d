package account_test

import (
	"context"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
)

// fakeDNS is an in-test resolver: records are published and withdrawn as a
// domain owner would, and failures can be injected per name.
type fakeDNS struct {
	mu      sync.Mutex
	records map[string][]string
	fail    map[string]error
	calls   atomic.Int64
}

func newFakeDNS() *fakeDNS {
	return &fakeDNS{records: map[string][]string{}, fail: map[string]error{}}
}

func (f *fakeDNS) publish(name string, values ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.records[name] = append(f.records[name], values...)
}

func (f *fakeDNS) failWith(name string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[name] = err
}

func (f *fakeDNS) LookupTXT(ctx context.Context, name string) ([]string, error) {
	f.calls.Add(1)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail[name]; err != nil {
		return nil, err
	}
	recs, ok := f.records[name]
	if !ok {
		// What *net.Resolver returns for NXDOMAIN.
		return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	return append([]string(nil), recs...), nil
}

// clock is a settable clock.
type clock struct{ t atomic.Pointer[time.Time] }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.set(t)
	return c
}
func (c *clock) set(t time.Time)     { c.t.Store(&t) }
func (c *clock) now() time.Time      { return *c.t.Load() }
func (c *clock) add(d time.Duration) { c.set(c.now().Add(d)) }

var t0 = time.Date(2026, 2, 17, 5, 9, 3, 0, time.UTC)

type env struct {
	reg   *account.Registry
	dns   *fakeDNS
	clock *clock
}

func newEnv(t testing.TB, opts ...account.Option) *env {
	t.Helper()
	e := &env{dns: newFakeDNS(), clock: newClock(t0)}
	var seed [32]byte
	copy(seed[:], t.Name())
	all := append([]account.Option{
		account.WithClock(e.clock.now),
		account.WithRandom(rand.NewChaCha8(seed)),
	}, opts...)
	e.reg = account.NewRegistry(e.dns, all...)
	return e
}

func (e *env) account(t testing.TB) *account.Account {
	t.Helper()
	a, err := e.reg.CreateAccount("acme")
	if err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	return a
}

// verifiedAccount returns an account with example.com verified.
func (e *env) verifiedAccount(t testing.TB) *account.Account {
	t.Helper()
	a := e.account(t)
	if _, err := a.MarkVerified("example.com"); err != nil {
		t.Fatalf("MarkVerified: %v", err)
	}
	return a
}

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }
