// The idp suite's entry points for go test and the Ginkgo CLI.
package idp_test

import (
	"testing"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/scimconf/scimconf/catalogue"
	_ "github.com/scimconf/scimconf/suites/idp" // registers the specs
	"github.com/scimconf/scimconf/suites/scimtest"
)

// TestIdp runs the suite. The Ginkgo CLI runs a package as a Ginkgo suite
// (in parallel with -p, with its reports) only when a _test.go file
// imports ginkgo, so the bootstrap stays here. scimtest.Fail makes every
// failure name the rules its spec checks.
func TestIdp(t *testing.T) {
	gomega.RegisterFailHandler(scimtest.Fail)
	ginkgo.RunSpecs(t, "idp")
}

// TestCatalogue fails when an idp rule has no spec or a spec names no rule.
func TestCatalogue(t *testing.T) {
	scimtest.CheckCatalogue(t, "idp", catalogue.IdP)
}
