// Package rfc is the rfc profile's conformance suite: black-box Ginkgo
// specs, each labelled with the rule IDs (catalogue) it checks, run
// against the target scimtest.Setup names (the embedded mock by default).
// Importing the package registers its specs; `go test ./suites/rfc` and the
// scimconf binary run them.
package rfc

import "github.com/scimconf/scimconf/suites/scimtest"

// T is the target under test, ready once the suite starts.
var T = scimtest.Setup()
