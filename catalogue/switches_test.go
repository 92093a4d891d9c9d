package catalogue_test

import (
	"maps"
	"regexp"
	"slices"
	"testing"

	"github.com/scimconf/scimconf/catalogue"
)

// TestSwitchesWellFormed checks the catalogue's side of the proofs; that
// the names exist in the mock is checked by package sensitivity, which may
// import both.
func TestSwitchesWellFormed(t *testing.T) {
	kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	byRule := catalogue.SwitchesByRule()
	for _, r := range catalogue.All() {
		if !slices.Equal(r.Switches, byRule[r.ID]) {
			t.Errorf("rule %s: Switches %v, SwitchesByRule %v", r.ID, r.Switches, byRule[r.ID])
		}
		for _, s := range r.Switches {
			if !kebab.MatchString(s) {
				t.Errorf("rule %s: switch %q is not kebab-case", r.ID, s)
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(byRule)) {
		if _, ok := catalogue.ByID(id); !ok {
			t.Errorf("switches are given for %q, which is no rule", id)
		}
	}
	for sw, ids := range catalogue.CrossEffects() {
		proves, _ := catalogue.Expected(sw)
		if len(proves) == 0 {
			t.Errorf("switch %q has cross-effects but proves no rule", sw)
		}
		for _, id := range ids {
			if _, ok := catalogue.ByID(id); !ok {
				t.Errorf("cross-effect of %q names %q, which is no rule", sw, id)
			}
			if slices.Contains(proves, id) {
				t.Errorf("switch %q proves %s and lists it as a cross-effect too", sw, id)
			}
		}
		if !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != len(ids) {
			t.Errorf("cross-effects of %q are not sorted and unique: %v", sw, ids)
		}
	}
	if !slices.IsSorted(catalogue.Switches()) {
		t.Error("Switches is not sorted")
	}
}
