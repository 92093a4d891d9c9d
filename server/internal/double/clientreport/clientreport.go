// Package clientreport owns the grading of a SCIM client from the mock's
// journal: rule by rule, which of Dynatrace's rules the client met or broke
// (users on unverified domains, userName changes it expected to stick,
// tokens), whether its requests had the RFC's shape (content type,
// "schemas", PatchOp form, no client-supplied id; the IdP quirks the mock
// had to accept), and how it behaved (no duplicate create after a 409,
// retries after 429 that honour Retry-After, recovery from failed
// exchanges). Every request the mock refused because of what it asked
// (a 4xx other than 429, not an injected fault) is also listed in one place,
// Report.Refused, with its scimType, the mock's detail, the rule it is
// graded under and what to send instead; refusals that no rule of
// Dynatrace's or of the request's shape explains are graded by their
// scimType (invalidFilter, invalidPath, invalidSyntax, invalidValue, ...).
// Paths are shown relative to the SCIM base URL ("/Users/42?filter=..."),
// which the report names once among its facts. The result is a Report
// (JSON), rendered as HTML and Markdown in the conformance report's
// styling.
//
// It reads journal entries only; it never talks to the client or the mock,
// so a journal fetched from a running mock grades the same.
package clientreport

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scimconf/scimconf/catalogue"
	"github.com/scimconf/scimconf/server/internal/double/journal"
)

// Verdict is how the client fared on one rule, or in one finding.
type Verdict string

const (
	Met          Verdict = "met"
	Broken       Verdict = "broken"
	Warning      Verdict = "warning"
	NotExercised Verdict = "not exercised"
)

// Category groups the rules.
type Category string

const (
	Dynatrace Category = "dynatrace"
	RFC       Category = "rfc"
	Behaviour Category = "behaviour"
)

// Rule is one graded rule. Dynatrace's rules keep their catalogue IDs
// (DT-...); the rules for clients are CL-....
type Rule struct {
	ID       string   `json:"id"`
	Category Category `json:"category"`
	Summary  string   `json:"summary"`
	Source   string   `json:"source"`
	URL      string   `json:"url,omitempty"`
}

// Finding is one exchange a rule has something to say about.
type Finding struct {
	Seq    uint64    `json:"seq"`
	Time   time.Time `json:"time"`
	Method string    `json:"method"`
	// Path is relative to the SCIM base URL, with the query decoded:
	// "/Users/42", "/Users?filter=userName eq \"a\"".
	Path    string  `json:"path"`
	Status  int     `json:"status"`
	Verdict Verdict `json:"verdict"`
	Text    string  `json:"text"`
}

// Result is one rule's grade.
type Result struct {
	Rule
	Verdict Verdict `json:"verdict"`
	// Checked counts the exchanges the rule applied to.
	Checked  int       `json:"checked"`
	Findings []Finding `json:"findings,omitempty"`
}

// Report grades the client behind a run of journal entries.
type Report struct {
	Generated time.Time `json:"generated"`
	// Exchanges is the number of entries graded; First and Last span them.
	Exchanges    int            `json:"exchanges"`
	First        time.Time      `json:"first,omitzero"`
	Last         time.Time      `json:"last,omitzero"`
	Accounts     []string       `json:"accounts,omitempty"`
	UserAgents   []string       `json:"userAgents,omitempty"`
	Faults       int            `json:"faultsInjected"`
	Quirks       map[string]int `json:"quirks,omitempty"`
	Passed       bool           `json:"passed"`
	Broken       int            `json:"broken"`
	Warnings     int            `json:"warnings"`
	Met          int            `json:"met"`
	NotExercised int            `json:"notExercised"`
	// SCIMBaseURLs are the SCIM base URLs (paths) the client used; every
	// path in the report is relative to its account's.
	SCIMBaseURLs []string `json:"scimBaseUrls,omitempty"`
	Results      []Result `json:"results"`
	// Refused lists every request the mock refused because of what it
	// asked, in journal order, whatever rule it is graded under.
	Refused []Refusal `json:"refused"`

	entries map[uint64]journal.Entry
}

// Refusal is one request the mock refused because of what it asked: a 4xx
// other than 429 (throttling is CL-RETRY-AFTER's) that no injected fault
// produced.
type Refusal struct {
	Seq    uint64    `json:"seq"`
	Time   time.Time `json:"time"`
	Method string    `json:"method"`
	// Path is relative to the SCIM base URL, as in Finding.
	Path     string `json:"path"`
	Status   int    `json:"status"`
	SCIMType string `json:"scimType,omitempty"`
	// Detail is the error's detail as the mock sent it.
	Detail string `json:"detail,omitempty"`
	// Rule is the ID of the result that grades the refusal, Verdict what
	// that result made of it.
	Rule    string  `json:"rule"`
	Verdict Verdict `json:"verdict"`
	// Fix says what to send instead.
	Fix string `json:"fix,omitempty"`
}

// Result returns the grade of one rule.
func (r *Report) Result(id string) (Result, bool) {
	for _, res := range r.Results {
		if res.ID == id {
			return res, true
		}
	}
	return Result{}, false
}

// URNs the RFC shape checks look for.
const (
	userURN     = "urn:ietf:params:scim:schemas:core:2.0:User"
	groupURN    = "urn:ietf:params:scim:schemas:core:2.0:Group"
	patchURN    = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	searchURN   = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	bulkURN     = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	contentSCIM = "application/scim+json"
)

// dynatraceRule returns a rule the mock refused a request for as the
// conformance catalogue has it: Dynatrace's, or the RFC's (shown with the
// RFC shape rules) when the mock names one of those.
func dynatraceRule(id string) Rule {
	r, ok := catalogue.ByID(id)
	if !ok {
		return Rule{ID: id, Category: Dynatrace, Summary: id, Source: "scimconf rule catalogue"}
	}
	c := Dynatrace
	if r.Profile == catalogue.RFC {
		c = RFC
	}
	return Rule{ID: id, Category: c, Summary: r.Summary, Source: r.Source, URL: r.URL()}
}

