// Package switchset is what the mock's two kinds of switches share: the
// violation switches (package violation: the mock breaks one rule on
// purpose) and the variant switches (package variant: the mock makes one
// choice the RFC permits). Each kind is a closed list of typed constants
// that index a Table of names; a Set holds which of them are on, one
// atomic flag per switch, so the mock reads a switch on every request
// without a lock and the management API turns it while requests run.
package switchset

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
)

// Table names the switches of one kind: switch k (1 to len(names)-1) is
// called names[k]; 0 is no switch.
type Table[K ~uint8] struct {
	// Kind names the kind in errors: "violation switch", "variant".
	Kind   string
	names  []string
	sorted []K
}

// NewTable returns the table of names, indexed by switch; names[0] is
// unused.
func NewTable[K ~uint8](kind string, names []string) *Table[K] {
	t := &Table[K]{Kind: kind, names: names}
	for k := 1; k < len(names); k++ {
		t.sorted = append(t.sorted, K(k))
	}
	slices.SortFunc(t.sorted, func(a, b K) int { return strings.Compare(names[a], names[b]) })
	return t
}

// Name is switch k's kebab-case name.
func (t *Table[K]) Name(k K) string {
	if k == 0 || int(k) >= len(t.names) {
		return fmt.Sprintf("%s(%d)", t.Kind, uint8(k))
	}
	return t.names[k]
}

// All returns every switch, sorted by name.
func (t *Table[K]) All() []K { return slices.Clone(t.sorted) }

// Names returns every switch's name, sorted.
func (t *Table[K]) Names() []string {
	out := make([]string, len(t.sorted))
	for i, k := range t.sorted {
		out[i] = t.names[k]
	}
	return out
}

// Lookup returns the switch with the given name.
func (t *Table[K]) Lookup(name string) (K, bool) {
	for k := 1; k < len(t.names); k++ {
		if t.names[k] == name {
			return K(k), true
		}
	}
	return 0, false
}

// Unknown is the error for a name that is no switch of this kind.
func (t *Table[K]) Unknown(name string) error {
	return &UnknownError{Kind: t.Kind, Name: name, Known: t.Names()}
}

// UnknownError is the error for a name that is no switch; it lists the
// known ones, so the message says what to type instead.
type UnknownError struct {
	Kind, Name string
	Known      []string
}

func (e *UnknownError) Error() string {
	return fmt.Sprintf("no %s is named %q; the %ss are: %s", e.Kind, e.Name, e.Kind, strings.Join(e.Known, ", "))
}

// Parse splits a comma-separated list of names ("a,b" or "a, b"), as
// --violate, --variant and their environment variables give them; empty
// items are skipped.
func Parse(list string) []string {
	var out []string
	for _, n := range strings.Split(list, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// Set is the set of switches of one kind that are on. A nil *Set has
// every switch off and cannot be changed.
type Set[K ~uint8] struct {
	table *Table[K]
	on    []atomic.Bool
}

// NewSet returns a Set with the named switches on. An unknown name is an
// error (UnknownError); nothing is turned on then.
func (t *Table[K]) NewSet(names ...string) (*Set[K], error) {
	s := &Set[K]{table: t, on: make([]atomic.Bool, len(t.names))}
	var ks []K
	for _, n := range names {
		k, ok := t.Lookup(n)
		if !ok {
			return nil, t.Unknown(n)
		}
		ks = append(ks, k)
	}
	for _, k := range ks {
		s.on[k].Store(true)
	}
	return s, nil
}

// On reports whether switch k is on: one atomic load; false for a nil Set.
func (s *Set[K]) On(k K) bool {
	if s == nil || k == 0 || int(k) >= len(s.on) {
		return false
	}
	return s.on[k].Load()
}

// Any reports whether any switch is on.
func (s *Set[K]) Any() bool {
	if s == nil {
		return false
	}
	for k := range s.on {
		if s.on[k].Load() {
			return true
		}
	}
	return false
}

// Enable turns the named switch on; turning on a switch that is on is no
// change.
func (s *Set[K]) Enable(name string) error { return s.turn(name, true) }

// Disable turns the named switch off; turning off a switch that is off is
// no change.
func (s *Set[K]) Disable(name string) error { return s.turn(name, false) }

func (s *Set[K]) turn(name string, on bool) error {
	if s == nil {
		return fmt.Errorf("switch %q: this mock has no switch set to change", name)
	}
	k, ok := s.table.Lookup(name)
	if !ok {
		return s.table.Unknown(name)
	}
	s.on[k].Store(on)
	return nil
}

// Enabled returns the names of the switches that are on, sorted.
func (s *Set[K]) Enabled() []string {
	out := []string{}
	if s == nil {
		return out
	}
	for _, k := range s.table.sorted {
		if s.On(k) {
			out = append(out, s.table.names[k])
		}
	}
	return out
}
