// Package apijson owns how the management API (/mock/v1) answers in JSON:
// the headers of every answer and the one shape of every error. The
// management API's own handlers (package mgmt) and the endpoints it mounts
// from journal, faults and fixture all write through it, so that every
// endpoint under /mock/v1 answers alike. It imports nothing of the mock, so
// that any of those packages can import it without a cycle.
package apijson

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// ErrorBody is the one shape of every error the management API returns.
type ErrorBody struct {
	// Error is a short, stable code such as "token_cap" that programs
	// switch on.
	Error string `json:"error"`
	// Detail says what went wrong and what to do about it.
	Detail string `json:"detail"`
	// Rule is the conformance rule (DESIGN.md) behind a refusal, such as
	// "DT-TOKEN-CAP"; omitted when none applies.
	Rule string `json:"rule,omitempty"`
}

// WriteJSON answers with status and v as JSON. The answer is never cached:
// it is the mock's state at this moment.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	// Details quote what the client sent; keep < and > readable.
	enc.SetEscapeHTML(false)
	// Only a broken connection makes this fail; the status is already sent.
	_ = enc.Encode(v)
}

// WriteError answers with status and an ErrorBody with no rule: code, and
// the detail formatted from format and args. An error that names a rule is
// written with WriteJSON and an ErrorBody.
func WriteError(w http.ResponseWriter, status int, code, format string, args ...any) {
	WriteJSON(w, status, ErrorBody{Error: code, Detail: fmt.Sprintf(format, args...)})
}
