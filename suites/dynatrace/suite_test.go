// The dynatrace suite's entry points for go test and the Ginkgo CLI.
package dynatrace_test

import (
	"testing"

	"github.com/scimconf/scimconf/catalogue"
	_ "github.com/scimconf/scimconf/suites/dynatrace" // registers the specs
	"github.com/scimconf/scimconf/suites/scimtest"
)

func TestDynatrace(t *testing.T) {
	scimtest.RunSuite(t, "dynatrace")
}

// TestCatalogue fails when a dynatrace rule has no spec or a spec names no rule.
func TestCatalogue(t *testing.T) {
	scimtest.CheckCatalogue(t, "dynatrace", catalogue.Dynatrace)
}
