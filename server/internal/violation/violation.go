// Package violation owns the mock's violation switches: named, deliberate
// faults, each of which breaks exactly one behaviour of the mock. They exist
// to prove the conformance suites: a suite run against the mock with a
// switch on must fail (`make sensitivity`), or the specs could not catch a
// server that breaks that behaviour.
//
// The package knows the switches' names and what each breaks, and nothing of
// the rule catalogue: which rule a switch proves is recorded in the
// catalogue, never here, so the mock stays ignorant of the tests that judge
// it.
//
// A switch is a typed value (Switch): a misspelt switch does not compile. A
// Set is the run-time state: which switches are on. It is safe for
// concurrent use and may change while the mock serves requests (the
// management API turns switches on and off); a nil *Set has every switch
// off.
package violation

import (
	"fmt"

	"github.com/scimconf/scimconf/server/internal/dynatrace/mgmt"
	"github.com/scimconf/scimconf/server/internal/switchset"
)

// Switch is one violation switch.
type Switch uint8

// The switches, grouped by the layer whose behaviour each breaks.
const (
	// Authentication: the HTTP layer's middleware and Config.Opens (http.go).
	NoWWWAuthenticate Switch = iota + 1
	AcceptAnyAuthScheme
	TokenOpensAnyAccount

	// Wire format and routing: middleware around the SCIM handler (http.go).
	StatusAsNumber
	JSONContentType
	WrongMethod404
	CreateNoLocation
	ResourcetypeAsList
	NoGroupDelete
	ListOmitsPagingFields

	// IdP dialects, through the HTTP layer's Config.Refuse (http.go): each
	// refuses one non-RFC shape an identity provider sends, which the mock
	// otherwise accepts.
	RefuseCapitalizedOps
	RefuseStringBooleans
	RefuseDottedPathKeys
	RefuseIDInPatchValue

	// Service provider: a store and a policy decorator, the required check,
	// and a broken proxy in front of the SCIM handler (provider*.go).
	GetOmitsExternalid
	LastmodifiedFrozen
	PutMerges
	PutRefusesReadonly
	PutIgnoresActive
	DropWrongTypes
	AcceptAnySchemas
	ApplyReadonlyGroups
	ReturnPassword
	MembersDespiteExcluded
	UserGroupsEmpty
	EmptyFilter404
	UnknownFilterAttrMatchesNothing
	FilterIgnoresNot
	FilterIgnoresCaseexact
	PagingRepeats
	CountAboveMaxRefused
	SortIgnoresOrder
	SearchIgnoresAttributes
	BadCursorRestarts
	BulkIgnoresFailOnErrors
	PatchHalfApplies
	NotargetIgnored
	PatchFilterHitsAll
	PatchIgnoresRemove
	RemoveWipesMembers
	IgnoreIfMatch

	// Store: its limits and uniqueness seams and a decorator (store.go).
	RacyUniqueness
	DuplicateGroupNames
	DeletedUsernameReserved
	IgnoreUserLimit
	IgnoreGroupsPerUser

	// Dynatrace policy: wrappers of its user, domain and group rules
	// (dynatrace.go).
	AcceptUnverifiedDomain
	UsernameNeedNotBeEmail
	ApplyUsernameChange
	ActiveOptional
	KeepGroupDescription
	SCIMLocalNameClash
	GroupLimitIgnoresLocal

	// Account model: its options and a token decorator (account.go).
	Allow11thToken
	ShowTokenValues
	TokenDescriptionFrozen
	KeepDeletedToken
	TXTValueUnchecked
	ParentCoversSubdomain
	TokensWithoutDomain
	DomainNeedsTXTForever

	// Management API: middleware rewriting its answers (mgmt.go).
	SCIMGroupsShownLocal
	UnlockedSCIMGroups
	DisabledShownActive

	numSwitches = iota + 1
)

// Info describes a switch as the management API and the CLI list it.
type Info struct {
	// Name is the switch's kebab-case name, e.g. "ignore-if-match".
	Name string `json:"name"`
	// Description says, in one line, what the mock does wrong with the
	// switch on.
	Description string `json:"description"`
}

