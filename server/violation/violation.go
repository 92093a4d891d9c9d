// Package violation owns the mock's violation switches: named, deliberate
// faults, each of which breaks exactly one behaviour of the mock in the
// narrowest place that behaviour lives. They exist to prove the conformance
// suites: a suite run against the mock with a switch on must fail (`make
// sensitivity`), or the specs could not catch a server that breaks that
// behaviour.
//
// The package knows the switches' names and what each breaks, and nothing of
// the rule catalogue: which rule a switch proves is recorded in suites/rules,
// never here, so the mock stays ignorant of the tests that judge it.
//
// A Set is the run-time state: which switches are on. It is safe for
// concurrent use and may change while the mock serves requests (the
// management API turns switches on and off). The packages that host a
// behaviour hold the *Set and ask On at the moment the behaviour happens; a
// nil *Set has every switch off, so code paths without one cost nothing.
package violation

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Switch is one violation switch.
type Switch struct {
	// Name is the switch's kebab-case name, e.g. "ignore-if-match".
	Name string `json:"name"`
	// Description says, in one line, what the mock does wrong with the
	// switch on.
	Description string `json:"description"`
}

// Known returns every switch the mock has, sorted by name. Each entry names
// the one behaviour it breaks; the comment beside the code that applies it
// names the switch.
func Known() []Switch {
	all := []Switch{
		// Authentication (package server).
		{"no-www-authenticate", "401 answers carry no WWW-Authenticate header"},
		{"accept-any-auth-scheme", "the SCIM token is accepted after any scheme word (Token, Basic, ...) or none, not only Bearer"},
		{"token-opens-any-account", "a SCIM token opens every account's endpoint, not only its own"},

		// HTTP layer (package server).
		{"status-as-number", "error bodies carry \"status\" as a JSON number instead of a string"},
		{"json-content-type", "responses are sent as application/json instead of application/scim+json"},
		{"wrong-method-404", "a method an endpoint does not take answers 404 instead of 405"},
		{"create-no-location", "201 Created answers carry no Location header"},
		{"resourcetype-as-list", "GET /ResourceTypes/{id} answers a ListResponse instead of the one resource type"},
		{"no-group-delete", "DELETE /Groups/{id} answers 405: groups cannot be deleted"},
		{"list-omits-paging-fields", "query answers (ListResponse) leave out itemsPerPage and startIndex"},

		// IdP dialects (package server sets them on the request's
		// schema.Dialect): each refuses one non-RFC shape an identity
		// provider sends, which the mock otherwise accepts.
		{"refuse-capitalized-ops", "a PATCH op written with capitals (\"Replace\", \"Add\", \"Remove\": Entra ID's default) is refused instead of accepted"},
		{"refuse-string-booleans", "\"True\"/\"False\" strings for a boolean attribute (Entra ID's default) are refused instead of read as booleans"},
		{"refuse-dotted-path-keys", "a path-less PATCH value whose keys are attribute paths (\"name.givenName\": Entra ID's aadOptscim062020) is refused instead of applied"},
		{"refuse-id-in-patch-value", "a path-less PATCH value holding the resource's own id (Okta's group rename) is refused instead of the id being ignored"},

		// Service provider (package provider).
		{"get-omits-externalid", "GET by id leaves externalId out of the resource"},
		{"lastmodified-frozen", "meta.lastModified always shows the creation time"},
		{"put-merges", "PUT merges into the resource: attributes left out of the request are kept"},
		{"put-refuses-readonly", "a PUT carrying readOnly attributes (id, meta, groups) is refused with 400 mutability instead of ignoring them"},
		{"put-ignores-active", "a PUT keeps the User's current active, whatever the body says"},
		{"drop-wrong-types", "an attribute whose value has the wrong JSON type is silently dropped instead of refused"},
		{"apply-readonly-groups", "groups sent on a new User are applied (the User joins them) although groups is readOnly"},
		{"return-password", "the password is returned in responses although it is returned \"never\""},
		{"members-despite-excluded", "excludedAttributes=members still returns a Group's members"},
		{"user-groups-empty", "a User's groups attribute is never filled in"},
		{"empty-filter-404", "a query whose filter matches nothing answers 404 instead of an empty ListResponse"},
		{"unknown-filter-attr-matches-nothing", "a filter on an attribute the schema lacks matches nothing instead of failing with invalidFilter"},
		{"filter-ignores-not", "the filter operator not is ignored: not (x) selects what x selects"},
		{"filter-ignores-caseexact", "filters compare every string case-insensitively, caseExact attributes (id, externalId) included"},
		{"paging-repeats", "every page after the first starts one item early, repeating the previous page's last item"},
		{"count-above-max-refused", "a count above maxResults is refused with 400 tooMany instead of capped"},
		{"sort-ignores-order", "sortOrder=descending is ignored: results come in ascending order"},
		{"search-ignores-attributes", "POST .search ignores attributes and excludedAttributes in the SearchRequest"},
		{"bad-cursor-restarts", "an unknown or tampered cursor restarts at the first page instead of 400 invalidCursor"},
		{"bulk-ignores-fail-on-errors", "Bulk runs every operation whatever failOnErrors says"},
		{"patch-half-applies", "a PATCH whose later operation fails keeps the operations before it"},
		{"notarget-ignored", "a PATCH operation that matches nothing (noTarget) is skipped and the PATCH succeeds"},
		{"patch-filter-hits-all", "a PATCH path with a value filter (emails[type eq \"work\"].value) changes every value of the attribute"},
		{"patch-ignores-remove", "PATCH remove operations on attributes other than members succeed but change nothing"},
		{"remove-wipes-members", "a PATCH remove of members with a value list removes every member"},
		{"ignore-if-match", "If-Match is ignored: a stale version does not stop PUT, PATCH or DELETE"},

		// Store (package store).
		{"racy-uniqueness", "the uniqueness check and the insert of a create are not atomic: parallel creates of one name all succeed"},
		{"duplicate-group-names", "two SCIM groups may share a displayName"},
		{"deleted-username-reserved", "a deleted User's userName stays taken: provisioning it again is 409"},
		{"ignore-user-limit", "the account's maxUsers is not enforced"},
		{"ignore-groups-per-user", "the account's maxGroupsPerUser is not enforced"},

		// Dynatrace policy (package dynatrace).
		{"accept-unverified-domain", "a userName on a domain that is not verified in the account is accepted"},
		{"username-need-not-be-email", "a userName that is not an email address is accepted"},
		{"apply-username-change", "a userName change by PUT or PATCH is applied instead of ignored"},
		{"active-optional", "a User without active is accepted"},
		{"keep-group-description", "a Group description sent by SCIM is stored and returned"},
		{"scim-local-name-clash", "a SCIM group may take the name of a LOCAL group"},
		{"group-limit-ignores-local", "LOCAL groups do not count towards maxGroups when SCIM creates a group"},

		// Account model (package account).
		{"allow-11th-token", "an account may hold 11 SCIM tokens instead of 10"},
		{"show-token-values", "token lists and reads show each token's value"},
		{"token-description-frozen", "editing a token's description answers success but keeps the old one"},
		{"keep-deleted-token", "a deleted SCIM token keeps working"},
		{"txt-value-unchecked", "any TXT record at the domain's name verifies it, whatever its value"},
		{"parent-covers-subdomain", "a verified domain also verifies its subdomains for userNames"},
		{"tokens-without-domain", "SCIM tokens are generated and work in an account without a verified domain"},
		{"domain-needs-txt-forever", "a verified domain stops serving SCIM once its TXT record is removed"},

		// Management API (package mgmt).
		{"scim-groups-shown-local", "account management shows SCIM groups as type LOCAL"},
		{"unlocked-scim-groups", "account management may rename and delete SCIM groups"},
		{"disabled-shown-active", "account management shows disabled users as ACTIVE"},
	}
	slices.SortFunc(all, func(a, b Switch) int { return strings.Compare(a.Name, b.Name) })
	return all
}

