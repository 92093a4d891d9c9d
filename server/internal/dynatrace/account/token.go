package account

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"slices"
	"sync/atomic"
	"time"
)

// MaxTokens is how many SCIM tokens one account may hold (rule
// DT-TOKEN-CAP, the seed's FAQ).
const MaxTokens = 10

// A SCIM token has Dynatrace's shape: TokenPrefix, a 24-character public
// part (the token's id), a dot and a 64-character secret, both upper-case
// letters and digits.
const (
	TokenPrefix    = "dt0s01."
	tokenPublicLen = 24
	tokenSecretLen = 64
	tokenLen       = len(TokenPrefix) + tokenPublicLen + 1 + tokenSecretLen
)

// TokenInfo describes a SCIM token. It never carries the value (rule
// DT-TOKEN-ONCE): the value is returned once, by GenerateToken.
type TokenInfo struct {
	// ID is the token's public part, the 24 characters after TokenPrefix.
	ID          string     `json:"id"`
	Description string     `json:"description"`
	CreatedAt   time.Time  `json:"createdAt"`
	LastUsedAt  *time.Time `json:"lastUsedAt,omitempty"`
}

type tokenEntry struct {
	account   *Account
	id        string
	hash      [32]byte // SHA-256 of the value; the value itself is never kept
	createdAt time.Time
	seq       uint64

	description string // guarded by account.mu

	// Authenticate touches these without the account's lock so that
	// concurrent SCIM requests do not queue on one mutex.
	lastUsed atomic.Pointer[time.Time]
	revoked  atomic.Bool
}

func (e *tokenEntry) info() TokenInfo {
	t := TokenInfo{ID: e.id, Description: e.description, CreatedAt: e.createdAt}
	if lu := e.lastUsed.Load(); lu != nil {
		c := *lu
		t.LastUsedAt = &c
	}
	return t
}

// GenerateToken creates a SCIM token with an optional description and
// returns its info and its value. The value is shown this once: only its
// SHA-256 is kept. The registry's token rule (WithTokenRule, CheckToken)
// may refuse it: by default with ErrNoVerifiedDomain while the account has
// no verified domain (rule DT-DOMAIN-REQUIRED) and with ErrTokenCap when
// the account already has MaxTokens tokens (rule DT-TOKEN-CAP). It is
// refused
// ErrInvalidDescription for a description longer than MaxNameLen characters
// or with control characters.
func (a *Account) GenerateToken(description string) (TokenInfo, string, error) {
	if err := checkText("token description", description, false); err != nil {
		return TokenInfo{}, "", fmt.Errorf("%w: %v", ErrInvalidDescription, err)
	}
	public, err := a.reg.randomString(upperAlnum, tokenPublicLen)
	if err != nil {
		return TokenInfo{}, "", err
	}
	secret, err := a.reg.randomString(upperAlnum, tokenSecretLen)
	if err != nil {
		return TokenInfo{}, "", err
	}
	value := TokenPrefix + public + "." + secret

	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.errIfDeletedLocked(); err != nil {
		return TokenInfo{}, "", err
	}
	if err := a.reg.tokenRule(TokenClaim{Tokens: len(a.tokens), MaxTokens: MaxTokens, VerifiedDomain: a.hasVerifiedLocked()}); err != nil {
		return TokenInfo{}, "", err
	}
	if _, dup := a.tokens[public]; dup {
		return TokenInfo{}, "", fmt.Errorf("%w: it produced a token id already in use", errRandom)
	}
	e := &tokenEntry{
		account:     a,
		id:          public,
		hash:        sha256.Sum256([]byte(value)),
		createdAt:   a.reg.now().UTC(),
		seq:         a.nextSeqLocked(),
		description: description,
	}
	a.reg.mu.Lock()
	if _, dup := a.reg.tokens[e.hash]; dup {
		a.reg.mu.Unlock()
		return TokenInfo{}, "", fmt.Errorf("%w: it produced a token value already in use", errRandom)
	}
	a.reg.tokens[e.hash] = e
	a.reg.mu.Unlock()
	a.tokens[public] = e
	return e.info(), value, nil
}

// TokenClaim is what an account holds when a SCIM token is to be generated,
// or when an existing token is about to open SCIM (Use).
type TokenClaim struct {
	Tokens         int  // tokens the account has (0 for Use)
	MaxTokens      int  // MaxTokens
	VerifiedDomain bool // the account has a verified domain
	// Use is set when a valid token is about to open SCIM (Authenticate)
	// rather than be generated: only the verified domain counts then.
	Use bool
}

// TokenRule judges a claim for a new token, or for the use of one: nil lets
// the token be generated, or open SCIM.
type TokenRule func(TokenClaim) error

// CheckToken is Dynatrace's token rule. SCIM needs a verified domain (rule
// DT-DOMAIN-REQUIRED; the seed: "SCIM is configured for the account and
// domain scopes. At least one domain ownership verification is required
// for the account"): no token is generated without one
// (ErrNoVerifiedDomain), and no token opens SCIM while the account has none
// (ErrSCIMNeedsDomain: its last verified domain was deleted). A new token
// also needs a place under MaxTokens (DT-TOKEN-CAP, ErrTokenCap). One rule
// judges both, so that whoever relaxes the domain requirement (the
// tokens-without-domain switch) relaxes it for generating and for using.
func CheckToken(c TokenClaim) error {
	if !c.VerifiedDomain {
		if c.Use {
			return ErrSCIMNeedsDomain
		}
		return ErrNoVerifiedDomain
	}
	if c.Use {
		return nil
	}
	if c.Tokens >= c.MaxTokens {
		return fmt.Errorf("%w (the account has %d)", ErrTokenCap, c.Tokens)
	}
	return nil
}

