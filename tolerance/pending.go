package tolerance

// Pending is a known false failure of the harness under a variant that
// needs harness machinery to go away (fixture isolation without filters,
// a run that goes on without discovery, set-up failures charged once):
// work outside the specs' expectations, owned elsewhere. A pending entry is
// shown in the matrix and does not fail the run; one that stops failing is
// reported, so the list only shrinks.
type Pending struct {
	Variant string
	// Rules are the rules that fail falsely; SetUp is set when the suite
	// does not run at all.
	Rules []string
	SetUp bool
	// Owner is who does the harness work; Why says what the harness does
	// wrong.
	Owner, Why string
}

// Empty since the harness isolates fixtures without filtering (FindWhere
// walks the listing when every filter is declined) and runs on without a
// discovery document.
var pending = []Pending{}
