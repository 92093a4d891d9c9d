package violation

import (
	"context"
	"errors"
	"maps"
	"strings"
	"time"

	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// The Dynatrace policy's switches: accept-unverified-domain,
// username-need-not-be-email and apply-username-change wrap the user rule
// (UserRule); parent-covers-subdomain and domain-needs-txt-forever the
// rule's view of the verified domains (VerifiedDomains);
// scim-local-name-clash and group-limit-ignores-local the account's group
// rule (GroupRule, in AccountOptions). They take the rules as plain funcs,
// so that this package need not import package dynatrace.

// UserRule wraps Dynatrace's user rule (dynatrace.Users) with the switches
// that break it. current and next are the stored User and the User about to
// be stored, as the rule sees them.
func UserRule(set *Set, inner func(ctx context.Context, current, next map[string]any) error) func(ctx context.Context, current, next map[string]any) error {
	return func(ctx context.Context, current, next map[string]any) error {
		if _, ok := current["userName"]; ok && set.On(ApplyUsernameChange) {
			// The rule keeps a userName it sees set; hidden from it, the
			// new one is judged and applied as on a create.
			current = maps.Clone(current)
			delete(current, "userName")
		}
		err := inner(ctx, current, next)
		var se *scimerror.Error
		if errors.As(err, &se) {
			switch {
			case se.Rule == "DT-USER-EMAIL" && set.On(UsernameNeedNotBeEmail),
				se.Rule == "DT-USER-DOMAIN" && set.On(AcceptUnverifiedDomain):
				return nil
			}
		}
		return err
	}
}

// VerifiedDomains wraps the user rule's view of acct's verified domains
// (dynatrace.Domains): parent-covers-subdomain takes a verified parent for
// its subdomains; domain-needs-txt-forever looks a verified domain's TXT
// record up again through res, with the request's context, and takes the
// domain for unverified when the record is gone.
func VerifiedDomains(set *Set, inner func(ctx context.Context, domain string) bool, acct *account.Account, res account.Resolver) func(ctx context.Context, domain string) bool {
	return func(ctx context.Context, domain string) bool {
		verified := inner(ctx, domain)
		if !verified && set.On(ParentCoversSubdomain) {
			for rest := domain; ; {
				_, parent, ok := strings.Cut(rest, ".")
				if !ok || !strings.Contains(parent, ".") {
					break
				}
				if inner(ctx, parent) {
					verified = true
					break
				}
				rest = parent
			}
		}
		if verified && set.On(DomainNeedsTXTForever) {
			if d, ok := acct.Domain(domain); ok {
				return txtStillThere(ctx, res, d.TXTName, d.TXTValue)
			}
		}
		return verified
	}
}

// txtStillThere looks the TXT record of a verified domain up again.
func txtStillThere(ctx context.Context, res account.Resolver, name, value string) bool {
	if res == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	recs, err := res.LookupTXT(ctx, name)
	return err == nil && account.ExactTXT(recs, value)
}

// GroupRule wraps the account's group rule: scim-local-name-clash lets a
// SCIM group take a LOCAL group's name; group-limit-ignores-local leaves
// LOCAL groups out of the count when SCIM creates a group.
func GroupRule(set *Set, inner account.GroupRule) account.GroupRule {
	return func(c account.GroupClaim) error {
		if c.Type == account.GroupSCIM {
			if set.On(SCIMLocalNameClash) {
				c.HeldByLocal = false
			}
			if set.On(GroupLimitIgnoresLocal) {
				c.Local = 0
			}
		}
		return inner(c)
	}
}
