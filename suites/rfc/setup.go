package rfc

import "github.com/scimconf/scimconf/suites/scimtest"

// A spec whose fixture cannot be created is skipped as "could not set up"
// and RFC-CREATE, whose behaviour failed, is charged once, by a spec that
// runs after all others (scimtest.ChargeSetUpFailures).
var _ = T.ChargeSetUpFailures(scimtest.SetUpRules{Create: "RFC-CREATE"})