func rfcRule(id string, c Category, source, summary string) Rule {
	return Rule{ID: id, Category: c, Summary: summary, Source: source, URL: catalogue.Rule{Source: source}.URL()}
}

// The rules for clients.
var (
	ruleContentType = rfcRule("CL-CONTENT-TYPE", RFC, "RFC 7644 3.8", "requests with a body are sent as application/scim+json (application/json is accepted, with a warning)")
	ruleSchemas     = rfcRule("CL-SCHEMAS", RFC, "RFC 7643 3", `request bodies are JSON objects whose "schemas" names their schema: the resource's core schema (and every extension used), PatchOp, SearchRequest or BulkRequest`)
	rulePatchOp     = rfcRule("CL-PATCHOP", RFC, "RFC 7644 3.5.2", `PATCH bodies have "Operations", each with "op" add, remove or replace in lower case, a "path" for remove and a "value" for add and replace`)
	ruleNoClientID  = rfcRule("CL-NO-CLIENT-ID", RFC, "RFC 7643 3.1", `a create (POST) does not send "id": the service provider issues it`)
	ruleQuirks      = rfcRule("CL-RFC-DIALECT", RFC, "RFC 7644 3.5.2", "requests need none of the IdP quirks the mock accepts beyond the RFC (capitalised ops, string booleans, ...)")
	ruleNoDup       = rfcRule("CL-NO-DUP-CREATE", Behaviour, "RFC 7644 3.3", "after a 409 for a userName (or group displayName) the client looks the resource up instead of creating it again")
	ruleRetry429    = rfcRule("CL-RETRY-AFTER", Behaviour, "RFC 6585 4", "after a 429 (or a 503 with Retry-After) the client retries, and not before Retry-After has passed")
	ruleRecover     = rfcRule("CL-RECOVER", Behaviour, "RFC 7231 6.6", "after a failed exchange (a reset connection, a cut response, a 5xx) the client retries or reads the state back")

	// The refusals graded by their scimType reuse the catalogue's IDs
	// and sources where one fits (the catalogue says what the server
	// must answer; these say what the client must not send); the rest
	// are named by the RFC section of SCIM errors.
	ruleFilter    = catalogueRule("RFC-FILTER-INVALID", "filters follow RFC 7644 section 3.4.2.2's grammar and name attributes the resource has: the mock refused none with 400 invalidFilter")
	rulePaths     = catalogueRule("RFC-PATCH-PATHS", `PATCH "path" values follow RFC 7644 section 3.5.2's grammar (attrPath / valuePath [subAttr]) and name attributes the resource has: the mock refused none with 400 invalidPath`)
	ruleMalformed = catalogueRule("RFC-MALFORMED", "request bodies are well-formed JSON with values of the types the schema gives: the mock refused none with 400 invalidSyntax or invalidValue")
	ruleRefused   = rfcRule("RFC-7644-3.12", RFC, "RFC 7644 3.12", "no other request was refused with a SCIM error (4xx) it caused; 404, 409 and 412 are warnings, since a connector may expect and handle them")
)

// catalogueRule is a client-side reading of a catalogue rule: its ID,
// source and link, with a summary that speaks of the client.
func catalogueRule(id, summary string) Rule {
	r, ok := catalogue.ByID(id)
	if !ok {
		return Rule{ID: id, Category: RFC, Summary: summary, Source: "scimconf rule catalogue"}
	}
	return Rule{ID: id, Category: RFC, Summary: summary, Source: r.Source, URL: r.URL()}
}

// Grade grades the client behind entries (in journal order) at time now.
func Grade(entries []journal.Entry, now time.Time) *Report {
	g := &grader{entries: entries, shape: map[uint64]string{}}
	rep := &Report{Generated: now, Exchanges: len(entries), Quirks: map[string]int{}, entries: map[uint64]journal.Entry{}}
	accounts, agents := map[string]bool{}, map[string]bool{}
	for _, e := range entries {
		rep.entries[e.Seq] = e
		if e.AccountID != "" {
			accounts[e.AccountID] = true
		}
		if ua := e.RequestHeaders.Get("User-Agent"); ua != "" {
			agents[ua] = true
		}
		if e.Fault != "" {
			rep.Faults++
		}
		for _, q := range e.Quirks {
			rep.Quirks[q]++
		}
	}
	if len(entries) > 0 {
		rep.First, rep.Last = entries[0].Time, entries[len(entries)-1].Time
	}
	rep.Accounts = slices.Sorted(maps.Keys(accounts))
	rep.SCIMBaseURLs = scimBases(entries)
	rep.UserAgents = slices.Sorted(maps.Keys(agents))

	rep.Results = append(rep.Results,
		g.refusals(dynatraceRule("DT-USER-DOMAIN"), isUserWrite),
		g.refusals(dynatraceRule("DT-USER-EMAIL"), isUserWrite),
		g.refusals(dynatraceRule("DT-USER-REQUIRED"), isUserWrite),
		g.userNameChanges(),
		g.auth(),
		g.revokedTokens(),
		g.refusals(dynatraceRule("DT-AUTH-SCOPE"), isSCIM),
	)
	for id := range typedRules {
		g.handle(id)
	}
	rep.Results = append(rep.Results, g.otherRefusals()...)
	// The shape rules run first: a refusal of a body they found broken
	// is graded under them, not again by its scimType.
	rep.Results = append(rep.Results,
		g.contentType(), g.schemas(), g.patchOps(), g.noClientID(), g.quirks(),
	)
	rep.Results = append(rep.Results, g.refusalsByType()...)
	rep.Results = append(rep.Results,
		g.noDuplicateCreate(), g.retryAfter(), g.recover(),
	)
	rep.Refused = g.refused(rep.Results)
	for i := range rep.Results {
		res := &rep.Results[i]
		res.Verdict = verdictOf(res)
		switch res.Verdict {
		case Broken:
			rep.Broken++
		case Warning:
			rep.Warnings++
		case Met:
			rep.Met++
		default:
			rep.NotExercised++
		}
	}
	rep.Passed = rep.Broken == 0
	return rep
}

