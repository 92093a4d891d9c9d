package mock

import (
	"fmt"
	"strings"

	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
)

// The rules the mock can enforce on top of SCIM 2.0 (Options.Rules,
// `scimconf serve --rules`).
const (
	// RulesDynatrace is Dynatrace's SCIM endpoint: the engine with the
	// Dynatrace layer (package dynatrace) judging every write: a userName
	// is an email on a verified domain and never changes, group names are
	// unique across LOCAL and SCIM groups, no token without a verified
	// domain.
	RulesDynatrace = "dynatrace"
	// RulesRFC is a reference SCIM 2.0 server: the same engine, schema
	// sets, management API, journal, faults and DNS mock, with the
	// Dynatrace layer off. What is left is what RFC 7643 and 7644 ask,
	// e.g. for userName (RFC 7643 section 4.1.1): "Each User MUST include
	// a non-empty userName value. This identifier MUST be unique across
	// the service provider's entire set of Users."
	RulesRFC = "rfc"
)

// RuleSets lists the names Options.Rules takes.
func RuleSets() []string { return []string{RulesDynatrace, RulesRFC} }

// ParseRules returns the canonical name of a rules set; "" is
// RulesDynatrace.
func ParseRules(name string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", RulesDynatrace:
		return RulesDynatrace, nil
	case RulesRFC:
		return RulesRFC, nil
	}
	return "", fmt.Errorf("unknown rules %q: use %q (Dynatrace's SCIM endpoint) or %q (a plain SCIM 2.0 server)", name, RulesDynatrace, RulesRFC)
}

// rfcTokenRule is the token rule under RulesRFC: Dynatrace's
// (account.CheckToken) without its domain requirement (DT-DOMAIN-REQUIRED),
// since nothing in RFC 7644 ties a bearer token to a domain. The token cap
// stays: it belongs to the management API, which is the same in both
// modes. The violation switches wrap it as they wrap Dynatrace's
// (violation.AccountOptions); tokens-without-domain has nothing left to
// break here.
func rfcTokenRule(c account.TokenClaim) error {
	c.VerifiedDomain = true
	return account.CheckToken(c)
}

// rfcGroupRule is the account's group rule under RulesRFC: a SCIM group
// is judged as SCIM alone would judge it. LOCAL groups are Dynatrace's, so
// a SCIM group may take a LOCAL group's name (no DT-GROUP-UNIQUE across the
// two kinds) and only SCIM groups count against maxGroups for SCIM (no
// DT-GROUP-LIMIT across the two kinds). SCIM names among themselves stay
// unique: the store enforces the schema's "uniqueness": "server" on
// displayName. A LOCAL group, created through the management API, is judged
// as in Dynatrace mode (account.CheckGroup): that API is the same in both
// modes. Nor is a SCIM group's name held to Dynatrace's text rule
// (account.CheckGroupName: no padding, no blank name): RFC 7643 section 4.2
// asks only that displayName be present, and the schema's required check
// does that.
func rfcGroupRule(c account.GroupClaim) error {
	if c.Type != account.GroupSCIM {
		return account.CheckGroup(c)
	}
	c.HeldByLocal = false
	c.Local = 0
	return account.CheckGroupClaim(c)
}

// The descriptions /Schemas gives the attributes whose meaning depends on
// the rules in force, so that a client reading the schema learns what the
// server enforces (RFC 7643 section 7: "description ... The attribute's
// human-readable description").
const (
	// RFC 7643 section 8.7.1, the User schema's userName.
	rfcUserNameDesc = "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Each User MUST include a non-empty userName value. This identifier MUST be unique across the service provider's entire set of Users. REQUIRED."
	dtUserNameDesc  = "Unique identifier for the User: an email address on a domain verified in the account (DT-USER-EMAIL, DT-USER-DOMAIN), unique in the account. It never changes once set: a new userName in PUT or PATCH is ignored and the rest of the request applies (DT-USER-EMAIL-IMMUTABLE)."
	// RFC 7643 section 8.7.1, the Group schema's displayName, with the
	// uniqueness the store enforces (the schema declares it "server").
	rfcGroupNameDesc = "A human-readable name for the Group, unique among the account's Groups. REQUIRED."
	dtGroupNameDesc  = "A human-readable name for the Group, unique in the account (case-insensitively) across LOCAL and SCIM groups (DT-GROUP-UNIQUE). REQUIRED."
)

// authDescription is the bearer token scheme's description in
// /ServiceProviderConfig under rules: the tokens are the same, what an
// account needs for one is not.
func authDescription(rules string) string {
	if rules == RulesRFC {
		return "OAuth bearer token (RFC 6750): a SCIM token generated through the management API (/mock/v1), sent as \"Authorization: Bearer <token>\"; it opens its own account."
	}
	return "Authentication with a SCIM token generated in account management once the account has a verified domain (DT-DOMAIN-REQUIRED), sent as \"Authorization: Bearer <token>\"; it opens its own account."
}

// describeRules rewrites the descriptions of set's attributes whose rules
// depend on the rules in force. The schema sets name attributes; the rules
// decide what their values may be, so the same set reads differently in
// each mode.
func describeRules(set *schema.Set, rules string) {
	userName, groupName := dtUserNameDesc, dtGroupNameDesc
	if rules == RulesRFC {
		userName, groupName = rfcUserNameDesc, rfcGroupNameDesc
	}
	if rt := set.ResourceType("User"); rt != nil {
		if a := rt.Core.Attr("userName"); a != nil {
			a.Description = userName
		}
	}
	if rt := set.ResourceType("Group"); rt != nil {
		if a := rt.Core.Attr("displayName"); a != nil {
			a.Description = groupName
		}
	}
}
