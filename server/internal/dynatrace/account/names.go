package account

import "fmt"

// The account's group names and its group limit have one owner: the
// account. LOCAL groups are its own; SCIM groups live in the SCIM store,
// whose writes go through a claim (ClaimSCIMGroup, ClaimSCIMRename) taken
// and settled here, so the account knows every group's name and place.
// Every decision, for LOCAL groups and SCIM groups alike, is the account's
// group rule (WithGroupRule, CheckGroup) judging a GroupClaim made under
// the account's lock: a LOCAL create and a SCIM create running at the same
// time are judged one after the other, each seeing the other's claim.
//
// Two SCIM groups of one name are not the account's to judge: the SCIM
// store holds displayName unique (the schema says so), atomically with the
// insert.

// GroupClaim is what a group being created or renamed asks of the account:
// a name and, when created, a place under Limits.MaxGroups. Counts include
// claims not yet settled.
type GroupClaim struct {
	Type   GroupType // the group asking: GroupLocal or GroupSCIM
	Name   string
	Create bool // a new group, which needs a place; false for a rename
	// HeldByLocal and HeldBySCIM report whether a LOCAL or a SCIM group
	// other than the asking one has the name, compared case-insensitively.
	HeldByLocal, HeldBySCIM bool
	Local, SCIM             int // how many LOCAL and SCIM groups the account holds
	MaxGroups               int // Limits.MaxGroups
}

// GroupRule judges a claim: nil grants it; an error wrapping
// ErrGroupNameTaken or ErrGroupLimit refuses it.
type GroupRule func(GroupClaim) error

// CheckGroup is Dynatrace's group rule: a name is unique, case-insensitively,
// across LOCAL and SCIM groups (DT-GROUP-UNIQUE), and LOCAL and SCIM groups
// together stay within maxGroups (DT-GROUP-LIMIT). A SCIM group named like
// another SCIM group is left to the SCIM store. A SCIM group's name must
// also pass CheckGroupName, as a LOCAL group's does when it is created, so
// that account management never shows two names that read the same.
func CheckGroup(c GroupClaim) error {
	if c.Type == GroupSCIM {
		if err := CheckGroupName(c.Name); err != nil {
			return err
		}
	}
	return CheckGroupClaim(c)
}

// CheckGroupClaim is CheckGroup without the text rule on a SCIM group's
// name: uniqueness across LOCAL and SCIM groups, and the group limit.
func CheckGroupClaim(c GroupClaim) error {
	switch {
	case c.HeldByLocal:
		return fmt.Errorf("%w: a LOCAL group has the name %q", ErrGroupNameTaken, c.Name)
	case c.HeldBySCIM && c.Type == GroupLocal:
		return fmt.Errorf("%w: the SCIM group %q has it", ErrGroupNameTaken, c.Name)
	case c.Create && c.Local+c.SCIM >= c.MaxGroups:
		return fmt.Errorf("%w: the account has %d groups (%d LOCAL, %d SCIM) and maxGroups is %d",
			ErrGroupLimit, c.Local+c.SCIM, c.Local, c.SCIM, c.MaxGroups)
	}
	return nil
}

// WithGroupRule sets the rule that judges every group's name and place;
// the default is CheckGroup. The rule is called under the account's lock:
// it must not call the account.
func WithGroupRule(rule GroupRule) Option {
	return func(r *Registry) {
		if rule != nil {
			r.groupRule = rule
		}
	}
}

// claimLocked is the claim of a group of type t that wants name (folded to
// key), the asking group's own names left out. a.mu is held.
func (a *Account) claimLocked(t GroupType, name, key string, create bool) GroupClaim {
	_, local := a.names[key]
	return GroupClaim{
		Type:        t,
		Name:        name,
		Create:      create,
		HeldByLocal: local,
		HeldBySCIM:  a.scimNames[key] > 0,
		Local:       len(a.groups),
		SCIM:        len(a.scimGroups) + a.scimPending,
		MaxGroups:   a.limits.MaxGroups,
	}
}