// verdictOf is the worst finding's verdict; without problems, met when
// the rule applied to some exchange, else not exercised.
func verdictOf(r *Result) Verdict {
	v := NotExercised
	if r.Checked > 0 {
		v = Met
	}
	for _, f := range r.Findings {
		switch {
		case f.Verdict == Broken:
			return Broken
		case f.Verdict == Warning:
			v = Warning
		}
	}
	return v
}

type grader struct {
	entries []journal.Entry
	// handled are the rules with a check of their own, which
	// otherRefusals leaves alone.
	handled map[string]bool
	// shape maps the seq of a request whose body or headers a shape rule
	// found broken to that rule's ID.
	shape map[uint64]string
}

// broke records a shape rule's broken finding, so that the mock's refusal
// of the same request is graded under it.
func (g *grader) broke(e *journal.Entry, rule string) {
	if _, ok := g.shape[e.Seq]; !ok {
		g.shape[e.Seq] = rule
	}
}

func (g *grader) handle(id string) {
	if g.handled == nil {
		g.handled = map[string]bool{}
	}
	g.handled[id] = true
}

func finding(e *journal.Entry, v Verdict, format string, args ...any) Finding {
	return Finding{Seq: e.Seq, Time: e.Time, Method: e.Method, Path: relPath(e), Status: e.Status, Verdict: v, Text: fmt.Sprintf(format, args...)}
}

// relPath is e's path relative to its SCIM base URL, with the query
// decoded for reading: "/Users/42?filter=userName eq "a"". A path outside
// every SCIM base URL (the management API, a typo) stays whole.
func relPath(e *journal.Entry) string {
	p := e.Path
	if _, rest, ok := journal.SplitSCIMPath(e.Path); ok {
		p = cmp.Or(rest, "/")
	}
	if e.Query != "" {
		q, err := url.QueryUnescape(e.Query)
		if err != nil {
			q = e.Query
		}
		p += "?" + q
	}
	return p
}

