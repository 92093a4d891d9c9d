// Package variant owns the mock's variant switches: each makes the mock
// take one choice that RFC 7643/7644 permits a SCIM service provider (only
// eq filters, no sorting, no ETags, PATCH answered 204, deleted identifiers
// kept reserved, ...). They are the dual of the violation switches (package
// violation): a violation breaks a rule, and the rule's specs must fail
// (`make sensitivity`); a variant breaks nothing, and no MUST rule's spec
// may fail (`make tolerance`). Each variant is named by the sentence that
// permits it, quoted in its Info.
//
// The variants act from outside the engine, through the seams the
// violation switches use: a middleware in front of the SCIM handler
// (http.go), a store.Store decorator (store.go) and a provider.Policy
// decorator (provider.go); the engine never asks for a variant. Where a
// variant changes a feature the ServiceProviderConfig describes, the
// middleware rewrites the document so that it tells the truth about the
// variant (filter, sort, etag, bulk and changePassword "supported",
// filter.maxResults and the page sizes), except under
// NoServiceProviderConfig, which has no document.
//
// A Set is the run-time state: which variants are on. It is safe for
// concurrent use; a nil *Set has every variant off. The package knows
// nothing of the rule catalogue: which findings a variant may cause is
// recorded by package tolerance.
package variant

import (
	"fmt"
	"slices"

	"github.com/scimconf/scimconf/server/internal/switchset"
)

// Variant is one variant switch.
type Variant uint8

// The variants, grouped by the feature they choose for.
const (
	// Filtering (RFC 7644 section 3.4.2.2).
	EqOnlyFilters Variant = iota + 1
	NoFiltering

	// Query features.
	NoSorting
	NoSearch
	SmallMaxResults
	CountAboveMaxIgnored

	// Optional features of RFC 7643 section 5.
	NoETags
	NoBulk
	NoChangePassword
	NoServiceProviderConfig

	// Answers.
	PatchNoContent
	UnsupportedMethod404
	ScimTypeOnlyWhereRequired
	ServerAssignedValues
	DeletedKeptReserved

	numVariants = iota + 1
)

// The page sizes of the paging variants.
const (
	// SmallMax is filter.maxResults under SmallMaxResults.
	SmallMax = 5
	// IgnoredCountMax and IgnoredCountDefault are filter.maxResults and
	// the page size of a query without count (or with a count above the
	// maximum) under CountAboveMaxIgnored.
	IgnoredCountMax     = 50
	IgnoredCountDefault = 10
)

// EqOnlyAttributes are the attributes EqOnlyFilters filters on (with eq,
// joined by and); every other attribute and operator is declined.
var EqOnlyAttributes = []string{"id", "userName", "displayName", "externalId"}

// Info describes a variant as the CLI and the management API list it.
type Info struct {
	// Name is the variant's kebab-case name, e.g. "eq-only-filters".
	Name string `json:"name"`
	// Description says, in one line, what the mock does with the variant
	// on.
	Description string `json:"description"`
	// Source and Permitted are the section and the sentence of RFC
	// 7643/7644 that allow the choice, word for word.
	Source    string `json:"source"`
	Permitted string `json:"permitted"`
}

const (
	sortOptional    = "Sort is OPTIONAL."
	filterOptional  = "Filtering is an OPTIONAL parameter for SCIM service providers."
	declineFilter   = "Providers MUST decline to filter results if the specified filter operation is not recognized and return an HTTP 400 error with a \"scimType\" error of \"invalidFilter\" and an appropriate human-readable response as per Section 3.12."
	fewerResults    = "When specified, the service provider MUST NOT return more results than specified, although it MAY return fewer results. If unspecified, the maximum number of results is set by the service provider."
	etagsMay        = "Service providers MAY support weak ETags as the preferred mechanism for performing conditional retrievals and ensuring that clients do not inadvertently overwrite each other's changes, respectively."
	bulkOptional    = "The SCIM bulk operation is an optional server feature that enables clients to send a potentially large collection of resource operations in a single request."
	searchClientMay = "Clients MAY execute queries without passing parameters on the URL by using the HTTP POST verb combined with the \"/.search\" path extension."
	changePassword  = "changePassword A complex type that specifies configuration options related to changing a password. REQUIRED."
	patch204        = "On successful completion, the server either MUST return a 200 OK response code and the entire resource within the response body, subject to the \"attributes\" query parameter (see Section 3.9), or MAY return HTTP status code 204 (No Content) and the appropriate response headers for a successful PATCH request."
	statusCodes     = "The SCIM protocol uses the HTTP response status codes defined in Section 6 of [RFC7231] to indicate operation success or failure."
	scimTypeOpt     = "scimType A SCIM detail error keyword. See Table 9. OPTIONAL."
	serverAltersPut = "The service provider MAY assume that any existing values are to be cleared, or the service provider MAY assign a default value to the final resource representation."
	deletedKept     = "Service providers MAY choose not to permanently delete the resource, but MUST return a 404 (Not Found) error code for all operations associated with the previously deleted resource."
	discoveryGet    = "An HTTP GET to this endpoint will return a JSON structure that describes the SCIM specification features available on a service provider."
)

