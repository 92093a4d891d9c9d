package filter

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The String methods render a node back into filter text that Parse reads
// as the same tree: operators lower-case, one space between tokens,
// parentheses only where precedence needs them, and "not (X)".

func (p AttrPath) String() string { return p.text() }

func (p AttrPath) text() string {
	s := p.Name
	if p.Sub != "" {
		s += "." + p.Sub
	}
	if p.URN != "" {
		s = p.URN + ":" + s
	}
	return s
}

func (p AttrPath) withoutSub() string {
	p.Sub = ""
	return p.text()
}

// String renders the path as ParsePath reads it.
func (p Path) String() string {
	if p.Filter == nil {
		return p.Attr.String()
	}
	var b strings.Builder
	a := p.Attr
	a.Sub = ""
	b.WriteString(a.String())
	b.WriteByte('[')
	writeExpr(&b, p.Filter)
	b.WriteByte(']')
	if p.Attr.Sub != "" {
		b.WriteByte('.')
		b.WriteString(p.Attr.Sub)
	}
	return b.String()
}

func (e *LogicalExpr) String() string   { return exprString(e) }
func (e *NotExpr) String() string       { return exprString(e) }
func (e *AttrExpr) String() string      { return exprString(e) }
func (e *ValuePathExpr) String() string { return exprString(e) }

func exprString(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

func writeExpr(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case *LogicalExpr:
		writeLogical(b, e)
	case *NotExpr:
		b.WriteString("not (")
		writeExpr(b, e.X)
		b.WriteByte(')')
	case *AttrExpr:
		b.WriteString(e.Path.String())
		b.WriteByte(' ')
		b.WriteString(strings.ToLower(string(e.Op)))
		if e.Op != Pr {
			b.WriteByte(' ')
			writeValue(b, e.Value)
		}
	case *ValuePathExpr:
		b.WriteString(e.Path.String())
		b.WriteByte('[')
		writeExpr(b, e.Filter)
		b.WriteByte(']')
	case nil:
		b.WriteString("<nil>")
	default:
		b.WriteString("<unknown>")
	}
}

// writeLogical walks a left-leaning chain of one operator iteratively, so a
// filter of thousands of "and"s does not recurse thousands deep.
func writeLogical(b *strings.Builder, e *LogicalExpr) {
	op := strings.ToLower(e.Op)
	var rights []Expr
	var cur Expr = e
	for {
		le, ok := cur.(*LogicalExpr)
		if !ok || strings.ToLower(le.Op) != op {
			break
		}
		rights = append(rights, le.Right)
		cur = le.Left
	}
	// The leftmost operand needs parentheses only if it binds looser.
	writeOperand(b, cur, op, false)
	for i := len(rights) - 1; i >= 0; i-- {
		b.WriteByte(' ')
		b.WriteString(op)
		b.WriteByte(' ')
		writeOperand(b, rights[i], op, true)
	}
}

func writeOperand(b *strings.Builder, x Expr, parent string, right bool) {
	paren := false
	if le, ok := x.(*LogicalExpr); ok {
		op := strings.ToLower(le.Op)
		// "or" under "and" needs them for precedence; the same operator on
		// the right needs them to keep the tree's shape.
		paren = parent == "and" && op == "or" || right && op == parent
	}
	if paren {
		b.WriteByte('(')
	}
	writeExpr(b, x)
	if paren {
		b.WriteByte(')')
	}
}

func writeValue(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case int:
		b.WriteString(strconv.Itoa(v))
	case float64:
		b.WriteString(formatFloat(v))
	case string:
		writeString(b, v)
	default:
		b.WriteString("<invalid>")
	}
}

// formatFloat renders f so that it parses back as a float64: with a
// fraction or exponent.
func formatFloat(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "null"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// writeString renders s as a JSON string literal. Bytes that are not valid
// UTF-8 are kept as they are, so the literal decodes back to s exactly.
func writeString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			b.WriteByte(c)
			i++
			continue
		}
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if c < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte("0123456789abcdef"[c>>4])
				b.WriteByte("0123456789abcdef"[c&0xf])
			} else {
				b.WriteByte(c)
			}
		}
		i++
	}
	b.WriteByte('"')
}
