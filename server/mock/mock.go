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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/scimconf/scimconf/dnsmock"
	"github.com/scimconf/scimconf/server/internal/apijson"
	"github.com/scimconf/scimconf/server/internal/console"
	"github.com/scimconf/scimconf/server/internal/double/clientreport"
	"github.com/scimconf/scimconf/server/internal/double/determinism"
	"github.com/scimconf/scimconf/server/internal/double/faults"
	"github.com/scimconf/scimconf/server/internal/double/fixture"
	"github.com/scimconf/scimconf/server/internal/double/journal"
	"github.com/scimconf/scimconf/server/internal/durable"
	"github.com/scimconf/scimconf/server/internal/dynatrace"
	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
	"github.com/scimconf/scimconf/server/internal/dynatrace/mgmt"
	"github.com/scimconf/scimconf/server/internal/engine/provider"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
	"github.com/scimconf/scimconf/server/internal/engine/scimhttp"
	"github.com/scimconf/scimconf/server/internal/engine/store"
	"github.com/scimconf/scimconf/server/internal/variant"
	"github.com/scimconf/scimconf/server/internal/violation"
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
	// Rules names the rules in force on top of SCIM 2.0: RulesDynatrace
	// (default, also "") or RulesRFC, which turns the Dynatrace layer off
	// and leaves a plain RFC 7643/7644 service provider (README: "A
	// reference SCIM 2.0 server: --rules rfc").
	Rules string
	// AdminToken guards the management API; empty generates one.
	AdminToken string
	// Limits are the limits new accounts get; zero fields keep Dynatrace's
	// defaults.
	Limits account.Limits
	// Provider configures every account's SCIM service provider; the zero
	// value means provider.DefaultConfig(), and zero Limits mean
	// provider.DefaultLimits (a mock reachable by anyone always bounds
	// what a request may store).
	Provider provider.Config
	// DemoDomain is the verified domain of the demo account; default
	// "example.com". NoDemo skips the demo account.
	DemoDomain string
	NoDemo     bool
	Logger     *slog.Logger
	// JournalSize is how many exchanges the journal keeps; 0 means
	// journal.DefaultCapacity.
	JournalSize int
	// JournalMaxBytes bounds what the journal's entries hold together, in
	// bytes; 0 means journal.DefaultMaxBytes (16 MiB).
	JournalMaxBytes int64
	// Faults are fault rules in force from the start (and again after
	// each reset).
	Faults []faults.Rule
	// Fixtures are loaded into the demo account at start (and again after
	// each reset); they need the demo account.
	Fixtures []*fixture.Set
	// Deterministic replaces the wall clock and random ids and tokens with
	// a source seeded with Seed (package determinism), so that two mocks
	// given the same calls in the same order answer the same bytes. Seed
	// also seeds the faults' probabilities; 0 without Deterministic picks
	// a random seed.
	Deterministic bool
	Seed          uint64
	// Violations names the violation switches (package violation) that
	// are on from the start; the management API changes them at run time.
	// An unknown name makes Start fail.
	Violations []string
	// Variants names the variant switches (package variant) that are on:
	// each makes the mock take one choice RFC 7643/7644 permits (only eq
	// filters, no sorting, no ETags, PATCH answered 204, ...), and its
	// /ServiceProviderConfig says so. An unknown name, or two variants
	// that choose differently for one feature, makes Start fail.
	Variants []string
	// ReadTimeout bounds the reading of a request, headers and body (a
	// client that sends its body a byte at a time is cut); WriteTimeout
	// bounds the time from the end of the request headers to the end of
	// the answer (the journal's live stream is exempt); IdleTimeout is how
	// long a kept-alive connection may wait for its next request. 0 means
	// the default (DefaultReadTimeout, DefaultWriteTimeout,
	// DefaultIdleTimeout); a negative value means none.
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// ConsoleAddr, when set, is where the web console listens (package
	// console: account management, the live journal, the client report,
	// switches and faults, in a browser), on a listener of its own so that
	// it can be exposed, or not, apart from the SCIM port. Empty: no
	// console.
	ConsoleAddr string
	// Strict refuses the IdP dialects (schema.Quirk: capitalised ops,
	// "False" strings, dotted keys, ...) with a 400 naming the quirk and
	// the RFC rule, instead of accepting them and naming them in the
	// X-Scimconf-Quirks response header.
	Strict bool

	// DataDir, when set, keeps the whole state (accounts, domains, token
	// hashes, users, groups, memberships, permissions, limits, the admin
	// token when none is given) in an SQLite database in this directory,
	// every write on disk before its answer; a restart on the same
	// directory finds it all again (data.go, package durable). Empty keeps
	// the state in memory only. The journal, faults and switches stay in
	// memory either way.
	DataDir string
}