var infos = [numVariants]Info{
	EqOnlyFilters: {"eq-only-filters",
		"filters may use only eq (joined by and) on id, userName, displayName and externalId; every other operator, attribute, or, not and value path is declined with 400 invalidFilter",
		"RFC 7644 3.4.2.2 and 3.12 (Table 9, invalidFilter)", declineFilter + " / invalidFilter: \"... or the specified attribute and filter comparison combination is not supported.\""},
	NoFiltering: {"no-filtering",
		"filtering is not supported: filter.supported is false and any filter is declined with 400 invalidFilter",
		"RFC 7644 3.4.2.2", filterOptional},
	NoSorting: {"no-sorting",
		"sorting is not supported: sort.supported is false and sortBy/sortOrder are ignored (results in the default order)",
		"RFC 7644 3.4.2.3", sortOptional},
	NoSearch: {"no-search",
		"POST /.search and /{Resource}/.search are not offered: 404",
		"RFC 7644 3.4.3", searchClientMay},
	SmallMaxResults: {"small-max-results",
		fmt.Sprintf("filter.maxResults is %d: no page holds more than %d resources, whatever count asks", SmallMax, SmallMax),
		"RFC 7644 3.4.2.4", fewerResults},
	CountAboveMaxIgnored: {"count-above-max-ignored",
		fmt.Sprintf("filter.maxResults is %d; a count above it is ignored, as is no count: the page holds the default %d resources", IgnoredCountMax, IgnoredCountDefault),
		"RFC 7644 3.4.2.4", fewerResults},
	NoETags: {"no-etags",
		"resources are not versioned: etag.supported is false, no ETag header, no meta.version, If-Match and If-None-Match are ignored",
		"RFC 7644 3.14", etagsMay},
	NoBulk: {"no-bulk",
		"Bulk is not supported: bulk.supported is false and POST /Bulk answers 501",
		"RFC 7644 3.7", bulkOptional},
	NoChangePassword: {"no-change-password",
		"a password cannot be changed: changePassword.supported is false and a PUT or PATCH that sets password is refused with 400",
		"RFC 7643 5", changePassword + " / supported: \"A Boolean value specifying whether or not the operation is supported. REQUIRED.\""},
	NoServiceProviderConfig: {"no-service-provider-config",
		"GET /ServiceProviderConfig answers 404 (not permitted: RFC-DISCOVERY's finding; the variant shows that the rest of a run is still judged)",
		"RFC 7644 4", discoveryGet},
	PatchNoContent: {"patch-204",
		"a successful PATCH without attributes/excludedAttributes answers 204 with no body",
		"RFC 7644 3.5.2", patch204},
	UnsupportedMethod404: {"unsupported-method-404",
		"a method an endpoint does not take answers 404, not 405 with Allow",
		"RFC 7644 3.12", statusCodes},
	ScimTypeOnlyWhereRequired: {"scimtype-only-where-required",
		"error bodies carry scimType only where a MUST or SHALL names it (invalidFilter, uniqueness, noTarget); every other scimType is left out",
		"RFC 7644 3.12", scimTypeOpt},
	ServerAssignedValues: {"server-assigned-values",
		"a User created or replaced without displayName gets one assigned by the server (name.givenName name.familyName, else userName)",
		"RFC 7644 3.5.1", serverAltersPut},
	DeletedKeptReserved: {"deleted-kept-reserved",
		"deleted resources are kept: 404 to every operation, absent from queries, but a deleted User's userName and a deleted Group's displayName stay taken (409 uniqueness)",
		"RFC 7644 3.6", deletedKept},
}

// conflicts are the variants that cannot be on together: each pair
// chooses differently for one feature.
var conflicts = [][2]Variant{
	{EqOnlyFilters, NoFiltering},
	{SmallMaxResults, CountAboveMaxIgnored},
}

// table names the variants; Set and the lookups are package switchset's,
// which the violation switches share.
var table = switchset.NewTable[Variant]("variant", infoNames(infos[:]))

func infoNames(infos []Info) []string {
	out := make([]string, len(infos))
	for i, in := range infos {
		out[i] = in.Name
	}
	return out
}

// String is the variant's kebab-case name.
func (v Variant) String() string { return table.Name(v) }

// Info returns the variant's name, description and permitting sentence.
func (v Variant) Info() Info { return infos[v] }

// All returns every variant, sorted by name.
func All() []Variant { return table.All() }

// Known returns every variant's Info, sorted by name.
func Known() []Info {
	all := All()
	out := make([]Info, len(all))
	for i, v := range all {
		out[i] = v.Info()
	}
	return out
}

// Names returns the names of every variant, sorted.
func Names() []string { return table.Names() }

// Lookup returns the variant with the given name.
func Lookup(name string) (Variant, bool) { return table.Lookup(name) }

// Unknown is the error for a name that is no variant: it lists the known
// ones.
func Unknown(name string) error { return table.Unknown(name) }

// Conflicts returns, sorted, the names of the variants that cannot be on
// together with the named one.
func Conflicts(name string) []string {
	v, ok := Lookup(name)
	if !ok {
		return nil
	}
	var out []string
	for _, c := range conflicts {
		switch v {
		case c[0]:
			out = append(out, c[1].String())
		case c[1]:
			out = append(out, c[0].String())
		}
	}
	slices.Sort(out)
	return out
}

// Parse splits a comma-separated list of variant names ("a,b" or "a, b"),
// as --variant and SCIMCONF_VARIANTS give them; empty items are skipped.
func Parse(list string) []string { return switchset.Parse(list) }

// UnknownError is the error for a name that is no variant.
type UnknownError = switchset.UnknownError

// Set is the set of variants that are on. A nil *Set has every variant
// off.
type Set = switchset.Set[Variant]

// New returns a Set with the named variants on. An unknown name, or two
// variants that choose differently for one feature, is an error; nothing
// is turned on then.
func New(names ...string) (*Set, error) {
	var vs []Variant
	for _, n := range names {
		v, ok := Lookup(n)
		if !ok {
			return nil, Unknown(n)
		}
		vs = append(vs, v)
	}
	for _, c := range conflicts {
		if slices.Contains(vs, c[0]) && slices.Contains(vs, c[1]) {
			return nil, fmt.Errorf("variants %s and %s choose differently for one feature; turn on one of them", c[0], c[1])
		}
	}
	return table.NewSet(names...)
}