var infos = [numSwitches]Info{
	// Authentication (package server).
	NoWWWAuthenticate:    {"no-www-authenticate", "401 answers carry no WWW-Authenticate header"},
	AcceptAnyAuthScheme:  {"accept-any-auth-scheme", "the SCIM token is accepted after any scheme word (Token, Basic, ...) or none, not only Bearer"},
	TokenOpensAnyAccount: {"token-opens-any-account", "a SCIM token opens every account's endpoint, not only its own"},

	// HTTP layer (package server).
	StatusAsNumber:        {"status-as-number", "error bodies carry \"status\" as a JSON number instead of a string"},
	JSONContentType:       {"json-content-type", "responses are sent as application/json instead of application/scim+json"},
	WrongMethod404:        {"wrong-method-404", "a method an endpoint does not take answers 404 instead of 405"},
	CreateNoLocation:      {"create-no-location", "201 Created answers carry no Location header"},
	ResourcetypeAsList:    {"resourcetype-as-list", "GET /ResourceTypes/{id} answers a ListResponse instead of the one resource type"},
	NoGroupDelete:         {"no-group-delete", "DELETE /Groups/{id} answers 405: groups cannot be deleted"},
	ListOmitsPagingFields: {"list-omits-paging-fields", "query answers (ListResponse) leave out itemsPerPage and startIndex"},

	// IdP dialects (package server sets them on the request's
	// schema.Dialect): each refuses one non-RFC shape an identity
	// provider sends, which the mock otherwise accepts.
	RefuseCapitalizedOps: {"refuse-capitalized-ops", "a PATCH op written with capitals (\"Replace\", \"Add\", \"Remove\": Entra ID's default) is refused instead of accepted"},
	RefuseStringBooleans: {"refuse-string-booleans", "\"True\"/\"False\" strings for a boolean attribute (Entra ID's default) are refused instead of read as booleans"},
	RefuseDottedPathKeys: {"refuse-dotted-path-keys", "a path-less PATCH value whose keys are attribute paths (\"name.givenName\": Entra ID's aadOptscim062020) is refused instead of applied"},
	RefuseIDInPatchValue: {"refuse-id-in-patch-value", "a path-less PATCH value holding the resource's own id (Okta's group rename) is refused instead of the id being ignored"},

	// Service provider (package provider).
	GetOmitsExternalid:              {"get-omits-externalid", "GET by id leaves externalId out of the resource"},
	LastmodifiedFrozen:              {"lastmodified-frozen", "meta.lastModified always shows the creation time"},
	PutMerges:                       {"put-merges", "PUT merges into the resource: attributes left out of the request are kept"},
	PutRefusesReadonly:              {"put-refuses-readonly", "a PUT carrying readOnly attributes (id, meta, groups) is refused with 400 mutability instead of ignoring them"},
	PutIgnoresActive:                {"put-ignores-active", "a PUT keeps the User's current active, whatever the body says"},
	DropWrongTypes:                  {"drop-wrong-types", "an attribute whose value has the wrong JSON type is silently dropped instead of refused"},
	AcceptAnySchemas:                {"accept-any-schemas", "a resource body's \"schemas\" is not checked: an empty, malformed or wrong list is read as the resource type's own schemas"},
	ApplyReadonlyGroups:             {"apply-readonly-groups", "groups sent on a new User are applied (the User joins them) although groups is readOnly"},
	ReturnPassword:                  {"return-password", "the password is returned in responses although it is returned \"never\""},
	MembersDespiteExcluded:          {"members-despite-excluded", "excludedAttributes=members still returns a Group's members"},
	UserGroupsEmpty:                 {"user-groups-empty", "a User's groups attribute is never filled in"},
	EmptyFilter404:                  {"empty-filter-404", "a query whose filter matches nothing answers 404 instead of an empty ListResponse"},
	UnknownFilterAttrMatchesNothing: {"unknown-filter-attr-matches-nothing", "a filter on an attribute the schema lacks matches nothing instead of failing with invalidFilter"},
	FilterIgnoresNot:                {"filter-ignores-not", "the filter operator not is ignored: not (x) selects what x selects"},
	FilterIgnoresCaseexact:          {"filter-ignores-caseexact", "filters compare every string case-insensitively, caseExact attributes (id, externalId) included"},
	PagingRepeats:                   {"paging-repeats", "every page after the first starts one item early, repeating the previous page's last item"},
	CountAboveMaxRefused:            {"count-above-max-refused", "a count above maxResults is refused with 400 tooMany instead of capped"},
	SortIgnoresOrder:                {"sort-ignores-order", "sortOrder=descending is ignored: results come in ascending order"},
	SearchIgnoresAttributes:         {"search-ignores-attributes", "POST .search ignores attributes and excludedAttributes in the SearchRequest"},
	BadCursorRestarts:               {"bad-cursor-restarts", "an unknown or tampered cursor restarts at the first page instead of 400 invalidCursor"},
	BulkIgnoresFailOnErrors:         {"bulk-ignores-fail-on-errors", "Bulk runs every operation whatever failOnErrors says"},
	PatchHalfApplies:                {"patch-half-applies", "a PATCH whose later operation fails keeps the operations before it"},
	NotargetIgnored:                 {"notarget-ignored", "a PATCH operation that matches nothing (noTarget) is skipped and the PATCH succeeds"},
	PatchFilterHitsAll:              {"patch-filter-hits-all", "a PATCH path with a value filter (emails[type eq \"work\"].value) changes every value of the attribute"},
	PatchIgnoresRemove:              {"patch-ignores-remove", "PATCH remove operations on attributes other than members succeed but change nothing"},
	RemoveWipesMembers:              {"remove-wipes-members", "a PATCH remove of members with a value list removes every member"},
	IgnoreIfMatch:                   {"ignore-if-match", "If-Match is ignored: a stale version does not stop PUT, PATCH or DELETE"},

	// Store (package store).
	RacyUniqueness:          {"racy-uniqueness", "the uniqueness check and the insert of a create are not atomic: parallel creates of one name all succeed"},
	DuplicateGroupNames:     {"duplicate-group-names", "two SCIM groups may share a displayName"},
	DeletedUsernameReserved: {"deleted-username-reserved", "a deleted User's userName (and a deleted Group's displayName) stays taken: provisioning it again is 409"},
	IgnoreUserLimit:         {"ignore-user-limit", "the account's maxUsers is not enforced"},
	IgnoreGroupsPerUser:     {"ignore-groups-per-user", "the account's maxGroupsPerUser is not enforced"},

	// Dynatrace policy (package dynatrace).
	AcceptUnverifiedDomain: {"accept-unverified-domain", "a userName on a domain that is not verified in the account is accepted"},
	UsernameNeedNotBeEmail: {"username-need-not-be-email", "a userName that is not an email address is accepted"},
	ApplyUsernameChange:    {"apply-username-change", "a userName change by PUT or PATCH is applied instead of ignored"},
	ActiveOptional:         {"active-optional", "a User without active is accepted"},
	KeepGroupDescription:   {"keep-group-description", "a Group description sent by SCIM is stored and returned"},
	SCIMLocalNameClash:     {"scim-local-name-clash", "a SCIM group may take the name of a LOCAL group"},
	GroupLimitIgnoresLocal: {"group-limit-ignores-local", "LOCAL groups do not count towards maxGroups when SCIM creates a group"},

	// Account model (package account).
	Allow11thToken:         {"allow-11th-token", "an account may hold 11 SCIM tokens instead of 10"},
	ShowTokenValues:        {"show-token-values", "token lists and reads show each token's value"},
	TokenDescriptionFrozen: {"token-description-frozen", "editing a token's description answers success but keeps the old one"},
	KeepDeletedToken:       {"keep-deleted-token", "a deleted SCIM token keeps working"},
	TXTValueUnchecked:      {"txt-value-unchecked", "any TXT record at the domain's name verifies it, whatever its value"},
	ParentCoversSubdomain:  {"parent-covers-subdomain", "a verified domain also verifies its subdomains for userNames"},
	TokensWithoutDomain:    {"tokens-without-domain", "SCIM tokens are generated and work in an account without a verified domain"},
	DomainNeedsTXTForever:  {"domain-needs-txt-forever", "a verified domain stops serving SCIM once its TXT record is removed"},

	// Management API (package mgmt).
	SCIMGroupsShownLocal: {"scim-groups-shown-local", "account management shows SCIM groups as type LOCAL"},
	UnlockedSCIMGroups:   {"unlocked-scim-groups", "account management may rename and delete SCIM groups"},
	DisabledShownActive:  {"disabled-shown-active", "account management shows disabled users as ACTIVE"},
}

