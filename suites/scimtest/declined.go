package scimtest

// A filter the target declines. RFC 7644 section 3.4.2.2: "Filtering is
// an OPTIONAL parameter for SCIM service providers", and section 3.12
// Table 9 gives the answer for what a provider does not support:
// invalidFilter, "The specified filter syntax was invalid (does not
// comply with Figure 1), or the specified attribute and filter
// comparison combination is not supported." A spec that sends a valid
// filter therefore records that answer as "not supported" (a skip), not
// as a failure; wrong results, a 5xx, another error or an error body of
// the wrong shape are still failures, because none of them is that
// answer.

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/onsi/ginkgo/v2"
)

// DeclinedFilter reports whether r is a provider declining a filter the
// way Table 9 describes: HTTP 400 with a well-formed SCIM error body
// (schemas, "status" as the string "400") whose scimType is
// invalidFilter. Anything short of that (status as a number, no
// scimType, another scimType) is not a decline.
func DeclinedFilter(r *Response) bool {
	ok, _ := HaveSCIMError(400, "invalidFilter").Match(r)
	return ok
}

// SkipDeclined skips the current spec as "not supported" when r declines
// filter (DeclinedFilter), naming the operators and attributes the filter
// uses; otherwise it does nothing.
func SkipDeclined(filter string, r *Response) {
	if !DeclinedFilter(r) {
		return
	}
	noteDeclined(filter)
	detail, _ := lookup(r.JSON, "detail").(string)
	if detail != "" {
		detail = fmt.Sprintf(" (detail: %q)", detail)
	}
	ginkgo.Skip(fmt.Sprintf("not supported: the server declined %s with 400 invalidFilter%s for the filter %s; "+
		"RFC 7644 section 3.12 Table 9 lets a provider decline \"the specified attribute and filter comparison combination [that] is not supported\", "+
		"and filtering is OPTIONAL (section 3.4.2.2)",
		strings.Join(FilterFeatures(filter), ", "), detail, filter), 1)
}

var (
	stringLiteral = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	comparison    = regexp.MustCompile(`(?i)([A-Za-z][\w:.$-]*)\s+(eq|ne|co|sw|ew|gt|ge|lt|le|pr)\b`)
	valuePath     = regexp.MustCompile(`([A-Za-z][\w:.$-]*)\s*\[`)
	logical       = regexp.MustCompile(`(?i)\b(and|or|not)\b`)
)

// FilterFeatures names what a filter uses, in order of appearance and
// without repeats: each comparison as "<operator> on <attribute>"
// (operators in lower case), each value path as "value path on
// <attribute>", the logical operators and "parentheses". String literals
// are left out, so words inside them are not mistaken for operators.
func FilterFeatures(filter string) []string {
	f := stringLiteral.ReplaceAllString(filter, `""`)
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, m := range valuePath.FindAllStringSubmatch(f, -1) {
		add("value path on " + m[1])
	}
	for _, m := range comparison.FindAllStringSubmatch(f, -1) {
		add(strings.ToLower(m[2]) + " on " + m[1])
	}
	for _, m := range logical.FindAllStringSubmatch(f, -1) {
		add(strings.ToLower(m[1]))
	}
	if strings.Contains(valuePath.ReplaceAllString(f, ""), "(") {
		add("parentheses")
	}
	return out
}

// noteDeclined records a declined filter for the capability table: under
// its one feature, or under the combination when it has several (which of
// them the server objects to is not known).
func noteDeclined(filter string) {
	if f := FilterFeatures(filter); len(f) > 0 {
		seen("filter", strings.Join(f, ", "), "declined (400 invalidFilter)")
	}
}
