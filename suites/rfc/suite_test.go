// The rfc suite's entry points for go test and the Ginkgo CLI.
package rfc_test

import (
	"testing"

	"github.com/scimconf/scimconf/catalogue"
	_ "github.com/scimconf/scimconf/suites/rfc" // registers the specs
	"github.com/scimconf/scimconf/suites/scimtest"
)

func TestRFC(t *testing.T) {
	scimtest.RunSuite(t, "rfc")
}

// TestCatalogue fails when a rfc rule has no spec or a spec names no rule.
func TestCatalogue(t *testing.T) {
	scimtest.CheckCatalogue(t, "rfc", catalogue.RFC)
}
