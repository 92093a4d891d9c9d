package mgmt

import "time"

// The wire types of the management API, shared by the handlers and Client.
// They are defined here rather than reused from package account so that the
// JSON contract is written down in one place and does not move when the
// account model does.

// Account is an account of the mock.
type Account struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
	// SCIMBaseURL is the account's SCIM endpoint, as reached through the
	// host the request used.
	SCIMBaseURL string `json:"scimBaseUrl"`
}

// The states of a domain.
const (
	DomainPending  = "PENDING"
	DomainVerified = "VERIFIED"
)

// Domain is a domain of an account and its ownership check (rule
// DT-DOMAIN-TXT): publish a TXT record at TXTName with the value TXTValue,
// then verify.
type Domain struct {
	Domain     string     `json:"domain"`
	Status     string     `json:"status"` // DomainPending or DomainVerified
	TXTName    string     `json:"txtName"`
	TXTValue   string     `json:"txtValue"`
	CreatedAt  time.Time  `json:"createdAt"`
	VerifiedAt *time.Time `json:"verifiedAt,omitempty"`
	// LastCheck and Reason tell why a domain is still pending after its
	// last verification.
	LastCheck *time.Time `json:"lastCheck,omitempty"`
	Reason    string     `json:"reason,omitempty"`
}

// Token describes a SCIM token without its value (rule DT-TOKEN-ONCE).
type Token struct {
	ID          string     `json:"id"`
	Description string     `json:"description"`
	CreatedAt   time.Time  `json:"createdAt"`
	LastUsedAt  *time.Time `json:"lastUsedAt,omitempty"`
	// Value is never shown by this API (rule DT-TOKEN-ONCE); the field
	// is here for a server that breaks the rule, so that Client reads it.
	Value string `json:"token,omitempty"`
}

// NewToken is the answer to generating a SCIM token: the only time its
// value is shown.
type NewToken struct {
	ID          string    `json:"id"`
	Token       string    `json:"token"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"createdAt"`
}

// The types of a group in account management (rule DT-GROUP-TYPE).
const (
	GroupLocal = "LOCAL" // created in account management
	GroupSCIM  = "SCIM"  // created by SCIM; locked here (DT-GROUP-LOCKED)
)

// Group is a group as account management sees it.
type Group struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type"` // GroupLocal or GroupSCIM
	// MemberCount is the number of direct members of a SCIM group; LOCAL
	// groups have no members in this mock, so theirs is 0.
	MemberCount int          `json:"memberCount"`
	Permissions []Permission `json:"permissions"`
	CreatedAt   *time.Time   `json:"createdAt,omitempty"`
	UpdatedAt   *time.Time   `json:"updatedAt,omitempty"`
}

// GroupUpdate is the body of PATCH .../groups/{groupId}: nil fields stay
// as they are.
type GroupUpdate struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
}

// The scope types of a permission.
const (
	ScopeAccount        = "account"         // scope is the account's id
	ScopeTenant         = "tenant"          // scope is an environment id
	ScopeManagementZone = "management-zone" // scope is "{environment-id}:{management-zone-id}"
)

// Permission is one permission of a group, shaped like Dynatrace's
// PermissionsDto.
type Permission struct {
	Name      string `json:"permissionName"`
	Scope     string `json:"scope"`
	ScopeType string `json:"scopeType"`
}

// The states of a user.
const (
	UserActive   = "ACTIVE"
	UserDisabled = "DISABLED"
)

// User is a SCIM user as account management sees it.
type User struct {
	ID     string   `json:"id"`
	Email  string   `json:"email"` // the SCIM userName
	Name   UserName `json:"name"`
	Status string   `json:"status"` // UserActive or UserDisabled (SCIM active=false)
	// Groups are the ids of the groups the user is a direct member of.
	Groups []string `json:"groups"`
}

// UserName is a user's name.
type UserName struct {
	GivenName  string `json:"givenName"`
	FamilyName string `json:"familyName"`
}

// Limits are an account's IAM limits; every one is at least 1.
type Limits struct {
	MaxUsers               int `json:"maxUsers"`
	MaxGroups              int `json:"maxGroups"`
	MaxGroupsPerUser       int `json:"maxGroupsPerUser"`
	MaxPermissionsPerGroup int `json:"maxPermissionsPerGroup"`
}

// TXTRecord is a record set of the DNS mock.
type TXTRecord struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}
