// Package mock owns the assembly of the whole mock: one HTTP listener that
// serves every account's SCIM endpoint and the management API, the DNS mock
// that domain verification asks, and the demo account `scimconf serve`
// prints. It is the composition root: cmd/scimconf and the conformance
// suites start the mock through Start, and nothing else wires the parts.
package mock

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/scimconf/scimconf/dnsmock"
	"github.com/scimconf/scimconf/server"
	"github.com/scimconf/scimconf/server/account"
	"github.com/scimconf/scimconf/server/dynatrace"
	"github.com/scimconf/scimconf/server/mgmt"
	"github.com/scimconf/scimconf/server/provider"
	"github.com/scimconf/scimconf/server/schema"
	"github.com/scimconf/scimconf/server/store"
)

// Options configure Start. The zero value is a working mock on loopback
// with random ports.
type Options struct {
	// Addr is where SCIM and the management API listen; default
	// "127.0.0.1:0".
	Addr string
	// DNSAddr is where the embedded DNS mock listens; default
	// "127.0.0.1:0". Ignored when Resolver is set.
	DNSAddr string
	// Resolver, when set, is used for domain verification instead of the
	// embedded DNS mock (which then does not start).
	Resolver account.Resolver
	// Schema names the schema set: "dynatrace" (default) or "full".
	Schema string
	// AdminToken guards the management API; empty generates one.
	AdminToken string
	// Limits are the limits new accounts get; zero fields keep Dynatrace's
	// defaults.
	Limits account.Limits
	// Provider configures every account's SCIM service provider; the zero
	// value means provider.DefaultConfig().
	Provider provider.Config
	// DemoDomain is the verified domain of the demo account; default
	// "example.com". NoDemo skips the demo account.
	DemoDomain string
	NoDemo     bool
	Logger     *slog.Logger
}

// Instance is a running mock.
type Instance struct {
	// URL is the root of the HTTP listener, e.g. http://127.0.0.1:8080.
	URL        string
	AdminURL   string // URL + "/mock/v1"
	AdminToken string
	// DNSAddr is the DNS mock's host:port ("" when Options.Resolver was
	// set).
	DNSAddr string
	// The demo account (empty with NoDemo).
	AccountID   string
	SCIMBaseURL string
	SCIMToken   string
	Domain      string

	Registry *account.Registry
	DNS      *dnsmock.Server

	tenancy *tenancy
	srv     *http.Server
	done    chan error
}

