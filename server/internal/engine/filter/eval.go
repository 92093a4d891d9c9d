package filter

import (
	"cmp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
)

// node is a compiled filter: it matches a document, or (inside a value
// path) one element of a multi-valued complex attribute.
type node interface {
	match(m map[string]any) bool
}

type andNode []node

func (n andNode) match(m map[string]any) bool {
	for _, x := range n {
		if !x.match(m) {
			return false
		}
	}
	return true
}

type orNode []node

func (n orNode) match(m map[string]any) bool {
	for _, x := range n {
		if x.match(m) {
			return true
		}
	}
	return false
}

type notNode struct{ x node }

func (n *notNode) match(m map[string]any) bool { return !n.x.match(m) }

// valuePathNode is attr[filter]: true if one element satisfies x.
type valuePathNode struct {
	ext   string // extension URN holding the attribute, "" for core
	name  string
	multi bool
	x     node
}

func (n *valuePathNode) match(m map[string]any) bool {
	c := m
	if n.ext != "" {
		c, _ = m[n.ext].(map[string]any)
	}
	v := c[n.name]
	if arr, ok := v.([]any); ok && n.multi {
		for _, e := range arr {
			if em, ok := e.(map[string]any); ok && n.x.match(em) {
				return true
			}
		}
		return false
	}
	em, ok := v.(map[string]any)
	return ok && n.x.match(em)
}

// cmpNode is one attribute expression: the values at ext/name[/sub] are
// tested with t; the expression holds if any value passes, negated for ne
// and "eq null".
type cmpNode struct {
	ext      string
	name     string
	multi    bool
	sub      string
	subMulti bool
	// schemas is set for the "schemas" attribute, whose values are the
	// resource type's core URN and the URNs of the extensions doc holds.
	schemas *schema.ResourceType
	t       test
	neg     bool
}

func (n *cmpNode) match(m map[string]any) bool {
	if n.schemas != nil {
		return n.matchSchemas(m) != n.neg
	}
	c := m
	if n.ext != "" {
		c, _ = m[n.ext].(map[string]any)
	}
	return n.any(c[n.name]) != n.neg
}

func (n *cmpNode) any(v any) bool {
	if n.multi {
		if arr, ok := v.([]any); ok {
			for _, e := range arr {
				if n.one(e) {
					return true
				}
			}
			return false
		}
	}
	return n.one(v)
}

func (n *cmpNode) one(v any) bool {
	if n.sub == "" {
		return n.t.eval(v)
	}
	sm, ok := v.(map[string]any)
	if !ok {
		return false
	}
	sv := sm[n.sub]
	if n.subMulti {
		if arr, ok := sv.([]any); ok {
			for _, e := range arr {
				if n.t.eval(e) {
					return true
				}
			}
			return false
		}
	}
	return n.t.eval(sv)
}

func (n *cmpNode) matchSchemas(m map[string]any) bool {
	if arr, ok := m["schemas"].([]any); ok {
		for _, e := range arr {
			if n.t.eval(e) {
				return true
			}
		}
		return false
	}
	if n.t.eval(n.schemas.Core.ID) {
		return true
	}
	for _, ext := range n.schemas.Extensions {
		if _, ok := m[ext.ID]; ok && n.t.eval(ext.ID) {
			return true
		}
	}
	return false
}

type testKind uint8

const (
	tPresent testKind = iota
	tString
	tStringFold
	tTime
	tNumber
	tBool
)

// test is an operator with its literal, converted once at Compile.
type test struct {
	kind  testKind
	op    CompareOp // never Ne or Pr: ne is eq negated, pr is tPresent
	neg   bool      // the expression is the negation (ne, eq null)
	s     string
	tm    time.Time
	i     int64
	f     float64
	isInt bool
	b     bool
	utc   bool // s is in isUTCSeconds form
}

