package account

import (
	"fmt"
	"strings"
)

// Limits are an account's IAM limits. Every limit is at least 1: a limit of
// zero would not mean "no limit" (as store.Limits has it) but an account
// that can hold nothing, which nobody means to configure, so SetLimits
// refuses it.
type Limits struct {
	MaxUsers               int `json:"maxUsers"`               // rule DT-USER-LIMIT
	MaxGroups              int `json:"maxGroups"`              // rule DT-GROUP-LIMIT, LOCAL and SCIM groups together
	MaxGroupsPerUser       int `json:"maxGroupsPerUser"`       // rule DT-GROUP-PER-USER
	MaxPermissionsPerGroup int `json:"maxPermissionsPerGroup"` // checked by SetPermissions
}

// DefaultLimits returns Dynatrace's documented IAM limits.
func DefaultLimits() Limits {
	return Limits{MaxUsers: 10000, MaxGroups: 5000, MaxGroupsPerUser: 8000, MaxPermissionsPerGroup: 1000}
}

// Validate returns an error wrapping ErrInvalidLimits that names every
// limit below 1.
func (l Limits) Validate() error {
	var bad []string
	for _, f := range []struct {
		name string
		v    int
	}{
		{"maxUsers", l.MaxUsers},
		{"maxGroups", l.MaxGroups},
		{"maxGroupsPerUser", l.MaxGroupsPerUser},
		{"maxPermissionsPerGroup", l.MaxPermissionsPerGroup},
	} {
		if f.v < 1 {
			bad = append(bad, fmt.Sprintf("%s is %d", f.name, f.v))
		}
	}
	if bad != nil {
		return fmt.Errorf("%w (%s)", ErrInvalidLimits, strings.Join(bad, ", "))
	}
	return nil
}

func (l Limits) orDefaults() Limits {
	d := DefaultLimits()
	if l.MaxUsers < 1 {
		l.MaxUsers = d.MaxUsers
	}
	if l.MaxGroups < 1 {
		l.MaxGroups = d.MaxGroups
	}
	if l.MaxGroupsPerUser < 1 {
		l.MaxGroupsPerUser = d.MaxGroupsPerUser
	}
	if l.MaxPermissionsPerGroup < 1 {
		l.MaxPermissionsPerGroup = d.MaxPermissionsPerGroup
	}
	return l
}

// Limits returns the account's current limits.
func (a *Account) Limits() Limits {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.limits
}

// SetLimits replaces all of the account's limits at once and passes them to
// Hooks.OnLimitsChange. Lowering a limit below what the account holds
// removes nothing; it only refuses what would go further beyond it.
func (a *Account) SetLimits(l Limits) error {
	if err := l.Validate(); err != nil {
		return err
	}
	a.limitsMu.Lock()
	defer a.limitsMu.Unlock()
	a.mu.Lock()
	if err := a.errIfDeletedLocked(); err != nil {
		a.mu.Unlock()
		return err
	}
	a.limits = l
	hook := a.hooks.OnLimitsChange
	a.mu.Unlock()
	if hook != nil {
		hook(l)
	}
	return nil
}