// SCIMClaim is a claim granted to a SCIM group: its name (and, for a new
// group, its place) stay reserved until Commit or Release.
type SCIMClaim struct {
	a      *Account
	key    string
	id     string // the renamed group; "" for a new one
	create bool
	done   bool
}

// ClaimSCIMGroup asks for name and a place for a SCIM group about to be
// created (the group rule judges both; Dynatrace's, CheckGroup, also judges
// the name's text, as for a LOCAL group); the SCIM side creates the group in its store, then commits the
// claim with the new id, or releases it when the store refused.
func (a *Account) ClaimSCIMGroup(name string) (*SCIMClaim, error) {
	key := foldKey(name)
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.errIfDeletedLocked(); err != nil {
		return nil, err
	}
	if err := a.reg.groupRule(a.claimLocked(GroupSCIM, name, key, true)); err != nil {
		return nil, err
	}
	a.scimNames[key]++
	a.scimPending++
	return &SCIMClaim{a: a, key: key, create: true}, nil
}

// ClaimSCIMRename asks for name for the SCIM group id, about to be renamed
// in the SCIM store (the group rule judges it). A name that differs from the current one only in case
// needs no claim: the result is nil then, and so is the error.
func (a *Account) ClaimSCIMRename(id, name string) (*SCIMClaim, error) {
	key := foldKey(name)
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.errIfDeletedLocked(); err != nil {
		return nil, err
	}
	if cur, ok := a.scimGroups[id]; ok && cur == key {
		return nil, nil
	}
	c := a.claimLocked(GroupSCIM, name, key, false)
	if err := a.reg.groupRule(c); err != nil {
		return nil, err
	}
	a.scimNames[key]++
	return &SCIMClaim{a: a, key: key, id: id}, nil
}

// Commit settles the claim: the SCIM group id (the new group's id, or the
// renamed group's) has the claimed name. Settling a claim twice, or a nil
// claim, does nothing.
func (c *SCIMClaim) Commit(id string) {
	if c == nil || c.done {
		return
	}
	c.done = true
	a := c.a
	a.mu.Lock()
	defer a.mu.Unlock()
	if c.create {
		a.scimPending--
	} else {
		id = c.id
	}
	if old, ok := a.scimGroups[id]; ok {
		a.dropSCIMNameLocked(old)
	}
	a.scimGroups[id] = c.key
}

// Release gives the claimed name (and place) back: the store refused the
// group. Settling a claim twice, or a nil claim, does nothing.
func (c *SCIMClaim) Release() {
	if c == nil || c.done {
		return
	}
	c.done = true
	a := c.a
	a.mu.Lock()
	defer a.mu.Unlock()
	if c.create {
		a.scimPending--
	}
	a.dropSCIMNameLocked(c.key)
}

func (a *Account) dropSCIMNameLocked(key string) {
	if a.scimNames[key]--; a.scimNames[key] <= 0 {
		delete(a.scimNames, key)
	}
}

// ForgetSCIMGroup drops a deleted SCIM group: its name, its place and its
// permissions, so that a later group inherits none of them.
func (a *Account) ForgetSCIMGroup(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if key, ok := a.scimGroups[id]; ok {
		a.dropSCIMNameLocked(key)
		delete(a.scimGroups, id)
	}
	delete(a.permissions, id)
}

// ForgetSCIMGroups drops every SCIM group (the SCIM store was emptied).
// Claims in progress stay.
func (a *Account) ForgetSCIMGroups() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for id, key := range a.scimGroups {
		a.dropSCIMNameLocked(key)
		delete(a.permissions, id)
	}
	a.scimGroups = make(map[string]string)
}

// IsSCIMGroup reports whether the account has a SCIM group with id.
func (a *Account) IsSCIMGroup(id string) bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.isSCIMLocked(id)
}

func (a *Account) isSCIMLocked(id string) bool {
	_, ok := a.scimGroups[id]
	return ok
}
