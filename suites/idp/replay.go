package idp

import (
	"fmt"
	"os"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/scimconf/scimconf/catalogue"
	"github.com/scimconf/scimconf/fixtures"
	"github.com/scimconf/scimconf/suites/scimtest"
)

// scenarios are loaded while the spec tree is built: a broken fixture
// fails the suite before anything is sent.
var scenarios = func() []scimtest.IdPScenario {
	sc, err := scimtest.LoadIdPScenarios(fixtures.IdP())
	if err != nil {
		panic(fmt.Sprintf("idp fixtures: %v", err))
	}
	return sc
}()

// dialect describes the quirks a scenario uses, for spec names and the
// report.
func dialect(sc scimtest.IdPScenario) string {
	if len(sc.Quirks) == 0 {
		return "RFC shapes only"
	}
	return "non-RFC: " + strings.Join(sc.Quirks, ", ")
}

var _ = Describe("IdP request sequences", func() {
	for _, sc := range scenarios {
		labels := Label(sc.Rules...)
		if sc.ReadOnly {
			labels = Label(append(sc.Rules, scimtest.ReadOnlyLabel)...)
		}
		It(fmt.Sprintf("%s: %s (%s) [%s]", sc.IdP, sc.Title, dialect(sc), sc.ID), labels, func(ctx SpecContext) {
			AddReportEntry("source", sc.SourceTitle()+" - "+sc.SourceURL())
			AddReportEntry("dialect", dialect(sc))
			res := T.ReplayIdP(ctx, sc)
			if len(res.Left) > 0 {
				AddReportEntry("left out", strings.Join(res.Left, "\n"))
			}
			// The mock names what it accepted; the strict check
			// (dialects_test.go) compares it with the fixture's list.
			AddReportEntry("quirks reported", strings.Join(res.Quirks, ","))
		})
	}
})

// The dialect table: which IdP dialects the target handles, one line per
// scenario, printed after the run (the JSON and HTML reports hold the same
// per spec).
var _ = ReportAfterSuite("IdP dialect support", func(r Report) {
	if r.SuiteConfig.DryRun {
		return // a preview (TestCatalogue, --dry-run): nothing ran
	}
	var b strings.Builder
	for _, s := range r.SpecReports {
		if s.LeafNodeType != types.NodeTypeIt || !ofThisProfile(s) {
			continue
		}
		verdict := "handled"
		switch {
		case s.State.Is(types.SpecStateSkipped | types.SpecStatePending):
			verdict = "skipped"
		case s.Failed():
			verdict = "NOT handled"
		}
		fmt.Fprintf(&b, "  %-11s %s\n", verdict, s.LeafNodeText)
	}
	if b.Len() > 0 { // none when the idp profile was not asked for
		fmt.Fprintf(os.Stdout, "\nIdP dialect support of %s:\n%s", targetName(), b.String())
	}
})

// ofThisProfile reports whether a spec is one of this suite's scenarios
// that was attempted: a binary that runs several profiles in one suite
// reports their specs together, and specs a label filter left out are
// not "skipped" here.
func ofThisProfile(s types.SpecReport) bool {
	if s.State.Is(types.SpecStateSkipped) && s.NumAttempts == 0 && s.Failure.Message == "" {
		return false // filtered out, or not reached
	}
	for _, l := range s.Labels() {
		if r, ok := catalogue.ByID(l); ok && r.Profile == catalogue.IdP {
			return true
		}
	}
	return false
}

func targetName() string {
	if T.OnEmbeddedMock() || T.BaseURL == "" {
		return "the embedded mock"
	}
	return T.BaseURL
}
