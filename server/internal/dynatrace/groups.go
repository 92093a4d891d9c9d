package dynatrace

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// Groups wraps st, the SCIM store of account acct, so that every SCIM
// group takes its name and its place through the account (rules
// DT-GROUP-UNIQUE, DT-GROUP-LIMIT): a create or a rename claims the name
// from the account before the store commits it and settles the claim after,
// and a delete gives it back. The account judges LOCAL groups by the same
// rule under the same lock, so LOCAL and SCIM creates racing each other
// can neither share a name nor pass the limit together.
//
// Every write of a SCIM group must go through the returned store.
func Groups(acct *account.Account, st store.Store) store.Store {
	return &groups{Store: st, acct: acct}
}

type groups struct {
	store.Store
	acct *account.Account
}

func isGroup(rt *schema.ResourceType) bool { return rt != nil && strings.EqualFold(rt.Name, "Group") }

func (g *groups) Create(ctx context.Context, rt *schema.ResourceType, doc map[string]any, members []store.Member) (*store.Resource, error) {
	if !isGroup(rt) {
		return g.Store.Create(ctx, rt, doc, members)
	}
	name, _ := doc["displayName"].(string)
	claim, err := g.acct.ClaimSCIMGroup(name)
	if err != nil {
		return nil, g.refusal(name, err)
	}
	res, err := g.Store.Create(ctx, rt, doc, members)
	if err != nil {
		claim.Release()
		return nil, err
	}
	claim.Commit(res.ID)
	return res, nil
}

// Update claims a new displayName from the account inside the store's
// update, once the new document is known and before the store commits it.
func (g *groups) Update(ctx context.Context, rt *schema.ResourceType, id string, fn func(cur *store.Resource, members store.Members) (map[string]any, error)) (*store.Resource, error) {
	if !isGroup(rt) {
		return g.Store.Update(ctx, rt, id, fn)
	}
	var claim *account.SCIMClaim
	res, err := g.Store.Update(ctx, rt, id, func(cur *store.Resource, ms store.Members) (map[string]any, error) {
		doc, err := fn(cur, ms)
		if err != nil || doc == nil {
			return doc, err
		}
		name, _ := doc["displayName"].(string)
		if claim, err = g.acct.ClaimSCIMRename(id, name); err != nil {
			return nil, g.refusal(name, err)
		}
		return doc, nil
	})
	if err != nil {
		claim.Release()
		return nil, err
	}
	claim.Commit(id)
	return res, nil
}

func (g *groups) Delete(ctx context.Context, rt *schema.ResourceType, id string) error {
	return g.DeleteIf(ctx, rt, id, nil)
}

func (g *groups) DeleteIf(ctx context.Context, rt *schema.ResourceType, id string, check func(cur *store.Resource) error) error {
	err := g.Store.DeleteIf(ctx, rt, id, check)
	if err == nil && isGroup(rt) {
		g.acct.ForgetSCIMGroup(id)
	}
	return err
}

func (g *groups) Reset() {
	g.Store.Reset()
	g.acct.ForgetSCIMGroups()
}

// refusal is the SCIM error for a claim the account refused.
func (g *groups) refusal(name string, err error) error {
	switch {
	case errors.Is(err, account.ErrInvalidGroupName):
		// The same names account management refuses for a LOCAL group,
		// so that no two groups of the account read the same.
		return scimerror.BadRequest(scimerror.InvalidValue, "displayName %q is not a valid group name: %s; account management refuses the same name for a LOCAL group", name, strings.TrimPrefix(err.Error(), account.ErrInvalidGroupName.Error()+": ")).WithRule("DT-GROUP-UNIQUE")
	case errors.Is(err, account.ErrGroupNameTaken):
		return scimerror.Conflict("a LOCAL group named %q already exists in the account; group names are unique (case-insensitively) across LOCAL and SCIM groups", name).WithRule("DT-GROUP-UNIQUE")
	case errors.Is(err, account.ErrGroupLimit):
		return scimerror.New(http.StatusBadRequest, "", "the account has reached its maximum of %d groups (LOCAL and SCIM together, limit maxGroups)", g.acct.Limits().MaxGroups).WithRule("DT-GROUP-LIMIT")
	}
	return err
}
