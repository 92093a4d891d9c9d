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

// CreateLocalGroup creates a LOCAL group. Its name must be unique in the
// account among LOCAL and SCIM groups, compared case-insensitively (rule
// DT-GROUP-UNIQUE: ErrGroupNameTaken), and LOCAL plus SCIM groups must stay
// within Limits.MaxGroups (ErrGroupLimit).
//
// The name is reserved before Hooks.SCIMGroupNameTaken is asked, and that
// hook runs without the account's lock: a SCIM create racing with this one
// sees the reservation through LocalGroupNameTaken, or this one sees the SCIM
// group through the hook, so at most one of them gets the name, and neither
// side ever waits on the other's lock while holding its own.
func (a *Account) CreateLocalGroup(name, description string) (Group, error) {
	if err := checkText("group name", name, true); err != nil {
		return Group{}, fmt.Errorf("%w: %v", ErrInvalidGroupName, err)
	}
	if err := checkText("group description", description, false); err != nil {
		return Group{}, fmt.Errorf("%w: %v", ErrInvalidDescription, err)
	}
	key := foldKey(name)
	hooks, err := a.reserveName(key, name)
	if err != nil {
		return Group{}, err
	}
	if hooks.SCIMGroupNameTaken != nil && hooks.SCIMGroupNameTaken(name) {
		a.releaseName(key)
		return Group{}, fmt.Errorf("%w: the SCIM group %q has it", ErrGroupNameTaken, name)
	}
	scimCount := 0
	if hooks.SCIMGroupCount != nil {
		scimCount = hooks.SCIMGroupCount()
	}
	id, err := a.reg.newUUID()
	if err != nil {
		a.releaseName(key)
		return Group{}, err
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.errIfDeletedLocked(); err != nil {
		delete(a.names, key)
		return Group{}, err
	}
	if n := len(a.groups) + scimCount; n >= a.limits.MaxGroups {
		delete(a.names, key)
		return Group{}, fmt.Errorf("%w: the account has %d groups (%d LOCAL, %d SCIM) and maxGroups is %d",
			ErrGroupLimit, n, len(a.groups), scimCount, a.limits.MaxGroups)
	}
	if _, dup := a.groups[id]; dup {
		delete(a.names, key)
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

// reserveName marks key as taken by a group being created or renamed and
// returns the hooks to consult before committing.
func (a *Account) reserveName(key, name string) (Hooks, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.errIfDeletedLocked(); err != nil {
		return Hooks{}, err
	}
	if _, taken := a.names[key]; taken {
		return Hooks{}, fmt.Errorf("%w: a LOCAL group has the name %q", ErrGroupNameTaken, name)
	}
	a.names[key] = ""
	return a.hooks, nil
}

func (a *Account) releaseName(key string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.names[key] == "" {
		delete(a.names, key)
	}
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

// LocalGroupCount returns how many LOCAL groups the account has; the SCIM
// side adds it to its own count for Limits.MaxGroups.
func (a *Account) LocalGroupCount() int {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return len(a.groups)
}

// LocalGroupNameTaken reports whether a LOCAL group has name, or is being
// created or renamed to it, compared case-insensitively. The SCIM side calls
// it before creating or renaming a SCIM group (rule DT-GROUP-UNIQUE); it only
// takes the account's read lock briefly and calls nothing, so it is safe to
// call while holding the SCIM store's lock.
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
	if err := checkText("group name", name, true); err != nil {
		return Group{}, fmt.Errorf("%w: %v", ErrInvalidGroupName, err)
	}
	if err := checkText("group description", description, false); err != nil {
		return Group{}, fmt.Errorf("%w: %v", ErrInvalidDescription, err)
	}
	newKey := foldKey(name)

	a.mu.Lock()
	if err := a.errIfDeletedLocked(); err != nil {
		a.mu.Unlock()
		return Group{}, err
	}
	g, ok := a.groups[id]
	if !ok {
		hooks := a.hooks
		a.mu.Unlock()
		return Group{}, a.notLocal(hooks, id)
	}
	if foldKey(g.g.Name) == newKey { // same name, or only its case changes
		g.g.Name, g.g.Description, g.g.UpdatedAt = name, description, a.reg.now().UTC()
		out := g.g
		a.mu.Unlock()
		return out, nil
	}
	if _, taken := a.names[newKey]; taken {
		a.mu.Unlock()
		return Group{}, fmt.Errorf("%w: a LOCAL group has the name %q", ErrGroupNameTaken, name)
	}
	a.names[newKey] = ""
	hooks := a.hooks
	a.mu.Unlock()

	if hooks.SCIMGroupNameTaken != nil && hooks.SCIMGroupNameTaken(name) {
		a.releaseName(newKey)
		return Group{}, fmt.Errorf("%w: the SCIM group %q has it", ErrGroupNameTaken, name)
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.errIfDeletedLocked(); err != nil {
		delete(a.names, newKey)
		return Group{}, err
	}
	if a.groups[id] != g {
		delete(a.names, newKey)
		return Group{}, fmt.Errorf("%w: LOCAL group %q was deleted while it was being renamed", ErrGroupNotFound, id)
	}
	// Read the old name now: a parallel rename may have changed it.
	delete(a.names, foldKey(g.g.Name))
	a.names[newKey] = id
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
		hooks := a.hooks
		a.mu.Unlock()
		return a.notLocal(hooks, id)
	}
	delete(a.groups, id)
	delete(a.names, foldKey(g.g.Name))
	delete(a.permissions, id)
	a.mu.Unlock()
	return nil
}

// notLocal explains why id is not a LOCAL group. It is called without the
// account's lock, since it may call a hook.
func (a *Account) notLocal(h Hooks, id string) error {
	if h.SCIMGroupExists != nil && h.SCIMGroupExists(id) {
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
// when groupID is neither a LOCAL group nor a SCIM group known to
// Hooks.SCIMGroupExists.
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

	a.mu.RLock()
	_, isLocal := a.groups[groupID]
	hooks := a.hooks
	a.mu.RUnlock()
	if !isLocal && (hooks.SCIMGroupExists == nil || !hooks.SCIMGroupExists(groupID)) {
		return fmt.Errorf("%w: the account has no group with id %q", ErrGroupNotFound, groupID)
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.errIfDeletedLocked(); err != nil {
		return err
	}
	if isLocal && a.groups[groupID] == nil {
		return fmt.Errorf("%w: LOCAL group %q was deleted", ErrGroupNotFound, groupID)
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

// DeletePermissions drops every permission of a group. The SCIM side calls
// it when a SCIM group is deleted, so a later group cannot inherit them.
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
