package mgmt

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/scimconf/scimconf/server/internal/apijson"
	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// Groups as account management sees them. LOCAL groups live in
// the account; SCIM groups are read from the account's store and
// never changed here (rule DT-GROUP-LOCKED), except for the permissions of
// a SCIM group, which the account holds.

// all selects every resource of a type, in the store's creation order.
var all = store.Query{StartIndex: 1, Count: -1}

func (a *api) localView(acct *account.Account, g account.Group) Group {
	created, updated := g.CreatedAt, g.UpdatedAt
	return Group{
		ID:          g.ID,
		Name:        g.Name,
		Description: g.Description,
		Type:        GroupLocal,
		Permissions: permissionsView(acct.Permissions(g.ID)),
		CreatedAt:   &created,
		UpdatedAt:   &updated,
	}
}

func (a *api) scimView(ctx context.Context, acct *account.Account, st store.Store, res *store.Resource) Group {
	name, _ := res.Doc["displayName"].(string)
	members, _ := st.Members(ctx, res.ID)
	created, updated := res.Created, res.LastModified
	return Group{
		ID:          res.ID,
		Name:        name,
		Type:        GroupSCIM,
		MemberCount: len(members),
		Permissions: permissionsView(acct.Permissions(res.ID)),
		CreatedAt:   nonZero(created),
		UpdatedAt:   nonZero(updated),
	}
}

