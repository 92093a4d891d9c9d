// Package filter owns RFC 7644 section 3.4.2.2's filter grammar: parsing a
// filter into an AST whose nodes carry byte offsets, parsing PATCH paths
// (section 3.5.2's PATH rule), resolving the attribute names of either
// against a schema.ResourceType, and evaluating a compiled filter against a
// resource document (see package schema for the document's shape).
//
// Parsing knows no schema; Compile binds a parsed filter to a resource type
// and is where unknown attributes become errors. Nothing here does I/O or
// knows about HTTP.
package filter

import "strconv"

// CompareOp is one of the eleven attribute operators, lower-case.
type CompareOp string

const (
	Eq CompareOp = "eq"
	Ne CompareOp = "ne"
	Co CompareOp = "co"
	Sw CompareOp = "sw"
	Ew CompareOp = "ew"
	Gt CompareOp = "gt"
	Lt CompareOp = "lt"
	Ge CompareOp = "ge"
	Le CompareOp = "le"
	Pr CompareOp = "pr"
)

// Expr is a node of a parsed filter: *LogicalExpr, *NotExpr, *AttrExpr or
// *ValuePathExpr.
type Expr interface {
	// Offset is the byte offset in the filter text where the node starts.
	Offset() int
}

// AttrPath is an attribute path as written: an optional schema URN, an
// attribute name and an optional sub-attribute name. Names are kept as the
// client wrote them; Compile resolves them case-insensitively.
type AttrPath struct {
	URN  string
	Name string
	Sub  string
	Pos  int
}

// LogicalExpr is "Left and Right" or "Left or Right". Op is "and" or "or".
type LogicalExpr struct {
	Op          string
	Left, Right Expr
	Pos         int
}

// NotExpr is "not (X)".
type NotExpr struct {
	X   Expr
	Pos int
}

// AttrExpr is "Path Op Value", or "Path pr" (Value nil). Value is the
// decoded JSON literal: string (escapes decoded), bool, float64 or int64
// for numbers, or nil for null.
type AttrExpr struct {
	Path  AttrPath
	Op    CompareOp
	Value any
	Pos   int
}

// ValuePathExpr is "Path[Filter]": Filter's attribute paths are relative to
// the (multi-valued complex) attribute Path names.
type ValuePathExpr struct {
	Path   AttrPath
	Filter Expr
	Pos    int
}

func (e *LogicalExpr) Offset() int   { return e.Pos }
func (e *NotExpr) Offset() int       { return e.Pos }
func (e *AttrExpr) Offset() int      { return e.Pos }
func (e *ValuePathExpr) Offset() int { return e.Pos }

// Path is a PATCH operation's path (RFC 7644 section 3.5.2):
// attrPath, or valuePath with an optional ".subAttr" after the bracket.
//
//	"members"                           Attr only
//	"name.familyName"                   Attr with Sub
//	"emails[type eq \"work\"].value"    Attr, Filter, and Sub "value"
//	"urn:...:enterprise:2.0:User:manager.value"
//
// For a value path, the sub-attribute after the bracket is held in Attr.Sub
// (the attribute before the bracket has no Sub of its own).
type Path struct {
	Attr   AttrPath
	Filter Expr // nil unless the path has a [valFilter]
}

// SyntaxError is a parse error at a byte offset of the input.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string { return "at offset " + strconv.Itoa(e.Offset) + ": " + e.Msg }
