package mgmt

import (
	"context"
	"fmt"
	"net/http"

	"github.com/scimconf/scimconf/server/internal/apijson"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// Users as account management sees them: read from the account's SCIM
// store, never changed here (SCIM is one-way from the IdP).

func (a *api) userView(ctx context.Context, st store.Store, res *store.Resource) User {
	u := User{ID: res.ID, Status: UserActive, Groups: []string{}}
	u.Email, _ = res.Doc["userName"].(string)
	if name, ok := res.Doc["name"].(map[string]any); ok {
		u.Name.GivenName, _ = name["givenName"].(string)
		u.Name.FamilyName, _ = name["familyName"].(string)
	}
	// Only an explicit false disables: a user without "active" has never
	// been disabled (rule DT-USER-DISABLE).
	if active, ok := res.Doc["active"].(bool); ok && !active {
		u.Status = UserDisabled
	}
	if groups, err := st.GroupsOf(ctx, res.ID); err == nil && groups != nil {
		u.Groups = groups
	}
	return u
}

func (a *api) listUsers(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	out := []User{}
	if st := a.storeFor(acct); st != nil && a.userRT != nil {
		page, err := st.List(r.Context(), a.userRT, all)
		if err != nil {
			writeFailure(w, fmt.Errorf("listing the SCIM users: %w", err))
			return
		}
		for _, res := range page.Resources {
			out = append(out, a.userView(r.Context(), st, res))
		}
	}
	apijson.WriteJSON(w, http.StatusOK, out)
}

func (a *api) getUser(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	id := r.PathValue("userId")
	notFound := func() {
		apijson.WriteError(w, http.StatusNotFound, "user_not_found", "the account has no user with id %q; users are provisioned through SCIM", id)
	}
	st := a.storeFor(acct)
	if st == nil || a.userRT == nil {
		notFound()
		return
	}
	res, err := st.Get(r.Context(), a.userRT, id)
	switch {
	case isNotFound(err):
		notFound()
	case err != nil:
		writeFailure(w, err)
	default:
		apijson.WriteJSON(w, http.StatusOK, a.userView(r.Context(), st, res))
	}
}
