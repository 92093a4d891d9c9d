package mockclient

import (
	"net/url"

	"github.com/scimconf/scimconf/server/internal/double/faults"
	"github.com/scimconf/scimconf/server/internal/double/journal"
	"github.com/scimconf/scimconf/server/internal/dynatrace/mgmt"
)

// The management API's wire types, as the server defines them.
type (
	Account     = mgmt.Account
	Domain      = mgmt.Domain
	Token       = mgmt.Token
	NewToken    = mgmt.NewToken
	Group       = mgmt.Group
	GroupUpdate = mgmt.GroupUpdate
	Permission  = mgmt.Permission
	User        = mgmt.User
	Limits      = mgmt.Limits
	TXTRecord   = mgmt.TXTRecord
	Violation   = mgmt.Violation
)

// The test double's wire types: journal entries and their filter, fault
// rules.
type (
	JournalFilter = journal.Filter
	JournalEntry  = journal.Entry
	JournalList   = journal.List
	JournalCounts = journal.Counts
	FaultRule     = faults.Rule
)

// The values account management shows.
const (
	DomainPending  = mgmt.DomainPending
	DomainVerified = mgmt.DomainVerified
	GroupLocal     = mgmt.GroupLocal
	GroupSCIM      = mgmt.GroupSCIM
	UserActive     = mgmt.UserActive
	UserDisabled   = mgmt.UserDisabled
)

// ParseJournalFilter reads a journal filter from query parameters, as the
// server does; the CLI uses it to refuse a bad filter before it asks.
func ParseJournalFilter(q url.Values) (JournalFilter, error) { return journal.ParseFilter(q) }

// SplitSCIMPath splits a journaled path into the account and the path
// below the account's SCIM base URL ("/Users/42"); ok is false for a path
// outside every SCIM base URL.
func SplitSCIMPath(p string) (accountID, rest string, ok bool) { return journal.SplitSCIMPath(p) }