// Start starts the mock and returns when it is serving.
func Start(ctx context.Context, opts Options) (*Instance, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.DNSAddr == "" {
		opts.DNSAddr = "127.0.0.1:0"
	}
	if opts.DemoDomain == "" {
		opts.DemoDomain = "example.com"
	}
	if opts.Provider == (provider.Config{}) {
		opts.Provider = provider.DefaultConfig()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if _, err := schema.ByName(opts.Schema); err != nil {
		return nil, err
	}
	inst := &Instance{AdminToken: opts.AdminToken, done: make(chan error, 1)}
	if inst.AdminToken == "" {
		inst.AdminToken = "admin-" + randomHex(16)
	}
	resolver := opts.Resolver
	if resolver == nil {
		inst.DNS = dnsmock.New()
		if err := inst.DNS.Start(ctx, opts.DNSAddr); err != nil {
			return nil, fmt.Errorf("start the DNS mock on %s: %w", opts.DNSAddr, err)
		}
		inst.DNSAddr = inst.DNS.Addr()
		resolver = &dnsmock.Resolver{Addr: inst.DNSAddr, Timeout: 2 * time.Second}
	}
	inst.tenancy = newTenancy(opts)
	inst.Registry = account.NewRegistry(resolver,
		account.WithLimits(opts.Limits),
		account.WithAccountCreated(inst.tenancy.add),
		account.WithAccountDeleted(inst.tenancy.remove),
	)
	inst.tenancy.registry = inst.Registry

	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		inst.closeDNS()
		return nil, fmt.Errorf("listen on %s: %w (is another mock running? choose another address with --addr)", opts.Addr, err)
	}
	inst.URL = "http://" + ln.Addr().String()
	inst.AdminURL = inst.URL + mgmt.Prefix

	scim := server.New(inst.tenancy, server.Config{Logger: opts.Logger})
	admin := mgmt.New(mgmt.Deps{
		Registry:   inst.Registry,
		AdminToken: inst.AdminToken,
		Store:      inst.tenancy.store,
		Set:        inst.tenancy.set,
		DNS:        inst.DNS,
		Reset:      inst.Reset,
		Logger:     opts.Logger,
	})
	mux := http.NewServeMux()
	mux.Handle(mgmt.Prefix+"/", admin)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}`))
	})
	mux.Handle("/", scim)
	inst.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn)}
	go func() { inst.done <- inst.srv.Serve(ln) }()

	if !opts.NoDemo {
		if err := inst.demo(ctx, opts.DemoDomain); err != nil {
			inst.Close()
			return nil, err
		}
	}
	return inst, nil
}

// demo creates the demo account the way a person would: add the domain,
// publish its TXT record in the DNS mock, verify it through DNS, generate
// a token.
func (inst *Instance) demo(ctx context.Context, domain string) error {
	acct, err := inst.Registry.CreateAccount("demo")
	if err != nil {
		return err
	}
	d, err := acct.AddDomain(domain)
	if err != nil {
		return err
	}
	if inst.DNS != nil {
		if err := inst.DNS.SetTXT(d.TXTName, d.TXTValue); err != nil {
			return err
		}
		if d, err = acct.VerifyDomain(ctx, domain); err != nil {
			return err
		}
	} else if d, err = acct.MarkVerified(domain); err != nil {
		return err
	}
	if d.Status != account.DomainVerified {
		return fmt.Errorf("demo domain %s did not verify: %s", domain, d.Reason)
	}
	_, token, err := acct.GenerateToken("demo token printed by scimconf serve")
	if err != nil {
		return err
	}
	inst.AccountID, inst.SCIMToken, inst.Domain = acct.ID(), token, domain
	inst.SCIMBaseURL = inst.URL + "/idm/public/scim/" + acct.ID() + "/v2"
	return nil
}

// Reset removes every account, DNS record and resource, then recreates the
// demo account with a new token (the old one stops working).
func (inst *Instance) Reset() {
	inst.Registry.Reset()
	if inst.DNS != nil {
		inst.DNS.Reset()
	}
	if inst.AccountID != "" {
		inst.demo(context.Background(), inst.Domain)
	}
}

// Close stops the mock and waits until its listeners are closed.
func (inst *Instance) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := inst.srv.Shutdown(ctx)
	if e := <-inst.done; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	inst.closeDNS()
	return err
}

func (inst *Instance) closeDNS() {
	if inst.DNS != nil {
		inst.DNS.Close()
	}
}

// Env returns the KEY=value lines `scimconf serve` prints.
func (inst *Instance) Env() []string {
	lines := []string{
		"SCIM_BASE_URL=" + inst.SCIMBaseURL,
		"SCIM_TOKEN=" + inst.SCIMToken,
		"VERIFIED_DOMAIN=" + inst.Domain,
		"ADMIN_URL=" + inst.AdminURL,
		"ADMIN_TOKEN=" + inst.AdminToken,
	}
	if inst.DNSAddr != "" {
		lines = append(lines, "DNS_ADDR="+inst.DNSAddr)
	}
	return lines
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// tenancy connects accounts to their SCIM service providers: one store and
// one provider per account, created with the account.
type tenancy struct {
	registry *account.Registry
	opts     Options
	setName  string

	mu        sync.RWMutex
	providers map[string]*provider.Provider
}

func newTenancy(opts Options) *tenancy {
	return &tenancy{opts: opts, setName: opts.Schema, providers: map[string]*provider.Provider{}}
}

// set returns a fresh copy of the configured schema set.
func (t *tenancy) set() *schema.Set {
	s, _ := schema.ByName(t.setName)
	return s
}

func (t *tenancy) add(a *account.Account) {
	set := t.set()
	st := store.NewMemory(set)
	p := provider.New(set, st, t.opts.Provider)
	p.Policy = &dynatrace.Policy{Account: a, Store: st}
	a.SetHooks(account.Hooks{
		SCIMGroupNameTaken: func(name string) bool { return groupNameTaken(st, set, name) },
		SCIMGroupExists: func(id string) bool {
			_, err := st.Get(context.Background(), set.ResourceType("Group"), id)
			return err == nil
		},
		SCIMGroupCount: func() int { return st.Count(context.Background(), set.ResourceType("Group")) },
		OnLimitsChange: func(l account.Limits) {
			st.SetLimits(store.Limits{MaxUsers: l.MaxUsers, MaxGroups: l.MaxGroups, MaxGroupsPerUser: l.MaxGroupsPerUser})
		},
	})
	t.mu.Lock()
	t.providers[a.ID()] = p
	t.mu.Unlock()
}

func (t *tenancy) remove(a *account.Account) {
	t.mu.Lock()
	delete(t.providers, a.ID())
	t.mu.Unlock()
}

// Authenticate implements server.Tenancy.
func (t *tenancy) Authenticate(ctx context.Context, token string) (string, error) {
	a, err := t.registry.Authenticate(token)
	if err != nil {
		return "", server.ErrUnauthorized
	}
	return a.ID(), nil
}

// Provider implements server.Tenancy.
func (t *tenancy) Provider(accountID string) *provider.Provider {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.providers[accountID]
}

// store returns an account's SCIM store, or nil.
func (t *tenancy) store(accountID string) store.Store {
	if p := t.Provider(accountID); p != nil {
		return p.Store
	}
	return nil
}

func groupNameTaken(st store.Store, set *schema.Set, name string) bool {
	rt := set.ResourceType("Group")
	f, err := filterDisplayName(rt, name)
	if err != nil {
		return false
	}
	page, err := st.List(context.Background(), rt, store.Query{Filter: f, StartIndex: 1, Count: 0})
	return err == nil && page.TotalResults > 0
}