// scimBases lists the SCIM base URLs of entries, sorted.
func scimBases(entries []journal.Entry) []string {
	set := map[string]bool{}
	for i := range entries {
		if _, rest, ok := journal.SplitSCIMPath(entries[i].Path); ok {
			set[strings.TrimSuffix(entries[i].Path, rest)] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

func isSCIM(e *journal.Entry) bool { return e.AccountID != "" }

func isUserWrite(e *journal.Entry) bool {
	return e.ResourceType == "User" && (e.Method == http.MethodPost || e.Method == http.MethodPut || e.Method == http.MethodPatch) ||
		e.Endpoint == "Bulk" && e.Method == http.MethodPost
}

// isCreate is a POST to /Users or /Groups.
func isCreate(e *journal.Entry) bool {
	return e.Method == http.MethodPost && e.ResourceType != "" && strings.HasSuffix(e.Path, "/"+e.Endpoint)
}

func hasBody(e *journal.Entry) bool {
	return (e.Method == http.MethodPost || e.Method == http.MethodPut || e.Method == http.MethodPatch) && strings.TrimSpace(e.RequestBody) != ""
}

// exchange names an entry in a finding's text.
func exchange(e *journal.Entry) string {
	s := fmt.Sprintf("#%d %s %s", e.Seq, e.Method, relPath(e))
	if e.Status != 0 {
		s += " → " + strconv.Itoa(e.Status)
	} else {
		s += " → no answer"
	}
	return s
}

// refusals grades a rule the mock enforces: every request it refused for
// the rule is broken; the rule applies to the requests applies selects.
func (g *grader) refusals(r Rule, applies func(*journal.Entry) bool) Result {
	g.handle(r.ID)
	res := Result{Rule: r}
	for i := range g.entries {
		e := &g.entries[i]
		if applies(e) {
			res.Checked++
		}
		if e.Rule == r.ID {
			res.Findings = append(res.Findings, finding(e, Broken, "%s: refused: %s", exchange(e), cmp.Or(e.Detail, e.Rule)))
		}
	}
	return res
}

// otherRefusals grades every other rule the mock refused a request for
// (limits, group name uniqueness, ...): a 409 is a warning, since a
// connector may handle it, anything else is broken.
func (g *grader) otherRefusals() []Result {
	byRule := map[string]*Result{}
	for i := range g.entries {
		e := &g.entries[i]
		if e.Rule == "" || g.handled[e.Rule] {
			continue
		}
		res := byRule[e.Rule]
		if res == nil {
			res = &Result{Rule: dynatraceRule(e.Rule)}
			byRule[e.Rule] = res
		}
		res.Checked++
		v := Broken
		if e.Status == http.StatusConflict {
			v = Warning
		}
		res.Findings = append(res.Findings, finding(e, v, "%s: refused: %s", exchange(e), cmp.Or(e.Detail, e.Rule)))
	}
	var out []Result
	for _, id := range slices.Sorted(maps.Keys(byRule)) {
		out = append(out, *byRule[id])
	}
	return out
}

// decodeObject reads a request body as a JSON object.
func decodeObject(body string) (map[string]any, bool) {
	var v map[string]any
	if json.Unmarshal([]byte(body), &v) != nil || v == nil {
		return nil, false
	}
	return v, true
}

// userNames follows the userName the mock answered for each user id, for
// PATCHes answered without a body.
func userNameIn(body string) (string, bool) {
	doc, ok := decodeObject(body)
	if !ok {
		return "", false
	}
	u, ok := doc["userName"].(string)
	return u, ok
}

// sentUserName returns the userName a PUT or PATCH asks for, if any.
func sentUserName(e *journal.Entry) (string, bool) {
	doc, ok := decodeObject(e.RequestBody)
	if !ok {
		return "", false
	}
	if e.Method == http.MethodPut {
		u, ok := doc["userName"].(string)
		return u, ok
	}
	ops, _ := doc["Operations"].([]any)
	name, found := "", false
	for _, o := range ops {
		op, _ := o.(map[string]any)
		kind, _ := op["op"].(string)
		if strings.EqualFold(kind, "remove") {
			continue
		}
		path, _ := op["path"].(string)
		switch {
		case strings.EqualFold(path, "userName") || strings.EqualFold(path, userURN+":userName"):
			if s, ok := op["value"].(string); ok {
				name, found = s, true
			}
		case path == "":
			if v, ok := op["value"].(map[string]any); ok {
				for k, val := range v {
					if strings.EqualFold(k, "userName") {
						if s, ok := val.(string); ok {
							name, found = s, true
						}
					}
				}
			}
		}
	}
	return name, found
}

// userNameChanges grades DT-USER-EMAIL-IMMUTABLE from the client's side: a
// client that sends another userName for an existing user expects a change
// Dynatrace ignores.
func (g *grader) userNameChanges() Result {
	g.handle("DT-USER-EMAIL-IMMUTABLE")
	res := Result{Rule: dynatraceRule("DT-USER-EMAIL-IMMUTABLE")}
	known := map[string]string{} // user id -> userName the mock last answered
	for i := range g.entries {
		e := &g.entries[i]
		if e.ResourceType != "User" {
			continue
		}
		if (e.Method == http.MethodPut || e.Method == http.MethodPatch) && e.ResourceID != "" {
			if sent, ok := sentUserName(e); ok {
				res.Checked++
				kept, answered := userNameIn(e.ResponseBody)
				if !answered {
					kept, answered = known[e.ResourceID]
				}
				switch {
				case e.Status >= 300:
				case !answered:
					res.Findings = append(res.Findings, finding(e, Warning, "%s: asks to set userName %q; the answer has no body and the user's userName was never seen, so whether the client expected a change cannot be told", exchange(e), sent))
				case !strings.EqualFold(sent, kept):
					res.Findings = append(res.Findings, finding(e, Broken, "%s: asks to change userName to %q; Dynatrace ignores the change and keeps %q", exchange(e), sent, kept))
				}
			}
		}
		if e.Status < 300 && e.ResourceID != "" {
			if u, ok := userNameIn(e.ResponseBody); ok {
				known[e.ResourceID] = u
			}
		}
	}
	return res
}

// auth grades DT-AUTH: every request is refused 401 unless it carries
// "Authorization: Bearer <token>" with a token the account knows.
func (g *grader) auth() Result {
	g.handle("DT-AUTH")
	res := Result{Rule: dynatraceRule("DT-AUTH")}
	good := g.goodTokens()
	for i := range g.entries {
		e := &g.entries[i]
		if !isSCIM(e) {
			continue
		}
		res.Checked++
		if e.Status != http.StatusUnauthorized || e.Rule != "DT-AUTH" {
			continue
		}
		authz := e.RequestHeaders.Get("Authorization")
		scheme, _, _ := strings.Cut(authz, " ")
		switch {
		case authz == "":
			res.Findings = append(res.Findings, finding(e, Broken, "%s: no Authorization header", exchange(e)))
		case !strings.EqualFold(scheme, "Bearer"):
			res.Findings = append(res.Findings, finding(e, Broken, "%s: Authorization uses the %q scheme; Dynatrace takes only Bearer", exchange(e), scheme))
		case good[authz] != 0 && good[authz] < e.Seq:
			// DT-TOKEN-REVOKE reports it.
		default:
			res.Findings = append(res.Findings, finding(e, Broken, "%s: a bearer token the account does not know (%s)", exchange(e), authz))
		}
	}
	return res
}

// goodTokens maps each redacted Authorization value to the seq of its
// first successful use.
func (g *grader) goodTokens() map[string]uint64 {
	good := map[string]uint64{}
	for i := range g.entries {
		e := &g.entries[i]
		a := e.RequestHeaders.Get("Authorization")
		if a == "" || e.Status == 0 || e.Status == http.StatusUnauthorized || !isSCIM(e) || e.Fault != "" {
			continue
		}
		if _, ok := good[a]; !ok && !strings.HasSuffix(a, " "+journal.Redacted) {
			good[a] = e.Seq
		}
	}
	return good
}

// revokedTokens grades DT-TOKEN-REVOKE from the client's side: a token that
// worked and later got 401 was revoked (or deleted), and the client kept
// using it.
func (g *grader) revokedTokens() Result {
	g.handle("DT-TOKEN-REVOKE")
	res := Result{Rule: dynatraceRule("DT-TOKEN-REVOKE")}
	good := g.goodTokens()
	for i := range g.entries {
		e := &g.entries[i]
		if e.Status != http.StatusUnauthorized {
			continue
		}
		a := e.RequestHeaders.Get("Authorization")
		if first := good[a]; first != 0 && first < e.Seq {
			res.Checked++
			res.Findings = append(res.Findings, finding(e, Broken, "%s: the token %s worked (#%d) and was then revoked; the client still sends it", exchange(e), a, first))
		}
	}
	return res
}

// contentType grades CL-CONTENT-TYPE.
func (g *grader) contentType() Result {
	res := Result{Rule: ruleContentType}
	for i := range g.entries {
		e := &g.entries[i]
		if !isSCIM(e) || !hasBody(e) {
			continue
		}
		res.Checked++
		ct := e.RequestHeaders.Get("Content-Type")
		mt, _, _ := strings.Cut(ct, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
		switch mt {
		case contentSCIM:
		case "application/json":
			res.Findings = append(res.Findings, finding(e, Warning, "%s: Content-Type application/json; RFC 7644 asks for %s (the mock accepts both)", exchange(e), contentSCIM))
		case "":
			g.broke(e, res.ID)
			res.Findings = append(res.Findings, finding(e, Broken, "%s: a body without Content-Type; send Content-Type: %s", exchange(e), contentSCIM))
		default:
			g.broke(e, res.ID)
			res.Findings = append(res.Findings, finding(e, Broken, "%s: Content-Type %q is not %s; send Content-Type: %s", exchange(e), ct, contentSCIM, contentSCIM))
		}
	}
	return res
}

// wantSchema is the schema URN a request body must list, "" when the
// request has no body to check.
func wantSchema(e *journal.Entry) string {
	switch {
	case e.Endpoint == "Bulk" && e.Method == http.MethodPost:
		return bulkURN
	case e.Method == http.MethodPost && (e.Endpoint == ".search" || strings.HasSuffix(e.Path, "/.search")):
		return searchURN
	case e.Method == http.MethodPatch && e.ResourceType != "":
		return patchURN
	case (e.Method == http.MethodPost || e.Method == http.MethodPut) && e.ResourceType == "User":
		return userURN
	case (e.Method == http.MethodPost || e.Method == http.MethodPut) && e.ResourceType == "Group":
		return groupURN
	}
	return ""
}

// schemaNames names the schemas a request body may have to list, for
// findings that say which one was sent instead.
var schemaNames = map[string]string{
	userURN:   "the User schema",
	groupURN:  "the Group schema",
	patchURN:  "the PatchOp message",
	searchURN: "the SearchRequest message",
	bulkURN:   "the BulkRequest message",
	"urn:ietf:params:scim:api:messages:2.0:ListResponse": "the ListResponse message",
	"urn:ietf:params:scim:api:messages:2.0:Error":        "the Error message",
}

// schemas grades CL-SCHEMAS from the request body as journaled, whether the
// mock refused it or accepted it leniently. RFC 7643 section 3: 'The
// "schemas" attribute is a REQUIRED attribute and is an array of Strings
// containing URIs that are used to indicate the namespaces of the SCIM
// schemas that define the attributes present in the current JSON
// structure.' and 'All representations of SCIM schemas MUST include a
// non-empty array with value(s) of the URIs supported by that
// representation.' A body that names the wrong schema and not its own is
// broken; one that names its own and another core schema besides is a
// warning, as the mock accepts it (an IdP quirk).
func (g *grader) schemas() Result {
	res := Result{Rule: ruleSchemas}
	for i := range g.entries {
		e := &g.entries[i]
		want := wantSchema(e)
		if want == "" || !hasBody(e) || e.RequestBodyTruncated {
			continue
		}
		res.Checked++
		broken := func(format string, args ...any) {
			g.broke(e, res.ID)
			res.Findings = append(res.Findings, finding(e, Broken, format, args...))
		}
		doc, ok := decodeObject(e.RequestBody)
		if !ok {
			broken(`%s: the body is not a JSON object; send a JSON object with "schemas": ["%s"]`, exchange(e), want)
			continue
		}
		raw, present := doc["schemas"]
		list, isList := raw.([]any)
		var names []string
		for _, s := range list {
			if str, ok := s.(string); ok {
				names = append(names, str)
			}
		}
		has := func(urn string) bool {
			return slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, urn) })
		}
		send := fmt.Sprintf(`send "schemas": ["%s"]`, want)
		switch {
		case !present:
			broken(`%s: no "schemas" (RFC 7643 section 3: "The \"schemas\" attribute is a REQUIRED attribute"); %s`, exchange(e), send)
			continue
		case !isList:
			broken(`%s: "schemas" is %s, not an array of URIs; %s`, exchange(e), jsonKind(raw), send)
			continue
		case len(list) == 0:
			broken(`%s: "schemas" is empty (RFC 7643 section 3: "All representations of SCIM schemas MUST include a non-empty array"); %s`, exchange(e), send)
			continue
		case len(names) != len(list):
			broken(`%s: "schemas" must be an array of URI strings; %s`, exchange(e), send)
			continue
		}
		var others []string
		for _, n := range names {
			for urn, what := range schemaNames {
				if strings.EqualFold(n, urn) && urn != want {
					others = append(others, fmt.Sprintf("%s (%s)", n, what))
				}
			}
		}
		slices.Sort(others)
		switch {
		case !has(want) && len(others) > 0:
			broken(`%s: "schemas" names %s, the wrong schema for %s %s, which takes %s; %s`, exchange(e), strings.Join(others, ", "), e.Method, endpointOf(e), schemaNames[want], send)
		case !has(want):
			broken(`%s: "schemas" %v lacks %s (%s); %s`, exchange(e), names, want, schemaNames[want], send)
		case len(others) > 0:
			res.Findings = append(res.Findings, finding(e, Warning, `%s: "schemas" also names %s, which is not the schema of %s %s (RFC 7643 section 3: "The \"schemas\" attribute for a resource MUST only contain values defined as \"schema\" and \"schemaExtensions\" for the resource's defined \"resourceType\""); the mock accepts it`, exchange(e), strings.Join(others, ", "), e.Method, endpointOf(e)))
		}
		if want == userURN || want == groupURN {
			for _, k := range slices.Sorted(maps.Keys(doc)) {
				if strings.HasPrefix(strings.ToLower(k), "urn:") && !has(k) {
					broken(`%s: the body uses the extension %s, which "schemas" does not list; send "schemas": ["%s", "%s"]`, exchange(e), k, want, k)
				}
			}
		}
	}
	return res
}

// endpointOf names the endpoint a request went to, for findings.
func endpointOf(e *journal.Entry) string {
	rel := relPath(e)
	if i := strings.IndexByte(rel, '?'); i >= 0 {
		rel = rel[:i]
	}
	return rel
}

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	}
	return "an array"
}