// Names returns the names of every known switch, sorted.
func Names() []string {
	all := Known()
	out := make([]string, len(all))
	for i, s := range all {
		out[i] = s.Name
	}
	return out
}

// Lookup returns the switch with the given name.
func Lookup(name string) (Switch, bool) {
	for _, s := range Known() {
		if s.Name == name {
			return s, true
		}
	}
	return Switch{}, false
}

// State is a switch with whether it is on, as List reports it.
type State struct {
	Switch
	On bool `json:"on"`
}

// Set is the set of switches that are on. The zero value and a nil *Set
// have every switch off; a nil *Set cannot be changed.
type Set struct {
	mu sync.RWMutex
	on map[string]bool
}

// New returns a Set with the named switches on. An unknown name is an
// error that lists the known ones; nothing is turned on then.
func New(names ...string) (*Set, error) {
	s := &Set{}
	for _, n := range names {
		if err := check(n); err != nil {
			return nil, err
		}
	}
	for _, n := range names {
		s.Enable(n)
	}
	return s, nil
}

// Parse splits a comma-separated list of switch names ("a,b" or "a, b"),
// as --violate and SCIMCONF_VIOLATE give them; empty items are skipped.
func Parse(list string) []string {
	var out []string
	for _, n := range strings.Split(list, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

func check(name string) error {
	if _, ok := Lookup(name); !ok {
		return &UnknownError{Name: name}
	}
	return nil
}

// UnknownError is the error for a name that is no switch.
type UnknownError struct{ Name string }

func (e *UnknownError) Error() string {
	return fmt.Sprintf("no violation switch is named %q; the switches are: %s", e.Name, strings.Join(Names(), ", "))
}

// On reports whether the named switch is on. It is cheap (a read lock and a
// map lookup) and false for a nil Set and for unknown names.
func (s *Set) On(name string) bool {
	if s == nil {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.on[name]
}

// Enable turns a switch on; turning on a switch that is on is no change.
func (s *Set) Enable(name string) error {
	return s.set(name, true)
}

// Disable turns a switch off; turning off a switch that is off is no
// change.
func (s *Set) Disable(name string) error {
	return s.set(name, false)
}

func (s *Set) set(name string, on bool) error {
	if err := check(name); err != nil {
		return err
	}
	if s == nil {
		return fmt.Errorf("violation switch %q: this mock has no switch set to change", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.on == nil {
		s.on = map[string]bool{}
	}
	if on {
		s.on[name] = true
	} else {
		delete(s.on, name)
	}
	return nil
}

// Enabled returns the names of the switches that are on, sorted.
func (s *Set) Enabled() []string {
	if s == nil {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.on))
	for n := range s.on {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// List returns every known switch with its state, sorted by name.
func (s *Set) List() []State {
	all := Known()
	out := make([]State, len(all))
	for i, sw := range all {
		out[i] = State{Switch: sw, On: s.On(sw.Name)}
	}
	return out
}
