package mgmt

import (
	"errors"
	"net/http"

	"github.com/scimconf/scimconf/server/internal/apijson"
)

// The mock's violation switches under /mock/v1/violations: the run-time
// switch API. A switch makes the mock break one behaviour on purpose so
// that `make sensitivity` can prove the suites catch it; package violation
// owns and applies them, and the assembly hands them here as Switches.

// Violation is one switch as the API shows it.
type Violation struct {
	// Name is the switch's kebab-case name, e.g. "ignore-if-match".
	Name string `json:"name"`
	// Description says, in one line, what the mock does wrong with the
	// switch on.
	Description string `json:"description"`
	On          bool   `json:"on"`
}

// Switches lists and changes the mock's violation switches.
type Switches interface {
	// Violations lists every switch with its state, sorted by name.
	Violations() []Violation
	// SetViolation turns the named switch on or off and returns its new
	// state; ErrUnknownViolation (wrapped, with the known names) for a
	// name that is no switch.
	SetViolation(name string, on bool) (Violation, error)
}

// ErrUnknownViolation is what Switches answers for a name that is no
// switch.
var ErrUnknownViolation = errors.New("unknown violation switch")

func (a *api) listViolations(w http.ResponseWriter, r *http.Request) {
	list := []Violation{}
	if a.violations != nil {
		list = a.violations.Violations()
	}
	apijson.WriteJSON(w, http.StatusOK, list)
}

func (a *api) enableViolation(w http.ResponseWriter, r *http.Request) {
	a.setViolation(w, r, true)
}

func (a *api) disableViolation(w http.ResponseWriter, r *http.Request) {
	a.setViolation(w, r, false)
}

func (a *api) setViolation(w http.ResponseWriter, r *http.Request, on bool) {
	name := r.PathValue("name")
	if a.violations == nil {
		apijson.WriteError(w, http.StatusConflict, "violations_fixed", "violation switch %q: this mock has no switch set to change", name)
		return
	}
	v, err := a.violations.SetViolation(name, on)
	switch {
	case errors.Is(err, ErrUnknownViolation):
		apijson.WriteError(w, http.StatusNotFound, "unknown_violation", "%s", err.Error())
		return
	case err != nil:
		apijson.WriteError(w, http.StatusConflict, "violations_fixed", "%s", err.Error())
		return
	}
	a.log.Warn("mgmt: violation switch changed", "name", name, "on", on)
	apijson.WriteJSON(w, http.StatusOK, v)
}
