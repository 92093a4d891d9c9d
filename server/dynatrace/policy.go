// Package dynatrace owns the rules Dynatrace adds on top of SCIM 2.0 for
// one account (seed: Dynatrace's SCIM page; rule IDs in DESIGN.md): a
// userName is an email address on a domain verified in the account
// (DT-USER-EMAIL, DT-USER-DOMAIN), a userName never changes once set
// (DT-USER-EMAIL-IMMUTABLE), group names are unique across SCIM and LOCAL
// groups (DT-GROUP-UNIQUE), and LOCAL and SCIM groups together respect the
// account's group limit (DT-GROUP-LIMIT).
//
// The rules are a provider.Policy; the schema set "dynatrace" carries the
// rest (required attributes, no group description), and the store enforces
// the user and groups-per-user limits. Nothing here knows HTTP.
package dynatrace

import (
	"context"
	"net/http"
	"net/mail"
	"strings"

	"github.com/scimconf/scimconf/server/account"
	"github.com/scimconf/scimconf/server/provider"
	"github.com/scimconf/scimconf/server/scimerror"
	"github.com/scimconf/scimconf/server/store"
	"github.com/scimconf/scimconf/server/violation"
)

// Policy enforces Dynatrace's rules for account acct, whose SCIM resources
// live in st.
type Policy struct {
	Account *account.Account
	Store   store.Store
	// Violations are the mock's violation switches; nil has all off.
	Violations *violation.Set
}

// Admit implements provider.Policy.
func (p *Policy) Admit(ctx context.Context, c *provider.Change) error {
	switch c.Type.Name {
	case "User":
		return p.admitUser(c)
	case "Group":
		return p.admitGroup(ctx, c)
	}
	return nil
}

func (p *Policy) admitUser(c *provider.Change) error {
	if c.Current != nil {
		// DT-USER-EMAIL-IMMUTABLE: "Any requests to update an email address
		// are ignored" - the rest of the request applies.
		if cur, ok := c.Current["userName"]; ok && !p.Violations.On(violation.ApplyUsernameChange) {
			c.Next["userName"] = cur
			return nil
		}
	}
	name, _ := c.Next["userName"].(string)
	domain, ok := EmailDomain(name)
	if !ok && p.Violations.On(violation.UsernameNeedNotBeEmail) {
		return nil
	}
	if !ok {
		return scimerror.BadRequest(scimerror.InvalidValue, "userName %q must be an email address such as jane.doe@example.com", name).WithRule("DT-USER-EMAIL")
	}
	if !p.Account.IsVerified(domain) && !p.Violations.On(violation.AcceptUnverifiedDomain) {
		return scimerror.BadRequest(scimerror.InvalidValue, "userName %q is on domain %s, which is not verified in this account; add the domain in account management, publish its TXT record and verify it", name, domain).WithRule("DT-USER-DOMAIN")
	}
	return nil
}

func (p *Policy) admitGroup(ctx context.Context, c *provider.Change) error {
	name, _ := c.Next["displayName"].(string)
	if c.Current == nil || !strings.EqualFold(name, stringOf(c.Current["displayName"])) {
		if p.Account.LocalGroupNameTaken(name) && !p.Violations.On(violation.SCIMLocalNameClash) {
			return scimerror.Conflict("a LOCAL group named %q already exists in the account; group names are unique (case-insensitively) across LOCAL and SCIM groups", name).WithRule("DT-GROUP-UNIQUE")
		}
	}
	if c.Current == nil {
		max := p.Account.Limits().MaxGroups
		local := p.Account.LocalGroupCount()
		if p.Violations.On(violation.GroupLimitIgnoresLocal) {
			local = 0
		}
		if n := p.Store.Count(ctx, c.Type) + local; n >= max {
			return scimerror.New(http.StatusBadRequest, "", "the account has reached its maximum of %d groups (LOCAL and SCIM together, limit maxGroups)", max).WithRule("DT-GROUP-LIMIT")
		}
	}
	return nil
}

func stringOf(v any) string { s, _ := v.(string); return s }

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
