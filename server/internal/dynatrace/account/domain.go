package account

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// DomainStatus is where a domain stands in the ownership check.
type DomainStatus string

// The two states of the seed's "Pending domains" and "Verified domains"
// tables.
const (
	DomainPending  DomainStatus = "PENDING"
	DomainVerified DomainStatus = "VERIFIED"
)

// TXTPrefix starts every TXT value the account asks the owner to publish.
const TXTPrefix = "dynatrace-verification="

// Domain is one domain of an account. A verified domain serves SCIM and SAML
// alike (rule DT-DOMAIN-SHARED), so an account has one list of them.
type Domain struct {
	Name   string       `json:"domain"` // lower case, no trailing dot
	Status DomainStatus `json:"status"`
	// TXTName and TXTValue are the record the owner publishes: a TXT
	// record at TXTName whose value is exactly TXTValue.
	TXTName    string     `json:"txtName"`
	TXTValue   string     `json:"txtValue"`
	CreatedAt  time.Time  `json:"createdAt"`
	VerifiedAt *time.Time `json:"verifiedAt,omitempty"`
	// LastCheck and Reason tell why a domain is still pending after its
	// last verification attempt; Reason is empty once it is verified.
	LastCheck *time.Time `json:"lastCheck,omitempty"`
	Reason    string     `json:"reason,omitempty"`
}

type domain struct {
	d   Domain
	seq uint64
}

func (d *domain) snapshot() Domain {
	c := d.d
	if c.VerifiedAt != nil {
		t := *c.VerifiedAt
		c.VerifiedAt = &t
	}
	if c.LastCheck != nil {
		t := *c.LastCheck
		c.LastCheck = &t
	}
	return c
}

// NormalizeDomain returns name in the form the account stores it: lower
// case, without a trailing dot. It refuses anything that is not a DNS host
// name of at least two labels (letters, digits and inner hyphens, 1 to 63
// characters each, at most 253 in all, a top-level label that is not all
// digits so that IP addresses are refused).
func NormalizeDomain(name string) (string, error) {
	if name == "" {
		return "", errors.New("the domain is empty")
	}
	if !utf8.ValidString(name) {
		return "", errors.New("the domain is not valid UTF-8")
	}
	for i, c := range name {
		if c >= utf8.RuneSelf {
			return "", fmt.Errorf("the domain %q has a non-ASCII character at byte offset %d; enter an internationalised domain in its punycode (xn--) form", name, i)
		}
	}
	n := strings.TrimSuffix(strings.ToLower(name), ".")
	if len(n) > 253 {
		return "", fmt.Errorf("the domain has %d characters; a DNS name has at most 253", len(n))
	}
	labels := strings.Split(n, ".")
	if len(labels) < 2 {
		return "", fmt.Errorf("the domain %q has a single label; enter a full domain such as example.com", name)
	}
	for _, l := range labels {
		if l == "" {
			return "", fmt.Errorf("the domain %q has an empty label (two dots in a row, or a leading dot)", name)
		}
		if len(l) > 63 {
			return "", fmt.Errorf("the label %q of the domain has %d characters; at most 63 are allowed", l, len(l))
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return "", fmt.Errorf("the label %q of the domain starts or ends with a hyphen", l)
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", fmt.Errorf("the label %q of the domain has the character %q; only letters, digits and hyphens are allowed", l, c)
			}
		}
	}
	tld := labels[len(labels)-1]
	if strings.Trim(tld, "0123456789") == "" {
		return "", fmt.Errorf("%q is not a domain name (its last label is all digits; IP addresses cannot be verified)", name)
	}
	return n, nil
}

