package reportpage

// EntryCapability names a report entry holding one Capability.
const EntryCapability = "capability"

// Capability is one thing a run learnt about what the target supports:
// what /ServiceProviderConfig declared, what the harness assumed without
// it, or what an answer showed. The suites write it into their Ginkgo
// reports (entry EntryCapability); package reports renders the
// capability table from them.
type Capability struct {
	// Feature groups rows: "discovery", "filter", "sort", "PATCH",
	// "ETag", "Bulk", "/.search", "paging", "changePassword".
	Feature string `json:"feature"`
	// Detail is the row within the feature ("eq on userName", "path with
	// a value filter", "maxResults"); "" for the feature as a whole.
	Detail string `json:"detail,omitempty"`
	// Source is SourceDeclared, SourceAssumed or SourceObserved.
	Source string `json:"source"`
	// Value is what was declared or assumed ("supported", "200"), or what
	// was seen ("accepted", "declined (400 invalidFilter)").
	Value string `json:"value"`
}

// Capability sources.
const (
	SourceDeclared = "declared"
	SourceAssumed  = "assumed"
	SourceObserved = "observed"
)
