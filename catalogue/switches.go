package catalogue

import (
	"maps"
	"slices"
)

// Which of the mock's violation switches prove which rule. The names are
// the mock's (`scimconf serve --help`, GET /mock/v1/violations); this
// package does not import the mock, so `make sensitivity` (package
// sensitivity) is what checks both lists agree, and that each switch
// fails exactly its rules' specs plus the cross-effects declared below.

// entry is a catalogue row as rules.go writes it; Rule adds the switches.
type entry struct {
	ID      string
	Profile Profile
	Level   Level
	Source  string
	Summary string
}

func (e entry) rule() Rule {
	return Rule{ID: e.ID, Profile: e.Profile, Level: e.Level, Source: e.Source, Summary: e.Summary,
		Quotes: slices.Clone(quotes[e.ID]), Switches: slices.Clone(proofs[e.ID])}
}

// proofs maps a rule ID to the switches that prove it: each must make at
// least one of the rule's specs fail.
var proofs = map[string][]string{
	"RFC-AUTH":         {"no-www-authenticate"},
	"RFC-BULK":         {"bulk-ignores-fail-on-errors"},
	"RFC-CONCURRENCY":  {"racy-uniqueness"},
	"RFC-CONTENT-TYPE": {"json-content-type"},
	"RFC-CREATE":       {"create-no-location"},
	// The create's answer is compared with what GET serves.
	"RFC-CREATE-BODY": {"get-omits-externalid"},
	// A cursor page without itemsPerPage is a partial page without it.
	"RFC-CURSOR":          {"list-omits-paging-fields"},
	"RFC-CURSOR-INVALID":  {"bad-cursor-restarts"},
	"RFC-DELETE":          {"no-group-delete"},
	"RFC-DELETE-CONFLICT": {"deleted-username-reserved"},
	"RFC-DISCOVERY":       {"resourcetype-as-list"},
	"RFC-ERROR-BODY":      {"status-as-number"},
	// A value of the wrong type taken is a 201, not 400 invalidValue.
	"RFC-ERROR-SCIMTYPE": {"drop-wrong-types"},
	"RFC-ETAG":           {"ignore-if-match"},
	// The stale If-Match on DELETE; a stale meta.version used as If-Match.
	"RFC-ETAG-CONDITIONAL": {"ignore-if-match"},
	"RFC-ETAG-VERSION":     {"ignore-if-match"},
	"RFC-FILTER":           {"filter-ignores-not"},
	"RFC-FILTER-CASE":      {"filter-ignores-caseexact"},
	"RFC-FILTER-EMPTY":     {"empty-filter-404"},
	"RFC-FILTER-INVALID":   {"unknown-filter-attr-matches-nothing"},
	"RFC-GET":              {"get-omits-externalid"},
	"RFC-GROUP-MEMBERS":    {"user-groups-empty"},
	"RFC-HTTP-METHOD":      {"wrong-method-404"},
	// A 404 whose error body has "status" as a number is no SCIM error.
	"RFC-HTTP-STATUS":    {"status-as-number"},
	"RFC-MALFORMED":      {"drop-wrong-types"},
	"RFC-META":           {"lastmodified-frozen"},
	"RFC-MUTABILITY":     {"apply-readonly-groups", "put-refuses-readonly"},
	"RFC-PAGING":         {"paging-repeats"},
	"RFC-PAGING-MAX":     {"count-above-max-refused"},
	"RFC-PATCH":          {"patch-ignores-remove"},
	"RFC-PATCH-ATOMIC":   {"patch-half-applies"},
	"RFC-PATCH-NOTARGET": {"notarget-ignored"},
	"RFC-PATCH-PATHS":    {"patch-filter-hits-all"},
	"RFC-PROJECTION":     {"members-despite-excluded"},
	"RFC-REPLACE":        {"put-merges"},
	"RFC-RETURNED":       {"return-password"},
	"RFC-SCHEMAS":        {"accept-any-schemas"},
	"RFC-SEARCH":         {"search-ignores-attributes"},
	"RFC-SORT":           {"sort-ignores-order"},
	"RFC-UNIQUENESS":     {"duplicate-group-names"},

	"DT-OPS":                  {"no-group-delete"},
	"DT-AUTH":                 {"accept-any-auth-scheme"},
	"DT-AUTH-SCOPE":           {"token-opens-any-account"},
	"DT-TOKEN-CAP":            {"allow-11th-token"},
	"DT-TOKEN-ONCE":           {"show-token-values"},
	"DT-TOKEN-DESC":           {"token-description-frozen"},
	"DT-TOKEN-REVOKE":         {"keep-deleted-token"},
	"DT-DOMAIN-TXT":           {"txt-value-unchecked"},
	"DT-DOMAIN-MULTI":         {"parent-covers-subdomain"},
	"DT-DOMAIN-REQUIRED":      {"tokens-without-domain"},
	"DT-DOMAIN-SHARED":        {"domain-needs-txt-forever"},
	"DT-USER-EMAIL":           {"username-need-not-be-email"},
	"DT-USER-DOMAIN":          {"accept-unverified-domain"},
	"DT-USER-REQUIRED":        {"active-optional"},
	"DT-USER-EMAIL-IMMUTABLE": {"apply-username-change"},
	"DT-USER-DISABLE":         {"disabled-shown-active"},
	// The 404s after DELETE are SCIM errors, "status" a string.
	"DT-USER-DELETE":      {"status-as-number"},
	"DT-USER-REPROVISION": {"deleted-username-reserved"},
	"DT-USER-LIMIT":       {"ignore-user-limit"},
	"DT-GROUP-TYPE":       {"scim-groups-shown-local"},
	"DT-GROUP-LOCKED":     {"unlocked-scim-groups"},
	"DT-GROUP-UNIQUE":     {"duplicate-group-names", "scim-local-name-clash"},
	"DT-GROUP-NODESC":     {"keep-group-description"},
	"DT-GROUP-MEMBERS":    {"remove-wipes-members"},
	"DT-GROUP-PER-USER":   {"ignore-groups-per-user"},
	"DT-GROUP-LIMIT":      {"group-limit-ignores-local"},

	// The IdP rules: each switch breaks one behaviour the recorded Entra
	// ID or Okta traffic relies on; the refuse-* switches refuse one
	// dialect (schema quirk) the mock otherwise takes.
	"IDP-ENTRA-TEST-CONNECTION": {"empty-filter-404"},
	"IDP-ENTRA-USER-LIFECYCLE":  {"deleted-username-reserved"},
	"IDP-ENTRA-USER-UPDATE":     {"refuse-capitalized-ops"},
	"IDP-ENTRA-DISABLE":         {"refuse-string-booleans"},
	"IDP-ENTRA-OPTSCIM":         {"refuse-dotted-path-keys"},
	"IDP-ENTRA-GROUPS":          {"members-despite-excluded", "remove-wipes-members", "no-group-delete"},
	"IDP-OKTA-CONNECTOR-TEST":   {"list-omits-paging-fields"},
	"IDP-OKTA-USER-PUSH":        {"return-password"},
	"IDP-OKTA-USER-UPDATE":      {"put-refuses-readonly"},
	"IDP-OKTA-DEACTIVATE":       {"put-ignores-active"},
	"IDP-OKTA-GROUP-PUSH":       {"no-group-delete"},
	"IDP-OKTA-GROUP-RENAME":     {"refuse-id-in-patch-value"},
}

