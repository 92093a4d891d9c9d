package mgmt

import (
	"context"
	"net/http"

	"github.com/scimconf/scimconf/server/account"
	"github.com/scimconf/scimconf/server/mgmt/apijson"
	"github.com/scimconf/scimconf/server/store"
	"github.com/scimconf/scimconf/server/violation"
)

// The mock's violation switches under /mock/v1/violations, and the
// switches this API applies itself (DT-GROUP-* behaviour of account
// management). A switch makes the mock break one behaviour on purpose so
// that `make sensitivity` can prove the suites catch it.

// Violation is one switch as the API shows it.
type Violation = violation.State

func (a *api) listViolations(w http.ResponseWriter, r *http.Request) {
	apijson.WriteJSON(w, http.StatusOK, a.violations.List())
}

func (a *api) enableViolation(w http.ResponseWriter, r *http.Request) {
	a.setViolation(w, r, true)
}

func (a *api) disableViolation(w http.ResponseWriter, r *http.Request) {
	a.setViolation(w, r, false)
}

func (a *api) setViolation(w http.ResponseWriter, r *http.Request, on bool) {
	name := r.PathValue("name")
	sw, known := violation.Lookup(name)
	if !known {
		apijson.WriteError(w, http.StatusNotFound, "unknown_violation", "%s", (&violation.UnknownError{Name: name}).Error())
		return
	}
	var err error
	if on {
		err = a.violations.Enable(name)
	} else {
		err = a.violations.Disable(name)
	}
	if err != nil {
		apijson.WriteError(w, http.StatusConflict, "violations_fixed", "%s", err.Error())
		return
	}
	a.log.Warn("mgmt: violation switch changed", "name", name, "on", on)
	apijson.WriteJSON(w, http.StatusOK, Violation{Info: sw.Info(), On: a.violations.On(sw)})
}

// scimType is the type account management shows for SCIM groups; violation
// scim-groups-shown-local shows them as LOCAL.
func (a *api) scimType() string {
	if a.violations.On(violation.SCIMGroupsShownLocal) {
		return GroupLocal
	}
	return GroupSCIM
}

// renameSCIMGroup renames a SCIM group in its store: what violation
// unlocked-scim-groups lets account management do.
func (a *api) renameSCIMGroup(w http.ResponseWriter, r *http.Request, acct *account.Account, id, name string) {
	st, res, err := a.scimGroup(r.Context(), acct, id)
	if err != nil || res == nil {
		a.lockedOrMissing(w, r, acct, id)
		return
	}
	res, err = st.Update(r.Context(), a.groupRT, id, func(cur *store.Resource, _ store.Members) (map[string]any, error) {
		cur.Doc["displayName"] = name
		return cur.Doc, nil
	})
	if err != nil {
		writeFailure(w, err)
		return
	}
	apijson.WriteJSON(w, http.StatusOK, a.scimView(r.Context(), acct, st, res))
}

// deleteSCIMGroup deletes a SCIM group from its store (violation
// unlocked-scim-groups).
func (a *api) deleteSCIMGroup(w http.ResponseWriter, r *http.Request, acct *account.Account, id string) {
	st, res, err := a.scimGroup(r.Context(), acct, id)
	if err != nil || res == nil {
		a.lockedOrMissing(w, r, acct, id)
		return
	}
	if err := st.Delete(r.Context(), a.groupRT, id); err != nil {
		writeFailure(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Violations lists the mock's violation switches with their state.
func (c *Client) Violations(ctx context.Context) ([]Violation, error) {
	var out []Violation
	err := c.do(ctx, http.MethodGet, "/violations", nil, &out)
	return out, err
}

// EnableViolation turns a violation switch on.
func (c *Client) EnableViolation(ctx context.Context, name string) (Violation, error) {
	var out Violation
	err := c.do(ctx, http.MethodPut, "/violations/"+seg(name), nil, &out)
	return out, err
}

// DisableViolation turns a violation switch off.
func (c *Client) DisableViolation(ctx context.Context, name string) (Violation, error) {
	var out Violation
	err := c.do(ctx, http.MethodDelete, "/violations/"+seg(name), nil, &out)
	return out, err
}
