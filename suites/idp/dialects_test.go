package idp_test

import (
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/scimconf/scimconf/fixtures"
	"github.com/scimconf/scimconf/suites/scimtest"
)

// TestDialects proves the fixtures' "quirks" lists against the embedded
// mock, both ways: it runs this suite's TestIdp twice in subprocesses of
// the test binary, once against the default mock and once against a
// --strict one (SCIMCONF_STRICT=true), and reads their JSON reports.
//   - Default: every scenario passes, and the quirks the mock names in
//     X-Scimconf-Quirks are exactly those the scenario declares.
//   - Strict: exactly the scenarios that declare a quirk fail, each on a
//     refusal that names one of its quirks; the RFC-only ones pass.
//
// It runs under plain `go test` (make test) and skips itself under the
// Ginkgo CLI, against an external target, and with -short.
func TestDialects(t *testing.T) {
	switch {
	case testing.Short():
		t.Skip("-short: skipping the two replays of the suite")
	case os.Getenv("SCIM_BASE_URL") != "":
		t.Skip("SCIM_BASE_URL is set: the strict check needs the embedded mock")
	case underGinkgoCLI():
		t.Skip("run by the Ginkgo CLI: the strict check runs under go test ./suites/idp")
	}
	scs, err := scimtest.LoadIdPScenarios(fixtures.IdP())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var normal, strict map[string]outcome
	var wg sync.WaitGroup
	wg.Go(func() { normal = replay(t, filepath.Join(dir, "normal.json"), false) })
	wg.Go(func() { strict = replay(t, filepath.Join(dir, "strict.json"), true) })
	wg.Wait()
	if t.Failed() {
		return
	}
	for _, sc := range scs {
		want := slices.Sorted(slices.Values(sc.Quirks))
		n, ok := normal[sc.ID]
		if !ok {
			t.Errorf("%s: no spec in the default run", sc.ID)
			continue
		}
		if n.failed {
			t.Errorf("%s fails on the default mock, which accepts every dialect:\n%s", sc.ID, n.message)
		}
		if !slices.Equal(n.quirks, want) {
			t.Errorf("%s: the mock reported quirks %v, the fixture declares %v: fix the fixture's \"quirks\" or the mock's detection", sc.ID, n.quirks, want)
		}
		s := strict[sc.ID]
		switch {
		case len(want) == 0 && s.failed:
			t.Errorf("%s uses only RFC shapes but fails on the --strict mock:\n%s", sc.ID, s.message)
		case len(want) > 0 && !s.failed:
			t.Errorf("%s declares quirks %v but passes on the --strict mock, which refuses them", sc.ID, want)
		case len(want) > 0 && !slices.ContainsFunc(want, func(q string) bool { return refuses(s.message, q) }):
			t.Errorf("%s fails on the --strict mock, but not on a refusal of one of its quirks %v:\n%s", sc.ID, want, s.message)
		}
	}
}

// refuses reports whether a failure message shows the strict mock's
// refusal of quirk q (the detail is JSON-escaped in the exchange).
func refuses(msg, q string) bool {
	return strings.Contains(msg, "--strict") && (strings.Contains(msg, `quirk "`+q+`"`) || strings.Contains(msg, `quirk \"`+q+`\"`))
}

// outcome is one scenario's spec in a run.
type outcome struct {
	failed  bool
	message string
	quirks  []string
}

var scenarioID = regexp.MustCompile(`\[([a-z0-9-]+)\]$`)

// replay runs TestIdp in a subprocess with the given strictness and
// returns each scenario's outcome, by scenario id.
func replay(t *testing.T, report string, strict bool) map[string]outcome {
	cmd := exec.Command(os.Args[0], "-test.run=^TestIdp$", "-ginkgo.no-color", "-ginkgo.json-report="+report)
	cmd.Env = append(os.Environ(), "SCIMCONF_STRICT="+map[bool]string{true: "true", false: "false"}[strict], "READ_ONLY=false")
	out, runErr := cmd.CombinedOutput()
	b, err := os.ReadFile(report)
	if err != nil {
		t.Errorf("strict=%t: no report (%v); the run said (%v):\n%s", strict, err, runErr, out)
		return nil
	}
	var reports []types.Report
	if err := json.Unmarshal(b, &reports); err != nil {
		t.Errorf("strict=%t: read %s: %v", strict, report, err)
		return nil
	}
	res := map[string]outcome{}
	for _, r := range reports {
		for _, s := range r.SpecReports {
			if s.LeafNodeType != types.NodeTypeIt {
				continue
			}
			m := scenarioID.FindStringSubmatch(s.LeafNodeText)
			if m == nil {
				t.Errorf("spec %q names no scenario id", s.LeafNodeText)
				continue
			}
			o := outcome{failed: s.Failed(), message: s.Failure.Message}
			for _, e := range s.ReportEntries {
				if e.Name == "quirks reported" {
					if v := e.StringRepresentation(); v != "" {
						o.quirks = strings.Split(v, ",")
					}
				}
			}
			slices.Sort(o.quirks)
			res[m[1]] = o
		}
	}
	if len(res) == 0 {
		t.Errorf("strict=%t: the report holds no spec; the run said:\n%s", strict, out)
	}
	return res
}

// underGinkgoCLI reports whether the Ginkgo CLI runs this binary: it
// always passes -test.timeout=0, which go test does not by default.
func underGinkgoCLI() bool {
	f := flag.Lookup("test.timeout")
	return f != nil && f.Value.String() == "0s"
}
