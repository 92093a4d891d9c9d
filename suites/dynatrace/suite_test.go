// The dynatrace suite's entry points for go test and the Ginkgo CLI.
package dynatrace_test

import (
	"testing"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/scimconf/scimconf/catalogue"
	_ "github.com/scimconf/scimconf/suites/dynatrace" // registers the specs
	"github.com/scimconf/scimconf/suites/scimtest"
)

// TestDynatrace runs the suite. The Ginkgo CLI runs a package as a Ginkgo suite
// (in parallel with -p, with its reports) only when a _test.go file
// imports ginkgo, so the bootstrap stays here. scimtest.Fail makes every
// failure name the rules its spec checks.
func TestDynatrace(t *testing.T) {
	gomega.RegisterFailHandler(scimtest.Fail)
	ginkgo.RunSpecs(t, "dynatrace")
}

// TestCatalogue fails when a dynatrace rule has no spec or a spec names no rule.
func TestCatalogue(t *testing.T) {
	scimtest.CheckCatalogue(t, "dynatrace", catalogue.Dynatrace)
}
