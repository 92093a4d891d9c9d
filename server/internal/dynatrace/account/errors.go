package account

import "errors"

// Sentinel errors. Every refusal wraps exactly one of them (test with
// errors.Is); the wrapped message adds the name, id or number at fault.
// The suggested HTTP status for the management API is given with each.
var (
	// ErrUnauthorized: the SCIM token is unknown, revoked, of a deleted
	// account or malformed (401, rule DT-AUTH).
	ErrUnauthorized = errors.New("the SCIM token is not valid: it is malformed, unknown, or was deleted; generate a new token in the account")

	// ErrAccountNotFound: no account has that id, or it was deleted (404).
	ErrAccountNotFound = errors.New("account not found")
	// ErrInvalidAccountName: the account name is empty, too long or has
	// control characters (400).
	ErrInvalidAccountName = errors.New("invalid account name")

	// ErrInvalidDomain: the domain is not a DNS name with at least two
	// labels (400).
	ErrInvalidDomain = errors.New("invalid domain")
	// ErrDomainExists: the domain is already in the account, pending or
	// verified (409).
	ErrDomainExists = errors.New("the domain is already in the account; verify or delete the existing entry")
	// ErrDomainNotFound: the domain is not in the account (404).
	ErrDomainNotFound = errors.New("domain not found in the account; add it first")

	// ErrNoVerifiedDomain: SCIM needs at least one verified domain before
	// a token can be generated (403, rule DT-DOMAIN-REQUIRED).
	ErrNoVerifiedDomain = errors.New("the account has no verified domain: add a domain, publish its TXT record and verify it before generating a SCIM token")
	// ErrSCIMNeedsDomain: a valid SCIM token of an account that has no
	// verified domain any more (its last one was deleted): SCIM is not
	// configured, so the token opens nothing until a domain is verified
	// again (403, rule DT-DOMAIN-REQUIRED).
	ErrSCIMNeedsDomain = errors.New("the account has no verified domain, and SCIM needs at least one: its last verified domain was deleted. Add a domain in account management, publish its TXT record and verify it; this token works again once a domain is verified")
	// ErrTokenCap: the account already has MaxTokens tokens (409, rule
	// DT-TOKEN-CAP).
	ErrTokenCap = errors.New("at most 10 SCIM tokens per account; delete an unused token first")
	// ErrTokenNotFound: no token of the account has that id (404).
	ErrTokenNotFound = errors.New("SCIM token not found")
	// ErrInvalidDescription: a description is too long, not UTF-8 or has
	// control characters (400).
	ErrInvalidDescription = errors.New("invalid description")

	// ErrInvalidLimits: a limit is below 1 (400).
	ErrInvalidLimits = errors.New("invalid limits: every limit must be at least 1")

	// ErrInvalidGroupName: the group name is empty, too long, has control
	// characters or surrounding spaces (400).
	ErrInvalidGroupName = errors.New("invalid group name")
	// ErrGroupNameTaken: a LOCAL or SCIM group of the account already has
	// the name, compared case-insensitively (409, rule DT-GROUP-UNIQUE).
	ErrGroupNameTaken = errors.New("a group with this name already exists in the account (names are compared case-insensitively); choose another name")
	// ErrGroupNotFound: no LOCAL or SCIM group of the account has that id
	// (404).
	ErrGroupNotFound = errors.New("group not found")
	// ErrGroupLocked: the group is a SCIM group, which only the IdP may
	// change or delete; its permissions can still be set (403, rule
	// DT-GROUP-LOCKED).
	ErrGroupLocked = errors.New("the group is of type SCIM and is managed by the identity provider: change or delete it there; only its permissions can be set here")
	// ErrGroupLimit: the account holds Limits.MaxGroups groups, LOCAL and
	// SCIM together (400, rule DT-GROUP-LIMIT).
	ErrGroupLimit = errors.New("the account has reached its maximum number of groups (maxGroups); delete a group or raise the limit")

	// ErrInvalidPermission: a permission lacks a name or scope, or has an
	// unknown scope type (400).
	ErrInvalidPermission = errors.New("invalid permission")
	// ErrPermissionLimit: more permissions than Limits.MaxPermissionsPerGroup
	// (400).
	ErrPermissionLimit = errors.New("too many permissions for one group (maxPermissionsPerGroup)")
)