// WithTokenRule sets the rule that judges every new token; the default is
// CheckToken. It is called under the account's lock: it must not call the
// account.
func WithTokenRule(rule TokenRule) Option {
	return func(r *Registry) {
		if rule != nil {
			r.tokenRule = rule
		}
	}
}

// Tokens lists the account's tokens in the order they were generated,
// without their values.
func (a *Account) Tokens() []TokenInfo {
	a.mu.RLock()
	all := make([]*tokenEntry, 0, len(a.tokens))
	for _, e := range a.tokens {
		all = append(all, e)
	}
	slices.SortFunc(all, func(x, y *tokenEntry) int { return cmpUint(x.seq, y.seq) })
	out := make([]TokenInfo, 0, len(all))
	for _, e := range all {
		out = append(out, e.info())
	}
	a.mu.RUnlock()
	return out
}

// Token returns one token's info.
func (a *Account) Token(id string) (TokenInfo, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	e, ok := a.tokens[id]
	if !ok {
		return TokenInfo{}, false
	}
	return e.info(), true
}

// UpdateTokenDescription replaces a token's description (rule
// DT-TOKEN-DESC); an empty description clears it.
func (a *Account) UpdateTokenDescription(id, description string) (TokenInfo, error) {
	if err := checkText("token description", description, false); err != nil {
		return TokenInfo{}, fmt.Errorf("%w: %v", ErrInvalidDescription, err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.errIfDeletedLocked(); err != nil {
		return TokenInfo{}, err
	}
	e, ok := a.tokens[id]
	if !ok {
		return TokenInfo{}, fmt.Errorf("%w: the account has no token with id %q", ErrTokenNotFound, id)
	}
	e.description = description
	return e.info(), nil
}

// DeleteToken deletes a token; Authenticate refuses it from the moment
// DeleteToken returns (rule DT-TOKEN-REVOKE).
func (a *Account) DeleteToken(id string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.errIfDeletedLocked(); err != nil {
		return err
	}
	e, ok := a.tokens[id]
	if !ok {
		return fmt.Errorf("%w: the account has no token with id %q", ErrTokenNotFound, id)
	}
	delete(a.tokens, id)
	e.revoked.Store(true)
	a.reg.mu.Lock()
	delete(a.reg.tokens, e.hash)
	a.reg.mu.Unlock()
	return nil
}

// Authenticate returns the account a SCIM bearer token opens (rules DT-AUTH,
// DT-AUTH-SCOPE) and records the token's last use. The token is the
// credential only, without "Bearer ". Any token that is malformed, unknown,
// deleted or of a deleted account gives ErrUnauthorized, with no hint of
// which. A valid token of an account without a verified domain gives
// ErrSCIMNeedsDomain, with the account, when the registry's token rule says
// so (CheckToken: SCIM is not configured until a domain is verified again);
// its use is still recorded, as the token is the account's.
//
// The token is found by its SHA-256, the only form stored; the stored hash is
// then compared in constant time, so that the decision never rests on a
// byte-by-byte comparison whose timing depends on the secret.
func (r *Registry) Authenticate(token string) (*Account, error) {
	if !wellFormed(token) {
		return nil, ErrUnauthorized
	}
	var buf [tokenLen]byte // wellFormed fixed the length; no heap copy
	copy(buf[:], token)
	sum := sha256.Sum256(buf[:])
	r.mu.RLock()
	e := r.tokens[sum]
	r.mu.RUnlock()
	if e == nil || subtle.ConstantTimeCompare(e.hash[:], sum[:]) != 1 || e.revoked.Load() {
		return nil, ErrUnauthorized
	}
	now := r.now().UTC()
	e.lastUsed.Store(&now)
	a := e.account
	if err := r.tokenRule(TokenClaim{MaxTokens: MaxTokens, VerifiedDomain: a.verified.Load() > 0, Use: true}); err != nil {
		return a, err
	}
	return a, nil
}

// RedactToken returns a form of a token that is safe for logs and the
// journal: a well-formed token keeps its prefix and public id and loses its
// secret; anything else becomes "[redacted]".
func RedactToken(token string) string {
	if !wellFormed(token) {
		return "[redacted]"
	}
	return token[:len(TokenPrefix)+tokenPublicLen+1] + "[redacted]"
}

// wellFormed checks the token's shape so that garbage is refused before it
// is hashed.
func wellFormed(t string) bool {
	if len(t) != tokenLen || t[:len(TokenPrefix)] != TokenPrefix || t[len(TokenPrefix)+tokenPublicLen] != '.' {
		return false
	}
	for i := len(TokenPrefix); i < len(t); i++ {
		if i == len(TokenPrefix)+tokenPublicLen {
			continue
		}
		c := t[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