// patchOps grades CL-PATCHOP.
func (g *grader) patchOps() Result {
	res := Result{Rule: rulePatchOp}
	for i := range g.entries {
		e := &g.entries[i]
		if e.Method != http.MethodPatch || e.ResourceType == "" || !hasBody(e) || e.RequestBodyTruncated {
			continue
		}
		res.Checked++
		n := len(res.Findings)
		g.patchOp(e, &res)
		for _, f := range res.Findings[n:] {
			if f.Verdict == Broken {
				g.broke(e, res.ID)
			}
		}
	}
	return res
}

// patchOp adds CL-PATCHOP's findings on one PATCH to res.
func (g *grader) patchOp(e *journal.Entry, res *Result) {
	doc, ok := decodeObject(e.RequestBody)
	if !ok {
		res.Findings = append(res.Findings, finding(e, Broken, "%s: the body is not a JSON object", exchange(e)))
		return
	}
	ops, isList := doc["Operations"].([]any)
	if !isList || len(ops) == 0 {
		res.Findings = append(res.Findings, finding(e, Broken, `%s: no "Operations" array, or an empty one; send "Operations": [{"op": "replace", "path": "...", "value": ...}]`, exchange(e)))
		return
	}
	for j, o := range ops {
		op, _ := o.(map[string]any)
		kind, _ := op["op"].(string)
		_, hasPath := op["path"]
		_, hasValue := op["value"]
		lower := strings.ToLower(kind)
		switch {
		case op == nil:
			res.Findings = append(res.Findings, finding(e, Broken, "%s: Operations[%d] is not an object", exchange(e), j))
			continue
		case lower != "add" && lower != "remove" && lower != "replace":
			res.Findings = append(res.Findings, finding(e, Broken, `%s: Operations[%d].op %q is not add, remove or replace`, exchange(e), j, kind))
			continue
		case kind != lower:
			res.Findings = append(res.Findings, finding(e, Warning, `%s: Operations[%d].op %q is not lower case (an IdP quirk the mock accepts; RFC 7644 writes "%s")`, exchange(e), j, kind, lower))
		}
		if lower == "remove" && !hasPath {
			res.Findings = append(res.Findings, finding(e, Broken, `%s: Operations[%d] is a remove without "path"; name what to remove, e.g. "path": "members[value eq \"2819c223\"]"`, exchange(e), j))
		}
		if lower != "remove" && !hasValue {
			res.Findings = append(res.Findings, finding(e, Broken, `%s: Operations[%d] is an %s without "value"`, exchange(e), j, lower))
		}
	}
}

