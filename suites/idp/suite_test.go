// The idp suite's entry points for go test and the Ginkgo CLI.
package idp_test

import (
	"testing"

	"github.com/scimconf/scimconf/catalogue"
	_ "github.com/scimconf/scimconf/suites/idp" // registers the specs
	"github.com/scimconf/scimconf/suites/scimtest"
)

func TestIdp(t *testing.T) {
	scimtest.RunSuite(t, "idp")
}

// TestCatalogue fails when an idp rule has no spec or a spec names no rule.
func TestCatalogue(t *testing.T) {
	scimtest.CheckCatalogue(t, "idp", catalogue.IdP)
}
