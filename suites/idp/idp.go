// Package idp is the idp profile's conformance suite: it replays the
// request sequences Microsoft Entra ID and Okta send, as their public
// documentation shows them (fixtures/idp), against the target
// scimtest.Setup names (the embedded mock by default). Each scenario is
// one spec labelled with its rule IDs; a scenario that uses a shape RFC
// 7644 does not define names it, so the report says which IdP dialects a
// server handles. Importing the package registers its specs;
// `go test ./suites/idp` and the scimconf binary run them.
package idp

import "github.com/scimconf/scimconf/suites/scimtest"

// T is the target under test, ready once the suite starts.
var T = scimtest.Setup()