// The timeouts of the mock's HTTP server (Options.ReadTimeout...): an IdP
// sends a SCIM request of at most a few MiB and answers come in
// milliseconds, so a read that takes half a minute is a stalled or hostile
// client; a write gets twice that, for a slow reader of a large list; an
// idle connection is kept two minutes, longer than the pauses between an
// IdP's provisioning cycles' requests.
const (
	DefaultReadTimeout  = 30 * time.Second
	DefaultWriteTimeout = 60 * time.Second
	DefaultIdleTimeout  = 120 * time.Second
	// readHeaderTimeout bounds the request line and headers alone.
	readHeaderTimeout = 10 * time.Second
)

// scimMaxBody caps a SCIM request body other than a bulk one (413 beyond).
const scimMaxBody = 8 << 20

// refuseAnnouncedTooLarge answers 413 at once, without reading the body,
// a request whose Content-Length already exceeds what the endpoint
// accepts: the management API's cap under /mock/v1, scimMax elsewhere. A
// client that announces 1 GB and stops would otherwise hold the connection
// until the read timeout while the journal and the handler wait for the
// bytes. The connection is closed after the answer, since the body is not
// read (RFC 7231 section 6.5.11: "The server MAY close the connection to
// prevent the client from continuing the request."). Such a request is not
// journaled.
func refuseAnnouncedTooLarge(next http.Handler, scimMax int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength <= mgmt.MaxBodyBytes {
			next.ServeHTTP(w, r)
			return
		}
		admin := r.URL.Path == mgmt.Prefix || strings.HasPrefix(r.URL.Path, mgmt.Prefix+"/")
		switch {
		case admin:
			w.Header().Set("Connection", "close")
			apijson.WriteError(w, http.StatusRequestEntityTooLarge, "body_too_large",
				"the request body announces %d bytes; the management API accepts at most %d", r.ContentLength, mgmt.MaxBodyBytes)
		case r.ContentLength > scimMax:
			w.Header().Set("Connection", "close")
			w.Header().Set("Content-Type", scimhttp.ContentType)
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			json.NewEncoder(w).Encode(scimerror.New(http.StatusRequestEntityTooLarge, "",
				"the request body announces %d bytes; this server accepts at most %d", r.ContentLength, scimMax))
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// faultsOutliveWriteTimeout gives a request that an injected latency may
// delay (a fault header, or any fault rule with a latency) its write
// timeout after the longest such latency, so that the answer the test
// asked to delay is still written, and a write timeout still bounds it.
func faultsOutliveWriteTimeout(in *faults.Injector, writeTimeout time.Duration, next http.Handler) http.Handler {
	if writeTimeout <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var latency time.Duration
		if hv := r.Header.Get(faults.Header); hv != "" {
			if a, err := faults.ParseHeader(hv); err == nil {
				latency = time.Duration(a.Latency)
			}
		} else {
			for _, rule := range in.Rules() {
				latency = max(latency, time.Duration(rule.Action.Latency))
			}
		}
		if latency > 0 {
			_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(min(latency, faults.MaxLatency) + writeTimeout))
		}
		next.ServeHTTP(w, r)
	})
}

