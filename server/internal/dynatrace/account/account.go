// Package account owns Dynatrace's account model as Account Management shows
// it: the accounts a mock server hosts, each account's domains and their DNS
// TXT ownership check (rules DT-DOMAIN-*), its SCIM bearer tokens (rules
// DT-TOKEN-*, DT-AUTH-SCOPE), its limits (DT-USER-LIMIT, DT-GROUP-LIMIT,
// DT-GROUP-PER-USER), its LOCAL groups and the permissions of every group,
// LOCAL or SCIM (DT-GROUP-TYPE, DT-GROUP-LOCKED, DT-GROUP-UNIQUE).
//
// It does not hold SCIM users or SCIM groups (package store does) and knows
// nothing of HTTP: the management API handlers sit on top of it and map its
// sentinel errors to statuses. The SCIM side and this package meet through
// the claims of SCIM groups (names.go: the account owns every group name
// and the group limit), Hooks (the limits the store enforces), IsVerified
// and Authenticate.
//
// Every method is safe for concurrent use. Token values are never stored:
// only their SHA-256 is kept, and no method returns a value after
// GenerateToken.
package account

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
)

// Resolver looks up DNS TXT records; *net.Resolver satisfies it. The mock
// wires a client of its DNS mock here, so domain verification goes through
// real DNS messages in tests and in serve.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// Option configures a Registry.
type Option func(*Registry)

// WithClock sets the clock for every timestamp the registry records
// (creation, verification, last use). The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(r *Registry) {
		if now != nil {
			r.now = now
		}
	}
}

// WithRandom sets the source of account, group and token ids, TXT values and
// token values. The default is crypto/rand; tests pass a seeded reader to get
// the same ids on every run. The reader need not be safe for concurrent use:
// the registry serialises reads from it.
func WithRandom(src io.Reader) Option {
	return func(r *Registry) {
		if src != nil {
			r.rand = src
		}
	}
}

// WithLimits sets the limits new accounts start with. Fields below 1 keep
// their DefaultLimits value, because an option cannot report an error and a
// zero limit would make an account unusable.
func WithLimits(l Limits) Option {
	return func(r *Registry) { r.defaults = l.orDefaults() }
}

// WithAccountCreated registers fn to be called by CreateAccount with the new
// account before it becomes visible through Account, Accounts or
// Authenticate, so the caller can set its Hooks (for example wire it to a new
// SCIM store) with no window in which the account is half set up.
func WithAccountCreated(fn func(*Account)) Option {
	return func(r *Registry) { r.onCreated = fn }
}

// WithAccountDeleted registers fn to be called after DeleteAccount or Reset
// removed an account, so the caller can drop what it keeps for it (its SCIM
// store). It is called without any lock of the registry held.
func WithAccountDeleted(fn func(*Account)) Option {
	return func(r *Registry) { r.onDeleted = fn }
}

// Registry holds every account of a mock server and the index that maps a
// SCIM token to its account. It is safe for concurrent use.
type Registry struct {
	resolver  Resolver
	now       func() time.Time
	defaults  Limits
	onCreated func(*Account)
	onDeleted func(*Account)
	groupRule GroupRule
	tokenRule TokenRule
	txtMatch  TXTMatch

	randMu sync.Mutex // serialises reads from rand, which may be a plain seeded reader
	rand   io.Reader

	// Lock order: Account.mu before Registry.mu. The registry never calls
	// into an account while holding mu.
	mu       sync.RWMutex
	accounts map[string]*Account
	seq      uint64
	tokens   map[[32]byte]*tokenEntry // SHA-256 of the token value -> token
}

// NewRegistry returns an empty registry whose accounts verify domains
// through resolver. A nil resolver makes every verification fail with a
// reason saying no resolver is configured.
func NewRegistry(resolver Resolver, opts ...Option) *Registry {
	r := &Registry{
		resolver:  resolver,
		now:       time.Now,
		defaults:  DefaultLimits(),
		groupRule: CheckGroup,
		tokenRule: CheckToken,
		txtMatch:  ExactTXT,
		rand:      rand.Reader,
		accounts:  make(map[string]*Account),
		tokens:    make(map[[32]byte]*tokenEntry),
	}
	for _, o := range opts {
		if o != nil {
			o(r)
		}
	}
	return r
}

// MaxNameLen caps account names, group names and descriptions, token
// descriptions and permission fields, in characters.
const MaxNameLen = 255

// CreateAccount creates an account with a new UUID-shaped id, no domains, no
// tokens and the registry's default limits. Names need not be unique; ids
// are.
func (r *Registry) CreateAccount(name string) (*Account, error) {
	if err := checkText("account name", name, true); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidAccountName, err)
	}
	var id string
	for range 4 {
		u, err := r.newUUID()
		if err != nil {
			return nil, err
		}
		r.mu.RLock()
		_, dup := r.accounts[u]
		r.mu.RUnlock()
		if !dup {
			id = u
			break
		}
	}
	if id == "" {
		return nil, fmt.Errorf("account: the random source keeps producing ids already in use")
	}
	a := &Account{
		reg:         r,
		id:          id,
		name:        name,
		createdAt:   r.now().UTC(),
		limits:      r.defaults,
		domains:     make(map[string]*domain),
		tokens:      make(map[string]*tokenEntry),
		groups:      make(map[string]*localGroup),
		names:       make(map[string]string),
		scimGroups:  make(map[string]string),
		scimNames:   make(map[string]int),
		permissions: make(map[string][]Permission),
	}
	if r.onCreated != nil {
		r.onCreated(a)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.accounts[id]; dup {
		return nil, fmt.Errorf("account: the random source produced an id already in use")
	}
	r.seq++
	a.seq = r.seq
	r.accounts[id] = a
	return a, nil
}

