package reports

import (
	"cmp"
	"slices"
	"strings"

	"github.com/scimconf/scimconf/catalogue"
)

// Status is a rule's (or a spec's) outcome in one run.
type Status string

const (
	StatusPass Status = "pass"
	StatusFail Status = "fail"
	StatusSkip Status = "skip"
	// StatusNotRun: no spec of the rule is in the report, e.g. its profile
	// was not selected.
	StatusNotRun Status = "not run"
)

// RuleResult is one rule's row of the matrix for one run.
type RuleResult struct {
	Rule   catalogue.Rule
	Status Status
	// Specs are the specs labelled with the rule, by suite and text.
	Specs                   []*Spec
	Passed, Failed, Skipped int
	// SkipReasons are the distinct reasons the rule's skipped specs gave.
	SkipReasons []string
}

// FailedSpecs returns the rule's failed specs.
func (rr RuleResult) FailedSpecs() []*Spec {
	var out []*Spec
	for _, s := range rr.Specs {
		if s.Outcome() == StatusFail {
			out = append(out, s)
		}
	}
	return out
}

// Matrix returns one result per rule of the catalogue, in catalogue order
// (catalogue.All). A rule fails when any of its specs failed (failed, panicked,
// interrupted, aborted, timed out); else it passes when at least one spec
// passed, since a spec may skip itself for a feature the target declares
// unsupported while its siblings check the rule; it is skipped when every
// spec skipped, and not run when the report holds none of its specs.
func (r *Run) Matrix() []RuleResult {
	byRule := map[string][]*Spec{}
	for _, spec := range r.Specs() {
		for _, id := range spec.Rules {
			byRule[id] = append(byRule[id], spec)
		}
	}
	for _, specs := range byRule {
		// Parallel processes finish specs in any order; a fixed order lets
		// runs be compared line by line.
		slices.SortStableFunc(specs, func(a, b *Spec) int {
			return cmp.Or(strings.Compare(a.Suite, b.Suite), strings.Compare(a.Text, b.Text))
		})
	}
	all := catalogue.All()
	out := make([]RuleResult, 0, len(all))
	for _, rule := range all {
		rr := RuleResult{Rule: rule, Specs: byRule[rule.ID], Status: StatusNotRun}
		for _, s := range rr.Specs {
			switch s.Outcome() {
			case StatusPass:
				rr.Passed++
			case StatusFail:
				rr.Failed++
			case StatusSkip:
				rr.Skipped++
				if reason := strings.TrimSpace(s.Message); reason != "" && !slices.Contains(rr.SkipReasons, reason) {
					rr.SkipReasons = append(rr.SkipReasons, reason)
				}
			}
		}
		switch {
		case rr.Failed > 0:
			rr.Status = StatusFail
		case rr.Passed > 0:
			rr.Status = StatusPass
		case rr.Skipped > 0:
			rr.Status = StatusSkip
		}
		out = append(out, rr)
	}
	return out
}

// ProfileTotals counts one profile's rules by status in one run.
type ProfileTotals struct {
	Profile                                catalogue.Profile
	Rules, Passed, Failed, Skipped, NotRun int
	// Failures by level: only MUST failures fail a run by default.
	MustFailed, ShouldFailed, MayFailed int
	// Specs counted by outcome: each spec of the profile once, even when
	// it names several of its rules.
	SpecsPassed, SpecsFailed, SpecsSkipped int
}

// Totals returns the totals of every profile that has rules, in
// catalogue.Profiles order.
func (r *Run) Totals() []ProfileTotals {
	return totals(r.Matrix())
}

func totals(matrix []RuleResult) []ProfileTotals {
	var out []ProfileTotals
	for _, p := range catalogue.Profiles() {
		t := ProfileTotals{Profile: p}
		counted := map[*Spec]bool{}
		for _, rr := range matrix {
			if rr.Rule.Profile != p {
				continue
			}
			t.Rules++
			for _, s := range rr.Specs {
				if counted[s] {
					continue
				}
				counted[s] = true
				switch s.Outcome() {
				case StatusPass:
					t.SpecsPassed++
				case StatusFail:
					t.SpecsFailed++
				case StatusSkip:
					t.SpecsSkipped++
				}
			}
			switch rr.Status {
			case StatusPass:
				t.Passed++
			case StatusSkip:
				t.Skipped++
			case StatusNotRun:
				t.NotRun++
			case StatusFail:
				t.Failed++
				switch rr.Rule.Level {
				case catalogue.Must:
					t.MustFailed++
				case catalogue.Should:
					t.ShouldFailed++
				default:
					t.MayFailed++
				}
			}
		}
		if t.Rules > 0 {
			out = append(out, t)
		}
	}
	return out
}