// table names the switches; Set, New, Parse and the lookups below are
// package switchset's, which the variant switches share.
var table = switchset.NewTable[Switch]("violation switch", infoNames(infos[:]))

func infoNames(infos []Info) []string {
	out := make([]string, len(infos))
	for i, in := range infos {
		out[i] = in.Name
	}
	return out
}

// String is the switch's kebab-case name.
func (s Switch) String() string { return table.Name(s) }

// Info returns the switch's name and description.
func (s Switch) Info() Info { return infos[s] }

// All returns every switch, sorted by name.
func All() []Switch { return table.All() }

// Known returns every switch's name and description, sorted by name.
func Known() []Info {
	all := All()
	out := make([]Info, len(all))
	for i, s := range all {
		out[i] = s.Info()
	}
	return out
}

// Names returns the names of every known switch, sorted.
func Names() []string { return table.Names() }

// Lookup returns the switch with the given name.
func Lookup(name string) (Switch, bool) { return table.Lookup(name) }

// Unknown is the error for a name that is no switch: it lists the known
// ones.
func Unknown(name string) error { return table.Unknown(name) }

// UnknownError is the error for a name that is no switch.
type UnknownError = switchset.UnknownError

// Set is the set of switches that are on. A nil *Set has every switch
// off and cannot be changed; On is one atomic load.
type Set = switchset.Set[Switch]

