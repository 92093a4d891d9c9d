package scimtest

// Failure messages in plain words. Gomega's own matchers describe a
// mismatch with their internals ("Expected\n    <int>: 400\nto equal\n
// <int>: 201", maps and structs dumped with their Go types); a reader of a
// conformance report wants what was expected, what came back and the rule.
// Fail rewrites Gomega's part into one line ("expected it to equal 201;
// got 400") and keeps the spec's own words and the exchange around it.

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/onsi/gomega/format"
)

func init() {
	// A mismatch of two strings is shown whole, not as Gomega's excerpt
	// around the first difference ("...the middle ..."), which loses the
	// value a reader needs.
	format.TruncatedDiff = false
}

// maxValue is how much of one value a plain message shows.
const maxValue = 300

var (
	typePrefix = regexp.MustCompile(`^<([^>]*)>: ?`)
	innerType  = regexp.MustCompile(`<[^<>]*>`)
	mapKey     = regexp.MustCompile(`^\s{8}"((?:[^"\\]|\\.)*)": `)
)

// PlainMessage rewrites a Gomega failure message into plain words: the
// description the spec gave, then "expected it <relation> <value>; got
// <value>" (or "unexpected error: <message>"), then the exchange the
// description carried. A message that is not Gomega's is returned as is.
func PlainMessage(msg string) string {
	lines := strings.Split(msg, "\n")
	k := -1
	for i, l := range lines {
		if t := strings.TrimRight(l, " "); t == "Expected" || t == "Unexpected error:" {
			k = i
			break
		}
	}
	if k < 0 {
		return msg
	}
	desc := strings.TrimSpace(strings.Join(lines[:k], "\n"))
	var line string
	if strings.TrimSpace(lines[k]) == "Unexpected error:" {
		line = "unexpected error: " + errorText(lines[k+1:])
	} else {
		line = mismatch(lines[k+1:], desc != "")
	}
	if desc == "" {
		return line
	}
	head, exchange := desc, ""
	if i := strings.Index(desc, "\n> "); i >= 0 {
		head, exchange = strings.TrimSpace(desc[:i]), desc[i+1:]
	}
	out := head
	if line != "" {
		out += "\n" + line
	}
	if exchange != "" {
		out += "\n\n" + exchange
	}
	return out
}

// errorText is the error's message in Gomega's "Unexpected error:" block:
// the lines after the type line, up to the struct dump or "occurred".
func errorText(lines []string) string {
	var out []string
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if i == 0 && typePrefix.MatchString(t) {
			if rest := typePrefix.ReplaceAllString(t, ""); rest != "" {
				out = append(out, rest)
			}
			continue
		}
		if t == "occurred" || strings.HasPrefix(t, "{") {
			break
		}
		out = append(out, t)
	}
	return short(strings.Join(out, " "))
}

// mismatch renders Gomega's "Expected <actual> <relation> <value> ..." as
// "expected it <relation> <value>; got <actual>". With a description, a
// boolean mismatch says nothing the description does not (the spec's
// words name what should hold), so it is left out.
func mismatch(lines []string, described bool) string {
	type part struct {
		relation string
		value    []string
	}
	var actual []string
	var parts []part
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "    "):
			if len(parts) == 0 {
				actual = append(actual, l)
			} else {
				parts[len(parts)-1].value = append(parts[len(parts)-1].value, l)
			}
		case strings.TrimSpace(l) != "":
			parts = append(parts, part{relation: strings.TrimSpace(strings.TrimRight(strings.TrimSpace(l), "|"))})
		}
	}
	if len(parts) == 0 {
		return ""
	}
	got, gotType := value(actual)
	if described && gotType == "bool" && (parts[0].relation == "to be true" || parts[0].relation == "to be false") {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "expected it %s", parts[0].relation)
	if v, _ := value(parts[0].value); v != "" {
		b.WriteString(" " + v)
	}
	fmt.Fprintf(&b, "; got %s", got)
	for _, p := range parts[1:] {
		v, _ := value(p.value)
		fmt.Fprintf(&b, " (%s %s)", p.relation, v)
	}
	return b.String()
}

// value renders one of Gomega's formatted values without its Go type: a
// map as the attribute names it holds, anything else on one line, cut.
func value(lines []string) (text, typ string) {
	if len(lines) == 0 {
		return "", ""
	}
	first := strings.TrimSpace(lines[0])
	if m := typePrefix.FindStringSubmatch(first); m != nil {
		typ = m[1]
		first = typePrefix.ReplaceAllString(first, "")
	}
	if i := strings.Index(typ, " |"); i >= 0 {
		typ = typ[:i]
	}
	switch {
	case typ == "nil":
		return "nothing (null or absent)", typ
	case strings.HasPrefix(typ, "map["):
		var keys []string
		for _, l := range lines[1:] {
			if m := mapKey.FindStringSubmatch(l); m != nil {
				keys = append(keys, m[1])
			}
		}
		if len(keys) == 0 {
			return "an empty JSON object", typ
		}
		slices.Sort(keys)
		return short("a JSON object with " + strings.Join(keys, ", ")), typ
	}
	rest := make([]string, 0, len(lines))
	rest = append(rest, first)
	for _, l := range lines[1:] {
		rest = append(rest, strings.TrimSpace(l))
	}
	v := strings.Join(rest, " ")
	if !strings.HasPrefix(typ, "string") {
		v = innerType.ReplaceAllString(v, "")
	}
	if len(lines) > 1 && !strings.HasPrefix(typ, "[]") && !strings.HasPrefix(typ, "string") {
		// A struct dump: its type says what it is, the exchange the rest.
		return "a " + typ, typ
	}
	if typ == "string" && v == "" {
		v = `""`
	}
	return short(v), typ
}

func short(s string) string {
	r := []rune(s)
	if len(r) > maxValue {
		return string(r[:maxValue-1]) + "…"
	}
	return s
}
