package patch

import (
	"slices"
	"strings"

	"github.com/scimconf/scimconf/server/internal/engine/filter"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
)

// smallAdd is how many new values addValues and removeValues look up by a
// scan of the existing ones before building an index: a scan is cheaper
// for the usual single member, an index keeps large batches O(n+m).
const smallAdd = 4

// addValues returns cur with the new values of multi-valued attribute a
// added (RFC 7644 section 3.5.2.1). A value already present is not added
// again: for complex values with a "value" sub-attribute, a new value whose
// "value" equals an existing one's and whose "type" does not differ is that
// value, and its other sub-attributes are merged into it; other values
// must be equal as a whole. A new value with "primary": true takes the
// primary flag from every other value (RFC 7644 section 3.5.2).
func addValues(a *schema.Attribute, cur, add []any) []any {
	out := make([]any, len(cur), len(cur)+len(add))
	copy(out, cur)
	key := keyOf(a)
	var index *valueIndex
	if key != nil && len(add) > smallAdd {
		index = newValueIndex(len(out) + len(add))
		for i, e := range out {
			if k, ok := key(e); ok {
				index.put(k, i)
			}
		}
	}
	primary := -1
	for _, nv := range add {
		i := -1
		k, keyed := key.of(nv)
		switch {
		case keyed && index != nil:
			for _, j := range index.get(k) {
				if same(a, out[j], nv) {
					i = j
					break
				}
			}
		default:
			for j, e := range out {
				if keyed {
					// Compare the cheap key first: this scan runs over
					// every member of a large group.
					if ek, ok := key(e); !ok || ek != k {
						continue
					}
				}
				if same(a, e, nv) {
					i = j
					break
				}
			}
		}
		if i < 0 {
			out = append(out, nv)
			i = len(out) - 1
			if keyed && index != nil {
				index.put(k, i)
			}
		} else if m, ok := nv.(map[string]any); ok && a.Type == schema.Complex {
			out[i] = mergeInto(a, out[i], m)
		}
		if m, ok := nv.(map[string]any); ok && m["primary"] == true {
			primary = i
		}
	}
	if primary >= 0 {
		demote(a, out, primary)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// valueIndex maps a value's key to its positions. Nearly every key has one
// position, so that lives in a flat map; the rare second ones (the same
// address as "work" and "home") go to more.
type valueIndex struct {
	first map[string]int
	more  map[string][]int
}

func newValueIndex(n int) *valueIndex { return &valueIndex{first: make(map[string]int, n)} }

func (x *valueIndex) put(k string, i int) {
	if _, ok := x.first[k]; !ok {
		x.first[k] = i
		return
	}
	if x.more == nil {
		x.more = map[string][]int{}
	}
	x.more[k] = append(x.more[k], i)
}

func (x *valueIndex) get(k string) []int {
	i, ok := x.first[k]
	if !ok {
		return nil
	}
	return append([]int{i}, x.more[k]...)
}

// removeValues returns cur without the values v lists (a remove with a
// "value" and no filter). Complex values with a "value" sub-attribute are
// matched by it alone; others must be equal as a whole.
func removeValues(a *schema.Attribute, path string, cur, v any, d *schema.Dialect) (any, error) {
	nv, err := normalize(a, path, v, d)
	if err != nil {
		return nil, err
	}
	gone, _ := nv.([]any)
	list := asList(cur)
	if len(gone) == 0 || len(list) == 0 {
		return cur, nil
	}
	key := keyOf(a)
	keys := map[string]bool{}
	var rest []any // values without a key: compared whole
	for _, g := range gone {
		if k, ok := key.of(g); ok {
			keys[k] = true
		} else {
			rest = append(rest, g)
		}
	}
	one := elementAttr(a)
	out := make([]any, 0, len(list))
	for _, e := range list {
		if k, ok := key.of(e); ok && keys[k] {
			continue
		}
		if slices.ContainsFunc(rest, func(g any) bool { return equalValues(one, e, g) }) {
			continue
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// keyFunc returns the index key of one value of a multi-valued attribute:
// its "value" sub-attribute (or, for a simple attribute, itself) when that
// is a string, folded unless caseExact.
type keyFunc func(e any) (string, bool)

func (k keyFunc) of(e any) (string, bool) {
	if k == nil {
		return "", false
	}
	return k(e)
}

func keyOf(a *schema.Attribute) keyFunc {
	s := a
	if a.Type == schema.Complex {
		if s = a.Sub("value"); s == nil {
			return nil
		}
	}
	fold := !s.CaseExact
	return func(e any) (string, bool) {
		if a.Type == schema.Complex {
			m, _ := e.(map[string]any)
			e = m[s.Name]
		}
		str, ok := e.(string)
		if !ok {
			return "", false
		}
		if fold {
			str = strings.ToLower(strings.ToUpper(str))
		}
		return str, true
	}
}

// same reports whether new value nv of a is existing value e (see
// addValues).
func same(a *schema.Attribute, e, nv any) bool {
	if a.Type != schema.Complex {
		return equalValues(elementAttr(a), e, nv)
	}
	em, _ := e.(map[string]any)
	nm, _ := nv.(map[string]any)
	vs := a.Sub("value")
	if vs == nil || nm[vs.Name] == nil {
		return equalValues(elementAttr(a), e, nv)
	}
	if !equalValues(vs, em[vs.Name], nm[vs.Name]) {
		return false
	}
	if ts := a.Sub("type"); ts != nil && em[ts.Name] != nil && nm[ts.Name] != nil {
		return equalValues(ts, em[ts.Name], nm[ts.Name])
	}
	return true
}

// mergeInto returns a copy of complex value e with the sub-attributes of
// nv that e lacks or holds a different value for, or e itself when there
// are none: a value equal but for case keeps the spelling it has.
func mergeInto(a *schema.Attribute, e any, nv map[string]any) any {
	em, _ := e.(map[string]any)
	var out map[string]any
	for k, v := range nv {
		if ev, ok := em[k]; ok {
			if s := a.Sub(k); s == nil || equalValues(s, ev, v) {
				continue
			}
		}
		if out == nil {
			out = cloneMap(em)
		}
		out[k] = v
	}
	if out == nil {
		return e
	}
	return out
}

// demote sets "primary" to false on every value of list but keep (RFC 7644
// section 3.5.2: setting one value primary makes the others not primary).
// list is private; the values it holds are copied before they change.
func demote(a *schema.Attribute, list []any, keep int) {
	if !a.HasPrimary() {
		return
	}
	for i, e := range list {
		m, ok := e.(map[string]any)
		if i == keep || !ok || m["primary"] != true {
			continue
		}
		c := cloneMap(m)
		c["primary"] = false
		list[i] = c
	}
}

// compact drops unassigned values (nil, empty objects) from a private list
// and returns nil when none is left.
func compact(list []any) []any {
	out := list[:0]
	for _, e := range list {
		if e == nil {
			continue
		}
		if m, ok := e.(map[string]any); ok && len(m) == 0 {
			continue
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// equalValues compares two canonical values of a with filter.Equal's
// rules: caseExact honoured, complex values by their sub-attributes,
// multi-valued ones as sets, nil and "" both unassigned.
func equalValues(a *schema.Attribute, x, y any) bool { return filter.Equal(a, x, y) }

// elementAttr returns a single-valued view of a, to compare one of its
// values.
func elementAttr(a *schema.Attribute) *schema.Attribute {
	if !a.MultiValued {
		return a
	}
	c := *a
	c.MultiValued = false
	return &c
}

// writable returns a copy of a (and its sub-attributes) that is readWrite,
// so NormalizeValue keeps what a client sent for a readOnly attribute and
// it can be compared with the current value.
func writable(a *schema.Attribute) *schema.Attribute {
	c := *a
	c.Mutability = schema.ReadWrite
	if len(a.SubAttributes) > 0 {
		c.SubAttributes = make([]*schema.Attribute, len(a.SubAttributes))
		for i, s := range a.SubAttributes {
			c.SubAttributes[i] = writable(s)
		}
	}
	return &c
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}
