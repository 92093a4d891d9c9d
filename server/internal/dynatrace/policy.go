// Package dynatrace owns the rules Dynatrace adds on top of SCIM 2.0 for
// one account (seed: Dynatrace's SCIM page; rule IDs in DESIGN.md): a
// userName is an email address on a domain verified in the account
// (DT-USER-EMAIL, DT-USER-DOMAIN), a userName never changes once set
// (DT-USER-EMAIL-IMMUTABLE), group names are unique across SCIM and LOCAL
// groups (DT-GROUP-UNIQUE), and LOCAL and SCIM groups together respect the
// account's group limit (DT-GROUP-LIMIT).
//
// The user rules (Users) are a provider.Policy (Policy). The group rules are the
// account's (package account owns every group name and the group limit):
// Groups wraps the account's SCIM store so that every SCIM group takes its
// name and place through the account. The schema set "dynatrace" carries
// the rest (required attributes, no group description), and the store
// enforces the user and groups-per-user limits. Nothing here knows HTTP.
package dynatrace

import (
	"context"
	"net/mail"
	"strings"

	"github.com/scimconf/scimconf/server/internal/engine/provider"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// Domains says which domains are verified in an account (rule
// DT-USER-DOMAIN).
type Domains interface {
	IsVerified(ctx context.Context, domain string) bool
}

// DomainsFunc adapts a function to Domains; an *account.Account is
// DomainsFunc(func(_ context.Context, d string) bool { return a.IsVerified(d) }).
type DomainsFunc func(ctx context.Context, domain string) bool

// IsVerified calls f.
func (f DomainsFunc) IsVerified(ctx context.Context, domain string) bool { return f(ctx, domain) }

// UserRule judges a write of a User: current is the stored User (nil on a
// create), next the User about to be stored, which the rule may change. An
// error refuses the write.
type UserRule func(ctx context.Context, current, next map[string]any) error

// Users is Dynatrace's user rule for an account whose verified domains d
// knows.
func Users(d Domains) UserRule {
	return func(ctx context.Context, current, next map[string]any) error {
		if current != nil {
			// DT-USER-EMAIL-IMMUTABLE: "Any requests to update an email
			// address are ignored" - the rest of the request applies.
			if cur, ok := current["userName"]; ok {
				next["userName"] = cur
				return nil
			}
		}
		name, _ := next["userName"].(string)
		domain, ok := EmailDomain(name)
		if !ok {
			return scimerror.BadRequest(scimerror.InvalidValue, "userName %q must be an email address such as jane.doe@example.com", name).WithRule("DT-USER-EMAIL")
		}
		if !d.IsVerified(ctx, domain) {
			return scimerror.BadRequest(scimerror.InvalidValue, "userName %q is on domain %s, which is not verified in this account; add the domain in account management, publish its TXT record and verify it", name, domain).WithRule("DT-USER-DOMAIN")
		}
		return nil
	}
}

// Policy is an account's provider.Policy: Users judges every write of a
// User (the group rules are the account's: see Groups).
type Policy struct {
	Users UserRule
}

// Admit implements provider.Policy.
func (p *Policy) Admit(ctx context.Context, c *provider.Change) error {
	if c.Type.Name != "User" {
		return nil
	}
	if err := RequiredNames(c.Type, c.Next); err != nil {
		return err
	}
	if p.Users == nil {
		return nil
	}
	return p.Users(ctx, c.Current, c.Next)
}

// RequiredNames refuses an empty or blank name.givenName or name.familyName
// when the User's schema marks it required (rule DT-USER-REQUIRED: the seed
// requires both, and a name of spaces is no name: account management would
// show a user without one). The schema's own check refuses an absent
// attribute, not a blank one; a schema set where they are optional (the
// "full" set, RFC 7643's User) leaves them to the client. It runs on every
// create, replace and patch.
func RequiredNames(rt *schema.ResourceType, doc map[string]any) error {
	name := rt.Core.Attr("name")
	if name == nil {
		return nil
	}
	got, _ := doc["name"].(map[string]any)
	for _, sub := range []string{"givenName", "familyName"} {
		a := name.Sub(sub)
		if a == nil || !a.Required {
			continue
		}
		v, ok := got[a.Name].(string)
		if ok && strings.TrimSpace(v) == "" {
			return scimerror.BadRequest(scimerror.InvalidValue, "name.%s is %q; it is required and must not be empty or only white space", a.Name, v).WithRule("DT-USER-REQUIRED")
		}
	}
	return nil
}

// EmailDomain returns the lower-cased domain of an email address, and
// whether s is one: a bare addr-spec (no display name, no angle brackets)
// whose domain has at least two labels.
func EmailDomain(s string) (string, bool) {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", false
	}
	at := strings.LastIndexByte(s, '@')
	domain := strings.ToLower(s[at+1:])
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, "[") || strings.HasSuffix(domain, ".") {
		return "", false
	}
	return domain, true
}
