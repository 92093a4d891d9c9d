package catalogue_test

import (
	"flag"
	"os"
	"regexp"
	"testing"

	"github.com/scimconf/scimconf/catalogue"
)

var update = flag.Bool("update", false, "rewrite suites/RULES.md from the catalogue")

const rulesFile = "../suites/RULES.md"

// TestMarkdownFresh keeps the checked-in catalogue in step with the code,
// as Kubernetes keeps conformance.yaml.
func TestMarkdownFresh(t *testing.T) {
	want := catalogue.Markdown()
	if *update {
		if err := os.WriteFile(rulesFile, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatalf("read %s: %v (run: go test ./catalogue -update)", rulesFile, err)
	}
	if string(got) != want {
		t.Errorf("%s is stale: run go test ./catalogue -update and commit the result", rulesFile)
	}
}

func TestCatalogueWellFormed(t *testing.T) {
	id := regexp.MustCompile(`^(RFC|DT|IDP)(-[A-Z0-9]+)+$`)
	seen := map[string]bool{}
	for _, r := range catalogue.All() {
		if !id.MatchString(r.ID) {
			t.Errorf("rule ID %q does not look like RFC-X, DT-X or IDP-X", r.ID)
		}
		if seen[r.ID] {
			t.Errorf("rule %s is listed twice", r.ID)
		}
		seen[r.ID] = true
		if r.Summary == "" || r.Source == "" {
			t.Errorf("rule %s needs a summary and a source", r.ID)
		}
		switch r.Level {
		case catalogue.Must, catalogue.Should, catalogue.May:
		default:
			t.Errorf("rule %s has level %q", r.ID, r.Level)
		}
		if _, ok := catalogue.ByID(r.ID); !ok {
			t.Errorf("ByID(%q) finds nothing", r.ID)
		}
	}
}
