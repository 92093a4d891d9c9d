package scimhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// ContentType is the media type of every SCIM response (RFC 7644
// section 3.1).
const ContentType = "application/scim+json"

// RuleHeader names, on a refusal, the conformance rule that made the mock
// refuse (for example DT-USER-DOMAIN), so a person reading a connector's
// log sees why.
const RuleHeader = "X-Scimconf-Rule"

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"schemas":["`+scimerror.URN+`"],"status":"500","detail":"cannot encode the response"}`)
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(status)
	w.Write(b)
}

// writeError renders err as a SCIM error (a 500 for errors that are not
// *scimerror.Error).
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := scimerror.From(err)
	if e.Status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if e.Rule != "" {
		w.Header().Set(RuleHeader, e.Rule)
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
	}
	writeJSON(w, e.Status, e)
}

// decodeBody reads a JSON request body into v. The content type must be
// application/scim+json or application/json (or absent); the body must be
// one JSON value of the expected shape and no more than the cap allows.
func decodeBody(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != ContentType && mt != "application/json") {
			return scimerror.New(http.StatusUnsupportedMediaType, "", "Content-Type %q is not supported; send application/scim+json or application/json", ct)
		}
	}
	body, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return scimerror.New(http.StatusRequestEntityTooLarge, "", "the request body is larger than %d bytes", tooBig.Limit)
	}
	if err != nil {
		return scimerror.BadRequest(scimerror.InvalidSyntax, "reading the request body: %v", err)
	}
	if err := checkJSONText(body); err != nil {
		return err
	}
	if string(bytes.TrimSpace(body)) == "null" {
		// encoding/json leaves v as it is for null: a search, a PatchOp or
		// a resource of null would run as if sent with no member at all.
		return scimerror.BadRequest(scimerror.InvalidSyntax, "the request body is JSON null; send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		switch {
		case errors.Is(err, io.EOF):
			return scimerror.BadRequest(scimerror.InvalidSyntax, "the request body is empty; send a JSON object")
		}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			field := typeErr.Field
			if field == "" {
				field = "the body"
			}
			return scimerror.BadRequest(scimerror.InvalidSyntax, "%s must be a JSON %s, not %s (at offset %d)", field, jsonTypeName(typeErr.Type.Kind().String()), typeErr.Value, typeErr.Offset)
		}
		return scimerror.BadRequest(scimerror.InvalidSyntax, "the request body is not valid JSON: %v", err)
	}
	if dec.More() {
		return scimerror.BadRequest(scimerror.InvalidSyntax, "the request body holds more than one JSON value")
	}
	return nil
}

func jsonTypeName(kind string) string {
	switch kind {
	case "map", "struct":
		return "object"
	case "slice":
		return "array"
	case "int", "int64", "float64":
		return "number"
	}
	return kind
}

// recoverer turns a panic into a 500 SCIM error and a log line: a bug in
// the mock must never drop the connection on a client.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &StatusRecorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				if rec.Status == 0 {
					s.writeError(rec, r, scimerror.New(http.StatusInternalServerError, "", "internal error in the mock; it has been logged"))
				}
			}
			s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", rec.Status, "duration", time.Since(start))
		}()
		next.ServeHTTP(rec, r)
	})
}

// StatusRecorder is an http.ResponseWriter that passes everything on and
// records the status of the response: 0 while nothing is written, 200 for
// a body written without a status line. Middleware uses it to log and to
// know whether a handler has answered (a panic after the status line went
// out cannot become a 500 any more).
type StatusRecorder struct {
	http.ResponseWriter
	Status int
}

// WriteHeader records the first status and passes code on.
func (s *StatusRecorder) WriteHeader(code int) {
	if s.Status == 0 {
		s.Status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write records 200 when no status was written and passes b on.
func (s *StatusRecorder) Write(b []byte) (int, error) {
	if s.Status == 0 {
		s.Status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (s *StatusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// BearerToken extracts the token of an "Authorization: Bearer <token>"
// header value; the scheme is case-insensitive (RFC 7235 section 2.1,
// RFC 6750 section 2.1).
func BearerToken(header string) (token string, ok bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// BaseURL is the absolute URL of path on the host the request came in on,
// as the client sees it: the scheme and host of X-Forwarded-Proto and
// X-Forwarded-Host when a proxy set them. Locations in responses are built
// on it.
func BaseURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	host := r.Host
	if h := r.Header.Get("X-Forwarded-Host"); h != "" {
		host = h
	}
	return scheme + "://" + host + path
}