// noClientID grades CL-NO-CLIENT-ID.
func (g *grader) noClientID() Result {
	res := Result{Rule: ruleNoClientID}
	for i := range g.entries {
		e := &g.entries[i]
		if !isCreate(e) || !hasBody(e) {
			continue
		}
		res.Checked++
		if doc, ok := decodeObject(e.RequestBody); ok {
			if id, has := doc["id"]; has {
				g.broke(e, res.ID)
				res.Findings = append(res.Findings, finding(e, Broken, `%s: the create sends "id": %v; the service provider issues ids`, exchange(e), id))
			}
		}
	}
	return res
}

// quirks grades CL-RFC-DIALECT: each quirk the mock had to accept is a
// warning, since Dynatrace accepts what the mock accepts, but a stricter
// server may not.
func (g *grader) quirks() Result {
	res := Result{Rule: ruleQuirks}
	for i := range g.entries {
		e := &g.entries[i]
		if !hasBody(e) || !isSCIM(e) {
			continue
		}
		res.Checked++
		if len(e.Quirks) > 0 {
			res.Findings = append(res.Findings, finding(e, Warning, "%s: the mock accepted IdP quirks: %s", exchange(e), strings.Join(e.Quirks, ", ")))
		}
	}
	return res
}

// isRefusal reports whether the mock refused e because of what it asked: a
// 4xx answer to a SCIM request other than 429 (throttling, CL-RETRY-AFTER's)
// that no injected fault produced (a fault is the integrator's own doing,
// graded by how the client copes with it).
func isRefusal(e *journal.Entry) bool {
	return isSCIM(e) && e.Status >= 400 && e.Status < 500 && e.Status != http.StatusTooManyRequests && e.Fault == ""
}

// explained returns the rule that already grades a refusal: the rule the
// mock named, or a shape rule that found the body or headers broken when
// the refusal is about the body (a filter or path refusal is graded by its
// scimType even if the body had other faults).
func (g *grader) explained(e *journal.Entry) string {
	if e.Rule != "" && !typedRules[e.Rule] {
		return e.Rule
	}
	switch e.SCIMType {
	case "", scimInvalidSyntax, scimInvalidValue:
		return g.shape[e.Seq]
	}
	return ""
}

// The scimType vocabulary of RFC 7644 section 3.12, as far as the report
// grades it.
const (
	scimInvalidFilter = "invalidFilter"
	scimInvalidPath   = "invalidPath"
	scimInvalidSyntax = "invalidSyntax"
	scimInvalidValue  = "invalidValue"
)

// byType picks the rule that grades a refusal by its scimType and status,
// and the verdict: 404, 409 and 412 are warnings, since a connector may
// look a resource up, or create or update optimistically, and handle them.
func byType(e *journal.Entry) (Rule, Verdict) {
	for _, r := range []Rule{ruleFilter, rulePaths, ruleMalformed, ruleRefused} {
		if e.Rule == r.ID {
			return r, Broken
		}
	}
	switch e.SCIMType {
	case scimInvalidFilter:
		return ruleFilter, Broken
	case scimInvalidPath:
		return rulePaths, Broken
	case scimInvalidSyntax, scimInvalidValue:
		return ruleMalformed, Broken
	}
	switch {
	case e.Status == http.StatusNotFound || e.Status == http.StatusConflict || e.Status == http.StatusPreconditionFailed:
		return ruleRefused, Warning
	case e.Status == http.StatusBadRequest && e.SCIMType == "":
		return ruleMalformed, Broken
	}
	return ruleRefused, Broken
}

// typedRules are the IDs of the rules that grade refusals by scimType; a
// refusal that names one of them is graded there, not by otherRefusals.
var typedRules = map[string]bool{ruleFilter.ID: true, rulePaths.ID: true, ruleMalformed.ID: true, ruleRefused.ID: true}

