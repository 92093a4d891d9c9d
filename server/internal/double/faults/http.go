package faults

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/scimconf/scimconf/server/internal/apijson"
)

// ServeList answers GET /mock/v1/faults: {"faults": [rule, ...]} with
// every rule's counters, in the order they apply.
func (in *Injector) ServeList(w http.ResponseWriter, r *http.Request) {
	rules := in.Rules()
	if rules == nil {
		rules = []Rule{}
	}
	apijson.WriteJSON(w, http.StatusOK, File{Faults: rules})
}

// ServeAdd answers POST /mock/v1/faults: the body is one Rule; the answer
// is 201 with the rule as added (its id) and Location.
func (in *Injector) ServeAdd(w http.ResponseWriter, r *http.Request) {
	var rule Rule
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(&rule)
	if err == nil && dec.More() {
		err = errors.New("more data follows the first JSON value")
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			apijson.WriteError(w, http.StatusRequestEntityTooLarge, "body_too_large", "the body exceeds %d bytes", tooBig.Limit)
		case errors.Is(err, io.EOF):
			apijson.WriteError(w, http.StatusBadRequest, "invalid_json", `the body is empty; send a rule such as {"match":{"method":"PATCH","nth":3},"action":{"status":429,"retryAfter":2}}`)
		default:
			apijson.WriteError(w, http.StatusBadRequest, "invalid_json", `the body is not a fault rule: %v; send {"match":{...},"action":{...},"times":N}`, err)
		}
		return
	}
	added, err := in.Add(rule)
	if err != nil {
		code := "invalid_fault"
		status := http.StatusBadRequest
		if errors.Is(err, ErrRuleExists) {
			code, status = "fault_exists", http.StatusConflict
		}
		apijson.WriteError(w, status, code, "%v", err)
		return
	}
	w.Header().Set("Location", strings.TrimSuffix(r.URL.Path, "/")+"/"+added.ID)
	apijson.WriteJSON(w, http.StatusCreated, added)
}

// ServeDelete answers DELETE /mock/v1/faults/{faultId}: 204, or 404 when
// there is no such rule.
func (in *Injector) ServeDelete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("faultId")
	if !in.Delete(id) {
		apijson.WriteError(w, http.StatusNotFound, "fault_not_found", "no fault rule has id %q; GET /mock/v1/faults lists them", id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ServeClear answers DELETE /mock/v1/faults: every rule is removed.
func (in *Injector) ServeClear(w http.ResponseWriter, r *http.Request) {
	in.Clear()
	w.WriteHeader(http.StatusNoContent)
}
