// Package rfc_test is the rfc profile's conformance suite: black-box Ginkgo
// specs, each labelled with the rule IDs (catalogue) it checks, run
// against the target scimtest.Setup names (the embedded mock by default).
package rfc_test

import (
	"testing"

	"github.com/scimconf/scimconf/catalogue"
	"github.com/scimconf/scimconf/suites/scimtest"
)

// T is the target under test, ready once the suite starts.
var T = scimtest.Setup()

func TestRFC(t *testing.T) {
	scimtest.RunSuite(t, "rfc")
}

// TestCatalogue fails when a rfc rule has no spec or a spec names no rule.
func TestCatalogue(t *testing.T) {
	scimtest.CheckCatalogue(t, "rfc", catalogue.RFC)
}
