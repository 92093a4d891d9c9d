package account

import (
	"context"
	"strings"
	"time"

	"github.com/scimconf/scimconf/server/violation"
)

// WithViolations gives the registry the mock's violation switches (package
// violation); without it every switch is off. The account model applies
// those that break tokens and domains; each place that does names its
// switch.
func WithViolations(v *violation.Set) Option {
	return func(r *Registry) { r.violations = v }
}

func (a *Account) violated(sw violation.Switch) bool { return a.reg.violations.On(sw) }

// maxTokens is MaxTokens, one more with violation allow-11th-token.
func (a *Account) maxTokens() int {
	if a.violated(violation.Allow11thToken) {
		return MaxTokens + 1
	}
	return MaxTokens
}

// parentVerifiedLocked reports whether a parent domain of n is verified
// (what violation parent-covers-subdomain wrongly accepts). a.mu is held.
func (a *Account) parentVerifiedLocked(n string) bool {
	for rest := n; ; {
		_, parent, ok := strings.Cut(rest, ".")
		if !ok || !strings.Contains(parent, ".") {
			return false
		}
		if d, ok := a.domains[parent]; ok && d.d.Status == DomainVerified {
			return true
		}
		rest = parent
	}
}

// txtStillThere looks the TXT record of a verified domain up again
// (violation domain-needs-txt-forever). It runs without the account's
// lock.
func (a *Account) txtStillThere(name, value string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	found, _ := lookupTXT(ctx, a.reg.resolver, name, value)
	return found
}

// anyTXT reports whether any TXT record exists at name (what violation
// txt-value-unchecked takes for ownership).
func anyTXT(ctx context.Context, res Resolver, name string) (bool, string) {
	if res == nil {
		return false, "DNS lookup failed: no resolver is configured"
	}
	recs, err := res.LookupTXT(ctx, name)
	if err != nil || len(recs) == 0 {
		return false, "no TXT record found for " + name
	}
	return true, ""
}