// isUTCSeconds reports whether s looks like "2011-05-13T04:42:34Z", the form
// the store writes meta dates in. Only called on strings that parse as
// dateTime or are about to be parsed, so the shape check suffices.
func isUTCSeconds(s string) bool {
	if len(s) != 20 || s[19] != 'Z' || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return false
	}
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func (t *test) eval(v any) bool {
	switch t.kind {
	case tPresent:
		return present(v)
	case tString:
		s, ok := v.(string)
		return ok && exactOp(t.op, s, t.s)
	case tStringFold:
		s, ok := v.(string)
		return ok && foldOp(t.op, s, t.s)
	case tTime:
		var tm time.Time
		switch x := v.(type) {
		case string:
			if x == t.s {
				return ordered(t.op, 0)
			}
			if t.utc && isUTCSeconds(x) {
				// Both "YYYY-MM-DDTHH:MM:SSZ": the text orders as the
				// time does, no parsing needed.
				return ordered(t.op, strings.Compare(x, t.s))
			}
			var err error
			if tm, err = schema.ParseDateTime(x); err != nil {
				return false
			}
		case time.Time:
			tm = x
		default:
			return false
		}
		return ordered(t.op, tm.Compare(t.tm))
	case tNumber:
		var c int
		switch x := v.(type) {
		case int64:
			if t.isInt {
				c = cmp.Compare(x, t.i)
			} else {
				c = cmp.Compare(float64(x), t.f)
			}
		case float64:
			c = cmp.Compare(x, t.f)
		case int:
			if t.isInt {
				c = cmp.Compare(int64(x), t.i)
			} else {
				c = cmp.Compare(float64(x), t.f)
			}
		default:
			return false
		}
		return ordered(t.op, c)
	case tBool:
		b, ok := v.(bool)
		return ok && b == t.b
	}
	return false
}

// present is RFC 7644's "pr": a value that is neither null nor empty.
func present(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case []any:
		for _, e := range x {
			if present(e) {
				return true
			}
		}
		return false
	case map[string]any:
		for _, e := range x {
			if present(e) {
				return true
			}
		}
		return false
	}
	return true
}

func ordered(op CompareOp, c int) bool {
	switch op {
	case Eq:
		return c == 0
	case Gt:
		return c > 0
	case Ge:
		return c >= 0
	case Lt:
		return c < 0
	case Le:
		return c <= 0
	}
	return false
}

func exactOp(op CompareOp, s, lit string) bool {
	switch op {
	case Eq:
		return s == lit
	case Co:
		return strings.Contains(s, lit)
	case Sw:
		return strings.HasPrefix(s, lit)
	case Ew:
		return strings.HasSuffix(s, lit)
	}
	return ordered(op, strings.Compare(s, lit))
}

func foldOp(op CompareOp, s, lit string) bool {
	switch op {
	case Eq:
		return equalFold(s, lit)
	case Co:
		return containsFold(s, lit)
	case Sw:
		_, ok := prefixFold(s, lit)
		return ok
	case Ew:
		return suffixFold(s, lit)
	}
	return ordered(op, cmpFold(s, lit))
}

// Case-insensitive comparison maps every rune through unicode.ToLower, the
// same way for equality, ordering and substrings, so that sorting, filters
// and de-duplication agree. Bytes that are not valid UTF-8 compare as
// themselves (and distinct from U+FFFD).

func lowerAt(s string, i int) (rune, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		return rune(c), 1
	}
	r, w := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && w == 1 {
		return -rune(c), 1
	}
	return unicode.ToLower(r), w
}

func lowerBefore(s string, i int) (rune, int) {
	c := s[i-1]
	if c < utf8.RuneSelf {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		return rune(c), 1
	}
	r, w := utf8.DecodeLastRuneInString(s[:i])
	if r == utf8.RuneError && w == 1 {
		return -rune(c), 1
	}
	return unicode.ToLower(r), w
}

// equalFold is cmpFold(a, b) == 0 with a fast path for ASCII.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return cmpFold(a, b) == 0
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if ca|cb >= utf8.RuneSelf {
			// Folding may change byte lengths from here on.
			return cmpFold(a[i:], b[i:]) == 0
		}
		if ca != cb {
			if 'A' <= ca && ca <= 'Z' {
				ca += 'a' - 'A'
			}
			if 'A' <= cb && cb <= 'Z' {
				cb += 'a' - 'A'
			}
			if ca != cb {
				return false
			}
		}
	}
	return true
}

func cmpFold(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ra, wa := lowerAt(a, i)
		rb, wb := lowerAt(b, j)
		if ra != rb {
			return cmp.Compare(ra, rb)
		}
		i, j = i+wa, j+wb
	}
	return cmp.Compare(len(a)-i, len(b)-j)
}

// prefixFold reports whether s starts with p, ignoring case, and how many
// bytes of s the prefix covers.
func prefixFold(s, p string) (int, bool) {
	i, j := 0, 0
	for j < len(p) {
		if i == len(s) {
			return 0, false
		}
		rs, ws := lowerAt(s, i)
		rp, wp := lowerAt(p, j)
		if rs != rp {
			return 0, false
		}
		i, j = i+ws, j+wp
	}
	return i, true
}

