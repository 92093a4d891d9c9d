package filter

import (
	"errors"
	"fmt"
	"strings"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// Filter is a filter bound to a resource type: every attribute path
// resolved, every literal checked against its attribute's type and
// pre-converted, ready to be matched against many documents. A Filter is
// immutable and safe for concurrent use.
type Filter struct {
	expr  Expr
	canon string
	root  node
	uses  []string
}

// Expr returns the parsed filter the Filter was compiled from.
func (f *Filter) Expr() Expr { return f.expr }

// String renders the filter canonically: attribute names in the schema's
// spelling (extension attributes URN-qualified, core ones not), operators
// lower-case, parentheses only where needed.
func (f *Filter) String() string { return f.canon }

// Uses reports whether any attribute path of the filter resolves to the
// top-level attribute with the given name ("members", "groups", "meta",
// or "urn:...:enterprise:2.0:User:manager" for an extension attribute;
// compared case-insensitively). "schemas" is reported too when the filter
// names it.
func (f *Filter) Uses(attr string) bool {
	for _, u := range f.uses {
		if strings.EqualFold(u, attr) {
			return true
		}
	}
	return false
}

// Match reports whether doc, a canonical document as package schema
// describes it (with "id" and "meta" set by the caller), satisfies the
// filter. It does not change doc and, except for some dateTime values
// with a numeric zone offset, does not allocate.
//
// Semantics (RFC 7644 section 3.4.2.2), with the mock's reading where the
// RFC is silent:
//   - strings compare case-insensitively unless the attribute is
//     caseExact (binary values always exactly); gt/ge/lt/le order strings
//     by code point after that case folding;
//   - dateTime values compare chronologically, numbers numerically
//     (integer and decimal mixed), booleans with eq and ne only;
//   - an expression on a multi-valued attribute matches if any value
//     matches; a multi-valued complex attribute named without a
//     sub-attribute stands for its "value" sub-attribute;
//   - pr matches a value that is neither null nor empty (empty strings,
//     arrays and objects count as absent);
//   - ne is the negation of eq: it matches when no value equals the
//     operand, including when the attribute is unassigned. The RFC only
//     says the values "are not identical"; reading an unassigned attribute
//     as "not identical" makes "x ne v" the same as "not (x eq v)", which
//     is what a client filtering out one value expects;
//   - "eq null" matches an unassigned attribute and "ne null" an assigned
//     one (RFC 7643 section 2.5: null and unassigned are the same);
//   - a value path matches if one element satisfies the whole bracket
//     filter.
func (f *Filter) Match(doc map[string]any) bool {
	if f == nil || f.root == nil {
		return true
	}
	return f.root.match(doc)
}

// Compile binds a parsed filter to a resource type. Errors are
// *scimerror.Error 400 invalidFilter whose detail gives the offset and the
// attribute: unknown attributes or sub-attributes, a value path on a
// non-complex attribute, gt/ge/lt/le on boolean or binary attributes, a
// literal of the wrong type for its attribute.
func Compile(e Expr, rt *schema.ResourceType) (*Filter, error) {
	if rt == nil {
		return nil, errors.New("filter: Compile needs a resource type")
	}
	c := &compiler{rt: rt, scimType: scimerror.InvalidFilter}
	root, canon, err := c.expr(e, nil)
	if err != nil {
		return nil, err
	}
	return &Filter{expr: e, canon: exprString(canon), root: root, uses: c.uses}, nil
}

// ParseAndCompile parses s and compiles it for rt. A syntax error becomes a
// 400 invalidFilter whose detail is "at offset N: ...".
func ParseAndCompile(s string, rt *schema.ResourceType) (*Filter, error) {
	e, err := Parse(s)
	if err != nil {
		return nil, scimerror.BadRequest(scimerror.InvalidFilter, "%s", err.Error())
	}
	return Compile(e, rt)
}

// BoundPath is a PATCH path bound to a resource type: Ref names the
// attribute (and sub-attribute) the operation targets; Filter, for a value
// path, selects the elements of the multi-valued attribute Ref.Attr.
type BoundPath struct {
	Ref    schema.AttrRef
	Filter *ElementFilter
}

// ElementFilter is the bracket filter of a PATCH value path, bound to the
// multi-valued complex attribute it selects elements of.
type ElementFilter struct {
	expr  Expr
	canon string
	root  node
}

// Match reports whether one element of the multi-valued attribute (a
// map[string]any for a complex attribute) satisfies the filter, with the
// semantics of Filter.Match.
func (f *ElementFilter) Match(elem any) bool {
	m, ok := elem.(map[string]any)
	if !ok || f == nil || f.root == nil {
		return false
	}
	return f.root.match(m)
}

// String renders the bracket filter canonically.
func (f *ElementFilter) String() string { return f.canon }

// BindPath binds a parsed PATCH path to a resource type. Errors are
// *scimerror.Error 400 invalidPath naming the attribute: an unknown
// attribute or sub-attribute, a value filter on an attribute that is not
// multi-valued complex, a bracket filter that does not compile.
func BindPath(p Path, rt *schema.ResourceType) (BoundPath, error) {
	if rt == nil {
		return BoundPath{}, errors.New("filter: BindPath needs a resource type")
	}
	c := &compiler{rt: rt, scimType: scimerror.InvalidPath}
	if p.Filter == nil {
		ref, err := rt.Resolve(p.Attr.URN, p.Attr.Name, p.Attr.Sub)
		if err != nil {
			return BoundPath{}, c.resolveErr(p.Attr, err)
		}
		return BoundPath{Ref: ref}, nil
	}
	ref, err := rt.Resolve(p.Attr.URN, p.Attr.Name, "")
	if err != nil {
		return BoundPath{}, c.resolveErr(AttrPath{URN: p.Attr.URN, Name: p.Attr.Name, Pos: p.Attr.Pos}, err)
	}
	if !ref.Attr.MultiValued || ref.Attr.Type != schema.Complex {
		return BoundPath{}, c.errf(p.Attr.Pos, "attribute %q is not multi-valued complex: a value filter [...] can only select elements of one, such as emails or members", ref.String())
	}
	root, canon, err := c.expr(p.Filter, ref.Attr)
	if err != nil {
		return BoundPath{}, err
	}
	if p.Attr.Sub != "" {
		s := ref.Attr.Sub(p.Attr.Sub)
		if s == nil {
			return BoundPath{}, c.errf(p.Attr.Pos, "no sub-attribute %q in attribute %q%s", p.Attr.Sub, ref.Attr.Name, suggest(p.Attr.Sub, subNames(ref.Attr)))
		}
		ref.Sub = s
	}
	return BoundPath{Ref: ref, Filter: &ElementFilter{expr: p.Filter, canon: exprString(canon), root: root}}, nil
}

// ParseAndBindPath parses s as a PATCH path and binds it to rt. A syntax
// error becomes a 400 invalidPath whose detail is "at offset N: ...".
func ParseAndBindPath(s string, rt *schema.ResourceType) (BoundPath, error) {
	p, err := ParsePath(s)
	if err != nil {
		return BoundPath{}, scimerror.BadRequest(scimerror.InvalidPath, "%s", err.Error())
	}
	return BindPath(p, rt)
}

type compiler struct {
	rt       *schema.ResourceType
	scimType string
	uses     []string
}

func (c *compiler) errf(off int, format string, args ...any) error {
	return scimerror.BadRequest(c.scimType, "at offset %d: %s", off, fmt.Sprintf(format, args...))
}

func (c *compiler) use(name string) {
	for _, u := range c.uses {
		if u == name {
			return
		}
	}
	c.uses = append(c.uses, name)
}

// expr compiles e into an evaluation node and a canonical copy of e.
// parent is the multi-valued complex attribute whose bracket filter e is,
// or nil at the top level.
func (c *compiler) expr(e Expr, parent *schema.Attribute) (node, Expr, error) {
	switch e := e.(type) {
	case *LogicalExpr:
		return c.logical(e, parent)
	case *NotExpr:
		if e.X == nil {
			return nil, nil, c.errf(e.Pos, "\"not\" without an operand")
		}
		x, cx, err := c.expr(e.X, parent)
		if err != nil {
			return nil, nil, err
		}
		return &notNode{x: x}, &NotExpr{X: cx, Pos: e.Pos}, nil
	case *AttrExpr:
		return c.attrExpr(e, parent)
	case *ValuePathExpr:
		return c.valuePath(e, parent)
	case nil:
		return nil, nil, c.errf(0, "empty filter")
	}
	return nil, nil, c.errf(e.Offset(), "unsupported filter node %T", e)
}

// logical compiles a chain of one operator into one n-ary node, walking the
// left spine iteratively (see writeLogical).
func (c *compiler) logical(e *LogicalExpr, parent *schema.Attribute) (node, Expr, error) {
	op := strings.ToLower(e.Op)
	if op != "and" && op != "or" {
		return nil, nil, c.errf(e.Pos, "unknown logical operator %q: use and or or", e.Op)
	}
	var operands []Expr
	var cur Expr = e
	for {
		le, ok := cur.(*LogicalExpr)
		if !ok || strings.ToLower(le.Op) != op {
			break
		}
		operands = append(operands, le.Right)
		cur = le.Left
	}
	operands = append(operands, cur)
	var nodes []node
	var canon Expr
	for i := len(operands) - 1; i >= 0; i-- {
		n, cx, err := c.expr(operands[i], parent)
		if err != nil {
			return nil, nil, err
		}
		// Splice nested nodes of the same operator: (a and b) and c is
		// one three-way and.
		switch n := n.(type) {
		case andNode:
			if op == "and" {
				nodes = append(nodes, n...)
			} else {
				nodes = append(nodes, n)
			}
		case orNode:
			if op == "or" {
				nodes = append(nodes, n...)
			} else {
				nodes = append(nodes, n)
			}
		default:
			nodes = append(nodes, n)
		}
		if canon == nil {
			canon = cx
		} else {
			canon = &LogicalExpr{Op: op, Left: canon, Right: cx, Pos: canon.Offset()}
		}
	}
	if op == "and" {
		return andNode(nodes), canon, nil
	}
	return orNode(nodes), canon, nil
}

func (c *compiler) valuePath(e *ValuePathExpr, parent *schema.Attribute) (node, Expr, error) {
	if parent != nil {
		return nil, nil, c.errf(e.Pos, "value paths cannot be nested: %q inside the value filter of %q", e.Path.String(), parent.Name)
	}
	if e.Path.Sub != "" {
		return nil, nil, c.errf(e.Path.Pos, "a value filter must follow a complex attribute, not the sub-attribute %q", e.Path.String())
	}
	if e.Filter == nil {
		return nil, nil, c.errf(e.Pos, "empty value filter on %q", e.Path.String())
	}
	if isSchemas(e.Path, c.rt) {
		return nil, nil, c.errf(e.Path.Pos, "attribute \"schemas\" is not complex: a value filter [...] needs a complex attribute such as emails")
	}
	ref, err := c.rt.Resolve(e.Path.URN, e.Path.Name, "")
	if err != nil {
		return nil, nil, c.resolveErr(e.Path, err)
	}
	if ref.Attr.Type != schema.Complex {
		return nil, nil, c.errf(e.Path.Pos, "attribute %q is not complex: a value filter [...] needs a complex attribute such as emails", ref.String())
	}
	c.use(useName(ref))
	x, cx, err := c.expr(e.Filter, ref.Attr)
	if err != nil {
		return nil, nil, err
	}
	n := &valuePathNode{name: ref.Attr.Name, multi: ref.Attr.MultiValued, x: x}
	if ref.Extension {
		n.ext = ref.Schema.ID
	}
	return n, &ValuePathExpr{Path: canonPath(ref), Filter: cx, Pos: e.Pos}, nil
}

func useName(ref schema.AttrRef) string {
	if ref.Extension {
		return ref.Schema.ID + ":" + ref.Attr.Name
	}
	return ref.Attr.Name
}

func canonPath(ref schema.AttrRef) AttrPath {
	p := AttrPath{Name: ref.Attr.Name}
	if ref.Sub != nil {
		p.Sub = ref.Sub.Name
	}
	if ref.Extension {
		p.URN = ref.Schema.ID
	}
	return p
}

// isSchemas reports whether p names the "schemas" attribute, which every
// resource has (RFC 7643 section 3) but no schema defines. RFC 7644's
// example filter `schemas eq "urn:...:enterprise:2.0:User"` uses it.
func isSchemas(p AttrPath, rt *schema.ResourceType) bool {
	return strings.EqualFold(p.Name, "schemas") && p.Sub == "" &&
		(p.URN == "" || strings.EqualFold(p.URN, rt.Core.ID))
}

var schemasAttr = &schema.Attribute{Name: "schemas", Type: schema.Reference, MultiValued: true}

func (c *compiler) resolveErr(p AttrPath, err error) error {
	msg := err.Error()
	if ext := c.rt.Extension(p.URN + ":" + p.Name); p.URN != "" && p.Sub == "" && ext != nil {
		msg = fmt.Sprintf("%q is an extension schema, not an attribute: name one of its attributes, as in \"%s:attribute\"", ext.ID, ext.ID)
	} else if strings.HasPrefix(msg, "no attribute ") && p.URN == "" {
		msg += suggest(p.Name, topNames(c.rt))
	} else if strings.HasPrefix(msg, "no sub-attribute ") {
		if ref, err2 := c.rt.Resolve(p.URN, p.Name, ""); err2 == nil {
			msg += suggest(p.Sub, subNames(ref.Attr))
		}
	}
	return c.errf(p.Pos, "%s", msg)
}

func (c *compiler) attrExpr(e *AttrExpr, parent *schema.Attribute) (node, Expr, error) {
	n := &cmpNode{}
	var canon AttrPath
	var leaf *schema.Attribute
	switch {
	case parent != nil:
		// Inside brackets names are sub-attributes of parent.
		if e.Path.URN != "" || e.Path.Sub != "" {
			return nil, nil, c.errf(e.Path.Pos, "inside the value filter of %q name its sub-attributes only (such as %q), not %q", parent.Name, firstSub(parent), e.Path.String())
		}
		s := parent.Sub(e.Path.Name)
		if s == nil {
			return nil, nil, c.errf(e.Path.Pos, "no sub-attribute %q in attribute %q%s", e.Path.Name, parent.Name, suggest(e.Path.Name, subNames(parent)))
		}
		n.name, n.multi = s.Name, s.MultiValued
		leaf = s
		canon = AttrPath{Name: s.Name}
	case isSchemas(e.Path, c.rt):
		c.use("schemas")
		leaf = schemasAttr
		n.name, n.multi, n.schemas = "schemas", true, c.rt
		canon = AttrPath{Name: "schemas"}
	default:
		ref, err := c.rt.Resolve(e.Path.URN, e.Path.Name, e.Path.Sub)
		if err != nil {
			return nil, nil, c.resolveErr(e.Path, err)
		}
		c.use(useName(ref))
		n.name, n.multi = ref.Attr.Name, ref.Attr.MultiValued
		if ref.Extension {
			n.ext = ref.Schema.ID
		}
		if ref.Sub == nil && ref.Attr.Type == schema.Complex && ref.Attr.MultiValued && e.Op != Pr && e.Value != nil {
			// RFC 7644 section 3.4.2.2's own example, emails co
			// "example.com", compares the elements' "value".
			if v := ref.Attr.Sub("value"); v != nil {
				ref.Sub = v
			}
		}
		if ref.Sub != nil {
			n.sub, n.subMulti = ref.Sub.Name, ref.Sub.MultiValued
		}
		leaf = ref.Leaf()
		canon = canonPath(ref)
		if n.sub != "" && e.Path.Sub == "" {
			canon.Sub = "" // keep the client's implicit "value" implicit
		}
	}
	t, err := c.test(e, leaf, canon)
	if err != nil {
		return nil, nil, err
	}
	n.t = t
	n.neg = t.neg
	v := e.Value
	if i, ok := v.(int); ok {
		v = int64(i)
	}
	return n, &AttrExpr{Path: canon, Op: CompareOp(strings.ToLower(string(e.Op))), Value: v, Pos: e.Pos}, nil
}

func firstSub(a *schema.Attribute) string {
	if v := a.Sub("value"); v != nil {
		return v.Name
	}
	if len(a.SubAttributes) > 0 {
		return a.SubAttributes[0].Name
	}
	return "value"
}

// test checks the operator and literal of e against the attribute a and
// pre-converts the literal.
func (c *compiler) test(e *AttrExpr, a *schema.Attribute, path AttrPath) (test, error) {
	op := CompareOp(strings.ToLower(string(e.Op)))
	name := path.String()
	bad := func(format string, args ...any) (test, error) {
		return test{}, c.errf(e.Pos, format, args...)
	}
	switch op {
	case Eq, Ne, Co, Sw, Ew, Gt, Lt, Ge, Le, Pr:
	default:
		return bad("unknown operator %q: use eq, ne, co, sw, ew, gt, lt, ge, le or pr", e.Op)
	}
	if op == Pr {
		return test{kind: tPresent}, nil
	}
	v := e.Value
	if v == nil {
		switch op {
		case Eq:
			return test{kind: tPresent, neg: true}, nil
		case Ne:
			return test{kind: tPresent}, nil
		}
		return bad("null can only be compared with eq or ne, not %s (attribute %q)", op, name)
	}
	t := test{op: op}
	if op == Ne {
		// ne is the negation of eq (see Filter.Match).
		t.op, t.neg = Eq, true
	}
	ordering := op == Gt || op == Ge || op == Lt || op == Le
	substring := op == Co || op == Sw || op == Ew
	switch a.Type {
	case schema.Complex:
		return bad("attribute %q is complex: compare one of its sub-attributes (such as %s.%s), or use pr", name, name, firstSub(a))
	case schema.String, schema.Reference, schema.Binary:
		s, ok := v.(string)
		if !ok {
			return bad("attribute %q is a %s: compare it with a string in double quotes, not %s", name, a.Type, literalKind(v))
		}
		if a.Type == schema.Binary && ordering {
			return bad("%s is not defined for binary attribute %q (RFC 7644 section 3.4.2.2): use eq, ne, co, sw, ew or pr", op, name)
		}
		t.kind, t.s = tString, s
		if !a.CaseExact && a.Type != schema.Binary {
			t.kind = tStringFold
		}
	case schema.Boolean:
		if ordering || substring {
			return bad("%s is not defined for boolean attribute %q (RFC 7644 section 3.4.2.2): use eq, ne or pr", op, name)
		}
		b, ok := v.(bool)
		if !ok {
			return bad("attribute %q is boolean: compare it with true or false, not %s", name, literalKind(v))
		}
		t.kind, t.b = tBool, b
	case schema.DateTime:
		s, ok := v.(string)
		if !ok {
			return bad("attribute %q is a dateTime: compare it with a string such as \"2011-05-13T04:42:34Z\", not %s", name, literalKind(v))
		}
		if substring {
			// A prefix of a timestamp ("2024-05") is a useful filter;
			// compare the text.
			t.kind, t.s = tStringFold, s
			break
		}
		tm, err := schema.ParseDateTime(s)
		if err != nil {
			return bad("attribute %q is a dateTime: %q is not an xsd:dateTime such as \"2011-05-13T04:42:34Z\"", name, s)
		}
		t.kind, t.s, t.tm, t.utc = tTime, s, tm, isUTCSeconds(s)
	case schema.Integer, schema.Decimal:
		if substring {
			return bad("%s is not defined for %s attribute %q: use eq, ne, gt, ge, lt, le or pr", op, a.Type, name)
		}
		switch n := v.(type) {
		case int64:
			t.kind, t.i, t.f, t.isInt = tNumber, n, float64(n), true
		case int:
			t.kind, t.i, t.f, t.isInt = tNumber, int64(n), float64(n), true
		case float64:
			t.kind, t.f = tNumber, n
		default:
			return bad("attribute %q is numeric (%s): compare it with a number, not %s", name, a.Type, literalKind(v))
		}
	default:
		return bad("attribute %q has type %q, which filters cannot compare", name, a.Type)
	}
	return t, nil
}

func literalKind(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", v)
	case bool:
		return fmt.Sprintf("%t", v)
	case int64, int, float64:
		return fmt.Sprintf("the number %v", v)
	}
	return fmt.Sprintf("a %T", v)
}

// suggest returns "; did you mean X?" for the candidate closest to name,
// when one is close enough to be a likely typo.
func suggest(name string, candidates []string) string {
	best, bestD := "", len(name)/3+2
	for _, c := range candidates {
		if d := distance(strings.ToLower(name), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

func topNames(rt *schema.ResourceType) []string {
	var out []string
	for _, a := range schema.Common.Attributes {
		out = append(out, a.Name)
	}
	for _, a := range rt.Core.Attributes {
		out = append(out, a.Name)
	}
	return out
}

func subNames(a *schema.Attribute) []string {
	out := make([]string, len(a.SubAttributes))
	for i, s := range a.SubAttributes {
		out[i] = s.Name
	}
	return out
}

// distance is the Levenshtein distance of a and b, in bytes; names are
// short ASCII.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
