package variant

import (
	"slices"
	"strings"
	"testing"
)

// Every variant has a name, says what it does and quotes the sentence that
// permits it; names are unique and Lookup finds each.
func TestEveryVariantIsNamedAndQuoted(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range All() {
		in := v.Info()
		if in.Name == "" || in.Description == "" || in.Source == "" || in.Permitted == "" {
			t.Errorf("variant %d lacks a name, description, source or quote: %+v", v, in)
		}
		if !strings.HasPrefix(in.Source, "RFC 764") {
			t.Errorf("%s: source %q is not a section of RFC 7643/7644", in.Name, in.Source)
		}
		if seen[in.Name] {
			t.Errorf("two variants are named %q", in.Name)
		}
		seen[in.Name] = true
		if got, ok := Lookup(in.Name); !ok || got != v {
			t.Errorf("Lookup(%q) = %v, %v", in.Name, got, ok)
		}
	}
	if len(seen) != int(numVariants)-1 {
		t.Errorf("%d variants listed, %d declared", len(seen), numVariants-1)
	}
}

func TestNewRefusesUnknownAndConflicting(t *testing.T) {
	if _, err := New("no-such"); err == nil || !strings.Contains(err.Error(), "eq-only-filters") {
		t.Errorf("unknown: %v", err)
	}
	if _, err := New("eq-only-filters", "no-filtering"); err == nil {
		t.Error("conflicting variants accepted")
	}
	s, err := New("no-etags", "patch-204")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Enabled(); !slices.Equal(got, []string{"no-etags", "patch-204"}) {
		t.Errorf("Enabled() = %v", got)
	}
	if !slices.Equal(Conflicts("no-filtering"), []string{"eq-only-filters"}) {
		t.Errorf("Conflicts(no-filtering) = %v", Conflicts("no-filtering"))
	}
	var none *Set
	if none.On(NoETags) || none.Any() {
		t.Error("a nil Set has a variant on")
	}
}