// crossEffects maps a switch to the rules it fails besides those it
// proves, and why: a switch breaks one behaviour, but specs of other rules
// may lean on that behaviour too (every spec that checks an error body
// fails when "status" is a number). Declared here rather than hidden, so a
// new, undeclared failure shows as UNEXPECTED in the kill matrix.
var crossEffects = map[string][]string{
	// The Table 9 spec also sends wrong "schemas". (RFC-MALFORMED failed
	// only while the switch dropped the connection on a body of null.)
	"accept-any-schemas": {"RFC-ERROR-SCIMTYPE"},
	// RFC 7644 section 3.4.2 requires itemsPerPage and startIndex on a
	// partial page, which the paging walk checks.
	"list-omits-paging-fields": {"RFC-PAGING"},
	// Every spec that checks an error body or a refusal with HaveSCIMError
	// reads "status" as a string.
	"status-as-number": {"DT-AUTH", "DT-DOMAIN-MULTI", "DT-DOMAIN-REQUIRED", "DT-DOMAIN-TXT", "DT-GROUP-LIMIT", "DT-GROUP-PER-USER", "DT-GROUP-UNIQUE", "DT-TOKEN-REVOKE", "DT-USER-DOMAIN", "DT-USER-EMAIL", "DT-USER-LIMIT", "DT-USER-REQUIRED", "RFC-AUTH", "RFC-BULK", "RFC-CONCURRENCY", "RFC-CURSOR-INVALID", "RFC-DELETE", "RFC-DISCOVERY", "RFC-ERROR-SCIMTYPE", "RFC-ETAG", "RFC-ETAG-CONDITIONAL", "RFC-ETAG-VERSION", "RFC-FILTER-INVALID", "RFC-MALFORMED", "RFC-MUTABILITY", "RFC-PATCH-ATOMIC", "RFC-PATCH-NOTARGET", "RFC-REPLACE", "RFC-SCHEMAS", "RFC-SEARCH", "RFC-UNIQUENESS"},
	// Specs check "a refused request created nothing" with a filter that
	// must answer an empty list.
	// The IdP sequences look a user or group up before creating it, and
	// Okta's user push expects the RFC's empty list (its reference also
	// takes a 404 there, so that lookup is a cross-effect, not a proof).
	"empty-filter-404": {"DT-AUTH", "DT-GROUP-LIMIT", "DT-GROUP-UNIQUE", "DT-USER-DELETE", "DT-USER-DISABLE", "DT-USER-DOMAIN", "DT-USER-EMAIL", "DT-USER-EMAIL-IMMUTABLE", "DT-USER-LIMIT", "DT-USER-REQUIRED", "IDP-ENTRA-GROUPS", "IDP-ENTRA-USER-LIFECYCLE", "IDP-OKTA-USER-PUSH", "RFC-AUTH", "RFC-BULK", "RFC-DELETE", "RFC-DISCOVERY", "RFC-ERROR-BODY", "RFC-FILTER", "RFC-FILTER-CASE", "RFC-HTTP-STATUS", "RFC-MALFORMED", "RFC-REPLACE"},
	// The media type is checked on GET and on bulk answers too.
	"json-content-type": {"RFC-BULK", "RFC-GET"},
	// Wrong schemes and revoked tokens are among RFC-AUTH's bad credentials.
	"accept-any-auth-scheme": {"RFC-AUTH"},
	"keep-deleted-token":     {"RFC-AUTH"},
	// The domain specs check that a user on a pending domain is refused.
	"accept-unverified-domain": {"DT-DOMAIN-MULTI", "DT-DOMAIN-TXT"},
	// DT-USER-DOMAIN refuses a subdomain of the verified domain.
	"parent-covers-subdomain": {"DT-USER-DOMAIN"},
	// RFC-DISCOVERY checks that what /Schemas declares required is.
	"active-optional": {"RFC-DISCOVERY"},
	// Specs labelled with two rules fail both.
	"duplicate-group-names": {"RFC-CONCURRENCY"}, // parallel creates of one group name
	"racy-uniqueness":       {"RFC-UNIQUENESS"},  // the losers of the race get 409 uniqueness
	"ignore-if-match":       {"RFC-CONCURRENCY"}, // parallel PUTs with one If-Match
	"lastmodified-frozen":   {"RFC-REPLACE"},     // lastModified moves on PUT
	"filter-ignores-not":    {"RFC-FILTER-CASE"}, // NOT in upper case
	// The spec naming every invalid filter's scimType has an unknown
	// attribute among them.
	"unknown-filter-attr-matches-nothing": {"RFC-ERROR-SCIMTYPE"},
	"notarget-ignored":                    {"RFC-ERROR-SCIMTYPE", "RFC-PATCH-ATOMIC"}, // remove without a path is 400 noTarget
	"patch-filter-hits-all":               {"RFC-PATCH-ATOMIC", "RFC-PATCH-NOTARGET"},
	"patch-ignores-remove":                {"RFC-PATCH-PATHS"},
	// POST .search answers like GET: projection, sorting and paging.
	"members-despite-excluded": {"RFC-SEARCH"},
	"sort-ignores-order":       {"RFC-SEARCH"},
	"paging-repeats":           {"RFC-SEARCH", "RFC-SORT"},
	// The group limit spec deletes a group to make room.
	"no-group-delete": {"DT-GROUP-LIMIT"},

	// Entra ID reads a user back by id and compares its externalId.
	"get-omits-externalid": {"IDP-ENTRA-USER-LIFECYCLE", "IDP-ENTRA-USER-UPDATE"},
	// Entra ID's default traffic capitalises every op: disable and the
	// group member updates too.
	"refuse-capitalized-ops": {"IDP-ENTRA-DISABLE", "IDP-ENTRA-GROUPS"},
	// RFC-REPLACE shares the spec that sends id and meta in a PUT, and
	// Okta's deactivation by PUT carries id, meta and groups too.
	"put-refuses-readonly": {"IDP-OKTA-DEACTIVATE", "RFC-REPLACE"},
	// DT-USER-DISABLE disables a user through PUT too.
	"put-ignores-active": {"DT-USER-DISABLE"},
}

// SwitchesByRule maps every rule ID that has switches to its switches, for
// the reports (reports.Options.Switches).
func SwitchesByRule() map[string][]string {
	out := make(map[string][]string, len(proofs))
	for id, sw := range proofs {
		out[id] = slices.Clone(sw)
	}
	return out
}

// CrossEffects maps a switch to the rules it is declared to fail besides
// the rules it proves.
func CrossEffects() map[string][]string {
	out := make(map[string][]string, len(crossEffects))
	for sw, ids := range crossEffects {
		out[sw] = slices.Clone(ids)
	}
	return out
}

// Switches lists every switch the catalogue names (as a proof or with
// cross-effects), sorted.
func Switches() []string {
	set := map[string]bool{}
	for _, sw := range proofs {
		for _, s := range sw {
			set[s] = true
		}
	}
	for s := range crossEffects {
		set[s] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// Expected returns, for one switch, the rules it proves (must fail) and
// the rules it may fail as declared cross-effects.
func Expected(sw string) (proves, cross []string) {
	for _, id := range slices.Sorted(maps.Keys(proofs)) {
		if slices.Contains(proofs[id], sw) {
			proves = append(proves, id)
		}
	}
	return proves, slices.Clone(crossEffects[sw])
}
