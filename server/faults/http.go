package faults

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// errorBody is the management API's error shape (mgmt.ErrorBody), so that
// every endpoint under /mock/v1 answers errors alike.
type errorBody struct {
	Error  string `json:"error"`
	Detail string `json:"detail"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, format string, args ...any) {
	writeJSON(w, status, errorBody{Error: code, Detail: fmt.Sprintf(format, args...)})
}

// ServeList answers GET /mock/v1/faults: {"faults": [rule, ...]} with
// every rule's counters, in the order they apply.
func (in *Injector) ServeList(w http.ResponseWriter, r *http.Request) {
	rules := in.Rules()
	if rules == nil {
		rules = []Rule{}
	}
	writeJSON(w, http.StatusOK, File{Faults: rules})
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
			writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", "the body exceeds %d bytes", tooBig.Limit)
		case errors.Is(err, io.EOF):
			writeError(w, http.StatusBadRequest, "invalid_json", `the body is empty; send a rule such as {"match":{"method":"PATCH","nth":3},"action":{"status":429,"retryAfter":2}}`)
		default:
			writeError(w, http.StatusBadRequest, "invalid_json", `the body is not a fault rule: %v; send {"match":{...},"action":{...},"times":N}`, err)
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
		writeError(w, status, code, "%v", err)
		return
	}
	w.Header().Set("Location", strings.TrimSuffix(r.URL.Path, "/")+"/"+added.ID)
	writeJSON(w, http.StatusCreated, added)
}

// ServeDelete answers DELETE /mock/v1/faults/{faultId}: 204, or 404 when
// there is no such rule.
func (in *Injector) ServeDelete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("faultId")
	if !in.Delete(id) {
		writeError(w, http.StatusNotFound, "fault_not_found", "no fault rule has id %q; GET /mock/v1/faults lists them", id)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ServeClear answers DELETE /mock/v1/faults: every rule is removed.
func (in *Injector) ServeClear(w http.ResponseWriter, r *http.Request) {
	in.Clear()
	w.WriteHeader(http.StatusNoContent)
}
