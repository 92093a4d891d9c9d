package journal

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
)

// Redacted replaces a secret the journal does not keep.
const Redacted = "[redacted]"

// secretHeaders are request headers whose values never reach the journal.
// Authorization is handled apart: its scheme and a token's public part stay,
// so a reader can tell which token a connector used.
var secretHeaders = []string{"Proxy-Authorization", "Cookie", "X-Api-Key", "Api-Key", "X-Auth-Token"}

// RedactHeaders returns a copy of h with secrets redacted: the credential
// of Authorization (a SCIM token keeps its prefix and public id, as
// account.RedactToken does, so two uses of one token look alike), cookies,
// API keys and any header whose name mentions a token, secret or password.
func RedactHeaders(h http.Header) http.Header {
	if len(h) == 0 {
		return nil
	}
	out := h.Clone()
	for name, vals := range out {
		lower := strings.ToLower(name)
		switch {
		case name == "Authorization":
			for i, v := range vals {
				vals[i] = RedactAuthorization(v)
			}
		case isSecretHeader(name) || strings.Contains(lower, "token") || strings.Contains(lower, "secret") || strings.Contains(lower, "password"):
			for i := range vals {
				vals[i] = Redacted
			}
		}
	}
	return out
}

func isSecretHeader(name string) bool {
	for _, s := range secretHeaders {
		if strings.EqualFold(s, name) {
			return true
		}
	}
	return false
}

// RedactAuthorization redacts an Authorization header value: "Bearer " and
// the token as account.RedactToken shows it; any other scheme keeps only
// its name.
func RedactAuthorization(v string) string {
	scheme, cred, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok {
		return Redacted
	}
	if strings.EqualFold(scheme, "Bearer") {
		return scheme + " " + account.RedactToken(strings.TrimSpace(cred))
	}
	return scheme + " " + Redacted
}

// RedactBody returns the body as a string with the values of "password"
// attributes (at any depth, and of PATCH operations whose path is
// password) redacted. A body without the word "password" is returned as
// sent; a body that mentions it but is not JSON is dropped, since the
// journal cannot tell the secret from the rest.
func RedactBody(body []byte) string {
	if !bytes.Contains(bytes.ToLower(body), []byte("password")) {
		return string(body)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return "[redacted: the body mentions a password and is not JSON the journal can redact]"
	}
	v = redactValue(v)
	out, err := json.Marshal(v)
	if err != nil {
		return Redacted
	}
	return string(out)
}

func redactValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		secretOp := false
		if p, ok := v["path"].(string); ok && isPasswordPath(p) {
			secretOp = true
		}
		for k, c := range v {
			switch {
			case strings.EqualFold(k, "password") || strings.HasSuffix(strings.ToLower(k), ":password"):
				v[k] = Redacted
			case secretOp && strings.EqualFold(k, "value"):
				v[k] = Redacted
			default:
				v[k] = redactValue(c)
			}
		}
		return v
	case []any:
		for i, c := range v {
			v[i] = redactValue(c)
		}
		return v
	}
	return v
}

// isPasswordPath is true for a PATCH path naming the password attribute,
// with or without the schema URN prefix.
func isPasswordPath(p string) bool {
	p = strings.ToLower(p)
	return p == "password" || strings.HasSuffix(p, ":password")
}
