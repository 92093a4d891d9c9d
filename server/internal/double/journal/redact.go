package journal

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
)

// Redacted replaces a secret the journal does not keep.
const Redacted = "[redacted]"

// secretHeaders are request headers whose values never reach the journal.
// Authorization is handled apart: its scheme and a token's public part stay,
// so a reader can tell which token a connector used.
var secretHeaders = []string{"Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "Api-Key", "X-Auth-Token"}

// secretWords make a name (a header, a query or form parameter, a JSON
// member) name a credential: access_token, refresh_token, client_secret,
// password, api_key and the like.
var secretWords = []string{"token", "secret", "passw", "credential", "apikey", "api_key", "api-key", "authorization"}

// isSecretName is true for a name that names a credential.
func isSecretName(name string) bool {
	n := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// mentionsSecret is true for a body in which some name may name a
// credential; a body without any of the words is kept as sent.
func mentionsSecret(body []byte) bool {
	b := bytes.ToLower(body)
	for _, w := range secretWords {
		if bytes.Contains(b, []byte(w)) {
			return true
		}
	}
	return false
}

// RedactQuery returns a raw query string (or a form-encoded body) with the
// value of every parameter whose name names a credential redacted:
// access_token (RFC 6750 section 2.3 lets a client send its bearer token
// so), and any *token*, *secret*, *password* or API-key parameter. The
// rest is kept byte for byte, in order; a name is compared once unescaped,
// so access%5Ftoken is access_token.
func RedactQuery(raw string) string {
	if raw == "" || !mentionsSecret([]byte(raw)) && !strings.Contains(raw, "%") {
		return raw
	}
	parts := strings.Split(raw, "&")
	changed := false
	for i, part := range parts {
		name, _, hasValue := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if isSecretName(name) {
			if !hasValue {
				continue // a bare name carries no value
			}
			parts[i] = part[:strings.IndexByte(part, '=')+1] + Redacted
			changed = true
		}
	}
	if !changed {
		return raw
	}
	return strings.Join(parts, "&")
}

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
		case isSecretHeader(name) || isSecretName(lower):
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

// RedactBody returns the body as a string with its credentials redacted:
// in JSON, the values of "password" attributes (at any depth, and of PATCH
// operations whose path is password) and the string values of members
// whose name names a credential (access_token, client_secret...); in a
// form-encoded body, as RedactQuery. A body that mentions none of the words
// is returned as sent; one that mentions them but is neither JSON nor a
// form is dropped, since the journal cannot tell the secret from the rest.
func RedactBody(body []byte) string {
	if !mentionsSecret(body) {
		return string(body)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		if isForm(body) {
			return RedactQuery(string(body))
		}
		return "[redacted: the body mentions a credential and is not JSON the journal can redact]"
	}
	changed := false
	v = redactValue(v, &changed)
	if !changed {
		return string(body) // as sent: nothing to hide, keep its own order and spacing
	}
	out, err := json.Marshal(v)
	if err != nil {
		return Redacted
	}
	return string(out)
}

// isForm is true for a body that reads as application/x-www-form-urlencoded
// (RFC 6750 section 2.2's form-encoded body parameter): name=value pairs
// joined by '&', nothing else.
func isForm(body []byte) bool {
	if len(body) == 0 || bytes.ContainsAny(body, " \t\r\n{}\"") {
		return false
	}
	for part := range bytes.SplitSeq(body, []byte("&")) {
		if !bytes.Contains(part, []byte("=")) {
			return false
		}
	}
	_, err := url.ParseQuery(string(body))
	return err == nil
}

// secretMember is a JSON member whose name names a credential and whose
// value is a string, as it reads in JSON text that does not parse (an
// answer cut short).
var secretMember = regexp.MustCompile(`(?i)("[^"\\]*(?:token|secret|passw|credential|apikey|api_key|api-key|authorization)[^"\\]*"\s*:\s*)"(?:[^"\\]|\\.)*("|$)`)

// RedactResponseBody is RedactBody for an answer: one that does not parse
// (cut at the journal's cap) keeps its text, with the string values of
// members whose name names a credential redacted.
func RedactResponseBody(body []byte) string {
	if !mentionsSecret(body) || json.Valid(body) {
		return RedactBody(body)
	}
	return secretMember.ReplaceAllString(string(body), `${1}"`+Redacted+`"`)
}

func redactValue(v any, changed *bool) any {
	switch v := v.(type) {
	case map[string]any:
		secretOp := false
		if p, ok := v["path"].(string); ok && isPasswordPath(p) {
			secretOp = true
		}
		for k, c := range v {
			switch {
			case strings.EqualFold(k, "password") || strings.HasSuffix(strings.ToLower(k), ":password"):
				v[k], *changed = Redacted, true
			case secretOp && strings.EqualFold(k, "value"):
				v[k], *changed = Redacted, true
			case isSecretName(k) && isCredential(c):
				// A credential is a string (or a number); a member such as
				// the ServiceProviderConfig's changePassword {"supported":
				// false} is no secret and is read further.
				v[k], *changed = Redacted, true
			default:
				v[k] = redactValue(c, changed)
			}
		}
		return v
	case []any:
		for i, c := range v {
			v[i] = redactValue(c, changed)
		}
		return v
	}
	return v
}

// isCredential is true for a JSON value that can hold a credential: a
// string or a number.
func isCredential(v any) bool {
	switch v.(type) {
	case string, json.Number:
		return true
	}
	return false
}

// isPasswordPath is true for a PATCH path naming the password attribute,
// with or without the schema URN prefix.
func isPasswordPath(p string) bool {
	p = strings.ToLower(p)
	return p == "password" || strings.HasSuffix(p, ":password")
}
