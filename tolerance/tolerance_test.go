package tolerance

import (
	"slices"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/catalogue"
	"github.com/scimconf/scimconf/sensitivity"
	"github.com/scimconf/scimconf/server/mock"
)

// The catalogue's variants are the mock's, and every declared finding is
// a rule of the catalogue, below MUST for a permitted variant, quoted.
func TestCheck(t *testing.T) {
	if problems := Check(); len(problems) > 0 {
		t.Errorf("Check:\n%s", strings.Join(problems, "\n"))
	}
}

// Every permitted variant runs in a combined set, no set holds two
// variants that conflict, and a variant that is no permitted choice runs
// alone only.
func TestCombined(t *testing.T) {
	sets := Combined()
	seen := map[string]bool{}
	for _, set := range sets {
		for _, v := range set {
			seen[v] = true
			for _, c := range mock.VariantConflicts(v) {
				if slices.Contains(set, c) {
					t.Errorf("set %v holds %s and %s, which conflict", set, v, c)
				}
			}
			if !catalogue.VariantPermitted(v) {
				t.Errorf("set %v holds %s, which is no permitted choice", set, v)
			}
		}
	}
	for _, v := range mock.VariantNames() {
		if catalogue.VariantPermitted(v) && !seen[v] {
			t.Errorf("variant %s is in no combined set %v", v, sets)
		}
	}
}

func TestJudge(t *testing.T) {
	// The pending list is empty today; the cases that judge pending
	// entries bring their own.
	defer func(p []Pending) { pending = p }(pending)
	pending = []Pending{
		{Variant: "no-filtering", Rules: []string{"RFC-AUTH"}, Owner: "test", Why: "a pending false failure"},
		{Variant: "no-service-provider-config", SetUp: true, Owner: "test", Why: "a pending set-up failure"},
	}
	rules := []catalogue.Rule{}
	for _, id := range []string{"RFC-HTTP-METHOD", "RFC-FILTER", "RFC-AUTH", "RFC-DISCOVERY"} {
		r, ok := catalogue.ByID(id)
		if !ok {
			t.Fatalf("no rule %s", id)
		}
		rules = append(rules, r)
	}
	run := func(failed ...string) sensitivity.RunResult {
		var specs []sensitivity.FailedSpec
		for _, id := range failed {
			specs = append(specs, sensitivity.FailedSpec{Text: "a spec of " + id, Rules: []string{id}})
		}
		return sensitivity.RunResult{Profile: catalogue.RFC, Failed: failed, FailedSpecs: specs}
	}
	tests := []struct {
		name     string
		variants []string
		run      sensitivity.RunResult
		want     map[string]Cell
		problem  bool
	}{
		{"nothing fails", []string{"no-etags"}, run(), map[string]Cell{}, false},
		{"a declared finding", []string{"unsupported-method-404"}, run("RFC-HTTP-METHOD"), map[string]Cell{"RFC-HTTP-METHOD": Expected}, false},
		{"a finding of another variant", []string{"no-etags"}, run("RFC-HTTP-METHOD"), map[string]Cell{"RFC-HTTP-METHOD": Unexpected}, true},
		{"a MUST rule fails", []string{"eq-only-filters"}, run("RFC-FILTER"), map[string]Cell{"RFC-FILTER": Unexpected}, true},
		{"a pending harness failure", []string{"no-filtering"}, run("RFC-AUTH"), map[string]Cell{"RFC-AUTH": Harness}, false},
		{"a combined row takes each variant's", []string{"no-filtering", "unsupported-method-404"}, run("RFC-AUTH", "RFC-HTTP-METHOD"),
			map[string]Cell{"RFC-AUTH": Harness, "RFC-HTTP-METHOD": Expected}, false},
		{"a set-up failure pending", []string{"no-service-provider-config"}, sensitivity.RunResult{SuiteFailure: "BeforeSuite failed"},
			map[string]Cell{"RFC-HTTP-METHOD": NotJudged, "RFC-FILTER": NotJudged, "RFC-AUTH": NotJudged, "RFC-DISCOVERY": NotJudged}, false},
		{"a set-up failure not pending", []string{"no-etags"}, sensitivity.RunResult{SuiteFailure: "BeforeSuite failed"}, map[string]Cell{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := Judge("x", tt.variants, "rfc", tt.run, rules)
			for id, want := range tt.want {
				if got := row.Cells[id]; got != want {
					t.Errorf("%s: %q, want %q", id, got, want)
				}
			}
			for id, got := range row.Cells {
				if _, ok := tt.want[id]; !ok {
					t.Errorf("%s: %q, want nothing", id, got)
				}
			}
			if (len(row.Problems) > 0) != tt.problem {
				t.Errorf("problems %v, want some: %v", row.Problems, tt.problem)
			}
		})
	}
}

func TestMarkdownNamesEveryVariantAndFailure(t *testing.T) {
	rules := []catalogue.Rule{}
	if r, ok := catalogue.ByID("RFC-HTTP-METHOD"); ok {
		rules = append(rules, r)
	}
	row := Judge("unsupported-method-404", []string{"unsupported-method-404"}, "rfc",
		sensitivity.RunResult{Profile: catalogue.RFC, Schema: "full", Failed: []string{"RFC-HTTP-METHOD"}}, rules)
	md := string(Markdown(&Result{Rules: rules, Rows: []Row{row}}))
	for _, v := range mock.VariantNames() {
		if !strings.Contains(md, "`"+v+"`") {
			t.Errorf("the report does not list variant %s", v)
		}
	}
	if !strings.Contains(md, "unsupported-method-404 [rfc/full]** RFC-HTTP-METHOD: expected") {
		t.Errorf("the report does not name the expected finding:\n%s", md)
	}
}
