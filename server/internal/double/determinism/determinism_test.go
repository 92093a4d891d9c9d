package determinism_test

import (
	"regexp"
	"testing"

	"github.com/scimconf/scimconf/server/internal/double/determinism"
)

func draw(s *determinism.Source) []string {
	return []string{s.Now().String(), s.NewID(), s.Hex(4), s.Now().String()}
}

func TestSameSeedSameValues(t *testing.T) {
	a, b := determinism.New(7), determinism.New(7)
	got, want := draw(a), draw(b)
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("value %d: %q != %q", i, got[i], want[i])
		}
	}
	a.Reset()
	again := draw(a)
	for i := range got {
		if again[i] != got[i] {
			t.Fatalf("after Reset, value %d: %q, want %q", i, again[i], got[i])
		}
	}
	if other := draw(determinism.New(8)); other[1] == got[1] {
		t.Fatal("two seeds gave the same id")
	}
}

func TestClockAdvances(t *testing.T) {
	s := determinism.New(1)
	first, second := s.Now(), s.Now()
	if !first.After(determinism.Epoch) || second.Sub(first) != determinism.Step {
		t.Fatalf("clock readings %v, %v", first, second)
	}
}

func TestNewIDIsAUUID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	s := determinism.New(3)
	for range 100 {
		if id := s.NewID(); !re.MatchString(id) {
			t.Fatalf("%q is not a version 4 UUID", id)
		}
	}
}
