package account

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// GroupType is the type of a group in account management: where the group
// comes from. Dynatrace's Account Management API calls it "owner".
type GroupType string

// The group types this mock knows (rule DT-GROUP-TYPE).
const (
	GroupLocal GroupType = "LOCAL" // created in account management
	GroupSCIM  GroupType = "SCIM"  // created by SCIM; locked here (DT-GROUP-LOCKED)
)

// Group is a group as account management shows it. The JSON names mirror
// Dynatrace's Account Management API (its PermissionsGroupDto).
type Group struct {
	ID          string    `json:"uuid"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Type        GroupType `json:"owner"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

type localGroup struct {
	g   Group
	seq uint64
}

// The scope types of a permission, as Dynatrace's Account Management API
// spells them.
const (
	ScopeAccount        = "account"         // scope is the account's id
	ScopeTenant         = "tenant"          // scope is an environment id
	ScopeManagementZone = "management-zone" // scope is "{environment-id}:{management-zone-id}"
)

// Permission is one permission of a group, shaped like Dynatrace's
// PermissionsDto: {"permissionName":"tenant-viewer","scope":"abc12345",
// "scopeType":"tenant"}.
type Permission struct {
	Name      string `json:"permissionName"`
	Scope     string `json:"scope"`
	ScopeType string `json:"scopeType"`
}

// CheckGroupName judges the text of a group name, LOCAL or SCIM alike, so
// that account management never shows two groups whose names read the same
// (the seed: "each group name in an account must be unique"): a name that
// is empty or only white space, starts or ends with white space ("Local
// Admins "), has control characters, is not UTF-8 or is longer than
// MaxNameLen characters gives ErrInvalidGroupName. Padding is refused, not
// trimmed: a trimmed name would not be the name the IdP sent, so its next
// lookup by displayName would miss the group (README, "The mock's
// decisions").
func CheckGroupName(name string) error {
	if err := checkText("group name", name, true); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidGroupName, err)
	}
	return nil
}

