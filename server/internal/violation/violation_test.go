package violation_test

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scimconf/scimconf/server/internal/violation"
)

func TestKnownWellFormed(t *testing.T) {
	kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	seen := map[string]bool{}
	all := violation.Known()
	if len(all) == 0 {
		t.Fatal("no switches")
	}
	for _, s := range all {
		if !kebab.MatchString(s.Name) {
			t.Errorf("switch %q is not kebab-case", s.Name)
		}
		if seen[s.Name] {
			t.Errorf("switch %q is listed twice", s.Name)
		}
		seen[s.Name] = true
		if s.Description == "" || strings.Contains(s.Description, "\n") {
			t.Errorf("switch %q needs a one-line description", s.Name)
		}
		if regexp.MustCompile(`\b(RFC|DT|IDP)-[A-Z]`).MatchString(s.Description) {
			t.Errorf("switch %q names a rule in its description; the mock must not know the catalogue", s.Name)
		}
	}
	if !slices.IsSorted(violation.Names()) {
		t.Error("Names is not sorted")
	}
}

func TestSet(t *testing.T) {
	name := violation.Names()[0]
	other := violation.Names()[1]
	tests := []struct {
		desc string
		do   func(s *violation.Set) error
		want []string
	}{
		{"new set is empty", func(s *violation.Set) error { return nil }, []string{}},
		{"enable", func(s *violation.Set) error { return s.Enable(name) }, []string{name}},
		{"enable twice", func(s *violation.Set) error {
			s.Enable(name)
			return s.Enable(name)
		}, []string{name}},
		{"enable then disable", func(s *violation.Set) error {
			s.Enable(name)
			return s.Disable(name)
		}, []string{}},
		{"disable an off switch", func(s *violation.Set) error { return s.Disable(name) }, []string{}},
		{"two switches", func(s *violation.Set) error {
			s.Enable(other)
			return s.Enable(name)
		}, []string{name, other}},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			s, err := violation.New()
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.do(s); err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			got := s.Enabled()
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("Enabled() = %v, want %v", got, want)
			}
			for _, st := range violation.List(s) {
				if st.On != slices.Contains(want, st.Name) || s.On(lookup(t, st.Name)) != st.On {
					t.Errorf("List: %s on=%v, want %v", st.Name, st.On, slices.Contains(want, st.Name))
				}
			}
		})
	}
}

func TestUnknownNames(t *testing.T) {
	s, err := violation.New("no-such-switch")
	if err == nil || s != nil {
		t.Fatalf("New with an unknown name: got %v, %v; want an error", s, err)
	}
	var unknown *violation.UnknownError
	if !errors.As(err, &unknown) || unknown.Name != "no-such-switch" {
		t.Errorf("error %v is no *UnknownError naming the switch", err)
	}
	for _, n := range violation.Names() {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("the error does not list the known switch %q: %v", n, err)
		}
	}
	s, _ = violation.New()
	if err := s.Enable("nope"); err == nil {
		t.Error("Enable of an unknown name succeeded")
	}
	if err := s.Disable("nope"); err == nil {
		t.Error("Disable of an unknown name succeeded")
	}
	if s.On(violation.Switch(0)) || s.On(violation.Switch(255)) {
		t.Error("a switch that does not exist is on")
	}
	if _, err := violation.New(violation.Names()[0], "nope"); err == nil {
		t.Error("New with one good and one unknown name succeeded")
	}
}

func TestNilSet(t *testing.T) {
	var s *violation.Set
	if s.On(violation.All()[0]) {
		t.Error("a nil set has a switch on")
	}
	if err := s.Enable(violation.Names()[0]); err == nil {
		t.Error("Enable on a nil set succeeded")
	}
	if got := s.Enabled(); len(got) != 0 {
		t.Errorf("Enabled() on a nil set = %v", got)
	}
	if got := violation.List(s); len(got) != len(violation.Known()) {
		t.Errorf("List() on a nil set has %d entries, want %d", len(got), len(violation.Known()))
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{"a,b", []string{"a", "b"}},
		{" a , ,b,", []string{"a", "b"}},
	}
	for _, tc := range tests {
		if got := violation.Parse(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Parse(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	s, _ := violation.New()
	names := violation.Names()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				n := names[(i+j)%len(names)]
				if j%2 == 0 {
					s.Enable(n)
				} else {
					s.Disable(n)
				}
				s.On(violation.All()[(i+j)%len(names)])
				violation.List(s)
			}
		})
	}
	wg.Wait()
}

func BenchmarkOn(b *testing.B) {
	s, _ := violation.New(violation.Names()[0])
	sw := violation.All()[1]
	for b.Loop() {
		s.On(sw)
	}
}

func lookup(t *testing.T, name string) violation.Switch {
	t.Helper()
	sw, ok := violation.Lookup(name)
	if !ok {
		t.Fatalf("Lookup(%q) found nothing", name)
	}
	return sw
}

// TestTyped: every switch round-trips through its name, and names are
// unique.
func TestTyped(t *testing.T) {
	for _, sw := range violation.All() {
		if got := lookup(t, sw.String()); got != sw {
			t.Errorf("Lookup(%q) = %v, want %v", sw.String(), got, sw)
		}
	}
	if len(violation.All()) != len(violation.Known()) {
		t.Error("All and Known disagree")
	}
}
