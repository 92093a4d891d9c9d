package mockclient

import (
	"github.com/scimconf/scimconf/server/faults"
	"github.com/scimconf/scimconf/server/journal"
	"github.com/scimconf/scimconf/server/mgmt"
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
