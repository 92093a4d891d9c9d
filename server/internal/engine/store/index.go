package store

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// uniqueIndex maps the key of one attribute's value to the record holding
// it, for an attribute whose uniqueness is "server" or "global".
type uniqueIndex struct {
	attr *schema.Attribute
	keys map[string]*record
}

// indexKey is the key under which value v of attribute a is indexed: the
// value itself for case-exact strings, its case fold otherwise (RFC 7643
// section 2.2: caseExact false means "Alice" and "alice" are one value).
// Each type gets its own prefix, so the string "1" and the integer 1 differ.
// ok is false for values that are not indexed (complex, multi-valued).
func indexKey(a *schema.Attribute, v any) (string, bool) {
	switch x := v.(type) {
	case string:
		if a != nil && !a.CaseExact && a.Type != schema.Binary && a.Type != schema.DateTime {
			return "s" + fold(x), true
		}
		return "s" + x, true
	case bool:
		return "b" + strconv.FormatBool(x), true
	case int64:
		return "n" + strconv.FormatFloat(float64(x), 'g', -1, 64), true
	case int:
		return "n" + strconv.FormatFloat(float64(x), 'g', -1, 64), true
	case float64:
		if math.IsNaN(x) {
			return "", false
		}
		return "n" + strconv.FormatFloat(x, 'g', -1, 64), true
	}
	return "", false
}

// fold maps s to the key of its case-insensitive class: every rune through
// unicode.ToLower, as package filter compares strings that are not
// caseExact, so that uniqueness, filters and sorting agree on which
// spellings are one value. Bytes that are not valid UTF-8 stay as they are.
func fold(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			b := make([]byte, 0, len(s))
			for j := 0; j < len(s); {
				r, w := utf8.DecodeRuneInString(s[j:])
				if r == utf8.RuneError && w == 1 {
					b = append(b, s[j])
				} else {
					b = utf8.AppendRune(b, unicode.ToLower(r))
				}
				j += w
			}
			return string(b)
		}
	}
	return strings.ToLower(s) // ASCII: the same mapping, faster
}

// checkUnique returns a 409 uniqueness when doc repeats a unique value held
// by a record other than self; must, when not nil, says which indexed
// attributes must be unique in this write.
func (t *table) checkUnique(doc map[string]any, self *record, must func(*schema.Attribute) bool) error {
	for _, u := range t.unique {
		v, present := doc[u.attr.Name]
		if !present || must != nil && !must(u.attr) {
			continue
		}
		k, ok := indexKey(u.attr, v)
		if !ok {
			continue
		}
		if other := u.keys[k]; other != nil && other != self {
			return scimerror.Conflict("%s %q is already taken by another %s; %s must be unique%s",
				u.attr.Name, display(v), t.rt.Name, u.attr.Name, caseNote(u.attr))
		}
	}
	return nil
}

func caseNote(a *schema.Attribute) string {
	if a.Type == schema.String && !a.CaseExact {
		return " (compared case-insensitively)"
	}
	return ""
}

func display(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return ""
}

// index adds r to the table's attribute indexes; checkUnique must have
// passed.
func (t *table) index(r *record) {
	for _, u := range t.unique {
		if k, ok := indexKey(u.attr, r.doc[u.attr.Name]); ok {
			u.keys[k] = r
		}
	}
	if x, ok := r.doc["externalId"].(string); ok {
		s := t.extID[x]
		if s == nil {
			s = map[*record]struct{}{}
			t.extID[x] = s
		}
		s[r] = struct{}{}
	}
}

// unindex removes r from the table's attribute indexes.
func (t *table) unindex(r *record) {
	for _, u := range t.unique {
		if k, ok := indexKey(u.attr, r.doc[u.attr.Name]); ok && u.keys[k] == r {
			delete(u.keys, k)
		}
	}
	if x, ok := r.doc["externalId"].(string); ok {
		if s := t.extID[x]; s != nil {
			delete(s, r)
			if len(s) == 0 {
				delete(t.extID, x)
			}
		}
	}
}
