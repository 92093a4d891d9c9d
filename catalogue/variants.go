package catalogue

import (
	"maps"
	"slices"
)

// What the mock's variant switches may fail. A variant is a choice RFC
// 7643/7644 permits (`scimconf variants`, server/internal/variant), so
// `make tolerance` (package tolerance) demands that no MUST rule fails
// with one on, and that every rule that fails is a finding declared here:
// a rule below MUST whose words the variant's choice departs from, with
// the sentence that makes it a finding. The names are the mock's; this
// package does not import the mock, so package tolerance checks that both
// lists agree.

// VariantFinding is a rule a variant is expected to fail, and why.
type VariantFinding struct {
	Rule string
	// Quote is the sentence that makes the variant's choice a finding of
	// that rule (below MUST: the choice is permitted).
	Quote Quote
}

// variantNames are the mock's variants, as `scimconf variants` lists them.
var variantNames = []string{
	"count-above-max-ignored", "deleted-kept-reserved", "eq-only-filters", "no-bulk",
	"no-change-password", "no-etags", "no-filtering", "no-search", "no-service-provider-config",
	"no-sorting", "patch-204", "scimtype-only-where-required", "server-assigned-values",
	"small-max-results", "unsupported-method-404",
}

// notPermitted are the variants that are no permitted choice: they exist
// to show that a run goes on and judges every other rule when a server
// lacks something the RFC requires; their findings may be MUST rules.
var notPermitted = []string{"no-service-provider-config"}

var variantFindings = map[string][]VariantFinding{
	// The RFC names 405 nowhere; HTTP's 405 and Table 8's 501 describe a
	// method a resource lacks, and the rule asks for them at MAY.
	"unsupported-method-404": {
		{"RFC-HTTP-METHOD", Quote{rfc7644s312, "The SCIM protocol uses the HTTP response status codes defined in Section 6 of [RFC7231] to indicate operation success or failure."}},
	},
	// Table 9's keywords where no MUST names them: the rule's own MAY, and
	// the SHOULD of RFC 9865 for an invalid cursor's error.
	"scimtype-only-where-required": {
		{"RFC-ERROR-SCIMTYPE", Quote{rfc7644s312, scimTypeOpt}},
		{"RFC-CURSOR-INVALID", Quote{"RFC 9865 2", cursorInvalid}},
	},
	// Keeping deleted resources is the MAY of RFC 7644 section 3.6; still
	// counting their names is its SHOULD NOT.
	"deleted-kept-reserved": {
		{"RFC-DELETE-CONFLICT", Quote{"RFC 7644 3.6", "In addition, the service provider SHOULD NOT consider the deleted resource in conflict calculation."}},
	},
	// No discovery document: RFC-DISCOVERY fails, and nothing else may.
	"no-service-provider-config": {
		{"RFC-DISCOVERY", Quote{"RFC 7644 4", "An HTTP GET to this endpoint will return a JSON structure that describes the SCIM specification features available on a service provider."}},
	},
}

// Variants lists the variant names the catalogue knows, sorted.
func Variants() []string { return slices.Clone(variantNames) }

// VariantFindings returns the rules the named variant is expected to fail.
func VariantFindings(variant string) []VariantFinding {
	return slices.Clone(variantFindings[variant])
}

// VariantsWithFindings lists the variants that declare findings, sorted.
func VariantsWithFindings() []string { return slices.Sorted(maps.Keys(variantFindings)) }

// VariantPermitted reports whether the named variant is a choice the RFC
// permits (false for the few that exist to show a run going on).
func VariantPermitted(variant string) bool { return !slices.Contains(notPermitted, variant) }