// AddDomain adds a domain as PENDING and returns the TXT record its owner
// must publish (rule DT-DOMAIN-TXT). Any number of domains may be pending
// and verified at the same time; a subdomain is a domain of its own (rule
// DT-DOMAIN-MULTI).
func (a *Account) AddDomain(name string) (Domain, error) {
	d, err := a.newDomain(name)
	if err != nil {
		return Domain{}, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.errIfDeletedLocked(); err != nil {
		return Domain{}, err
	}
	n := d.d.Name
	if cur, ok := a.domains[n]; ok {
		return Domain{}, fmt.Errorf("%w: %s is %s", ErrDomainExists, n, strings.ToLower(string(cur.d.Status)))
	}
	d.seq, d.d.CreatedAt = a.nextSeqLocked(), a.reg.now().UTC()
	a.domains[n] = d
	return d.snapshot(), nil
}

// newDomain normalizes name and draws the secret of its TXT record: a
// PENDING domain, not yet in the account, whose seq and CreatedAt the
// caller sets under the lock. The secret is drawn before the lock so the
// random source stays out of the critical section.
func (a *Account) newDomain(name string) (*domain, error) {
	n, err := NormalizeDomain(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidDomain, err)
	}
	secret, err := a.reg.randomString(lowerAlnum, 32)
	if err != nil {
		return nil, err
	}
	return &domain{d: Domain{Name: n, Status: DomainPending, TXTName: n, TXTValue: TXTPrefix + secret}}, nil
}

// Domains returns the account's domains, pending and verified, in the order
// they were added.
func (a *Account) Domains() []Domain {
	a.mu.RLock()
	all := make([]*domain, 0, len(a.domains))
	for _, d := range a.domains {
		all = append(all, d)
	}
	out := make([]Domain, 0, len(all))
	slices.SortFunc(all, func(x, y *domain) int { return cmpUint(x.seq, y.seq) })
	for _, d := range all {
		out = append(out, d.snapshot())
	}
	a.mu.RUnlock()
	return out
}

// Domain returns one domain of the account.
func (a *Account) Domain(name string) (Domain, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	d, ok := a.domains[looseDomain(name)]
	if !ok {
		return Domain{}, false
	}
	return d.snapshot(), true
}

// VerifyDomain looks up the TXT records at the domain's TXTName through the
// registry's resolver. If one has exactly the domain's TXTValue the domain
// becomes VERIFIED; otherwise it stays PENDING with LastCheck and Reason set,
// and the caller may retry as often as it likes while DNS propagates. Either
// way the error is nil: a check that found nothing is a result, not a
// failure. Verifying a verified domain changes nothing. Errors:
// ErrInvalidDomain, ErrDomainNotFound (also when the domain is deleted while
// the lookup runs), ErrAccountNotFound.
//
// The lookup runs without the account's lock, so a slow DNS server holds up
// nothing else.
func (a *Account) VerifyDomain(ctx context.Context, name string) (Domain, error) {
	n, err := NormalizeDomain(name)
	if err != nil {
		return Domain{}, fmt.Errorf("%w: %v", ErrInvalidDomain, err)
	}
	a.mu.RLock()
	d, ok := a.domains[n]
	var txtName, txtValue string
	var snap Domain
	if ok {
		snap = d.snapshot()
		txtName, txtValue = d.d.TXTName, d.d.TXTValue
	}
	delErr := a.errIfDeletedLocked()
	a.mu.RUnlock()
	if delErr != nil {
		return Domain{}, delErr
	}
	if !ok {
		return Domain{}, fmt.Errorf("%w: %s", ErrDomainNotFound, n)
	}
	if snap.Status == DomainVerified {
		return snap, nil
	}

	found, reason := lookupTXT(ctx, a.reg.resolver, a.reg.txtMatch, txtName, txtValue)

	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.errIfDeletedLocked(); err != nil {
		return Domain{}, err
	}
	if a.domains[n] != d {
		return Domain{}, fmt.Errorf("%w: %s was deleted while its TXT record was being looked up", ErrDomainNotFound, n)
	}
	if d.d.Status == DomainVerified { // a parallel verification won
		return d.snapshot(), nil
	}
	now := a.reg.now().UTC()
	d.d.LastCheck = &now
	if found {
		d.d.Status = DomainVerified
		a.verified.Add(1)
		v := now
		d.d.VerifiedAt = &v
		d.d.Reason = ""
	} else {
		d.d.Reason = reason
	}
	return d.snapshot(), nil
}