func nonZero(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func permissionsView(ps []account.Permission) []Permission {
	out := make([]Permission, 0, len(ps))
	for _, p := range ps {
		out = append(out, Permission(p))
	}
	return out
}

// scimGroup returns the account's SCIM group with id, nil when there is
// none, or an error the store had for another reason.
func (a *api) scimGroup(ctx context.Context, acct *account.Account, id string) (store.Store, *store.Resource, error) {
	st := a.storeFor(acct)
	if st == nil || a.groupRT == nil {
		return nil, nil, nil
	}
	res, err := st.Get(ctx, a.groupRT, id)
	if err != nil {
		if isNotFound(err) {
			return st, nil, nil
		}
		return st, nil, err
	}
	return st, res, nil
}

func isNotFound(err error) bool {
	var se *scimerror.Error
	return errors.As(err, &se) && se.Status == http.StatusNotFound
}

func groupNotFound(id string) error {
	return fmt.Errorf("%w: the account has no LOCAL or SCIM group with id %q", account.ErrGroupNotFound, id)
}

func (a *api) listGroups(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	local := acct.LocalGroups()
	out := make([]Group, 0, len(local))
	for _, g := range local {
		out = append(out, a.localView(acct, g))
	}
	if st := a.storeFor(acct); st != nil && a.groupRT != nil {
		page, err := st.List(r.Context(), a.groupRT, all)
		if err != nil {
			writeFailure(w, fmt.Errorf("listing the SCIM groups: %w", err))
			return
		}
		for _, res := range page.Resources {
			out = append(out, a.scimView(r.Context(), acct, st, res))
		}
	}
	apijson.WriteJSON(w, http.StatusOK, out)
}

func (a *api) getGroup(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	id := r.PathValue("groupId")
	if g, ok := acct.LocalGroup(id); ok {
		apijson.WriteJSON(w, http.StatusOK, a.localView(acct, g))
		return
	}
	st, res, err := a.scimGroup(r.Context(), acct, id)
	switch {
	case err != nil:
		writeFailure(w, err)
	case res == nil:
		writeFailure(w, groupNotFound(id))
	default:
		apijson.WriteJSON(w, http.StatusOK, a.scimView(r.Context(), acct, st, res))
	}
}

// createGroup creates a LOCAL group; its name must differ from every LOCAL
// and SCIM group's, ignoring case (rule DT-GROUP-UNIQUE).
func (a *api) createGroup(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	const shape = `{"name":"...","description":"..."}`
	var body *struct {
		Name        *string `json:"name"`
		Description *string `json:"description"`
	}
	if !decode(w, r, &body, false, shape) {
		return
	}
	if body == nil || body.Name == nil {
		apijson.WriteError(w, http.StatusBadRequest, "invalid_group_name", `"name" is required: send %s`, shape)
		return
	}
	desc := ""
	if body.Description != nil {
		desc = *body.Description
	}
	g, err := acct.CreateLocalGroup(*body.Name, desc)
	if err != nil {
		writeFailure(w, err)
		return
	}
	w.Header().Set("Location", Prefix+"/accounts/"+acct.ID()+"/groups/"+g.ID)
	apijson.WriteJSON(w, http.StatusCreated, a.localView(acct, g))
}

// lockedOrMissing answers for a group id that is not a LOCAL group: a SCIM
// group is locked here (403), anything else is 404.
func (a *api) lockedOrMissing(w http.ResponseWriter, r *http.Request, acct *account.Account, id string) {
	_, res, err := a.scimGroup(r.Context(), acct, id)
	switch {
	case err != nil:
		writeFailure(w, err)
	case res != nil:
		writeFailure(w, fmt.Errorf("%w (group %q)", account.ErrGroupLocked, id))
	default:
		writeFailure(w, groupNotFound(id))
	}
}

func (a *api) updateGroup(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	id := r.PathValue("groupId")
	var body *struct {
		Name        optString `json:"name"`
		Description optString `json:"description"`
	}
	if !decode(w, r, &body, false, `{"name":"...","description":"..."} (either may be left out)`) {
		return
	}
	cur, isLocal := acct.LocalGroup(id)
	if !isLocal {
		a.lockedOrMissing(w, r, acct, id)
		return
	}
	if body == nil {
		apijson.WriteJSON(w, http.StatusOK, a.localView(acct, cur))
		return
	}
	name, desc := cur.Name, cur.Description
	if body.Name.set {
		if body.Name.null {
			apijson.WriteError(w, http.StatusBadRequest, "invalid_group_name", `"name" cannot be null; leave it out to keep the name`)
			return
		}
		name = body.Name.value
	}
	if body.Description.set {
		desc = body.Description.value // null clears it
	}
	g, err := acct.UpdateLocalGroup(id, name, desc)
	if err != nil {
		writeFailure(w, err)
		return
	}
	apijson.WriteJSON(w, http.StatusOK, a.localView(acct, g))
}

func (a *api) deleteGroup(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	id := r.PathValue("groupId")
	if _, isLocal := acct.LocalGroup(id); !isLocal {
		a.lockedOrMissing(w, r, acct, id)
		return
	}
	if err := acct.DeleteLocalGroup(id); err != nil {
		writeFailure(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// groupExists answers 404 itself when id is neither a LOCAL nor a SCIM
// group of the account.
func (a *api) groupExists(w http.ResponseWriter, r *http.Request, acct *account.Account, id string) bool {
	if _, ok := acct.LocalGroup(id); ok {
		return true
	}
	_, res, err := a.scimGroup(r.Context(), acct, id)
	switch {
	case err != nil:
		writeFailure(w, err)
		return false
	case res == nil:
		writeFailure(w, groupNotFound(id))
		return false
	}
	return true
}

func (a *api) getPermissions(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	id := r.PathValue("groupId")
	if a.groupExists(w, r, acct, id) {
		apijson.WriteJSON(w, http.StatusOK, permissionsView(acct.Permissions(id)))
	}
}

// setPermissions replaces a group's permissions; SCIM groups included,
// since the IdP cannot assign them (seed: "Permissions to SCIM groups still
// have to be assigned manually").
func (a *api) setPermissions(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	id := r.PathValue("groupId")
	const shape = `[{"permissionName":"tenant-viewer","scope":"<environment id>","scopeType":"tenant"}]`
	var body *[]Permission
	if !decode(w, r, &body, false, shape) {
		return
	}
	if body == nil {
		apijson.WriteError(w, http.StatusBadRequest, "invalid_permission",
			"the body must be an array of permissions (an empty array removes them all), such as %s", shape)
		return
	}
	if !a.groupExists(w, r, acct, id) {
		return
	}
	perms := make([]account.Permission, 0, len(*body))
	for _, p := range *body {
		perms = append(perms, account.Permission(p))
	}
	if err := acct.SetPermissions(id, perms); err != nil {
		writeFailure(w, err)
		return
	}
	apijson.WriteJSON(w, http.StatusOK, permissionsView(acct.Permissions(id)))
}
