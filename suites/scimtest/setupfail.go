package scimtest

// Set-up failures charged to the rule whose behaviour failed (issue 13 item
// 4, issue 19 item 3). A spec that cannot build its fixture (a create that
// fails, a 201 without the Location a later step needs) has not reached
// the behaviour it checks: failing it would charge its own rules with a
// defect of another, as many times as specs share the fixture. Instead the
// spec is skipped, "could not set up: <rule>'s behaviour failed", and the
// failure is written down; one spec per chargeable rule, run after every
// other spec of the suite (Serial, lowest priority), fails once when any
// set-up charged its rule, listing what failed where.
//
// Parallel processes write their set-up failures to files of their own in
// a directory named by the run id (shared by every process of the run);
// Ginkgo runs Serial specs on process 1 after the others have finished,
// so the charging specs read every file.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/onsi/ginkgo/v2"
)

// SetUpRules names the rules a suite charges set-up failures to: Create
// for a create (POST) the fixture needed that was not answered 201 with
// an id and, where the spec reads it, a Location.
type SetUpRules struct {
	Create string
}

// setUpFailure is one set-up that failed, as written to the run's files.
type setUpFailure struct {
	Rule   string `json:"rule"`
	Spec   string `json:"spec"`
	Reason string `json:"reason"`
}

var setUp struct {
	sync.Mutex
	rules SetUpRules
	dir   string
}

// ChargeSetUpFailures makes set-up failures of the suite's specs skip
// with "could not set up" and charges each to rules, once, in a spec that
// runs after all others. Call it once per suite, at the top level of a
// spec file (var _ = T.ChargeSetUpFailures(...)). Without it a failed
// set-up fails the spec that needed it, as any failed expectation does.
func (t *Target) ChargeSetUpFailures(rules SetUpRules) bool {
	setUp.rules = rules
	ginkgo.Describe("Set-up", func() {
		if rule := rules.Create; rule != "" {
			ginkgo.It(fmt.Sprintf("built every fixture that needed %s's behaviour", rule), ginkgo.Label(rule), ginkgo.Serial, ginkgo.SpecPriority(-1000), func() {
				failures := t.readSetUpFailures(rule)
				// The one charging spec runs last: nothing writes after it.
				os.RemoveAll(t.setUpDir())
				if len(failures) == 0 {
					return
				}
				var b strings.Builder
				fmt.Fprintf(&b, "%d spec(s) could not set up their fixture because %s's behaviour failed; they were skipped, and the rule is charged here once:\n", len(failures), rule)
				for _, f := range failures {
					fmt.Fprintf(&b, "\n- %s\n  %s\n", f.Spec, strings.ReplaceAll(f.Reason, "\n", "\n  "))
				}
				Fail(b.String())
			})
		}
	})
	return true
}

// setUpDir is the directory the run's processes write set-up failures to.
func (t *Target) setUpDir() string {
	return filepath.Join(os.TempDir(), "scimconf-setup-"+t.RunID)
}

func (t *Target) readSetUpFailures(rule string) []setUpFailure {
	var out []setUpFailure
	files, _ := filepath.Glob(filepath.Join(t.setUpDir(), "*.jsonl"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			var sf setUpFailure
			if json.Unmarshal([]byte(line), &sf) == nil && sf.Rule == rule {
				out = append(out, sf)
			}
		}
	}
	slices.SortFunc(out, func(a, b setUpFailure) int { return strings.Compare(a.Spec, b.Spec) })
	return out
}

// CouldNotSetUp reports that the running spec could not build its
// fixture because rule's behaviour failed (what says how, r is the
// exchange, or nil). When the suite charges set-up failures
// (ChargeSetUpFailures) and rule is one it charges, the spec is skipped and
// the failure written down for the charging spec; otherwise the spec
// fails with the same words.
func (t *Target) CouldNotSetUp(rule, what string, r *Response) {
	if r != nil && r.TransportError() && r.Dropped && !r.Retried {
		// Lost on a kept-alive connection the server may close at any
		// time: no behaviour of any rule failed (transport.go).
		ginkgo.Skip(fmt.Sprintf("transport error, not judged: %s %s: %s", r.Method, r.URL, r.transportNote()), 1)
	}
	reason := "could not set up: " + what
	if rule != "" {
		reason = fmt.Sprintf("could not set up: %s's behaviour failed: %s", rule, what)
	}
	if r != nil {
		reason += "\n\n" + r.String()
	}
	if rule == "" || rule != setUp.rules.Create {
		Fail(reason, 1)
		return
	}
	t.writeSetUpFailure(setUpFailure{Rule: rule, Spec: ginkgo.CurrentSpecReport().FullText(), Reason: reason})
	ginkgo.Skip(reason, 1)
}

func (t *Target) writeSetUpFailure(sf setUpFailure) {
	setUp.Lock()
	defer setUp.Unlock()
	dir := t.setUpDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		Fail(fmt.Sprintf("could not record a set-up failure (%v): %s", err, sf.Reason), 2)
		return
	}
	f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("p%d.jsonl", ginkgo.GinkgoParallelProcess())), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		Fail(fmt.Sprintf("could not record a set-up failure (%v): %s", err, sf.Reason), 2)
		return
	}
	defer f.Close()
	b, _ := json.Marshal(sf)
	f.Write(append(b, '\n'))
}

// brief says what came back in one line: the status and the SCIM error's
// scimType and detail, or the transport error.
func brief(r *Response) string {
	if r.TransportError() {
		return r.transportNote()
	}
	s := fmt.Sprintf("%d %s", r.Status, http.StatusText(r.Status))
	if st := r.Str("scimType"); st != "" {
		s += ", scimType " + st
	}
	if d := r.Str("detail"); d != "" {
		s += fmt.Sprintf(", detail %q", d)
	}
	return s
}

// ExpectCreated is the set-up check of a fixture create: r must be a 201
// with an id (RFC 7644 section 3.3). Otherwise the spec could not set up,
// and the suite's create rule is charged (CouldNotSetUp).
func (t *Target) ExpectCreated(r *Response, endpoint string) {
	switch {
	case r.Status != http.StatusCreated:
		t.CouldNotSetUp(setUp.rules.Create, fmt.Sprintf("POST %s answered %s, not 201 Created (RFC 7644 section 3.3)", endpoint, brief(r)), r)
	case r.Str("id") == "":
		t.CouldNotSetUp(setUp.rules.Create, fmt.Sprintf("the 201 of POST %s has no id (RFC 7644 section 3.3)", endpoint), r)
	}
}

// MustLocation returns the Location of created (a 201), resolved; a 201
// without one means the spec could not set up: RFC 7644 section 3.3, "The
// URI of the created resource SHALL include, in the HTTP "Location"
// header [...]", is the create rule's.
func (t *Target) MustLocation(created *Response, endpoint string) string {
	loc := created.Location()
	if loc == "" {
		t.CouldNotSetUp(setUp.rules.Create, fmt.Sprintf("the 201 of POST %s has no Location header (RFC 7644 section 3.3)", endpoint), created)
	}
	return loc
}
