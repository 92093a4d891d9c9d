// Package catalogue is the rule catalogue: data both the harness and the
// mock read. It owns every rule a conformance run checks, with its ID, level
// (MUST, SHOULD, MAY), source (RFC section or section of Dynatrace's SCIM
// page), profile and one-line summary, and the violation switches that prove
// each rule. Specs in the profile suites carry rule IDs as Ginkgo labels; the
// suites fail when a rule has no spec or a spec names no known rule, and
// suites/RULES.md, generated from this package, is checked in and kept fresh
// by a test.
//
// It holds data only; it knows nothing of HTTP, of the suites, of the
// reports or of the mock, so any of them may import it.
package catalogue

import (
	"slices"
	"strings"
)

// Level is a requirement level (RFC 2119).
type Level string

const (
	Must   Level = "MUST"
	Should Level = "SHOULD"
	May    Level = "MAY"
)

// Profile names a suite: "rfc", "dynatrace" or "idp".
type Profile string

const (
	RFC       Profile = "rfc"
	Dynatrace Profile = "dynatrace"
	IdP       Profile = "idp"
)

// Rule is one checked behaviour.
type Rule struct {
	ID      string
	Profile Profile
	Level   Level
	// Source is where the rule comes from: "RFC 7644 3.4.2.2", or a section
	// of Dynatrace's SCIM page ("seed: SCIM notice and limitations").
	Source  string
	Summary string
	// Quotes are the sentences of the source the rule enforces, word for
	// word, each naming where it stands. The level rests on them: a MUST
	// rule quotes a MUST, SHALL or REQUIRED (or, for the Dynatrace seed, a
	// plain word of obligation, see SeedObligationWords). Filled in from
	// quotes (quotes.go).
	Quotes []Quote
	// Switches are the mock's violation switches that prove the rule: with
	// any one of them on, the rule's specs fail (make sensitivity checks
	// it). Filled in from proofs (switches.go).
	Switches []string
}

// URL links a rule's source for humans, or "" when it has no public
// anchor.
func (r Rule) URL() string {
	if u, ok := idpSources[r.Source]; ok {
		return u
	}
	if strings.HasPrefix(r.Source, "seed:") {
		return "https://docs.dynatrace.com/docs/manage/identity-access-management/user-and-group-management/access-scim"
	}
	f := strings.Fields(r.Source) // "RFC", "7644", "3.4.2.2"
	if len(f) != 3 || f[0] != "RFC" {
		return ""
	}
	return "https://www.rfc-editor.org/rfc/rfc" + f[1] + "#section-" + f[2]
}

