package sensitivity_test

import (
	"encoding/json"
	"github.com/scimconf/scimconf/server/mock"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/scimconf/scimconf/catalogue"
	"github.com/scimconf/scimconf/sensitivity"
)

// TestCatalogueMatchesMock is the consistency check between the two
// packages that must not know each other: every switch the catalogue names
// exists in the mock, every switch of the mock proves a rule, and every
// rule of the profiles a run checks (rfc, dynatrace, idp) has a switch.
func TestCatalogueMatchesMock(t *testing.T) {
	profiles := sensitivity.DefaultProfiles()
	for _, p := range []catalogue.Profile{catalogue.RFC, catalogue.Dynatrace, catalogue.IdP} {
		if !slices.Contains(profiles, p) {
			t.Errorf("the sensitivity run does not check profile %s by default", p)
		}
	}
	for _, p := range sensitivity.Check(profiles) {
		t.Error(p)
	}
	known := mock.SwitchNames()
	for _, s := range catalogue.Switches() {
		if !slices.Contains(known, s) {
			t.Errorf("catalogue switch %q is not in server/violation", s)
		}
	}
	for _, r := range catalogue.All() {
		if slices.Contains(profiles, r.Profile) && len(r.Switches) == 0 {
			t.Errorf("rule %s has no switch", r.ID)
		}
	}
}

func TestSelect(t *testing.T) {
	all := mock.SwitchNames()
	tests := []struct {
		name string
		opts sensitivity.Options
		want int
	}{
		{"everything", sensitivity.Options{}, len(all)},
		{"given switches", sensitivity.Options{Switches: []string{all[2], all[0]}}, 2},
		{"sample", sensitivity.Options{Sample: 5, Seed: "abc"}, 5},
		{"sample larger than the set", sensitivity.Options{Sample: len(all) + 3, Seed: "abc"}, len(all)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := sensitivity.Select(tc.opts)
			if len(got) != tc.want || !slices.IsSorted(got) {
				t.Errorf("Select = %v (%d), want %d sorted switches", got, len(got), tc.want)
			}
		})
	}
	a := sensitivity.Select(sensitivity.Options{Sample: 6, Seed: "0123abc"})
	b := sensitivity.Select(sensitivity.Options{Sample: 6, Seed: "0123abc"})
	if !slices.Equal(a, b) {
		t.Errorf("the same seed drew %v and %v", a, b)
	}
	differ := false
	for _, seed := range []string{"1", "2", "3", "4"} {
		if !slices.Equal(a, sensitivity.Select(sensitivity.Options{Sample: 6, Seed: seed})) {
			differ = true
		}
	}
	if !differ {
		t.Error("the sample does not change with the seed")
	}
}

func TestJudge(t *testing.T) {
	checked := catalogue.All()
	// A switch with cross-effects, so every cell kind can show.
	const sw = "json-content-type"
	proves, cross := catalogue.Expected(sw)
	if len(proves) == 0 || len(cross) < 2 {
		t.Fatalf("the test needs %s to prove a rule and have two cross-effects: %v %v", sw, proves, cross)
	}
	other := ""
	for _, r := range checked {
		if !slices.Contains(proves, r.ID) && !slices.Contains(cross, r.ID) {
			other = r.ID
			break
		}
	}
	tests := []struct {
		name   string
		failed []string
		want   map[string]sensitivity.Cell
	}{
		{"killed with one cross-effect", []string{proves[0], cross[0]},
			map[string]sensitivity.Cell{proves[0]: sensitivity.Killed, cross[0]: sensitivity.Cross, cross[1]: sensitivity.Stale}},
		{"survived", []string{cross[0], cross[1]},
			map[string]sensitivity.Cell{proves[0]: sensitivity.Survived, cross[0]: sensitivity.Cross, cross[1]: sensitivity.Cross}},
		{"unexpected", []string{proves[0], cross[0], cross[1], other},
			map[string]sensitivity.Cell{proves[0]: sensitivity.Killed, cross[0]: sensitivity.Cross, cross[1]: sensitivity.Cross, other: sensitivity.Unexpected}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Failures spread over two runs are one row.
			runs := []sensitivity.RunResult{{Failed: tc.failed[:1]}, {Failed: tc.failed[1:]}}
			row := sensitivity.Judge(sw, runs, checked)
			if len(row.Cells) != len(tc.want) {
				t.Errorf("cells = %v, want %v", row.Cells, tc.want)
			}
			for id, want := range tc.want {
				if got := row.Cells[id]; got != want {
					t.Errorf("cell %s = %q, want %q", id, got, want)
				}
			}
			want := slices.Sorted(slices.Values(tc.failed))
			if !slices.Equal(row.Failed, want) {
				t.Errorf("Failed = %v, want %v", row.Failed, want)
			}
		})
	}
}

func TestReadReport(t *testing.T) {
	spec := func(state types.SpecState, node types.NodeType, labels ...string) types.SpecReport {
		return types.SpecReport{LeafNodeType: node, LeafNodeText: "spec " + strings.Join(labels, " "), LeafNodeLabels: labels, State: state,
			Failure: types.Failure{Message: "boom\nmore"}}
	}
	tests := []struct {
		name        string
		specs       []types.SpecReport
		wantFailed  []string
		wantSpecs   int
		wantFailure string
	}{
		{"all passed", []types.SpecReport{spec(types.SpecStatePassed, types.NodeTypeIt, "RFC-GET")}, nil, 0, ""},
		{"failed specs fail every rule they name", []types.SpecReport{
			spec(types.SpecStateFailed, types.NodeTypeIt, "RFC-GET", "RFC-CREATE", "read-only"),
			spec(types.SpecStatePanicked, types.NodeTypeIt, "RFC-GET"),
			spec(types.SpecStateSkipped, types.NodeTypeIt, "RFC-ETAG"),
			spec(types.SpecStatePassed, types.NodeTypeIt, "RFC-SORT"),
		}, []string{"RFC-CREATE", "RFC-GET"}, 2, ""},
		{"a failed setup fails the suite", []types.SpecReport{
			spec(types.SpecStateFailed, types.NodeTypeSynchronizedBeforeSuite),
		}, nil, 0, "SynchronizedBeforeSuite failed: boom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "report.json")
			b, err := json.Marshal([]types.Report{{SpecReports: tc.specs}})
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			failed, specs, failure := sensitivity.ReadReport(path)
			if !slices.Equal(failed, tc.wantFailed) || len(specs) != tc.wantSpecs || failure != tc.wantFailure {
				t.Errorf("ReadReport = %v, %d specs, %q; want %v, %d specs, %q", failed, len(specs), failure, tc.wantFailed, tc.wantSpecs, tc.wantFailure)
			}
		})
	}
	if _, _, failure := sensitivity.ReadReport(filepath.Join(t.TempDir(), "missing.json")); failure == "" {
		t.Error("a missing report is no suite failure")
	}
}

func TestPrint(t *testing.T) {
	checked := catalogue.All()[:3]
	res := &sensitivity.Result{Rules: checked, Switches: []sensitivity.SwitchResult{
		sensitivity.Judge(checked[0].Switches[0], []sensitivity.RunResult{{Failed: []string{checked[0].ID}}}, checked),
	}}
	var b strings.Builder
	sensitivity.Print(&b, res)
	out := b.String()
	for _, want := range []string{checked[0].Switches[0], "K..", checked[0].ID, "every rule checked is proved both ways"} {
		if !strings.Contains(out, want) {
			t.Errorf("the matrix lacks %q:\n%s", want, out)
		}
	}
}
