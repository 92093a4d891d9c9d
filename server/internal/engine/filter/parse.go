package filter

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is how deeply parentheses, "not" and value-path brackets may
// nest. Deeper filters are a SyntaxError, so a hostile filter cannot make
// the recursive-descent parser (or anything walking its tree) exhaust the
// stack.
const MaxDepth = 100

// Parse parses a filter of RFC 7644 section 3.4.2.2:
//
//	FILTER    = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"
//	valuePath = attrPath "[" valFilter "]"
//	attrExp   = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)
//	logExp    = FILTER SP ("and" / "or") SP FILTER
//	attrPath  = [URI ":"] ATTRNAME *1subAttr
//
// Beyond the ABNF's letter it accepts what real clients send and the
// RFC's own examples rely on: any run of whitespace (space, tab, CR, LF)
// where the ABNF has SP, and whitespace around parentheses and brackets
// ("not (x)" as well as "not(x)"); operators, and/or/not and the literals
// true/false/null in any case. "not" binds tighter than "and", which binds
// tighter than "or"; chains are left-associative. Attribute names may be
// "$ref" besides ATTRNAME. In an attribute path the URN is everything up to
// the last colon.
//
// A filter that is not valid UTF-8 is a SyntaxError at its first bad
// byte: the filter is a string of Unicode characters (RFC 7644 section
// 3.4.2.2's ABNF builds on RFC 5234 and its strings are JSON's, RFC 8259
// section 8.1), and a bad byte compared as U+FFFD would match what the
// client never wrote.
//
// Errors are *SyntaxError with the byte offset of the problem.
func Parse(s string) (Expr, error) {
	p := &parser{s: s}
	if !utf8.ValidString(s) {
		at := 0
		for at < len(s) {
			r, n := utf8.DecodeRuneInString(s[at:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			at += n
		}
		return nil, p.errf(at, "the filter is not valid UTF-8")
	}
	p.skipWS()
	if p.pos == len(s) {
		return nil, p.errf(p.pos, "empty filter: expected an attribute path such as userName eq \"bjensen\"")
	}
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if err := p.expectEnd("filter"); err != nil {
		return nil, err
	}
	return e, nil
}

// ParsePath parses a PATCH operation's path (RFC 7644 section 3.5.2):
//
//	PATH = attrPath / valuePath [subAttr]
//
// For a value path the sub-attribute after the bracket goes to Attr.Sub;
// the attribute before the bracket may not have a sub-attribute of its own.
// Leading and trailing whitespace is ignored.
func ParsePath(s string) (Path, error) {
	p := &parser{s: s}
	p.skipWS()
	if p.pos == len(s) {
		return Path{}, p.errf(p.pos, "empty path: expected an attribute path such as \"members\" or \"emails[type eq \\\"work\\\"].value\"")
	}
	ap, err := p.parseAttrPath()
	if err != nil {
		return Path{}, err
	}
	path := Path{Attr: ap}
	if p.pos < len(s) && s[p.pos] == '[' {
		f, err := p.parseBracket(ap)
		if err != nil {
			return Path{}, err
		}
		path.Filter = f
		if p.pos < len(s) && s[p.pos] == '.' {
			p.pos++
			start := p.pos
			tok := p.token()
			if tok == "" {
				return Path{}, p.errf(start, "expected a sub-attribute name after \"].\"")
			}
			if err := p.checkName(tok, start, "sub-attribute"); err != nil {
				return Path{}, err
			}
			path.Attr.Sub = tok
		}
	}
	if err := p.expectEnd("path"); err != nil {
		return Path{}, err
	}
	return path, nil
}

type parser struct {
	s     string
	pos   int
	depth int
	// bracket is the offset of the "[" whose value filter is being parsed,
	// or -1 outside brackets (the zero value 0 is a valid offset, hence
	// inBracket).
	bracket   int
	inBracket bool
}

func (p *parser) errf(off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

func isWS(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// isDelim reports whether c ends a token: whitespace or one of ()[]".
func isDelim(c byte) bool {
	return isWS(c) || c == '(' || c == ')' || c == '[' || c == ']' || c == '"'
}

func (p *parser) skipWS() {
	for p.pos < len(p.s) && isWS(p.s[p.pos]) {
		p.pos++
	}
}

// token consumes and returns the run of bytes up to the next delimiter.
func (p *parser) token() string {
	start := p.pos
	for p.pos < len(p.s) && !isDelim(p.s[p.pos]) {
		p.pos++
	}
	return p.s[start:p.pos]
}

// peekToken returns the token at the current position without consuming it.
func (p *parser) peekToken() string {
	end := p.pos
	for end < len(p.s) && !isDelim(p.s[end]) {
		end++
	}
	return p.s[p.pos:end]
}

// found describes what is at off for an error message.
func (p *parser) found(off int) string {
	if off >= len(p.s) {
		return "the end of the input"
	}
	end := off
	if isDelim(p.s[off]) {
		end = off + 1
	} else {
		for end < len(p.s) && !isDelim(p.s[end]) && end-off < 40 {
			end++
		}
	}
	return strconv.Quote(p.s[off:end])
}

func (p *parser) expectEnd(what string) error {
	p.skipWS()
	if p.pos == len(p.s) {
		return nil
	}
	switch p.s[p.pos] {
	case ')':
		return p.errf(p.pos, "unbalanced parenthesis: \")\" has no matching \"(\"")
	case ']':
		return p.errf(p.pos, "unbalanced bracket: \"]\" has no matching \"[\"")
	}
	if what == "path" {
		return p.errf(p.pos, "unexpected %s after the end of the path", p.found(p.pos))
	}
	return p.errf(p.pos, "expected \"and\", \"or\" or the end of the filter, found %s", p.found(p.pos))
}

func (p *parser) enter(off int) error {
	p.depth++
	if p.depth > MaxDepth {
		return p.errf(off, "filter nested too deeply: more than %d levels of parentheses, \"not\" and brackets", MaxDepth)
	}
	return nil
}

// parseOr parses and-expressions joined by "or", left-associative.
func (p *parser) parseOr() (Expr, error) {
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.keyword("or") {
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		left = &LogicalExpr{Op: "or", Left: left, Right: right, Pos: left.Offset()}
	}
	return left, nil
}

// parseAnd parses unary expressions joined by "and", left-associative.
func (p *parser) parseAnd() (Expr, error) {
	left, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for p.keyword("and") {
		right, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		left = &LogicalExpr{Op: "and", Left: left, Right: right, Pos: left.Offset()}
	}
	return left, nil
}

// keyword consumes the logical operator kw (any case) if it comes next,
// after optional whitespace; otherwise it leaves the position alone.
func (p *parser) keyword(kw string) bool {
	save := p.pos
	p.skipWS()
	if strings.EqualFold(p.peekToken(), kw) {
		p.pos += len(kw)
		return true
	}
	p.pos = save
	return false
}

// parseUnary parses "not (F)", "(F)", a value path or an attribute
// expression.
func (p *parser) parseUnary() (Expr, error) {
	p.skipWS()
	start := p.pos
	if p.pos == len(p.s) {
		return nil, p.errf(p.pos, "unexpected end of filter: expected an attribute path, \"(\" or \"not (\"")
	}
	switch c := p.s[p.pos]; c {
	case '(':
		return p.parseGroup()
	case ')':
		return nil, p.errf(p.pos, "unexpected \")\": expected an attribute path, \"(\" or \"not (\"")
	case '[', ']', '"':
		return nil, p.errf(p.pos, "unexpected %q: expected an attribute path, \"(\" or \"not (\"", c)
	}
	if strings.EqualFold(p.peekToken(), "not") {
		// "not" is a keyword only before "(": an attribute may be called
		// "not" ("not pr"), and the ABNF admits no other use of the word.
		save := p.pos
		p.pos += 3
		p.skipWS()
		if p.pos < len(p.s) && p.s[p.pos] == '(' {
			x, err := p.parseGroup()
			if err != nil {
				return nil, err
			}
			return &NotExpr{X: x, Pos: start}, nil
		}
		if _, ok := lookupOp(p.peekToken()); !ok && !(p.pos < len(p.s) && p.s[p.pos] == '[') {
			return nil, p.errf(p.pos, "expected \"(\" after \"not\": write not (filter), found %s", p.found(p.pos))
		}
		p.pos = save
	}
	return p.parseAttrTerm()
}

// parseGroup parses "(" FILTER ")" starting at the "(".
func (p *parser) parseGroup() (Expr, error) {
	open := p.pos
	if err := p.enter(open); err != nil {
		return nil, err
	}
	p.pos++
	x, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.skipWS()
	if p.pos == len(p.s) || p.s[p.pos] != ')' {
		if p.pos == len(p.s) {
			return nil, p.errf(p.pos, "unbalanced parenthesis: the \"(\" at offset %d is never closed", open)
		}
		return nil, p.errf(p.pos, "expected \"and\", \"or\" or \")\" to close the \"(\" at offset %d, found %s", open, p.found(p.pos))
	}
	p.pos++
	p.depth--
	return x, nil
}

// parseAttrTerm parses attrPath followed by "[valFilter]", "pr" or an
// operator and a value.
func (p *parser) parseAttrTerm() (Expr, error) {
	start := p.pos
	ap, err := p.parseAttrPath()
	if err != nil {
		return nil, err
	}
	save := p.pos
	p.skipWS()
	if p.pos < len(p.s) && p.s[p.pos] == '[' {
		f, err := p.parseBracket(ap)
		if err != nil {
			return nil, err
		}
		if p.pos < len(p.s) && p.s[p.pos] == '.' {
			return nil, p.errf(p.pos, "a value path in a filter cannot be followed by a sub-attribute: put the condition inside the brackets, as in emails[type eq \"work\" and value co \"@example.com\"]")
		}
		return &ValuePathExpr{Path: ap, Filter: f, Pos: start}, nil
	}
	if p.pos == save && p.pos < len(p.s) {
		// The path ran into "(", ")", "]" or a quote without whitespace.
		return nil, p.errf(p.pos, "expected an operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr) after attribute %q, found %s", ap.text(), p.found(p.pos))
	}
	opPos := p.pos
	word := p.token()
	if word == "" {
		return nil, p.errf(opPos, "expected an operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr) after attribute %q, found %s", ap.text(), p.found(opPos))
	}
	op, ok := lookupOp(word)
	if !ok {
		return nil, p.errf(opPos, "unknown operator %q after attribute %q: expected one of eq, ne, co, sw, ew, gt, lt, ge, le, pr", word, ap.text())
	}
	e := &AttrExpr{Path: ap, Op: op, Pos: start}
	if op == Pr {
		return e, nil
	}
	p.skipWS()
	v, err := p.parseValue(op)
	if err != nil {
		return nil, err
	}
	e.Value = v
	return e, nil
}

// parseBracket parses "[" valFilter "]" at the current "[", for the
// attribute path ap.
func (p *parser) parseBracket(ap AttrPath) (Expr, error) {
	open := p.pos
	if p.inBracket {
		return nil, p.errf(open, "value paths cannot be nested: \"[\" inside the value filter opened at offset %d", p.bracket)
	}
	if ap.Sub != "" {
		return nil, p.errf(open, "a value filter must follow a multi-valued attribute, not a sub-attribute: write %s[...].%s", ap.withoutSub(), ap.Sub)
	}
	if err := p.enter(open); err != nil {
		return nil, err
	}
	p.pos++
	p.inBracket, p.bracket = true, open
	p.skipWS()
	if p.pos < len(p.s) && p.s[p.pos] == ']' {
		return nil, p.errf(p.pos, "empty value filter: name a condition on the sub-attributes of %q, as in %s[type eq \"work\"]", ap.text(), ap.text())
	}
	f, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.skipWS()
	if p.pos == len(p.s) || p.s[p.pos] != ']' {
		if p.pos == len(p.s) {
			return nil, p.errf(p.pos, "unbalanced bracket: the \"[\" at offset %d is never closed", open)
		}
		return nil, p.errf(p.pos, "expected \"and\", \"or\" or \"]\" to close the \"[\" at offset %d, found %s", open, p.found(p.pos))
	}
	p.pos++
	p.inBracket = false
	p.depth--
	return f, nil
}

func lookupOp(w string) (CompareOp, bool) {
	if len(w) != 2 {
		return "", false
	}
	switch op := CompareOp(strings.ToLower(w)); op {
	case Eq, Ne, Co, Sw, Ew, Gt, Lt, Ge, Le, Pr:
		return op, true
	}
	return "", false
}

// parseAttrPath parses [URI ":"] ATTRNAME ["." ATTRNAME] at the current
// position; it stops at whitespace or any of ()[]".
func (p *parser) parseAttrPath() (AttrPath, error) {
	start := p.pos
	tok := p.token()
	if tok == "" {
		return AttrPath{}, p.errf(start, "expected an attribute path, found %s", p.found(start))
	}
	ap := AttrPath{Pos: start}
	rest, restOff := tok, start
	if i := strings.LastIndexByte(tok, ':'); i >= 0 {
		ap.URN = tok[:i]
		rest, restOff = tok[i+1:], start+i+1
		if ap.URN == "" {
			return AttrPath{}, p.errf(start, "empty schema URN before \":\" in %q", tok)
		}
		for j := 0; j < len(ap.URN); j++ {
			if !isURNChar(ap.URN[j]) {
				return AttrPath{}, p.errf(start+j, "invalid character %q in schema URN %q", ap.URN[j], ap.URN)
			}
		}
	}
	name, sub, hasSub := strings.Cut(rest, ".")
	if err := p.checkName(name, restOff, "attribute"); err != nil {
		return AttrPath{}, err
	}
	ap.Name = name
	if hasSub {
		subOff := restOff + len(name) + 1
		if i := strings.IndexByte(sub, '.'); i >= 0 {
			return AttrPath{}, p.errf(subOff+i, "attribute path %q has more than one sub-attribute: SCIM paths are attribute or attribute.subAttribute", tok)
		}
		if err := p.checkName(sub, subOff, "sub-attribute"); err != nil {
			return AttrPath{}, err
		}
		ap.Sub = sub
	}
	return ap, nil
}

// checkName checks an ATTRNAME (ALPHA *(ALPHA / DIGIT / "-" / "_")) or
// "$ref", which RFC 7643 uses as a sub-attribute name.
func (p *parser) checkName(name string, off int, what string) error {
	if name == "" {
		if what == "attribute" && off < len(p.s) && p.s[off] == '.' {
			return p.errf(off, "expected an attribute name before \".\"")
		}
		return p.errf(off, "empty %s name at %s", what, p.found(off))
	}
	if strings.EqualFold(name, "$ref") {
		return nil
	}
	if !isAlpha(name[0]) {
		return p.errf(off, "invalid %s name %q: a name starts with a letter", what, name)
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if !isAlpha(c) && !isDigit(c) && c != '-' && c != '_' {
			r, _ := utf8.DecodeRuneInString(name[i:])
			return p.errf(off+i, "invalid character %q in %s name %q: names are a letter followed by letters, digits, \"-\" and \"_\"", r, what, name)
		}
	}
	return nil
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isURNChar admits the characters of RFC 8141 URNs (and of URIs in
// general, which the ABNF's URI allows): unreserved, sub-delims, ":", "/",
// "?", "@", "%" and "#".
func isURNChar(c byte) bool {
	if isAlpha(c) || isDigit(c) {
		return true
	}
	return strings.IndexByte("-._~!$&'*+,;=:/?@%#", c) >= 0
}

// parseValue parses compValue: a JSON string, number, true, false or null.
func (p *parser) parseValue(op CompareOp) (any, error) {
	start := p.pos
	if p.pos == len(p.s) {
		return nil, p.errf(p.pos, "expected a value after %q: a JSON string in double quotes, a number, true, false or null", op)
	}
	c := p.s[p.pos]
	switch {
	case c == '"':
		return p.parseString()
	case c == '-' || isDigit(c):
		return p.parseNumber()
	}
	w := p.token()
	switch strings.ToLower(w) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	if w == "" {
		return nil, p.errf(start, "expected a value after %q: a JSON string in double quotes, a number, true, false or null; found %s", op, p.found(start))
	}
	return nil, p.errf(start, "expected a value after %q: a JSON string in double quotes, a number, true, false or null; found %q (strings must be quoted)", op, w)
}

// parseString parses a JSON string literal at the current quote and
// decodes its escapes. A lone UTF-16 surrogate decodes to U+FFFD, as
// encoding/json does.
func (p *parser) parseString() (string, error) {
	start := p.pos
	p.pos++
	// Fast path: no escapes, no copy.
	for i := p.pos; i < len(p.s); i++ {
		c := p.s[i]
		if c == '"' {
			v := p.s[p.pos:i]
			p.pos = i + 1
			return v, nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", p.errf(i, "control character %q in string starting at offset %d: escape it (\\n, \\t, \\u00XX)", rune(c), start)
		}
	}
	var b strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c < 0x20:
			return "", p.errf(p.pos, "control character %q in string starting at offset %d: escape it (\\n, \\t, \\u00XX)", rune(c), start)
		case c != '\\':
			b.WriteByte(c)
			p.pos++
			continue
		}
		esc := p.pos
		if p.pos+1 >= len(p.s) {
			break
		}
		e := p.s[p.pos+1]
		p.pos += 2
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.errf(esc, "invalid escape in string: \\u must be followed by four hex digits")
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if r < 0xDC00 && p.pos+1 < len(p.s) && p.s[p.pos] == '\\' && p.s[p.pos+1] == 'u' {
					save := p.pos
					p.pos += 2
					if lo, ok := p.hex4(); ok && utf16.DecodeRune(r, lo) != utf8.RuneError {
						r2 = utf16.DecodeRune(r, lo)
					} else {
						p.pos = save // leave the second escape to be decoded on its own
					}
				}
				r = r2
			}
			b.WriteRune(r)
		default:
			r, _ := utf8.DecodeRuneInString(p.s[esc+1:])
			return "", p.errf(esc, "invalid escape \\%c in string: JSON allows \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX", r)
		}
	}
	return "", p.errf(start, "unterminated string starting at offset %d", start)
}

func (p *parser) hex4() (rune, bool) {
	if p.pos+4 > len(p.s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(p.s[p.pos : p.pos+4]) {
		var d byte
		switch {
		case isDigit(c):
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	p.pos += 4
	return r, true
}

// parseNumber parses a JSON number: int64 when it has neither fraction nor
// exponent and fits, float64 otherwise.
func (p *parser) parseNumber() (any, error) {
	start := p.pos
	i := p.pos
	s := p.s
	if s[i] == '-' {
		i++
	}
	bad := func(why string) error {
		end := i
		for end < len(s) && !isDelim(s[end]) {
			end++
		}
		return p.errf(start, "invalid number %q: %s", s[start:end], why)
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
		if i < len(s) && isDigit(s[i]) {
			return nil, bad("JSON numbers have no leading zeros")
		}
	case i < len(s) && isDigit(s[i]):
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return nil, bad("expected a digit")
	}
	integral := true
	if i < len(s) && s[i] == '.' {
		integral = false
		i++
		if i == len(s) || !isDigit(s[i]) {
			return nil, bad("expected a digit after the decimal point")
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		integral = false
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i == len(s) || !isDigit(s[i]) {
			return nil, bad("expected a digit in the exponent")
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && !isDelim(s[i]) {
		return nil, bad("unexpected character after the number")
	}
	text := s[start:i]
	p.pos = i
	if integral {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, p.errf(start, "number %s is out of range", text)
	}
	return f, nil
}
