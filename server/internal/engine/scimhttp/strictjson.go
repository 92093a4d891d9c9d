package scimhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// checkJSONText refuses, before the body is decoded, what encoding/json
// would otherwise take silently and change, so that nothing is stored
// that the client did not send and the answer does not show (the mock's
// decisions, with or without --strict):
//
//   - invalid UTF-8 (400 invalidSyntax): RFC 8259 section 8.1, "JSON text
//     exchanged between systems that are not part of a closed ecosystem
//     MUST be encoded using UTF-8"; encoding/json would turn each bad byte
//     into U+FFFD and store a name the IdP never sent;
//   - a member name twice in one object, compared case-insensitively as
//     SCIM compares attribute names (400 invalidSyntax): RFC 8259 section
//     4, "The names within an object SHOULD be unique." and "When the
//     names within an object are not unique, the behavior of software
//     that receives such an object is unpredictable."; encoding/json keeps
//     the last, a proxy in front may read the first, and "userName" and
//     "username" would race in a map;
//   - a NUL character (U+0000, sent as \u0000) in a name or a string (400
//     invalidValue naming the member): valid JSON, but no SCIM attribute
//     has a use for it, and it cuts the value short in C-based consumers,
//     logs and LDAP directories downstream.
func checkJSONText(body []byte) error {
	if !utf8.Valid(body) {
		at := 0
		for at < len(body) {
			r, n := utf8.DecodeRune(body[at:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			at += n
		}
		return scimerror.BadRequest(scimerror.InvalidSyntax, "the request body is not valid UTF-8 (first bad byte at offset %d); RFC 8259 section 8.1: JSON text MUST be encoded using UTF-8", at)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	err := scanValue(dec, "")
	var se *scimerror.Error
	if errors.As(err, &se) {
		return se
	}
	return nil // a syntax error is reported by the decoder proper
}

// scanValue reads one value from dec, checking the objects and strings in
// it; path names where it is, for error details.
func scanValue(dec *json.Decoder, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case string:
		if strings.IndexByte(t, 0) >= 0 {
			return scimerror.BadRequest(scimerror.InvalidValue, "%s holds a NUL character (U+0000); the service provider refuses it in any string", where(path))
		}
	case json.Delim:
		switch t {
		case '{':
			seen := map[string]string{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ := kt.(string)
				p := k
				if path != "" {
					p = path + "." + k
				}
				if strings.IndexByte(k, 0) >= 0 {
					return scimerror.BadRequest(scimerror.InvalidValue, "a member name in %s holds a NUL character (U+0000)", where(path))
				}
				if first, dup := seen[strings.ToLower(k)]; dup {
					return scimerror.BadRequest(scimerror.InvalidSyntax, "%s appears twice in one object (as %q and %q); RFC 8259 section 4: the names within an object SHOULD be unique, and SCIM compares them case-insensitively", where(p), first, k)
				}
				seen[strings.ToLower(k)] = k
				if err := scanValue(dec, p); err != nil {
					return err
				}
			}
			_, err = dec.Token() // '}'
			return err
		case '[':
			for dec.More() {
				if err := scanValue(dec, path); err != nil {
					return err
				}
			}
			_, err = dec.Token() // ']'
			return err
		}
	}
	return nil
}

func where(path string) string {
	if path == "" {
		return "the body"
	}
	return path
}
