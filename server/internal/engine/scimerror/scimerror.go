// Package scimerror owns the one error type the mock returns to SCIM clients:
// RFC 7644 section 3.12's "urn:ietf:params:scim:api:messages:2.0:Error" with
// its scimType vocabulary. Every package under server/ returns *Error for a
// fault the client can act on; anything else becomes a 500 at the HTTP edge.
//
// The package knows nothing of HTTP handlers; it only renders itself.
package scimerror

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// URN is the schema of a SCIM error response (RFC 7644 section 3.12).
const URN = "urn:ietf:params:scim:api:messages:2.0:Error"

// The scimType vocabulary of RFC 7644 section 3.12, table 9.
const (
	InvalidFilter = "invalidFilter"
	TooMany       = "tooMany"
	Uniqueness    = "uniqueness"
	Mutability    = "mutability"
	InvalidSyntax = "invalidSyntax"
	InvalidPath   = "invalidPath"
	NoTarget      = "noTarget"
	InvalidValue  = "invalidValue"
	InvalidVers   = "invalidVers"
	Sensitive     = "sensitive"
)

// Error is a SCIM error: an HTTP status, an optional scimType and a detail a
// person can act on. Rule, when set, names the conformance rule (for example
// "DT-USER-DOMAIN") that made the mock refuse the request; it is not part of
// the wire format but goes to the journal and to a response header.
type Error struct {
	Status   int
	ScimType string
	Detail   string
	Rule     string
}

func (e *Error) Error() string {
	if e.ScimType != "" {
		return fmt.Sprintf("%d %s: %s", e.Status, e.ScimType, e.Detail)
	}
	return fmt.Sprintf("%d: %s", e.Status, e.Detail)
}

// body is the wire form; status is a string as RFC 7644 section 3.12 shows.
type body struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail,omitempty"`
}

// MarshalJSON renders the error in the RFC 7644 wire form.
func (e *Error) MarshalJSON() ([]byte, error) {
	return json.Marshal(body{
		Schemas:  []string{URN},
		Status:   strconv.Itoa(e.Status),
		ScimType: e.ScimType,
		Detail:   e.Detail,
	})
}

// New returns an error with the given status, scimType (may be empty) and a
// detail formatted with fmt.Sprintf.
func New(status int, scimType, format string, args ...any) *Error {
	return &Error{Status: status, ScimType: scimType, Detail: fmt.Sprintf(format, args...)}
}

// BadRequest is New(400, scimType, ...).
func BadRequest(scimType, format string, args ...any) *Error {
	return New(http.StatusBadRequest, scimType, format, args...)
}

// NotFound is a 404 with the given detail.
func NotFound(format string, args ...any) *Error {
	return New(http.StatusNotFound, "", format, args...)
}

// Conflict is a 409 uniqueness error.
func Conflict(format string, args ...any) *Error {
	return New(http.StatusConflict, Uniqueness, format, args...)
}

// WithRule returns a copy of e that names the rule which refused the request.
func (e *Error) WithRule(rule string) *Error {
	c := *e
	c.Rule = rule
	return &c
}

// From returns err as a SCIM error: err itself (or the *Error it wraps), or a
// 500 whose detail is err's message for any other error. From(nil) is nil.
func From(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return New(http.StatusInternalServerError, "", "internal error: %v", err)
}
