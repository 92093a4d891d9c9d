package violation

import (
	"context"
	"sync"

	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
)

// The account model's switches: allow-11th-token and tokens-without-domain
// wrap the account's token rule, txt-value-unchecked its TXT check, and
// scim-local-name-clash and group-limit-ignores-local its group rule
// (AccountOptions); show-token-values, token-description-frozen and
// keep-deleted-token break what the management API shows and does (Tokens,
// with Management), the last one with the SCIM authentication
// (Tokens.Authenticate).

// AccountOptions returns the options that give an account.Registry the
// switches that break its rules for tokens, domains and groups, around the
// rules the mock's mode judges by (tokens, groups: account.CheckToken and
// account.CheckGroup for Dynatrace). Each is read per call, so a switch
// turned on at run time applies to the next request.
func AccountOptions(set *Set, tokens account.TokenRule, groups account.GroupRule) []account.Option {
	return []account.Option{
		account.WithTokenRule(func(c account.TokenClaim) error {
			if set.On(Allow11thToken) {
				c.MaxTokens++
			}
			if set.On(TokensWithoutDomain) {
				c.VerifiedDomain = true
			}
			return tokens(c)
		}),
		account.WithTXTMatch(func(records []string, want string) bool {
			return account.ExactTXT(records, want) || set.On(TXTValueUnchecked) && len(records) > 0
		}),
		account.WithGroupRule(GroupRule(set, groups)),
	}
}

// Tokens remembers the SCIM token values the management API hands out, so
// that show-token-values can show them again and keep-deleted-token can
// keep a deleted one working: the account model keeps only their hashes.
type Tokens struct {
	set *Set

	mu sync.Mutex
	// values holds every token value generated through the management
	// API, by account id and token id; shown those generated while
	// show-token-values was on.
	values map[tokenRef]string
	shown  map[tokenRef]bool
	// kept maps the value of a token deleted while keep-deleted-token was
	// on to its account's id.
	kept map[string]string
}

type tokenRef struct{ account, id string }

// NewTokens returns an empty Tokens for the switches of set.
func NewTokens(set *Set) *Tokens {
	return &Tokens{set: set, values: map[tokenRef]string{}, shown: map[tokenRef]bool{}, kept: map[string]string{}}
}

func (t *Tokens) generated(acct, id, value string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	ref := tokenRef{acct, id}
	t.values[ref] = value
	if t.set.On(ShowTokenValues) {
		t.shown[ref] = true
	}
}

// shownValue is the value show-token-values shows for a token, or "".
func (t *Tokens) shownValue(acct, id string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	ref := tokenRef{acct, id}
	if !t.shown[ref] {
		return ""
	}
	return t.values[ref]
}

// deleting is told of a token about to be deleted.
func (t *Tokens) deleting(acct, id string) {
	if !t.set.On(KeepDeletedToken) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if v, ok := t.values[tokenRef{acct, id}]; ok {
		t.kept[v] = acct
	}
}

// Authenticate wraps a SCIM token check (the account id a token opens):
// a token deleted while keep-deleted-token was on still opens its account,
// for as long as exists says the account is there.
func (t *Tokens) Authenticate(inner func(ctx context.Context, token string) (string, error), exists func(accountID string) bool) func(ctx context.Context, token string) (string, error) {
	return func(ctx context.Context, token string) (string, error) {
		id, err := inner(ctx, token)
		if err == nil {
			return id, nil
		}
		t.mu.Lock()
		acct, kept := t.kept[token]
		t.mu.Unlock()
		if kept && exists(acct) {
			return acct, nil
		}
		return id, err
	}
}
