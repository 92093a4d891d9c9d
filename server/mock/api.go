package mock

import (
	"github.com/scimconf/scimconf/server/internal/double/faults"
	"github.com/scimconf/scimconf/server/internal/double/fixture"
	"github.com/scimconf/scimconf/server/internal/double/journal"
	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
	"github.com/scimconf/scimconf/server/internal/engine/provider"
	"github.com/scimconf/scimconf/server/internal/variant"
	"github.com/scimconf/scimconf/server/internal/violation"
)

// The types Options is made of. The packages that define them are internal
// to the mock; these names are how Go users outside it spell them.
type (
	// Limits are an account's limits (users, groups, groups per user,
	// permissions per group).
	Limits = account.Limits
	// Resolver answers the TXT lookups of domain verification.
	Resolver = account.Resolver
	// ProviderConfig is what every account's /ServiceProviderConfig
	// declares and the service provider enforces.
	ProviderConfig = provider.Config
	// FaultRule is one fault injected into the SCIM exchanges.
	FaultRule = faults.Rule
	// FixtureSet is a set of users and groups loaded into the demo
	// account.
	FixtureSet = fixture.Set
	// Switch describes one violation switch: its name and what it breaks.
	Switch = violation.Info
	// UnknownSwitchError is the error for a name that is no switch.
	UnknownSwitchError = violation.UnknownError
)

// DefaultJournalSize is how many exchanges the journal keeps by default.
const DefaultJournalSize = journal.DefaultCapacity

// DefaultJournalMaxBytes is how many bytes the journal's entries may hold
// together by default.
const DefaultJournalMaxBytes = journal.DefaultMaxBytes

// DefaultLimits are Dynatrace's limits, which new accounts get.
func DefaultLimits() Limits { return account.DefaultLimits() }

// DefaultProviderConfig is the service provider's default configuration.
func DefaultProviderConfig() ProviderConfig { return provider.DefaultConfig() }

// ReadFaults reads fault rules from a JSON file (one rule or a list).
func ReadFaults(path string) ([]FaultRule, error) { return faults.ReadFile(path) }

// ReadFixtures reads fixture sets from a file or a directory of JSON files
// and returns them with the files they came from.
func ReadFixtures(path string) ([]*FixtureSet, []string, error) { return fixture.ReadPath(path) }

// Switches lists every violation switch the mock has, sorted by name.
func Switches() []Switch { return violation.Known() }

// SwitchNames lists the names of every violation switch, sorted.
func SwitchNames() []string { return violation.Names() }

// LookupSwitch returns the violation switch with the given name.
func LookupSwitch(name string) (Switch, bool) {
	sw, ok := violation.Lookup(name)
	if !ok {
		return Switch{}, false
	}
	return sw.Info(), true
}

// ParseSwitches splits a comma-separated list of switch names, as --violate
// and SCIMCONF_VIOLATE give them; empty items are skipped.
func ParseSwitches(list string) []string { return violation.Parse(list) }

// Variant describes one variant switch: its name, what the mock does with
// it on, and the RFC sentence that permits that choice.
type Variant = variant.Info

// UnknownVariantError is the error for a name that is no variant (the
// same type as UnknownSwitchError).
type UnknownVariantError = variant.UnknownError

// UnknownVariant is the error for a name that is no variant; it lists the
// variants.
func UnknownVariant(name string) error { return variant.Unknown(name) }

// UnknownSwitch is the error for a name that is no violation switch; it
// lists the switches.
func UnknownSwitch(name string) error { return violation.Unknown(name) }

// Variants lists every variant switch the mock has, sorted by name.
func Variants() []Variant { return variant.Known() }

// VariantNames lists the names of every variant switch, sorted.
func VariantNames() []string { return variant.Names() }

// LookupVariant returns the variant switch with the given name.
func LookupVariant(name string) (Variant, bool) {
	v, ok := variant.Lookup(name)
	if !ok {
		return Variant{}, false
	}
	return v.Info(), true
}

// VariantConflicts returns the variants that cannot be on together with
// the named one (they choose differently for the same feature).
func VariantConflicts(name string) []string { return variant.Conflicts(name) }

// ParseVariants splits a comma-separated list of variant names, as
// --variant and SCIMCONF_VARIANTS give them; empty items are skipped.
func ParseVariants(list string) []string { return variant.Parse(list) }
