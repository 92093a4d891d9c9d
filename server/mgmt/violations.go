package mgmt

import (
	"context"
	"net/http"

	"github.com/scimconf/scimconf/server/mgmt/apijson"
	"github.com/scimconf/scimconf/server/violation"
)

// The mock's violation switches under /mock/v1/violations: the run-time
// switch API. A switch makes the mock break one behaviour on purpose so
// that `make sensitivity` can prove the suites catch it; package violation
// applies them, none is applied here.

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