func suffixFold(s, p string) bool {
	i, j := len(s), len(p)
	for j > 0 {
		if i == 0 {
			return false
		}
		rs, ws := lowerBefore(s, i)
		rp, wp := lowerBefore(p, j)
		if rs != rp {
			return false
		}
		i, j = i-ws, j-wp
	}
	return true
}

func containsFold(s, p string) bool {
	if p == "" {
		return true
	}
	for i := 0; i < len(s); {
		if _, ok := prefixFold(s[i:], p); ok {
			return true
		}
		_, w := lowerAt(s, i)
		i += w
	}
	return false
}

// Compare orders two values of attribute a (single values, not arrays):
// strings by code point, case-insensitively unless a is caseExact (binary
// always exactly); dateTime chronologically; integer and decimal
// numerically; false before true. ok is false when the values cannot be
// compared: complex attributes, nil, or a value of the wrong Go type.
func Compare(a *schema.Attribute, x, y any) (c int, ok bool) {
	if a == nil {
		return 0, false
	}
	switch a.Type {
	case schema.String, schema.Reference, schema.Binary:
		xs, ok1 := x.(string)
		ys, ok2 := y.(string)
		if !ok1 || !ok2 {
			return 0, false
		}
		if a.CaseExact || a.Type == schema.Binary {
			return strings.Compare(xs, ys), true
		}
		return cmpFold(xs, ys), true
	case schema.DateTime:
		tx, ok1 := toTime(x)
		ty, ok2 := toTime(y)
		if !ok1 || !ok2 {
			return 0, false
		}
		return tx.Compare(ty), true
	case schema.Integer, schema.Decimal:
		return compareNumbers(x, y)
	case schema.Boolean:
		bx, ok1 := x.(bool)
		by, ok2 := y.(bool)
		if !ok1 || !ok2 {
			return 0, false
		}
		switch {
		case bx == by:
			return 0, true
		case by:
			return -1, true
		}
		return 1, true
	}
	return 0, false
}

func toTime(v any) (time.Time, bool) {
	switch x := v.(type) {
	case string:
		t, err := schema.ParseDateTime(x)
		return t, err == nil
	case time.Time:
		return x, true
	}
	return time.Time{}, false
}

func compareNumbers(x, y any) (int, bool) {
	xi, xInt := x.(int64)
	yi, yInt := y.(int64)
	if v, ok := x.(int); ok {
		xi, xInt = int64(v), true
	}
	if v, ok := y.(int); ok {
		yi, yInt = int64(v), true
	}
	if xInt && yInt {
		return cmp.Compare(xi, yi), true
	}
	xf, ok1 := schema.Number(x)
	yf, ok2 := schema.Number(y)
	if !ok1 || !ok2 {
		return 0, false
	}
	return cmp.Compare(xf, yf), true
}

// Equal reports whether x and y are the same value of attribute a, with
// Compare's rules for simple values. Unassigned values (nil, "", empty
// arrays and objects) equal each other. Complex values are equal when every
// sub-attribute the schema defines is Equal (honouring each
// sub-attribute's caseExact); keys the schema does not define are ignored,
// as canonical documents have none. For a multi-valued a, two arrays are
// equal when they hold equal values in any order.
func Equal(a *schema.Attribute, x, y any) bool {
	px, py := present(x), present(y)
	if !px || !py {
		return px == py
	}
	if a == nil {
		return false
	}
	if a.MultiValued {
		xs, okx := x.([]any)
		ys, oky := y.([]any)
		if okx != oky {
			return false
		}
		if okx {
			return equalMulti(a, xs, ys)
		}
	}
	return equalSingle(a, x, y)
}

func equalMulti(a *schema.Attribute, xs, ys []any) bool {
	if len(xs) != len(ys) {
		return false
	}
	used := make([]bool, len(ys))
next:
	for _, x := range xs {
		for j, y := range ys {
			if !used[j] && equalSingle(a, x, y) {
				used[j] = true
				continue next
			}
		}
		return false
	}
	return true
}

func equalSingle(a *schema.Attribute, x, y any) bool {
	if a.Type == schema.Complex {
		xm, ok1 := x.(map[string]any)
		ym, ok2 := y.(map[string]any)
		if !ok1 || !ok2 {
			return false
		}
		for _, s := range a.SubAttributes {
			if !Equal(s, xm[s.Name], ym[s.Name]) {
				return false
			}
		}
		return true
	}
	if c, ok := Compare(a, x, y); ok {
		return c == 0
	}
	// Values of an unexpected Go type: equal only if identical scalars.
	switch x.(type) {
	case string, bool, int64, float64, int:
		return x == y
	}
	return false
}
