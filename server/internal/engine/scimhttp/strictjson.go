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
	return (&scanner{body: body}).check()
}

// The refusals of checkJSONText, one wording for each.
func nulInValue(path string) error {
	return scimerror.BadRequest(scimerror.InvalidValue, "%s holds a NUL character (U+0000); the service provider refuses it in any string", where(path))
}

func nulInName(path string) error {
	return scimerror.BadRequest(scimerror.InvalidValue, "a member name in %s holds a NUL character (U+0000)", where(path))
}

func duplicateName(path, first, again string) error {
	return scimerror.BadRequest(scimerror.InvalidSyntax, "%s appears twice in one object (as %q and %q); RFC 8259 section 4: the names within an object SHOULD be unique, and SCIM compares them case-insensitively", where(path), first, again)
}

// scanner walks the JSON text of a body once, byte by byte, for
// checkJSONText: encoding/json's Decoder.Token, which did it before,
// allocated for every token and cost more than the decode that follows
// (BenchmarkDecodeBody). It checks the first value only and gives up
// (nil) at the first syntax error, which the decoder then reports as it
// always does; so for every text it finds what the token walk found, in
// the same order (TestScannerAgreesWithTokenWalk, FuzzScanner).
type scanner struct {
	body []byte
	pos  int
	// frames are the open objects and arrays, innermost last.
	frames []frame
}

// frame is one open object or array.
type frame struct {
	object bool
	// path is the frame's path as the error details name it.
	path string
	// names are the object's member names so far, lower-cased, with
	// their first spelling; byName indexes them once there are many.
	names  []string
	firsts []string
	byName map[string]string
}

// errSyntax is the scanner's answer to text that is not JSON.
var errSyntax = errors.New("not JSON")

func (s *scanner) check() error {
	err := s.value("")
	if err == errSyntax {
		return nil
	}
	return err
}

func (s *scanner) ws() {
	for s.pos < len(s.body) {
		switch s.body[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// value reads one value at path, iteratively for objects and arrays so
// that no nesting depth exhausts the stack.
func (s *scanner) value(path string) error {
	for {
		s.ws()
		if s.pos >= len(s.body) {
			return errSyntax
		}
		switch c := s.body[s.pos]; {
		case c == '{':
			s.pos++
			s.frames = append(s.frames, frame{object: true, path: path})
			s.ws()
			if s.pos < len(s.body) && s.body[s.pos] == '}' {
				s.pos++
				s.frames = s.frames[:len(s.frames)-1]
				break
			}
			p, err := s.member()
			if err != nil {
				return err
			}
			path = p
			continue // the member's value
		case c == '[':
			s.pos++
			s.frames = append(s.frames, frame{path: path})
			s.ws()
			if s.pos < len(s.body) && s.body[s.pos] == ']' {
				s.pos++
				s.frames = s.frames[:len(s.frames)-1]
				break
			}
			continue // the first element, at the array's path
		case c == '"':
			nul, err := s.str()
			if err != nil {
				return err
			}
			if nul {
				return nulInValue(path)
			}
		case c == 't':
			if err := s.literal("true"); err != nil {
				return err
			}
		case c == 'f':
			if err := s.literal("false"); err != nil {
				return err
			}
		case c == 'n':
			if err := s.literal("null"); err != nil {
				return err
			}
		case c == '-' || c >= '0' && c <= '9':
			if err := s.number(); err != nil {
				return err
			}
		default:
			return errSyntax
		}
		// A value ended: close what it ends, and go on with the next
		// member or element.
		for {
			if len(s.frames) == 0 {
				return nil
			}
			f := &s.frames[len(s.frames)-1]
			s.ws()
			if s.pos >= len(s.body) {
				return errSyntax
			}
			c := s.body[s.pos]
			s.pos++
			switch {
			case c == ',' && f.object:
				p, err := s.member()
				if err != nil {
					return err
				}
				path = p
			case c == ',':
				path = f.path
			case c == '}' && f.object, c == ']' && !f.object:
				s.frames = s.frames[:len(s.frames)-1]
				continue
			default:
				return errSyntax
			}
			break
		}
	}
}

// member reads a member name and its colon in the innermost object, checks
// it, and returns the path of its value.
func (s *scanner) member() (string, error) {
	f := &s.frames[len(s.frames)-1]
	s.ws()
	if s.pos >= len(s.body) || s.body[s.pos] != '"' {
		return "", errSyntax
	}
	start := s.pos
	nul, err := s.str()
	if err != nil {
		return "", err
	}
	raw := s.body[start+1 : s.pos-1]
	var k string
	if bytes.IndexByte(raw, '\\') < 0 {
		k = string(raw)
	} else if json.Unmarshal(s.body[start:s.pos], &k) != nil {
		return "", errSyntax
	}
	p := k
	if f.path != "" {
		p = f.path + "." + k
	}
	// The name is judged before its colon is read, as the token walk
	// judged it.
	if nul {
		return "", nulInName(f.path)
	}
	lower := strings.ToLower(k)
	switch {
	case f.byName != nil:
		if first, dup := f.byName[lower]; dup {
			return "", duplicateName(p, first, k)
		}
		f.byName[lower] = k
	default:
		for i, n := range f.names {
			if n == lower {
				return "", duplicateName(p, f.firsts[i], k)
			}
		}
		f.names, f.firsts = append(f.names, lower), append(f.firsts, k)
		if len(f.names) > 16 {
			f.byName = make(map[string]string, 2*len(f.names))
			for i, n := range f.names {
				f.byName[n] = f.firsts[i]
			}
			f.names, f.firsts = nil, nil
		}
	}
	s.ws()
	if s.pos >= len(s.body) || s.body[s.pos] != ':' {
		return "", errSyntax
	}
	s.pos++
	return p, nil
}

// str reads a string whose opening quote is at pos, and reports whether
// it holds a NUL (an escaped \u0000; a raw control character is a syntax
// error).
func (s *scanner) str() (nul bool, err error) {
	s.pos++
	for s.pos < len(s.body) {
		c := s.body[s.pos]
		switch {
		case c == '"':
			s.pos++
			return nul, nil
		case c < 0x20:
			return false, errSyntax
		case c == '\\':
			if s.pos+1 >= len(s.body) {
				return false, errSyntax
			}
			switch s.body[s.pos+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos += 2
			case 'u':
				if s.pos+6 > len(s.body) {
					return false, errSyntax
				}
				hex := s.body[s.pos+2 : s.pos+6]
				for _, h := range hex {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return false, errSyntax
					}
				}
				if string(hex) == "0000" {
					nul = true
				}
				s.pos += 6
			default:
				return false, errSyntax
			}
		default:
			s.pos++
		}
	}
	return false, errSyntax
}

func (s *scanner) literal(lit string) error {
	if !bytes.HasPrefix(s.body[s.pos:], []byte(lit)) {
		return errSyntax
	}
	s.pos += len(lit)
	return s.delimited()
}

// number reads a number as RFC 8259 section 6 writes it.
func (s *scanner) number() error {
	b, i := s.body, s.pos
	if b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return errSyntax
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return errSyntax
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return errSyntax
		}
	}
	s.pos = i
	return s.delimited()
}

// delimited: a literal or a number must be followed by whitespace, a
// delimiter or the end ("truex" and "01" are no JSON).
func (s *scanner) delimited() error {
	if s.pos >= len(s.body) {
		return nil
	}
	switch s.body[s.pos] {
	case ' ', '\t', '\n', '\r', ',', ']', '}':
		return nil
	}
	return errSyntax
}

func where(path string) string {
	if path == "" {
		return "the body"
	}
	return path
}