// Account returns the account with the given id.
func (r *Registry) Account(id string) (*Account, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	a, ok := r.accounts[id]
	return a, ok
}

// Accounts returns every account in creation order.
func (r *Registry) Accounts() []*Account {
	r.mu.RLock()
	out := make([]*Account, 0, len(r.accounts))
	for _, a := range r.accounts {
		out = append(out, a)
	}
	r.mu.RUnlock()
	slices.SortFunc(out, func(x, y *Account) int { return cmpUint(x.seq, y.seq) })
	return out
}

// DeleteAccount removes an account: its tokens stop working at once and every
// later change through a *Account still held by someone fails with
// ErrAccountNotFound.
func (r *Registry) DeleteAccount(id string) error {
	r.mu.Lock()
	a, ok := r.accounts[id]
	delete(r.accounts, id)
	r.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: no account has id %q", ErrAccountNotFound, id)
	}
	a.close()
	if r.onDeleted != nil {
		r.onDeleted(a)
	}
	return nil
}

// Reset removes every account (as DeleteAccount does) and every token.
func (r *Registry) Reset() {
	r.mu.Lock()
	all := make([]*Account, 0, len(r.accounts))
	for _, a := range r.accounts {
		all = append(all, a)
	}
	r.accounts = make(map[string]*Account)
	r.tokens = make(map[[32]byte]*tokenEntry)
	r.mu.Unlock()
	slices.SortFunc(all, func(x, y *Account) int { return cmpUint(x.seq, y.seq) })
	for _, a := range all {
		a.close()
		if r.onDeleted != nil {
			r.onDeleted(a)
		}
	}
}

// Account is one Dynatrace account. Get one from Registry.CreateAccount or
// Registry.Account; its methods are safe for concurrent use.
type Account struct {
	reg       *Registry
	id        string
	name      string
	createdAt time.Time
	seq       uint64

	// limitsMu serialises SetLimits and SetHooks so OnLimitsChange sees
	// the limits in the order they were set. It is taken before mu.
	limitsMu sync.Mutex

	mu      sync.RWMutex
	deleted bool
	hooks   Hooks
	limits  Limits
	itemSeq uint64 // creation order of domains, tokens and groups

	domains map[string]*domain     // by lower-case name
	tokens  map[string]*tokenEntry // by public id
	// verified counts the verified domains; written under mu, read by
	// Authenticate without it, so that SCIM requests do not queue on the
	// account's lock to learn whether SCIM is configured.
	verified atomic.Int32

	groups      map[string]*localGroup  // LOCAL groups by id
	names       map[string]string       // fold key of a LOCAL group name -> group id
	permissions map[string][]Permission // by group id, LOCAL or SCIM

	// The SCIM groups as their claims settled them (names.go).
	scimGroups  map[string]string // SCIM group id -> fold key of its name
	scimNames   map[string]int    // fold key -> SCIM groups and open claims holding it
	scimPending int               // places claimed by SCIM creates not yet settled
}

// ID returns the account's UUID-shaped id; it is the {accountId} of the
// SCIM base URL.
func (a *Account) ID() string { return a.id }

// Name returns the name given at creation.
func (a *Account) Name() string { return a.name }

// CreatedAt returns when the account was created.
func (a *Account) CreatedAt() time.Time { return a.createdAt }

// Hooks connect an account to the SCIM store. Each hook is called without
// any lock of the account held, so it may call the account's read methods
// (IsVerified, Limits); it must not call SetLimits or SetHooks. Nil hooks
// are skipped.
type Hooks struct {
	// OnLimitsChange receives the account's limits after every successful
	// SetLimits, so the SCIM store enforces the same numbers.
	OnLimitsChange func(Limits)
}

// SetHooks replaces the account's hooks and, when h.OnLimitsChange is set,
// calls it once with the current limits so the subscriber starts in sync.
func (a *Account) SetHooks(h Hooks) {
	a.limitsMu.Lock()
	defer a.limitsMu.Unlock()
	a.mu.Lock()
	a.hooks = h
	l := a.limits
	a.mu.Unlock()
	if h.OnLimitsChange != nil {
		h.OnLimitsChange(l)
	}
}

// close marks the account deleted and revokes its tokens.
func (a *Account) close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.deleted = true
	a.reg.mu.Lock()
	for _, t := range a.tokens {
		t.revoked.Store(true)
		delete(a.reg.tokens, t.hash)
	}
	a.reg.mu.Unlock()
}

// errIfDeletedLocked must be called with a.mu held.
func (a *Account) errIfDeletedLocked() error {
	if a.deleted {
		return fmt.Errorf("%w: account %q was deleted", ErrAccountNotFound, a.id)
	}
	return nil
}

func (a *Account) nextSeqLocked() uint64 {
	a.itemSeq++
	return a.itemSeq
}

func cmpUint(x, y uint64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// checkText refuses what would make a name or description unreadable in a
// list or a log line: invalid UTF-8, control characters, more than
// MaxNameLen characters, and (for names) emptiness or surrounding spaces,
// which would make "Admins" and "Admins " two different groups.
func checkText(what, s string, isName bool) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("the %s is not valid UTF-8", what)
	}
	if n := utf8.RuneCountInString(s); n > MaxNameLen {
		return fmt.Errorf("the %s has %d characters; at most %d are allowed", what, n, MaxNameLen)
	}
	for i, c := range s {
		if unicode.IsControl(c) {
			return fmt.Errorf("the %s has a control character (%U) at byte offset %d", what, c, i)
		}
	}
	if isName {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("the %s is empty", what)
		}
		if strings.TrimSpace(s) != s {
			return fmt.Errorf("the %s %q starts or ends with white space; remove it", what, s)
		}
	}
	return nil
}