// fixes say what to send instead, by scimType, quoting RFC 7644 section
// 3.12's table 9 where the meaning is the advice.
var fixes = map[string]string{
	scimInvalidFilter: `write the filter in RFC 7644 section 3.4.2.2's grammar, attribute operator value, e.g. filter=userName eq "jane@example.com": strings in double quotes, operators eq ne co sw ew gt ge lt le pr, and/or/not with parentheses, attributes the resource type has (GET /Schemas)`,
	scimInvalidPath:   `write "path" as RFC 7644 section 3.5.2's PATH = attrPath / valuePath [subAttr], naming an attribute the resource has: "name.familyName", "emails[type eq \"work\"].value", "members"`,
	scimInvalidSyntax: `send a JSON object in the message structure of the request (RFC 7644 section 3.12: "The request body message structure was invalid or did not conform to the request schema."): "schemas" and the members its schema defines`,
	scimInvalidValue:  `send every required value, of the type and in the format its schema gives (GET /Schemas; RFC 7644 section 3.12: "A required value was missing, or the value specified was not compatible with the operation or attribute type")`,
	"noTarget":        `point "path" at a value the resource has; read the resource first (RFC 7644 section 3.12: "The specified \"path\" did not yield an attribute or attribute value that could be operated on.")`,
	"mutability":      `leave out attributes the client cannot change: readOnly ones (id, meta, a User's groups) and immutable ones that have a value`,
	"uniqueness":      `look the resource up (a filter on userName or displayName) and update it instead of creating it again`,
	"tooMany":         `narrow the filter, or page with startIndex and count`,
	"sensitive":       `send personal data in the body of a POST .../.search, never in the URL`,
	"invalidVers":     `speak SCIM 2.0: the base URL ends in /v2`,
}

// statusFixes say what to send instead, by status, when the scimType says
// nothing.
var statusFixes = map[int]string{
	http.StatusBadRequest:            `send a well-formed request: the error's detail names what was wrong`,
	http.StatusNotFound:              `the resource or endpoint does not exist: look it up (GET with a filter) rather than assume its id; the endpoints are /Users, /Groups, /ServiceProviderConfig, /ResourceTypes and /Schemas`,
	http.StatusMethodNotAllowed:      `use a method the endpoint takes (RFC 7644 section 3.2)`,
	http.StatusNotAcceptable:         `accept application/scim+json`,
	http.StatusPreconditionFailed:    `read the resource again and send its current ETag in If-Match`,
	http.StatusRequestEntityTooLarge: `send smaller requests: see maxPayloadSize and bulk.maxOperations in /ServiceProviderConfig`,
	http.StatusUnsupportedMediaType:  `send Content-Type: application/scim+json`,
}

// fixFor says what to send instead of a refused request.
func fixFor(e *journal.Entry) string {
	if f, ok := fixes[e.SCIMType]; ok {
		return f
	}
	return cmp.Or(statusFixes[e.Status], "change the request as the error's detail says")
}

// why is a refusal's reason as the mock gave it.
func why(e *journal.Entry) string {
	t := cmp.Or(e.Detail, e.Error, "no detail")
	if e.SCIMType != "" {
		t = e.SCIMType + ": " + t
	}
	return t
}

// hasFilter reports whether e asks for a filter, in its query or in a
// SearchRequest body.
func hasFilter(e *journal.Entry) bool {
	if q, err := url.ParseQuery(e.Query); err == nil && q.Has("filter") {
		return true
	}
	if wantSchema(e) == searchURN {
		doc, _ := decodeObject(e.RequestBody)
		_, ok := doc["filter"]
		return ok
	}
	return false
}

// hasPatchPath reports whether e is a PATCH with a "path" in some operation.
func hasPatchPath(e *journal.Entry) bool {
	if e.Method != http.MethodPatch {
		return false
	}
	doc, _ := decodeObject(e.RequestBody)
	ops, _ := doc["Operations"].([]any)
	for _, o := range ops {
		if op, ok := o.(map[string]any); ok && op["path"] != nil {
			return true
		}
	}
	return false
}

// refusalsByType grades the refusals no rule of Dynatrace's and no shape
// rule explains, by scimType: invalidFilter, invalidPath, invalidSyntax or
// invalidValue, and every other SCIM error the request caused.
func (g *grader) refusalsByType() []Result {
	rules := []struct {
		rule    Rule
		applies func(*journal.Entry) bool
	}{
		{ruleFilter, hasFilter},
		{rulePaths, hasPatchPath},
		{ruleMalformed, hasBody},
		{ruleRefused, func(*journal.Entry) bool { return true }},
	}
	var out []Result
	for _, r := range rules {
		res := Result{Rule: r.rule}
		for i := range g.entries {
			e := &g.entries[i]
			if !isSCIM(e) {
				continue
			}
			graded := false
			if isRefusal(e) && g.explained(e) == "" {
				if rule, v := byType(e); rule.ID == r.rule.ID {
					graded = true
					res.Findings = append(res.Findings, finding(e, v, "%s: refused with %s; %s", exchange(e), why(e), fixFor(e)))
				}
			}
			if graded || r.applies(e) {
				res.Checked++
			}
		}
		out = append(out, res)
	}
	return out
}

// refused lists every refused request with the result that grades it and
// what to send instead. The result is the first that has a finding on the
// request, trying the rule the mock named, the shape rule that explains
// it, the scimType's rule and then any other.
func (g *grader) refused(results []Result) []Refusal {
	type key struct {
		rule string
		seq  uint64
	}
	found := map[key]Finding{}
	bySeq := map[uint64][]string{}
	for _, res := range results {
		for _, f := range res.Findings {
			k := key{res.ID, f.Seq}
			if _, ok := found[k]; !ok && f.Verdict != Met {
				found[k] = f
				bySeq[f.Seq] = append(bySeq[f.Seq], res.ID)
			}
		}
	}
	summary := map[string]string{}
	for _, res := range results {
		summary[res.ID] = res.Summary
	}
	out := []Refusal{}
	for i := range g.entries {
		e := &g.entries[i]
		if !isRefusal(e) {
			continue
		}
		typed, _ := byType(e)
		candidates := append([]string{e.Rule, g.explained(e), typed.ID}, bySeq[e.Seq]...)
		r := Refusal{Seq: e.Seq, Time: e.Time, Method: e.Method, Path: relPath(e), Status: e.Status, SCIMType: e.SCIMType,
			Detail: cmp.Or(e.Detail, e.Error), Rule: cmp.Or(e.Rule, typed.ID), Verdict: Broken, Fix: fixFor(e)}
		for _, id := range candidates {
			f, ok := found[key{id, e.Seq}]
			if id == "" || !ok {
				continue
			}
			r.Rule, r.Verdict = id, f.Verdict
			switch {
			case id == typed.ID:
			case id == g.shape[e.Seq]:
				// The shape rule's finding says what to send instead.
				_, r.Fix, _ = strings.Cut(f.Text, ": ")
			default:
				r.Fix = summary[id]
			}
			break
		}
		out = append(out, r)
	}
	return out
}