// TXTMatch reports whether the TXT records found at a domain's TXTName
// prove its ownership, given the value the account asked for.
type TXTMatch func(records []string, want string) bool

// ExactTXT is Dynatrace's ownership check (DT-DOMAIN-TXT): one record has
// exactly the value asked for.
func ExactTXT(records []string, want string) bool { return slices.Contains(records, want) }

// WithTXTMatch sets how VerifyDomain judges the TXT records it found; the
// default is ExactTXT.
func WithTXTMatch(m TXTMatch) Option {
	return func(r *Registry) {
		if m != nil {
			r.txtMatch = m
		}
	}
}

// lookupTXT reports whether the TXT records at name match want, and if
// not, why in words the domain owner can act on.
func lookupTXT(ctx context.Context, res Resolver, match TXTMatch, name, want string) (bool, string) {
	if res == nil {
		return false, "DNS lookup failed: no resolver is configured"
	}
	if ctx == nil {
		ctx = context.Background()
	}
	recs, err := res.LookupTXT(ctx, name)
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return false, "no TXT record found for " + name
		}
		return false, "DNS lookup failed: " + err.Error()
	}
	if len(recs) == 0 {
		return false, "no TXT record found for " + name
	}
	if match(recs, want) {
		return true, ""
	}
	return false, "TXT record found but none has the expected value"
}

// MarkVerified marks a domain verified without a DNS check, adding it first
// if the account does not have it: for bootstrap and tests, and for a domain
// already verified for SAML (rule DT-DOMAIN-SHARED).
func (a *Account) MarkVerified(name string) (Domain, error) {
	added, err := a.newDomain(name)
	if err != nil {
		return Domain{}, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.errIfDeletedLocked(); err != nil {
		return Domain{}, err
	}
	now := a.reg.now().UTC()
	d, ok := a.domains[added.d.Name]
	if !ok {
		d = added
		d.seq, d.d.CreatedAt = a.nextSeqLocked(), now
		a.domains[d.d.Name] = d
	}
	if d.d.Status != DomainVerified {
		d.d.Status = DomainVerified
		a.verified.Add(1)
		d.d.VerifiedAt = &now
		d.d.Reason = ""
	}
	return d.snapshot(), nil
}

// DeleteDomain removes a domain, pending or verified. Users already
// provisioned with it stay, and so do tokens; but once the last verified
// domain is gone, SCIM is no longer configured (the seed: "At least one
// domain ownership verification is required for the account"), so the
// tokens open nothing until a domain is verified again (Authenticate,
// ErrSCIMNeedsDomain).
func (a *Account) DeleteDomain(name string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.errIfDeletedLocked(); err != nil {
		return err
	}
	n := looseDomain(name)
	d, ok := a.domains[n]
	if !ok {
		return fmt.Errorf("%w: %s", ErrDomainNotFound, name)
	}
	if d.d.Status == DomainVerified {
		a.verified.Add(-1)
	}
	delete(a.domains, n)
	return nil
}

// IsVerified reports whether domain is verified in the account: an exact
// match, ignoring case and a trailing dot. A subdomain is not covered by its
// parent: uk.example.com needs its own verification (rule DT-DOMAIN-MULTI).
// It is what the SCIM side asks for a userName's domain (rule
// DT-USER-DOMAIN).
func (a *Account) IsVerified(domain string) bool {
	n := looseDomain(domain)
	a.mu.RLock()
	defer a.mu.RUnlock()
	d, ok := a.domains[n]
	return ok && d.d.Status == DomainVerified
}

// HasVerifiedDomain reports whether the account has at least one verified
// domain, which SCIM needs (rule DT-DOMAIN-REQUIRED).
func (a *Account) HasVerifiedDomain() bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.hasVerifiedLocked()
}

func (a *Account) hasVerifiedLocked() bool { return a.verified.Load() > 0 }

// looseDomain is the lookup key of a name that need not be valid: lower case
// without a trailing dot. An invalid name simply matches nothing.
func looseDomain(name string) string {
	return strings.TrimSuffix(strings.ToLower(name), ".")
}