// timeout is an Options timeout: 0 the default, negative none.
func timeout(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
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
	// ConsoleURL is the web console's address, e.g.
	// http://127.0.0.1:8081/console/ ("" without Options.ConsoleAddr).
	ConsoleURL string
	// The demo account (empty with NoDemo).
	AccountID   string
	SCIMBaseURL string
	SCIMToken   string
	Domain      string

	Registry *account.Registry
	DNS      *dnsmock.Server
	// Violations is the mock's violation switches; every part of the mock
	// reads it, so a change applies to the next request.
	Violations *violation.Set
	// Variants is the mock's variant switches: the permitted choices it
	// takes (Options.Variants).
	Variants *variant.Set

	// Journal records every SCIM exchange; Faults injects faults into
	// them (journal -> faults -> SCIM).
	Journal *journal.Journal
	Faults  *faults.Injector

	tenancy *tenancy
	srv     *http.Server
	done    chan error
	// The console's own listener (nil without one).
	consoleSrv  *http.Server
	consoleDone chan error
	console     *console.Console

	closeOnce sync.Once
	closeErr  error
	freshMu   sync.Mutex
	fresh     map[net.Conn]bool

	// What Reset restores besides the demo account.
	startFaults []faults.Rule
	fixtures    []*fixture.Set
	seeded      *determinism.Source
	log         *slog.Logger

	// data is the data directory's database (Options.DataDir), or nil.
	data   *durable.DB
	saveMu sync.Mutex
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
	if opts.Provider.Limits == (provider.Config{}).Limits {
		opts.Provider.Limits = provider.DefaultLimits
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if _, err := schema.ByName(opts.Schema); err != nil {
		return nil, err
	}
	rules, err := ParseRules(opts.Rules)
	if err != nil {
		return nil, err
	}
	opts.Rules = rules
	violations, err := violation.New(opts.Violations...)
	if err != nil {
		return nil, err
	}
	variants, err := variant.New(opts.Variants...)
	if err != nil {
		return nil, err
	}
	inst := &Instance{AdminToken: opts.AdminToken, Violations: violations, Variants: variants, done: make(chan error, 1)}
	var (
		clock     func() time.Time
		random    io.Reader
		newID     func() string
		faultSeed = opts.Seed
	)
	if opts.Deterministic {
		inst.seeded = determinism.New(opts.Seed)
		clock, random, newID = inst.seeded.Now, inst.seeded, inst.seeded.NewID
	} else if faultSeed == 0 {
		faultSeed = randomUint64()
	}
	if opts.DataDir != "" {
		if err := inst.openData(opts); err != nil {
			if inst.data != nil {
				inst.data.Close()
			}
			return nil, err
		}
		// Until the listener serves, Close cannot be called: a failure
		// before it closes the database here.
		defer func() {
			if inst.srv == nil {
				inst.data.Close()
			}
		}()
	}
	if inst.AdminToken == "" {
		inst.AdminToken = "admin-" + randomHex(16)
		if opts.Deterministic {
			// Apart from inst.seeded, whose stream Reset restarts.
			inst.AdminToken = "admin-" + determinism.New(opts.Seed^0xad).Hex(16)
		}
	}
	inst.log = opts.Logger
	inst.Journal = journal.New(journal.WithCapacity(opts.JournalSize), journal.WithMaxBytes(opts.JournalMaxBytes))
	inst.Faults = faults.New(faultSeed)
	inst.startFaults, inst.fixtures = opts.Faults, opts.Fixtures
	if err := inst.addStartFaults(); err != nil {
		return nil, err
	}
	if len(opts.Fixtures) > 0 && opts.NoDemo {
		return nil, errors.New("fixtures are loaded into the demo account: drop NoDemo or the fixtures")
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
	inst.tenancy.data = inst.data
	inst.tenancy.clock, inst.tenancy.newID = clock, newID
	if opts.Deterministic {
		// Cursors are signed; a key from the seed makes them repeatable.
		inst.tenancy.cursorKey = []byte(determinism.New(opts.Seed ^ 0xc0).Hex(32))
	}
	inst.tenancy.violations, inst.tenancy.resolver = violations, resolver
	inst.tenancy.variants = variants
	tokens := violation.NewTokens(violations)
	tokenRule, groupRule := account.TokenRule(account.CheckToken), account.GroupRule(account.CheckGroup)
	if rules == RulesRFC {
		tokenRule, groupRule = rfcTokenRule, rfcGroupRule
	}
	accountOpts := append(violation.AccountOptions(violations, tokenRule, groupRule),
		account.WithLimits(opts.Limits),
		account.WithClock(clock),
		account.WithRandom(random),
		account.WithAccountCreated(inst.tenancy.add),
		account.WithAccountDeleted(inst.tenancy.remove),
	)
	inst.Registry = account.NewRegistry(resolver, accountOpts...)
	inst.tenancy.registry = inst.Registry
	inst.tenancy.authenticate = tokens.Authenticate(inst.tenancy.authenticateToken, func(id string) bool {
		_, ok := inst.Registry.Account(id)
		return ok
	})

	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		inst.closeDNS()
		return nil, fmt.Errorf("listen on %s: %w (is another mock running? choose another address with --addr)", opts.Addr, err)
	}
	inst.URL = "http://" + ln.Addr().String()
	inst.AdminURL = inst.URL + mgmt.Prefix

	scim := scimhttp.New(inst.tenancy, scimhttp.Config{
		Logger:        opts.Logger,
		ResourceTypes: inst.tenancy.set().ResourceTypes,
		Strict:        opts.Strict,
		Refuse:        violation.RefusedQuirks(violations),
		Opens:         violation.Opens(violations, nil),
		MaxBodyBytes:  scimMaxBody,
		// What a token needs differs with the rules.
		AuthDescription: authDescription(rules),
	})
	admin := mgmt.New(mgmt.Deps{
		Registry:   inst.Registry,
		AdminToken: inst.AdminToken,
		Store:      inst.tenancy.store,
		Set:        inst.tenancy.set,
		DNS:        inst.DNS,
		Reset:      inst.Reset,
		Double:     inst.double(),
		Logger:     opts.Logger,
		Violations: violation.API{Set: violations},
		Wrap: violation.Management(violations, violation.ManagementDeps{
			Registry: inst.Registry,
			Tokens:   tokens,
			Store:    inst.tenancy.store,
			Group:    inst.tenancy.set().ResourceType("Group"),
		}),
	})
	mux := http.NewServeMux()
	mux.Handle(mgmt.Prefix+"/", inst.keepManagementWrites(admin))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}`))
	})
	// The switches that act on the wire are a broken proxy in front of the
	// SCIM handler, inside the journal, so the journal records what they
	// break.
	// The variants are the server's own choices, so they sit behind the
	// switches' broken proxy, next to the SCIM handler.
	brokenSCIM := violation.SCIM(violations, scimhttp.SCIMPrefix, inst.tenancy.Provider)(variant.SCIM(variants, scimhttp.SCIMPrefix)(scim))
	mux.Handle("/", inst.Journal.Middleware(faultsOutliveWriteTimeout(inst.Faults,
		timeout(opts.WriteTimeout, DefaultWriteTimeout), inst.Faults.Middleware(brokenSCIM))))
	inst.srv = &http.Server{
		Handler:           refuseAnnouncedTooLarge(mux, max(scimMaxBody, int64(opts.Provider.BulkMaxPayloadSize))),
		ReadHeaderTimeout: min(readHeaderTimeout, timeout(opts.ReadTimeout, DefaultReadTimeout)),
		ReadTimeout:       timeout(opts.ReadTimeout, DefaultReadTimeout),
		WriteTimeout:      timeout(opts.WriteTimeout, DefaultWriteTimeout),
		IdleTimeout:       timeout(opts.IdleTimeout, DefaultIdleTimeout),
		ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn),
	}
	if inst.srv.ReadHeaderTimeout == 0 {
		inst.srv.ReadHeaderTimeout = readHeaderTimeout // no read timeout still bounds the headers
	}
	// Shutdown waits up to five seconds for connections that were opened
	// but never sent a request (a client's spare dial); Close drops those
	// at once instead.
	inst.srv.ConnState = inst.trackFresh
	inst.srv.RegisterOnShutdown(inst.Journal.CloseStreams)
	go func() { inst.done <- inst.srv.Serve(ln) }()

	if opts.ConsoleAddr != "" {
		if err := inst.startConsole(opts); err != nil {
			inst.Close()
			return nil, err
		}
	}
	restored := false
	if inst.data != nil {
		if restored, err = inst.restoreData(ctx, opts); err != nil {
			inst.Close()
			return nil, err
		}
	}
	if !restored {
		if !opts.NoDemo {
			if err := inst.demo(ctx, opts.DemoDomain); err != nil {
				inst.Close()
				return nil, err
			}
		}
		if err := inst.loadFixtures(ctx); err != nil {
			inst.Close()
			return nil, err
		}
		if err := inst.saveState(); err != nil {
			inst.Close()
			return nil, err
		}
	}
	return inst, nil
}

// startConsole starts the web console on its own listener. The console is
// a client of the management API like any other (package mockclient, over
// the loopback socket, with the admin token a person signs in with), so it
// goes through the same handlers, rules and switches as curl would.
func (inst *Instance) startConsole(opts Options) error {
	ln, err := net.Listen("tcp", opts.ConsoleAddr)
	if err != nil {
		return fmt.Errorf("listen on %s for the console: %w (choose another address with --console-addr, or off)", opts.ConsoleAddr, err)
	}
	c, err := console.New(console.Config{
		AdminURL: loopbackURL(inst.URL) + mgmt.Prefix,
		Rules:    opts.Rules,
		Logger:   opts.Logger,
	})
	if err != nil {
		ln.Close()
		return err
	}
	inst.console = c
	inst.ConsoleURL = loopbackURL("http://"+ln.Addr().String()) + console.Prefix
	inst.consoleSrv = &http.Server{
		Handler:           c,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       timeout(opts.ReadTimeout, DefaultReadTimeout),
		// The journal's live tail lifts this for itself.
		WriteTimeout: timeout(opts.WriteTimeout, DefaultWriteTimeout),
		IdleTimeout:  timeout(opts.IdleTimeout, DefaultIdleTimeout),
		ErrorLog:     slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn),
	}
	inst.consoleSrv.RegisterOnShutdown(c.Close)
	inst.consoleDone = make(chan error, 1)
	go func() { inst.consoleDone <- inst.consoleSrv.Serve(ln) }()
	return nil
}

// loopbackURL replaces an unspecified host (0.0.0.0, ::) in u by the
// loopback address, which reaches the same listener from this machine.
func loopbackURL(u string) string {
	for _, any := range []string{"http://0.0.0.0:", "http://[::]:"} {
		if rest, ok := strings.CutPrefix(u, any); ok {
			return "http://127.0.0.1:" + rest
		}
	}
	return u
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
func (inst *Instance) Reset(ctx context.Context) error {
	inst.Registry.Reset()
	if inst.DNS != nil {
		inst.DNS.Reset()
	}
	inst.resetDouble()
	if inst.AccountID == "" {
		return nil
	}
	if err := inst.demo(ctx, inst.Domain); err != nil {
		return fmt.Errorf("reset: recreating the demo account: %w", err)
	}
	if err := inst.loadFixtures(ctx); err != nil {
		return fmt.Errorf("reset: reloading the fixtures: %w", err)
	}
	return inst.saveState()
}

// trackFresh keeps the connections that have not sent a request yet.
func (inst *Instance) trackFresh(c net.Conn, state http.ConnState) {
	inst.freshMu.Lock()
	defer inst.freshMu.Unlock()
	if inst.fresh == nil {
		inst.fresh = map[net.Conn]bool{}
	}
	if state == http.StateNew {
		inst.fresh[c] = true
	} else {
		delete(inst.fresh, c)
	}
}

// Close stops the mock and waits until its listeners are closed. Calling
// it again returns the first call's result.
func (inst *Instance) Close() error {
	inst.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		inst.freshMu.Lock()
		for c := range inst.fresh {
			c.Close()
		}
		inst.freshMu.Unlock()
		// The console first: its live tails read the mock's journal stream.
		var consoleErr error
		if inst.consoleSrv != nil {
			consoleErr = inst.consoleSrv.Shutdown(ctx)
			if e := <-inst.consoleDone; !errors.Is(e, http.ErrServerClosed) && consoleErr == nil {
				consoleErr = e
			}
		}
		err := inst.srv.Shutdown(ctx)
		if e := <-inst.done; !errors.Is(e, http.ErrServerClosed) && err == nil {
			err = e
		}
		inst.closeDNS()
		if inst.data != nil {
			err = errors.Join(err, inst.data.Close())
		}
		inst.closeErr = errors.Join(err, consoleErr)
	})
	return inst.closeErr
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
	if inst.ConsoleURL != "" {
		lines = append(lines, "CONSOLE_URL="+inst.ConsoleURL)
	}
	if inst.DNSAddr != "" {
		lines = append(lines, "DNS_ADDR="+inst.DNSAddr)
	}
	if inst.SCIMToken == "" && inst.data != nil {
		// Restarted on a data directory: the demo token's value is not
		// kept, so there is none to print (the first start printed it).
		lines = slices.DeleteFunc(lines, func(l string) bool { return l == "SCIM_TOKEN=" })
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
	// violations reach every account's store, provider and policy.
	violations *violation.Set
	// variants reach every account's store and policy.
	variants *variant.Set
	// resolver is what domain-needs-txt-forever asks again.
	resolver account.Resolver
	// authenticate is authenticateToken with the switches that break it.
	authenticate func(ctx context.Context, token string) (string, error)
	// clock and newID, when set, replace the stores' wall clock and random
	// ids (deterministic mode).
	clock     func() time.Time
	newID     func() string
	cursorKey []byte
	// data, when set, makes every store write durable (data.go).
	data *durable.DB

	mu        sync.RWMutex
	providers map[string]*provider.Provider
	// stores are the providers' stores without the provider's switches
	// (violation.ProviderStore), for the management API.
	stores map[string]store.Store
	// memories are the in-memory stores under the decorators, which a
	// restart on a data directory fills again.
	memories map[string]*store.Memory
}

func newTenancy(opts Options) *tenancy {
	return &tenancy{opts: opts, setName: opts.Schema, providers: map[string]*provider.Provider{}, stores: map[string]store.Store{}, memories: map[string]*store.Memory{}}
}

// set returns a fresh copy of the configured schema set, its descriptions
// saying what the rules in force enforce.
func (t *tenancy) set() *schema.Set {
	s, _ := schema.ByName(t.setName)
	describeRules(s, t.opts.Rules)
	return s
}

func (t *tenancy) add(a *account.Account) {
	set := t.set()
	mem := store.NewMemory(set, append(append(violation.StoreOptions(t.violations),
		store.WithClock(t.clock), store.WithIDGenerator(t.newID), store.WithCursorKey(t.cursorKey)),
		t.storeOptions(a.ID())...)...)
	var st store.Store = mem
	// Every SCIM group takes its name and place through the account, in
	// both modes, so account management lists it and assigns its
	// permissions; under RulesRFC the account's group rule (rfcGroupRule)
	// no longer sets LOCAL groups against SCIM groups.
	st = dynatrace.Groups(a, st)
	st = variant.Store(t.variants, st)
	st = violation.Store(t.violations, st)
	p := provider.New(set, violation.ProviderStore(t.violations, st), t.opts.Provider)
	p.Required = violation.Required(t.violations)
	var policy provider.Policy // RulesRFC: nothing beyond the schema's rules
	if t.opts.Rules != RulesRFC {
		domains := violation.VerifiedDomains(t.violations, func(_ context.Context, d string) bool { return a.IsVerified(d) }, a, t.resolver)
		policy = &dynatrace.Policy{Users: violation.UserRule(t.violations, dynatrace.Users(dynatrace.DomainsFunc(domains)))}
	}
	p.Policy = violation.ProviderPolicy(t.violations, variant.Policy(t.variants, policy))
	a.SetHooks(account.Hooks{
		// The account owns maxGroups (its group rule); the store enforces
		// the rest.
		OnLimitsChange: func(l account.Limits) {
			st.SetLimits(store.Limits{MaxUsers: l.MaxUsers, MaxGroupsPerUser: l.MaxGroupsPerUser})
		},
	})
	t.mu.Lock()
	t.providers[a.ID()] = p
	t.stores[a.ID()] = st
	t.memories[a.ID()] = mem
	t.mu.Unlock()
}

func (t *tenancy) remove(a *account.Account) {
	t.mu.Lock()
	delete(t.providers, a.ID())
	delete(t.stores, a.ID())
	delete(t.memories, a.ID())
	t.mu.Unlock()
	t.forget(a.ID())
}

// memory returns an account's in-memory store, or nil.
func (t *tenancy) memory(accountID string) *store.Memory {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.memories[accountID]
}

// Authenticate implements scimhttp.Tenancy.
func (t *tenancy) Authenticate(ctx context.Context, token string) (string, error) {
	return t.authenticate(ctx, token)
}

// authenticateToken is the account a SCIM token opens.
func (t *tenancy) authenticateToken(ctx context.Context, token string) (string, error) {
	a, err := t.registry.Authenticate(token)
	if err != nil {
		return "", dynatrace.AuthError(err)
	}
	return a.ID(), nil
}

// Provider implements scimhttp.Tenancy.
func (t *tenancy) Provider(accountID string) *provider.Provider {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.providers[accountID]
}

// store returns an account's SCIM store, or nil.
func (t *tenancy) store(accountID string) store.Store {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.stores[accountID]
}

// double hands the test-double endpoints to the management API.
func (inst *Instance) double() mgmt.Double {
	fx := fixture.API{Provider: inst.tenancy.Provider}
	return mgmt.Double{
		Journal:       inst.Journal.ServeList,
		ClearJournal:  inst.Journal.ServeClear,
		CountJournal:  inst.Journal.ServeCount,
		StreamJournal: inst.Journal.ServeStream,
		ClientReport:  clientreport.Handler(inst.Journal, nil),
		ListFaults:    inst.Faults.ServeList,
		AddFault:      inst.Faults.ServeAdd,
		ClearFaults:   inst.Faults.ServeClear,
		DeleteFault:   inst.Faults.ServeDelete,
		LoadFixtures:  fx.ServeLoad,
		Export:        fx.ServeExport,
	}
}

// addStartFaults installs the fault rules given at start.
func (inst *Instance) addStartFaults() error {
	for i, r := range inst.startFaults {
		if _, err := inst.Faults.Add(r); err != nil {
			return fmt.Errorf("fault rule %d: %w", i, err)
		}
	}
	return nil
}

// loadFixtures loads the start fixtures into the demo account.
func (inst *Instance) loadFixtures(ctx context.Context) error {
	if len(inst.fixtures) == 0 {
		return nil
	}
	p := inst.tenancy.Provider(inst.AccountID)
	if p == nil {
		return errors.New("fixtures: the demo account has no SCIM service provider")
	}
	for i, s := range inst.fixtures {
		if _, err := fixture.Load(ctx, p, s); err != nil {
			return fmt.Errorf("fixtures (set %d) into the demo account: %w", i+1, err)
		}
	}
	return nil
}

// resetDouble empties the journal, puts the start faults back and restarts
// the deterministic clock and ids, so that the mock after Reset answers as
// it did after Start.
func (inst *Instance) resetDouble() {
	inst.Journal.Clear()
	inst.Faults.Clear()
	if err := inst.addStartFaults(); err != nil {
		inst.log.Error("reset: the start faults", "err", err)
	}
	if inst.seeded != nil {
		inst.seeded.Reset()
	}
}

func randomUint64() uint64 {
	var b [8]byte
	rand.Read(b[:])
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}