// createKey is what makes a create a duplicate: the resource type and its
// unique name, case-insensitively.
func createKey(e *journal.Entry) string {
	doc, ok := decodeObject(e.RequestBody)
	if !ok {
		return ""
	}
	name := "userName"
	if e.ResourceType == "Group" {
		name = "displayName"
	}
	v, _ := doc[name].(string)
	if v == "" {
		return ""
	}
	return e.AccountID + "/" + e.ResourceType + "/" + strings.ToLower(v)
}

// noDuplicateCreate grades CL-NO-DUP-CREATE: after a 409 on a create, the
// next create of the same name without a successful DELETE in between is
// a duplicate.
func (g *grader) noDuplicateCreate() Result {
	res := Result{Rule: ruleNoDup}
	conflicted := map[string]uint64{} // key -> seq of the 409
	byID := map[string]string{}       // resource id -> key, for DELETEs
	for i := range g.entries {
		e := &g.entries[i]
		if e.ResourceType == "" {
			continue
		}
		switch {
		case isCreate(e):
			key := createKey(e)
			if key == "" {
				continue
			}
			if first, ok := conflicted[key]; ok {
				res.Findings = append(res.Findings, finding(e, Broken, "%s: creates %s again after the 409 of #%d; look it up (filter) and update it instead", exchange(e), key[strings.Index(key, "/")+1:], first))
			}
			switch {
			case e.Status == http.StatusConflict:
				res.Checked++
				if _, ok := conflicted[key]; !ok {
					conflicted[key] = e.Seq
				}
			case e.Status == http.StatusCreated:
				delete(conflicted, key)
				byID[e.ResourceID] = key
			}
		case e.Method == http.MethodDelete && e.Status < 300 && e.Status != 0:
			delete(conflicted, byID[e.ResourceID])
		}
	}
	return res
}

// retryAfter parses a Retry-After value: seconds or an HTTP date.
func retryAfter(e *journal.Entry) (time.Duration, bool) {
	v := strings.TrimSpace(e.ResponseHeaders.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(e.Time.Add(e.Duration)), 0), true
	}
	return 0, false
}

// next returns the first later entry with the same method and path.
func (g *grader) next(i int) *journal.Entry {
	e := &g.entries[i]
	for j := i + 1; j < len(g.entries); j++ {
		if n := &g.entries[j]; n.Method == e.Method && n.Path == e.Path {
			return n
		}
	}
	return nil
}

// retryAfter grades CL-RETRY-AFTER: the wait is from the end of the 429 to
// the start of the retry as the mock saw them, which the client's own wait
// can only exceed.
func (g *grader) retryAfter() Result {
	res := Result{Rule: ruleRetry429}
	for i := range g.entries {
		e := &g.entries[i]
		ra, hasRA := retryAfter(e)
		if e.Status != http.StatusTooManyRequests && !(e.Status == http.StatusServiceUnavailable && hasRA) {
			continue
		}
		res.Checked++
		n := g.next(i)
		if n == nil {
			res.Findings = append(res.Findings, finding(e, Warning, "%s: never retried", exchange(e)))
			continue
		}
		waited := n.Time.Sub(e.Time.Add(e.Duration))
		switch {
		case !hasRA:
			res.Findings = append(res.Findings, finding(e, Met, "%s: retried after %s as #%d (no Retry-After was sent)", exchange(e), round(waited), n.Seq))
		case waited < ra:
			res.Findings = append(res.Findings, finding(e, Broken, "%s: Retry-After asked for %s; the client retried after %s as #%d", exchange(e), ra, round(waited), n.Seq))
		default:
			res.Findings = append(res.Findings, finding(e, Met, "%s: Retry-After %s honoured: retried after %s as #%d", exchange(e), ra, round(waited), n.Seq))
		}
	}
	return res
}

func round(d time.Duration) time.Duration {
	if d > time.Second {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

// recover grades CL-RECOVER: after an exchange that failed on the mock's
// side, the client sent the request again or read the resource.
func (g *grader) recover() Result {
	res := Result{Rule: ruleRecover}
	for i := range g.entries {
		e := &g.entries[i]
		if !isSCIM(e) {
			continue
		}
		truncated := strings.Contains(e.Fault, "truncate")
		if !(e.Status == 0 || truncated || e.Status >= 500 && e.Status != http.StatusServiceUnavailable || e.Status == http.StatusServiceUnavailable && e.ResponseHeaders.Get("Retry-After") == "") {
			continue
		}
		res.Checked++
		what := fmt.Sprintf("status %d", e.Status)
		switch {
		case truncated:
			what = "a cut response"
		case e.Status == 0:
			what = "no answer"
		}
		if n := g.recovery(i); n != nil {
			res.Findings = append(res.Findings, finding(e, Met, "%s: after %s the client went on with #%d %s %s", exchange(e), what, n.Seq, n.Method, relPath(n)))
		} else {
			res.Findings = append(res.Findings, finding(e, Warning, "%s: after %s the client neither retried nor read the resource", exchange(e), what))
		}
	}
	return res
}

// recovery finds the request that follows up a failed one: the same
// request again, or a GET of the same resource or collection.
func (g *grader) recovery(i int) *journal.Entry {
	e := &g.entries[i]
	for j := i + 1; j < len(g.entries); j++ {
		n := &g.entries[j]
		if n.AccountID != e.AccountID || n.Endpoint != e.Endpoint {
			continue
		}
		if n.Method == e.Method && n.Path == e.Path || n.Method == http.MethodGet && (e.ResourceID == "" || n.ResourceID == e.ResourceID || n.ResourceID == "") {
			return n
		}
	}
	return nil
}