// All returns the catalogue, ordered by profile then ID.
func All() []Rule {
	out := make([]Rule, len(catalogue))
	for i, e := range catalogue {
		out[i] = e.rule()
	}
	slices.SortStableFunc(out, func(a, b Rule) int {
		if c := strings.Compare(profileOrder(a.Profile), profileOrder(b.Profile)); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

func profileOrder(p Profile) string {
	switch p {
	case RFC:
		return "0"
	case Dynatrace:
		return "1"
	}
	return "2" + string(p)
}

// ByID returns the rule with the given ID.
func ByID(id string) (Rule, bool) {
	for _, e := range catalogue {
		if e.ID == id {
			return e.rule(), true
		}
	}
	return Rule{}, false
}

// Profiles lists the profiles that have rules.
func Profiles() []Profile { return []Profile{RFC, Dynatrace, IdP} }

const seedReq = "seed: SCIM requirements and supported features"
const seedLimits = "seed: SCIM notice and limitations"
const seedDomain = "seed: Verify your ownership of the domain"
const seedToken = "seed: Get Dynatrace SCIM endpoint and create secret token"
const seedFAQ = "seed: FAQ"
const seedBenefits = "seed: Benefits of using SCIM with Dynatrace SSO"

var catalogue = []entry{
	// RFC 7643 / 7644 (profile rfc).
	{"RFC-AUTH", RFC, Must, "RFC 7644 2", "a request without valid credentials (missing, malformed, wrong scheme, revoked token) is refused with 401"},
	{"RFC-BULK", RFC, Must, "RFC 7644 3.7", "when bulk is declared supported: operations run with bulkId references (forward too), failOnErrors stops processing, limits give 413"},
	{"RFC-CONCURRENCY", RFC, Must, "RFC 7644 3.3", "parallel creates of one unique userName give exactly one 201, the rest 409 uniqueness"},
	{"RFC-CONTENT-TYPE", RFC, Must, "RFC 7644 3.1", "responses with a body are application/scim+json; requests in application/scim+json are accepted"},
	{"RFC-CREATE", RFC, Must, "RFC 7644 3.3", "POST creates a resource: 201, a Location header equal to meta.location"},
	{"RFC-CREATE-BODY", RFC, Should, "RFC 7644 3.3", "the 201's body is the created resource as the server serves it: id, schemas, meta.resourceType and the attributes sent"},
	{"RFC-CURSOR", RFC, Must, "RFC 9865 2", "when cursor paging is declared: cursor/nextCursor walk every result once; a partial page carries itemsPerPage"},
	{"RFC-CURSOR-INVALID", RFC, Should, "RFC 9865 2", "when cursor paging is declared: a cursor the server cannot use is 400 invalidCursor"},
	{"RFC-DELETE", RFC, Must, "RFC 7644 3.6", "DELETE answers 204 and the resource is gone (404 after)"},
	{"RFC-DELETE-CONFLICT", RFC, Should, "RFC 7644 3.6", "after DELETE, the resource's name (userName, Group displayName) can be used again (no 409)"},
	{"RFC-DISCOVERY", RFC, Must, "RFC 7644 4", "/ServiceProviderConfig, /ResourceTypes and /Schemas answer with documents of their schemas, describing User and Group"},
	{"RFC-ERROR-BODY", RFC, Must, "RFC 7644 3.12", "error responses carry the Error schema and status as a string equal to the HTTP status"},
	{"RFC-ERROR-SCIMTYPE", RFC, May, "RFC 7644 3.12", "where no MUST names them: a malformed or invalid request is 400 with the Table 9 scimType that describes it (invalidSyntax, invalidValue, invalidFilter, noTarget; mutability for an immutable value changed by PUT)"},
	{"RFC-ETAG", RFC, Must, "RFC 7644 3.14", "when etag is declared: resource answers carry an ETag, new on each change; a stale If-Match on PUT or PATCH gives 412"},
	{"RFC-ETAG-CONDITIONAL", RFC, May, "RFC 7644 3.14", "when etag is declared: a current If-None-Match gives 304 with no body; a stale If-Match on DELETE gives 412"},
	{"RFC-ETAG-VERSION", RFC, Should, "RFC 7644 3.14", "when etag is declared: meta.version equals the ETag header and works as one in If-Match"},
	{"RFC-FILTER", RFC, Must, "RFC 7644 3.4.2.2", "every filter operator, and/or/not, grouping and value paths select exactly the matching resources"},
	{"RFC-FILTER-CASE", RFC, Must, "RFC 7644 3.4.2.2", "attribute names and operators are case-insensitive; string comparison honours caseExact"},
	{"RFC-FILTER-EMPTY", RFC, Must, "RFC 7644 3.4.2", "a filter that matches nothing answers 200 with totalResults 0, never 404"},
	{"RFC-FILTER-INVALID", RFC, Must, "RFC 7644 3.4.2.2", "an invalid filter (syntax or unknown attribute) is refused with a SCIM error; an unrecognised operator with 400 invalidFilter"},
	{"RFC-GET", RFC, Must, "RFC 7644 3.4.1", "GET by id returns the resource as created"},
	{"RFC-GROUP-MEMBERS", RFC, Must, "RFC 7643 4.2", "group members can be set, added and removed; the member User's groups attribute reflects it"},
	{"RFC-HTTP-METHOD", RFC, May, "RFC 7644 3.12", "a method an endpoint lacks answers 405 with an Allow header, or 501"},
	{"RFC-HTTP-STATUS", RFC, Should, "RFC 7644 3.12", "an unknown resource or endpoint answers 404 with a SCIM error; a method the endpoint lacks answers a SCIM error (4xx or 501)"},
	{"RFC-MALFORMED", RFC, Must, "RFC 7644 3.12", "a malformed JSON body or a value of the wrong type is refused with a SCIM error and changes nothing"},
	{"RFC-META", RFC, Must, "RFC 7643 3.1", "meta holds resourceType, created, lastModified and an absolute location; lastModified moves on change"},
	{"RFC-MUTABILITY", RFC, Must, "RFC 7643 2.2", "readOnly values sent by the client are ignored; an immutable value is never changed"},
	{"RFC-PAGING", RFC, Must, "RFC 7644 3.4.2.4", "startIndex and count page the results without gaps or duplicates; totals are stable; count=0 and startIndex<1 behave as the RFC says"},
	{"RFC-PAGING-MAX", RFC, May, "RFC 7644 3.4.2.4", "a count above the declared maxResults is capped, not refused"},
	{"RFC-PATCH", RFC, Must, "RFC 7644 3.5.2", "when patch is declared: add, replace and remove work on simple, complex and multi-valued attributes; the answer is 200 with the resource or 204"},
	{"RFC-PATCH-ATOMIC", RFC, Must, "RFC 7644 3.5.2", "a PATCH whose operation fails changes nothing"},
	{"RFC-PATCH-NOTARGET", RFC, Must, "RFC 7644 3.5.2", "a replace with a value filter that matches nothing answers 400 noTarget; remove without a path fails with a SCIM error"},
	{"RFC-PATCH-PATHS", RFC, Must, "RFC 7644 3.5.2", "PATCH paths with value filters and sub-attributes target exactly the matched values"},
	{"RFC-PROJECTION", RFC, Must, "RFC 7644 3.9", "attributes and excludedAttributes select what is returned; id and schemas are always returned"},
	{"RFC-REPLACE", RFC, Must, "RFC 7644 3.5.1", "PUT replaces the resource's attributes and returns it"},
	{"RFC-RETURNED", RFC, Must, "RFC 7643 7", "returned characteristics hold: never-returned values (password) never appear, always-returned ones (id) always do"},
	{"RFC-SCHEMAS", RFC, May, "RFC 7643 3", "a resource body whose \"schemas\" is empty, not an array, or names another resource type's schema is refused with a SCIM error and changes nothing (the RFC puts its MUST on the representation, not on a refusal, so this is advisory)"},
	{"RFC-SEARCH", RFC, May, "RFC 7644 3.4.3", "where POST /.search is offered: a SearchRequest answers like the equivalent GET"},
	{"RFC-SORT", RFC, Must, "RFC 7644 3.4.2.3", "when sort is declared: sortBy and sortOrder order the results; when not declared, sortBy is refused or ignored cleanly"},
	{"RFC-UNIQUENESS", RFC, Must, "RFC 7644 3.3", "creating a resource with a userName (or group displayName) already in use answers 409 uniqueness; a PUT onto one is refused (409 or 400)"},

	// Dynatrace's SCIM page (profile dynatrace).
	{"DT-OPS", Dynatrace, Must, seedReq, "GET, POST, PATCH, PUT and DELETE work for both User and Group"},
	{"DT-AUTH", Dynatrace, Must, seedReq, "only Authorization: Bearer <token> is accepted; anything else is 401 with a SCIM error body"},
	{"DT-AUTH-SCOPE", Dynatrace, Should, seedReq, "a SCIM token opens only its own account"},
	{"DT-TOKEN-CAP", Dynatrace, Must, seedFAQ, "at most 10 SCIM tokens per account; the 11th is refused until one is deleted"},
	{"DT-TOKEN-ONCE", Dynatrace, Must, seedToken, "a token's value is shown only at generation, never listed"},
	{"DT-TOKEN-DESC", Dynatrace, Must, seedToken, "a token takes an optional description at generation, editable later"},
	{"DT-TOKEN-REVOKE", Dynatrace, Should, seedToken, "a deleted token stops working at once"},
	{"DT-DOMAIN-TXT", Dynatrace, Must, seedDomain, "a domain stays pending until its DNS TXT record is found; verification can be retried"},
	{"DT-DOMAIN-MULTI", Dynatrace, Must, seedDomain, "several domains verify in parallel; a subdomain is a domain of its own"},
	{"DT-DOMAIN-REQUIRED", Dynatrace, Must, seedReq, "SCIM needs at least one verified domain in the account"},
	{"DT-DOMAIN-SHARED", Dynatrace, Must, seedDomain, "a domain verified once (e.g. for SAML) is valid for SCIM"},
	{"DT-USER-EMAIL", Dynatrace, Must, seedReq, "userName must be an email address"},
	{"DT-USER-DOMAIN", Dynatrace, Must, seedLimits, "a user whose userName domain is not verified in the account is rejected"},
	{"DT-USER-REQUIRED", Dynatrace, Must, seedReq, "name.givenName, name.familyName and active are required"},
	{"DT-USER-EMAIL-IMMUTABLE", Dynatrace, Must, seedFAQ, "a userName change by PUT or PATCH is ignored: the request succeeds and userName stays"},
	{"DT-USER-DISABLE", Dynatrace, Must, seedBenefits, "active=false disables the user; disabled users are still returned by GET and filters"},
	{"DT-USER-DELETE", Dynatrace, Must, seedBenefits, "DELETE removes the user (404 after, a SCIM error)"},
	{"DT-USER-REPROVISION", Dynatrace, Should, "RFC 7644 3.6", "after DELETE, the same userName can be provisioned again (no 409)"},
	{"DT-USER-LIMIT", Dynatrace, Must, seedLimits, "no user is created beyond the account's maximum number of users"},
	{"DT-GROUP-TYPE", Dynatrace, Must, seedBenefits, "groups created by SCIM are of type SCIM in account management"},
	{"DT-GROUP-LOCKED", Dynatrace, Must, seedLimits, "SCIM groups cannot be modified or removed through account management; permissions can still be assigned"},
	{"DT-GROUP-UNIQUE", Dynatrace, Must, seedFAQ, "group names are unique in the account, also against LOCAL groups: 409 uniqueness on create, 409 or 400 on rename"},
	{"DT-GROUP-NODESC", Dynatrace, Must, seedFAQ, "a group description cannot be set by SCIM"},
	{"DT-GROUP-MEMBERS", Dynatrace, Must, seedBenefits, "group membership mirrors the IdP: add, remove, replace"},
	{"DT-GROUP-PER-USER", Dynatrace, Must, seedLimits, "no user is added to more groups than the per-user maximum"},
	{"DT-GROUP-LIMIT", Dynatrace, Should, seedLimits, "no group is created beyond the account's maximum number of groups"},

	// What Entra ID and Okta send (profile idp): interoperability, hence
	// SHOULD. The sequences are in fixtures/idp, each step citing its page.
	{"IDP-ENTRA-TEST-CONNECTION", IdP, Should, entraTutorial, "Test Connection's random-GUID user and group lookups (filter with '+' for spaces) answer 200 with an empty list, never 404"},
	{"IDP-ENTRA-USER-LIFECYCLE", IdP, Should, entraTutorial, "Entra's user create, get, match by userName eq and externalId eq, delete (404 after) and re-create work"},
	{"IDP-ENTRA-USER-UPDATE", IdP, Should, entraTutorial, "user updates with Entra's capitalised ops (Replace, Add), one attribute per operation, apply"},
	{"IDP-ENTRA-DISABLE", IdP, Should, entraCompliance, "disabling with \"False\" as a string or false as a boolean sets active to false and the user stays visible; \"True\"/true restores it"},
	{"IDP-ENTRA-OPTSCIM", IdP, Should, entraCompliance, "the aadOptscim062020 forms apply: a path-less replace with dotted keys, lower-case ops, member removal by members[value eq \"...\"]"},
	{"IDP-ENTRA-GROUPS", IdP, Should, entraTutorial, "groups created with the Microsoft group schema URI, found by displayName with excludedAttributes=members (no members returned), members added and removed (value array and value filter), renamed and deleted"},
	{"IDP-OKTA-CONNECTOR-TEST", IdP, Should, oktaTests, "GET /Users?startIndex=1&count=2 and GET /Groups?startIndex=1&count=100 answer ListResponses with integer counts"},
	{"IDP-OKTA-USER-PUSH", IdP, Should, oktaReference, "Okta's user push works: lookup by userName eq, create with password and groups: [], a duplicate create is 409"},
	{"IDP-OKTA-USER-UPDATE", IdP, Should, oktaReference, "a GET followed by a full PUT carrying id and meta updates the user"},
	{"IDP-OKTA-DEACTIVATE", IdP, Should, oktaReference, "deactivation by a path-less PATCH replace of {\"active\":false} and by PUT, and reactivation, work; the user stays visible"},
	{"IDP-OKTA-GROUP-PUSH", IdP, Should, oktaReference, "Group Push works: create with members: [], replace the members, remove one and add one in one PATCH, delete"},
	{"IDP-OKTA-GROUP-RENAME", IdP, Should, oktaReference, "Okta's group rename, a path-less replace whose value holds the group's own id, renames the group"},
}

// Sources of the idp rules: the documentation pages the sequences in
// fixtures/idp are copied from.
const (
	entraTutorial   = "Microsoft Learn: Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID"
	entraCompliance = "Microsoft Learn: Known issues and resolutions with SCIM 2.0 protocol compliance (aadOptscim062020)"
	oktaReference   = "Okta: SCIM 2.0 Protocol Reference"
	oktaTests       = "Okta: SCIM 2.0 Tests (Runscope), Test API Credentials"
)

var idpSources = map[string]string{
	entraTutorial:   "https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups",
	entraCompliance: "https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility",
	oktaReference:   "https://developer.okta.com/docs/reference/scim/scim-20/",
	oktaTests:       "https://github.com/joelfranusic-okta/okta-scim-beta/blob/master/SCIM_tests_for_Runscope.json",
}
