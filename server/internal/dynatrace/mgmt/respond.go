package mgmt

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/scimconf/scimconf/server/internal/apijson"
	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
)

// ErrorBody is the one shape of every error the management API returns;
// package apijson owns it, so that the endpoints mgmt mounts from journal,
// faults and fixture answer errors alike.
type ErrorBody = apijson.ErrorBody

// failure maps an error of package account to its status, code and rule,
// as the sentinels' doc comments suggest. The detail is the error's own
// message, which names the value at fault.
type failure struct {
	sentinel error
	status   int
	code     string
	rule     string
}

var failures = []failure{
	{account.ErrAccountNotFound, http.StatusNotFound, "account_not_found", ""},
	{account.ErrInvalidAccountName, http.StatusBadRequest, "invalid_account_name", ""},
	{account.ErrInvalidDomain, http.StatusBadRequest, "invalid_domain", ""},
	{account.ErrDomainExists, http.StatusConflict, "domain_exists", ""},
	{account.ErrDomainNotFound, http.StatusNotFound, "domain_not_found", ""},
	{account.ErrNoVerifiedDomain, http.StatusForbidden, "no_verified_domain", "DT-DOMAIN-REQUIRED"},
	{account.ErrTokenCap, http.StatusConflict, "token_cap", "DT-TOKEN-CAP"},
	{account.ErrTokenNotFound, http.StatusNotFound, "token_not_found", ""},
	{account.ErrInvalidDescription, http.StatusBadRequest, "invalid_description", ""},
	{account.ErrInvalidLimits, http.StatusBadRequest, "invalid_limits", ""},
	{account.ErrInvalidGroupName, http.StatusBadRequest, "invalid_group_name", ""},
	{account.ErrGroupNameTaken, http.StatusConflict, "group_name_taken", "DT-GROUP-UNIQUE"},
	{account.ErrGroupNotFound, http.StatusNotFound, "group_not_found", ""},
	{account.ErrGroupLocked, http.StatusForbidden, "group_locked", "DT-GROUP-LOCKED"},
	{account.ErrGroupLimit, http.StatusBadRequest, "group_limit", "DT-GROUP-LIMIT"},
	{account.ErrInvalidPermission, http.StatusBadRequest, "invalid_permission", ""},
	{account.ErrPermissionLimit, http.StatusBadRequest, "permission_limit", ""},
	{account.ErrUnauthorized, http.StatusUnauthorized, "unauthorized", "DT-AUTH"},
}

// writeFailure answers err: a known sentinel with its status, anything else
// with 500 (whose detail still says what failed, since this is a mock and
// its operator is the reader).
func writeFailure(w http.ResponseWriter, err error) {
	for _, f := range failures {
		if errors.Is(err, f.sentinel) {
			apijson.WriteJSON(w, f.status, ErrorBody{Error: f.code, Detail: err.Error(), Rule: f.rule})
			return
		}
	}
	apijson.WriteError(w, http.StatusInternalServerError, "internal", "%v", err)
}

// errEmptyBody is what decode returns for a body with nothing in it.
var errEmptyBody = errors.New("empty body")

// decode reads one JSON value from the body into v, refusing unknown
// fields and trailing data. It answers the request itself on failure (400,
// or 413 beyond MaxBodyBytes) and reports false. With optional set, an
// empty body is no error and leaves v as it was.
func decode(w http.ResponseWriter, r *http.Request, v any, optional bool, shape string) bool {
	err := decodeBody(r.Body, v)
	if err == nil || optional && errors.Is(err, errEmptyBody) {
		return true
	}
	var (
		tooBig  *http.MaxBytesError
		syntax  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooBig):
		apijson.WriteError(w, http.StatusRequestEntityTooLarge, "body_too_large",
			"the body exceeds %d bytes", tooBig.Limit)
	case errors.Is(err, errEmptyBody):
		apijson.WriteError(w, http.StatusBadRequest, "invalid_json", "the body is empty; send %s", shape)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.TrimPrefix(err.Error(), "json: unknown field ")
		apijson.WriteError(w, http.StatusBadRequest, "unknown_field",
			"the body has the unknown field %s; the body is %s", field, shape)
	case errors.As(err, &syntax):
		apijson.WriteError(w, http.StatusBadRequest, "invalid_json",
			"the body is not valid JSON at byte offset %d: %v; send %s", syntax.Offset, err, shape)
	case errors.As(err, &typeErr):
		where := "the body"
		if typeErr.Field != "" {
			where = fmt.Sprintf("the field %q", typeErr.Field)
		}
		apijson.WriteError(w, http.StatusBadRequest, "invalid_json",
			"%s must be %s, not a JSON %s; send %s", where, jsonKind(typeErr.Type.Kind().String()), typeErr.Value, shape)
	default:
		apijson.WriteError(w, http.StatusBadRequest, "invalid_json", "the body cannot be read as JSON: %v; send %s", err, shape)
	}
	return false
}

func decodeBody(body io.Reader, v any) error {
	if body == nil {
		return errEmptyBody
	}
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errEmptyBody
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("the body ends in the middle of a JSON value")
		}
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return errors.New("more data follows the first JSON value")
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "int", "int64", "int32":
		return "a whole number"
	case "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	}
	return "of another type"
}

// optString is a JSON field that tells "absent" from "null" from a value,
// which a PATCH body needs.
type optString struct {
	set   bool // the field is present
	null  bool // its value is null
	value string
}

func (o *optString) UnmarshalJSON(b []byte) error {
	o.set = true
	if string(b) == "null" {
		o.null = true
		return nil
	}
	return json.Unmarshal(b, &o.value)
}