// CreateLocalGroup creates a LOCAL group. Its name must be unique in the
// account among LOCAL and SCIM groups, compared case-insensitively (rule
// DT-GROUP-UNIQUE: ErrGroupNameTaken), and LOCAL plus SCIM groups must stay
// within Limits.MaxGroups (ErrGroupLimit). The account's group rule
// (WithGroupRule) decides both, in the same critical section that adds the
// group, so a SCIM group created at the same time (ClaimSCIMGroup) cannot
// slip past it.
func (a *Account) CreateLocalGroup(name, description string) (Group, error) {
	if err := CheckGroupName(name); err != nil {
		return Group{}, err
	}
	if err := checkText("group description", description, false); err != nil {
		return Group{}, fmt.Errorf("%w: %v", ErrInvalidDescription, err)
	}
	key := foldKey(name)
	id, err := a.reg.newUUID()
	if err != nil {
		return Group{}, err
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.errIfDeletedLocked(); err != nil {
		return Group{}, err
	}
	if err := a.reg.groupRule(a.claimLocked(GroupLocal, name, key, true)); err != nil {
		return Group{}, err
	}
	if _, dup := a.groups[id]; dup || a.isSCIMLocked(id) {
		return Group{}, fmt.Errorf("%w: it produced a group id already in use", errRandom)
	}
	now := a.reg.now().UTC()
	g := &localGroup{seq: a.nextSeqLocked(), g: Group{
		ID: id, Name: name, Description: description, Type: GroupLocal, CreatedAt: now, UpdatedAt: now,
	}}
	a.groups[id] = g
	a.names[key] = id
	return g.g, nil
}

// LocalGroups lists the LOCAL groups in creation order.
func (a *Account) LocalGroups() []Group {
	a.mu.RLock()
	all := make([]localGroup, 0, len(a.groups))
	for _, g := range a.groups {
		all = append(all, *g)
	}
	a.mu.RUnlock()
	slices.SortFunc(all, func(x, y localGroup) int { return cmpUint(x.seq, y.seq) })
	out := make([]Group, len(all))
	for i, g := range all {
		out[i] = g.g
	}
	return out
}

// LocalGroup returns one LOCAL group.
func (a *Account) LocalGroup(id string) (Group, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	g, ok := a.groups[id]
	if !ok {
		return Group{}, false
	}
	return g.g, true
}

// LocalGroupCount returns how many LOCAL groups the account has.
func (a *Account) LocalGroupCount() int {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return len(a.groups)
}

// LocalGroupNameTaken reports whether a LOCAL group has name, compared
// case-insensitively.
func (a *Account) LocalGroupNameTaken(name string) bool {
	key := foldKey(name)
	a.mu.RLock()
	defer a.mu.RUnlock()
	_, taken := a.names[key]
	return taken
}

// UpdateLocalGroup replaces a LOCAL group's name and description. A SCIM
// group gives ErrGroupLocked (rule DT-GROUP-LOCKED); a new name must be
// unique as in CreateLocalGroup. Changing only the case of the name is
// allowed.
func (a *Account) UpdateLocalGroup(id, name, description string) (Group, error) {
	if err := CheckGroupName(name); err != nil {
		return Group{}, err
	}
	if err := checkText("group description", description, false); err != nil {
		return Group{}, fmt.Errorf("%w: %v", ErrInvalidDescription, err)
	}
	newKey := foldKey(name)

	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.errIfDeletedLocked(); err != nil {
		return Group{}, err
	}
	g, ok := a.groups[id]
	if !ok {
		return Group{}, a.notLocalLocked(id)
	}
	oldKey := foldKey(g.g.Name)
	if oldKey != newKey { // not the same name, nor only its case changed
		if err := a.reg.groupRule(a.claimLocked(GroupLocal, name, newKey, false)); err != nil {
			return Group{}, err
		}
		delete(a.names, oldKey)
		a.names[newKey] = id
	}
	g.g.Name, g.g.Description, g.g.UpdatedAt = name, description, a.reg.now().UTC()
	return g.g, nil
}

// DeleteLocalGroup deletes a LOCAL group and its permissions. A SCIM group
// gives ErrGroupLocked (rule DT-GROUP-LOCKED).
func (a *Account) DeleteLocalGroup(id string) error {
	a.mu.Lock()
	if err := a.errIfDeletedLocked(); err != nil {
		a.mu.Unlock()
		return err
	}
	g, ok := a.groups[id]
	if !ok {
		err := a.notLocalLocked(id)
		a.mu.Unlock()
		return err
	}
	delete(a.groups, id)
	delete(a.names, foldKey(g.g.Name))
	delete(a.permissions, id)
	a.mu.Unlock()
	return nil
}

// notLocalLocked explains why id is not a LOCAL group. a.mu is held.
func (a *Account) notLocalLocked(id string) error {
	if a.isSCIMLocked(id) {
		return fmt.Errorf("%w (group %q)", ErrGroupLocked, id)
	}
	return fmt.Errorf("%w: the account has no group with id %q", ErrGroupNotFound, id)
}

// Permissions returns a group's permissions in the order they were set; nil
// for a group without any, or an unknown group.
func (a *Account) Permissions(groupID string) []Permission {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return slices.Clone(a.permissions[groupID])
}

// SetPermissions replaces all permissions of a group, LOCAL or SCIM (SCIM
// groups are locked, but their permissions are assigned here: rule
// DT-GROUP-LOCKED). Duplicates are dropped; an empty list removes every
// permission. Refusals: ErrInvalidPermission naming the entry and the fault,
// ErrPermissionLimit beyond Limits.MaxPermissionsPerGroup, ErrGroupNotFound
// when groupID is neither a LOCAL group nor a SCIM group of the account.
func (a *Account) SetPermissions(groupID string, perms []Permission) error {
	out := make([]Permission, 0, len(perms))
	seen := make(map[Permission]struct{}, len(perms))
	for i, p := range perms {
		if err := a.checkPermission(p); err != nil {
			return fmt.Errorf("%w: permission %d: %v", ErrInvalidPermission, i, err)
		}
		if _, dup := seen[p]; dup {
			continue
		}
		seen[p] = struct{}{}
		out = append(out, p)
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.errIfDeletedLocked(); err != nil {
		return err
	}
	if a.groups[groupID] == nil && !a.isSCIMLocked(groupID) {
		return fmt.Errorf("%w: the account has no group with id %q", ErrGroupNotFound, groupID)
	}
	if lim := a.limits.MaxPermissionsPerGroup; len(out) > lim {
		return fmt.Errorf("%w: %d distinct permissions given, maxPermissionsPerGroup is %d", ErrPermissionLimit, len(out), lim)
	}
	if len(out) == 0 {
		delete(a.permissions, groupID)
		return nil
	}
	a.permissions[groupID] = out
	return nil
}

// DeletePermissions drops every permission of a group.
func (a *Account) DeletePermissions(groupID string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.permissions, groupID)
}

func (a *Account) checkPermission(p Permission) error {
	if p.Name == "" {
		return fmt.Errorf("permissionName is empty; give a permission such as tenant-viewer")
	}
	if len(p.Name) > MaxNameLen {
		return fmt.Errorf("permissionName has %d characters; at most %d are allowed", len(p.Name), MaxNameLen)
	}
	for i := 0; i < len(p.Name); i++ {
		if c := p.Name[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Errorf("permissionName %q has %q at offset %d; permission names are lower-case words joined by hyphens, such as tenant-viewer", p.Name, c, i)
		}
	}
	if p.Scope == "" {
		return fmt.Errorf("scope is empty; give the account id, an environment id or {environment-id}:{management-zone-id}")
	}
	if !utf8.ValidString(p.Scope) {
		return fmt.Errorf("scope is not valid UTF-8")
	}
	if len(p.Scope) > MaxNameLen {
		return fmt.Errorf("scope has %d characters; at most %d are allowed", len(p.Scope), MaxNameLen)
	}
	for i, c := range p.Scope {
		if unicode.IsSpace(c) || unicode.IsControl(c) {
			return fmt.Errorf("scope %q has white space or a control character at byte offset %d", p.Scope, i)
		}
	}
	switch p.ScopeType {
	case ScopeAccount:
		if p.Scope != a.id {
			return fmt.Errorf("scope %q of scopeType account must be this account's id %q", p.Scope, a.id)
		}
	case ScopeTenant:
	case ScopeManagementZone:
		env, mz, ok := strings.Cut(p.Scope, ":")
		if !ok || env == "" || mz == "" || strings.Contains(mz, ":") {
			return fmt.Errorf("scope %q of scopeType management-zone must be {environment-id}:{management-zone-id}", p.Scope)
		}
	default:
		return fmt.Errorf("scopeType %q is not one of %q, %q, %q", p.ScopeType, ScopeAccount, ScopeTenant, ScopeManagementZone)
	}
	return nil
}

// foldKey maps a name to the same key as every name it equals under
// strings.EqualFold: each rune becomes the smallest rune of its simple case
// folding orbit. The LOCAL name index is keyed by it, so uniqueness is a map
// lookup, not a scan.
func foldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < m {
				m = f
			}
		}
		b.WriteRune(m)
	}
	return b.String()
}