// New returns a Set with the named switches on. An unknown name is an
// error that lists the known ones; nothing is turned on then.
func New(names ...string) (*Set, error) { return table.NewSet(names...) }

// Parse splits a comma-separated list of switch names ("a,b" or "a, b"),
// as --violate and SCIMCONF_VIOLATE give them; empty items are skipped.
func Parse(list string) []string { return switchset.Parse(list) }

// State is a switch with whether it is on, as List reports it.
type State struct {
	Info
	On bool `json:"on"`
}

// List returns every known switch with its state in s, sorted by name.
func List(s *Set) []State {
	all := All()
	out := make([]State, len(all))
	for i, sw := range all {
		out[i] = State{Info: sw.Info(), On: s.On(sw)}
	}
	return out
}

// API adapts a Set to the management API's switch endpoints
// (mgmt.Switches), so that the API lists and turns switches without
// knowing this package.
type API struct{ Set *Set }

// Violations lists every switch with its state, sorted by name.
func (a API) Violations() []mgmt.Violation {
	list := List(a.Set)
	out := make([]mgmt.Violation, len(list))
	for i, st := range list {
		out[i] = mgmt.Violation{Name: st.Name, Description: st.Description, On: st.On}
	}
	return out
}

// SetViolation turns the named switch on or off.
func (a API) SetViolation(name string, on bool) (mgmt.Violation, error) {
	sw, ok := Lookup(name)
	if !ok {
		return mgmt.Violation{}, fmt.Errorf("%w: %w", mgmt.ErrUnknownViolation, Unknown(name))
	}
	turn := a.Set.Disable
	if on {
		turn = a.Set.Enable
	}
	if err := turn(name); err != nil {
		return mgmt.Violation{}, err
	}
	return mgmt.Violation{Name: sw.String(), Description: sw.Info().Description, On: a.Set.On(sw)}, nil
}
