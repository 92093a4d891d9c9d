package switchset

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

type sw uint8

const (
	zeta sw = iota + 1
	alpha
	mid
)

var table = NewTable[sw]("test switch", []string{"", "zeta", "alpha", "mid"})

func TestTable(t *testing.T) {
	if got := table.Names(); !slices.Equal(got, []string{"alpha", "mid", "zeta"}) {
		t.Errorf("Names: %v, want sorted", got)
	}
	if got := table.All(); !slices.Equal(got, []sw{alpha, mid, zeta}) {
		t.Errorf("All: %v, want sorted by name", got)
	}
	if k, ok := table.Lookup("mid"); !ok || k != mid {
		t.Errorf("Lookup(mid) = %v, %v", k, ok)
	}
	if _, ok := table.Lookup("nope"); ok {
		t.Error("Lookup of an unknown name succeeded")
	}
	if got := table.Name(0); !strings.Contains(got, "test switch") {
		t.Errorf("Name(0) = %q, want the kind named", got)
	}
	if got := Parse(" a, ,b,"); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Parse: %v", got)
	}
}

func TestSet(t *testing.T) {
	var none *Set[sw]
	if none.On(alpha) || none.Any() || len(none.Enabled()) != 0 || none.Enable("alpha") == nil {
		t.Error("a nil Set has every switch off and cannot be changed")
	}
	if _, err := table.NewSet("alpha", "nope"); err == nil {
		t.Fatal("NewSet with an unknown name succeeded")
	} else if unknown := (*UnknownError)(nil); !errors.As(err, &unknown) || unknown.Name != "nope" || !strings.Contains(err.Error(), "alpha, mid, zeta") {
		t.Errorf("unknown name: %v, want an UnknownError listing the switches", err)
	}
	s, err := table.NewSet("zeta", "alpha")
	if err != nil {
		t.Fatal(err)
	}
	if !s.On(zeta) || !s.On(alpha) || s.On(mid) || !s.Any() {
		t.Errorf("NewSet(zeta, alpha): on = %v", s.Enabled())
	}
	if err := s.Disable("zeta"); err != nil || s.On(zeta) {
		t.Errorf("Disable(zeta): %v, on %v", err, s.On(zeta))
	}
	if err := s.Enable("mid"); err != nil || !slices.Equal(s.Enabled(), []string{"alpha", "mid"}) {
		t.Errorf("Enable(mid): %v, enabled %v", err, s.Enabled())
	}
	if err := s.Enable("nope"); err == nil {
		t.Error("Enable of an unknown name succeeded")
	}
}
