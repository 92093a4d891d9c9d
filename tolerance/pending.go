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

var pending = []Pending{
	{
		Variant: "no-filtering",
		Rules: []string{"RFC-AUTH", "RFC-BULK", "RFC-CONCURRENCY", "RFC-DELETE", "RFC-DISCOVERY", "RFC-ERROR-BODY",
			"RFC-HTTP-STATUS", "RFC-MALFORMED", "RFC-META", "RFC-REPLACE", "RFC-RETURNED", "RFC-UNIQUENESS"},
		Owner: "harness: fixture isolation (issue #19 item 3)",
		Why: "scimtest.FindWhere/CountWhere look resources up with an eq filter; a server that declines every filter " +
			"(filter.supported false, 400 invalidFilter, RFC 7644 3.4.2.2: \"Filtering is an OPTIONAL parameter for SCIM service providers.\") " +
			"needs a read by id or a walk of the listing instead, so \"the refused request created nothing\" and \"the deleted resource is omitted from queries\" read -1 and fail",
	},
	{
		Variant: "no-service-provider-config",
		SetUp:   true,
		Owner:   "harness: discovery fallback (issue #19 item 3)",
		Why: "the suite's set-up reads /ServiceProviderConfig and aborts on a 404, so no rule is judged; " +
			"a missing discovery document should fail RFC-DISCOVERY and the run go on with conservative assumptions",
	},
}
