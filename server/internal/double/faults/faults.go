// Package faults owns the mock's fault injection: rules that pick SCIM
// requests (by route, method, resource type, account, the nth matching
// call, or a probability drawn from a seeded source) and make the mock
// misbehave on them: answer a status (429 with Retry-After, 500, 503, ...)
// as a SCIM error, wait first, reset the connection, or serve the request
// and then cut its response short. Rules come from the management API
// (/mock/v1/faults), from a JSON file at start (scimconf serve --faults),
// or, for one call, from the request header X-Scimconf-Fault.
//
// Its middleware sits between the journal and the SCIM handler, and marks
// every fault it injects in the response header X-Scimconf-Fault, which
// the journal records and the client sees. It knows nothing of SCIM
// resources beyond the path.
package faults

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scimconf/scimconf/server/internal/double/journal"
)

// Header is the request header that injects a fault into one call, and
// the response header that marks an injected fault. Its request form is
// a list of settings separated by ";" or ",":
//
//	X-Scimconf-Fault: status=429; retry-after=2
//	X-Scimconf-Fault: status=503
//	X-Scimconf-Fault: latency=1.5s
//	X-Scimconf-Fault: reset
//	X-Scimconf-Fault: truncate
//
// (ParseHeader lists every key.)
const Header = journal.FaultHeader

// MaxLatency bounds an injected delay, so that a typo cannot hang a
// connector for hours.
const MaxLatency = 5 * time.Minute

// Match says which requests a rule applies to. Zero fields match every
// request; set fields must all match.
type Match struct {
	// Method matches exactly ("PATCH"), case-insensitively.
	Method string `json:"method,omitempty"`
	// Path is a prefix or a pattern, matched against the full path and
	// the path below the SCIM base URL ("/Users", "/Groups/*"), as
	// journal.MatchPath says.
	Path string `json:"path,omitempty"`
	// ResourceType is "User" or "Group" (or the endpoint: "Users").
	ResourceType string `json:"resourceType,omitempty"`
	// Account is the account id of the SCIM base URL.
	Account string `json:"account,omitempty"`
	// Nth is the first matching call the rule fires on, counted from 1
	// since the rule was added: 3 is "the third PATCH". 0 is the first.
	Nth int `json:"nth,omitempty"`
	// Probability, when set (0 < p <= 1), fires the rule on a matching
	// call with this probability, drawn from the injector's seeded source.
	Probability float64 `json:"probability,omitempty"`
}

// Action is what a rule does to a request it fires on. Latency combines
// with any of the others; Status, Reset and Truncate exclude each other.
type Action struct {
	// Status answers the request with this status (400-599) and a SCIM
	// error body, without serving it.
	Status int `json:"status,omitempty"`
	// RetryAfter sets Retry-After (seconds) on a Status answer.
	RetryAfter int `json:"retryAfter,omitempty"`
	// Latency waits this long (Go duration syntax, "250ms") before going on.
	Latency Duration `json:"latency,omitempty"`
	// Reset closes the connection without an answer, without serving the
	// request.
	Reset bool `json:"reset,omitempty"`
	// Truncate serves the request, then sends only the first half of the
	// response body and closes the connection: the change is made, the
	// client does not learn it. An answer without a body (204) is
	// dropped: the connection closes after the change.
	Truncate bool `json:"truncate,omitempty"`
	// Detail is the SCIM error detail of a Status answer; empty gives one
	// that names the fault.
	Detail string `json:"detail,omitempty"`
}

// Rule is one fault rule.
type Rule struct {
	// ID is assigned when the rule is added ("f1", "f2", ...), unless
	// given; DELETE /mock/v1/faults/{id} removes it.
	ID string `json:"id,omitempty"`
	// Description is free text for people.
	Description string `json:"description,omitempty"`
	Match       Match  `json:"match"`
	Action      Action `json:"action"`
	// Times is how many calls the rule fires on; 0 means once when Nth is
	// set and without limit otherwise. A spent rule stays listed.
	Times int `json:"times,omitempty"`

	// Seen counts the matching calls since the rule was added, Fired
	// those it fired on. The injector sets them; they are ignored on input.
	Seen  int `json:"seen"`
	Fired int `json:"fired"`
}

// Duration is a time.Duration that is a string such as "1.5s" in JSON (a
// number is taken as milliseconds).
type Duration time.Duration

// MarshalJSON renders "1.5s"; zero is "0s".
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads "250ms" or a number of milliseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var ms float64
		if err := json.Unmarshal(b, &ms); err != nil {
			return fmt.Errorf("a duration is a string such as \"250ms\" or a number of milliseconds")
		}
		*d = Duration(ms * float64(time.Millisecond))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("a duration such as \"250ms\" or \"2s\", not %q", s)
	}
	*d = Duration(v)
	return nil
}

// Validate says what is wrong with a rule, naming the field.
func (r *Rule) Validate() error {
	a, m := r.Action, r.Match
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if a.Status != 0 && (a.Status < 400 || a.Status > 599) {
		bad("action.status %d: use an error status from 400 to 599 (e.g. 429, 500, 503)", a.Status)
	}
	if a.RetryAfter < 0 {
		bad("action.retryAfter %d: seconds must not be negative", a.RetryAfter)
	}
	if a.RetryAfter > 0 && a.Status == 0 {
		bad("action.retryAfter needs action.status (e.g. 429 or 503)")
	}
	if a.Latency < 0 || time.Duration(a.Latency) > MaxLatency {
		bad("action.latency %s: must be between 0 and %s", time.Duration(a.Latency), MaxLatency)
	}
	n := 0
	for _, on := range []bool{a.Status != 0, a.Reset, a.Truncate} {
		if on {
			n++
		}
	}
	if n > 1 {
		bad("action: status, reset and truncate exclude each other; choose one (latency combines with any)")
	}
	if n == 0 && a.Latency == 0 {
		bad("action: set at least one of status, latency, reset or truncate")
	}
	if m.Nth < 0 {
		bad("match.nth %d: counts calls from 1", m.Nth)
	}
	if m.Probability < 0 || m.Probability > 1 {
		bad("match.probability %v: must be between 0 and 1", m.Probability)
	}
	if r.Times < 0 {
		bad("times %d: must not be negative (0 is once with nth, else no limit)", r.Times)
	}
	if m.Method != "" && strings.ContainsAny(m.Method, " \t/") {
		bad("match.method %q is not an HTTP method", m.Method)
	}
	if strings.ContainsAny(m.Path, "*?[") {
		if _, err := path.Match(m.Path, ""); err != nil {
			bad("match.path %q: %v", m.Path, err)
		}
	}
	if m.Path != "" && !strings.HasPrefix(m.Path, "/") {
		bad("match.path %q must start with /", m.Path)
	}
	return errors.Join(errs...)
}

// limit is how many times the rule may fire; 0 is no limit.
func (r *Rule) limit() int {
	if r.Times > 0 {
		return r.Times
	}
	if r.Match.Nth > 0 {
		return 1
	}
	return 0
}

func (r *Rule) matches(req *http.Request) bool {
	m := r.Match
	if m.Method != "" && !strings.EqualFold(m.Method, req.Method) {
		return false
	}
	if m.Path != "" && !journal.MatchPath(m.Path, req.URL.Path) {
		return false
	}
	if m.ResourceType == "" && m.Account == "" {
		return true
	}
	account, rest, ok := journal.SplitSCIMPath(req.URL.Path)
	if !ok {
		return false
	}
	if m.Account != "" && m.Account != account {
		return false
	}
	if m.ResourceType != "" {
		endpoint, _, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
		rt := strings.TrimSuffix(endpoint, "s")
		if !strings.EqualFold(m.ResourceType, endpoint) && !(strings.EqualFold(m.ResourceType, rt) && (endpoint == "Users" || endpoint == "Groups")) {
			return false
		}
	}
	return true
}

// describe is the fault's mark in the response header and the journal.
func (a Action) describe() string {
	var parts []string
	if a.Status != 0 {
		parts = append(parts, "status="+strconv.Itoa(a.Status))
	}
	if a.RetryAfter > 0 {
		parts = append(parts, "retry-after="+strconv.Itoa(a.RetryAfter))
	}
	if a.Latency > 0 {
		parts = append(parts, "latency="+time.Duration(a.Latency).String())
	}
	if a.Reset {
		parts = append(parts, "reset")
	}
	if a.Truncate {
		parts = append(parts, "truncate")
	}
	return strings.Join(parts, "; ")
}

// ErrRuleExists is what Add returns for a rule whose id is taken.
var ErrRuleExists = errors.New("a fault rule with this id exists")

// Injector holds the fault rules and injects them. It is safe for
// concurrent use; rules fire in the order the calls reach it.
type Injector struct {
	mu     sync.Mutex
	rules  []*Rule
	nextID int
	seed   uint64
	rng    *rand.Rand
	sleep  func(r *http.Request, d time.Duration) bool
}

// New returns an injector without rules whose probabilities draw from a
// source seeded with seed, so that a run with the same seed and the same
// calls injects the same faults.
func New(seed uint64) *Injector {
	return &Injector{seed: seed, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), sleep: sleepCtx}
}

// sleepCtx waits d or until the client goes; false when it went.
func sleepCtx(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// Add validates r, gives it an id unless it has one, and appends it.
func (in *Injector) Add(r Rule) (Rule, error) {
	if err := r.Validate(); err != nil {
		return Rule{}, err
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if r.ID == "" {
		for {
			in.nextID++
			r.ID = "f" + strconv.Itoa(in.nextID)
			if in.find(r.ID) < 0 {
				break
			}
		}
	} else if in.find(r.ID) >= 0 {
		return Rule{}, fmt.Errorf("%w: id %q; delete it first or leave id out", ErrRuleExists, r.ID)
	}
	r.Match.Method = strings.ToUpper(r.Match.Method)
	r.Seen, r.Fired = 0, 0
	in.rules = append(in.rules, &r)
	return r, nil
}

func (in *Injector) find(id string) int {
	return slices.IndexFunc(in.rules, func(r *Rule) bool { return r.ID == id })
}

// Rules returns the rules with their counters, in the order they apply.
func (in *Injector) Rules() []Rule {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]Rule, len(in.rules))
	for i, r := range in.rules {
		out[i] = *r
	}
	return out
}

// Rule returns one rule.
func (in *Injector) Rule(id string) (Rule, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if i := in.find(id); i >= 0 {
		return *in.rules[i], true
	}
	return Rule{}, false
}

// Delete removes a rule; false when there is none with this id.
func (in *Injector) Delete(id string) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	i := in.find(id)
	if i < 0 {
		return false
	}
	in.rules = slices.Delete(in.rules, i, i+1)
	return true
}

// Clear removes every rule and restarts the ids and the random source, as
// a fresh injector with the same seed.
func (in *Injector) Clear() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.rules, in.nextID = nil, 0
	in.rng = rand.New(rand.NewPCG(in.seed, in.seed^0x9e3779b97f4a7c15))
}

// decide counts the call against every rule it matches and returns the
// action of the first rule that fires, with the rule's id.
func (in *Injector) decide(req *http.Request) (Action, string, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	var (
		act   Action
		id    string
		fired bool
	)
	for _, r := range in.rules {
		if !r.matches(req) {
			continue
		}
		r.Seen++
		if fired || r.Seen < r.Match.Nth {
			continue
		}
		if lim := r.limit(); lim > 0 && r.Fired >= lim {
			continue
		}
		if r.Match.Probability > 0 && in.rng.Float64() >= r.Match.Probability {
			continue
		}
		r.Fired++
		act, id, fired = r.Action, r.ID, true
	}
	return act, id, fired
}

// ParseHeader reads the request form of Header: settings separated by ";"
// or ",": status=N, retry-after=N (seconds), latency=D (Go duration, or a
// number of milliseconds), reset, truncate, detail=TEXT.
func ParseHeader(v string) (Action, error) {
	var a Action
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' }) {
		key, val, hasVal := strings.Cut(strings.TrimSpace(part), "=")
		key, val = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(val)
		var err error
		switch key {
		case "":
			continue
		case "status":
			a.Status, err = strconv.Atoi(val)
		case "retry-after", "retryafter":
			a.RetryAfter, err = strconv.Atoi(val)
		case "latency", "delay":
			var d time.Duration
			if d, err = time.ParseDuration(val); err != nil {
				var ms float64
				if ms, err = strconv.ParseFloat(val, 64); err == nil {
					d = time.Duration(ms * float64(time.Millisecond))
				}
			}
			a.Latency = Duration(d)
		case "reset":
			a.Reset = !hasVal || val == "true"
		case "truncate":
			a.Truncate = !hasVal || val == "true"
		case "detail":
			a.Detail = val
		default:
			return Action{}, fmt.Errorf("%s: unknown setting %q; use status=N, retry-after=N, latency=D, reset, truncate or detail=TEXT", Header, key)
		}
		if err != nil {
			return Action{}, fmt.Errorf("%s: %s=%q is not valid", Header, key, val)
		}
	}
	r := Rule{Action: a}
	if err := r.Validate(); err != nil {
		return Action{}, fmt.Errorf("%s: %w", Header, err)
	}
	return a, nil
}

// File is the shape of a faults file: {"faults": [rule, ...]}. A bare
// array of rules is read too.
type File struct {
	Faults []Rule `json:"faults"`
}

// ReadFile reads the rules of a faults file.
func ReadFile(name string) ([]Rule, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("faults file: %w", err)
	}
	return Parse(data)
}

// Parse reads the rules of a faults file's content; every rule is
// validated, and an error names the rule by its index.
func Parse(data []byte) ([]Rule, error) {
	var rules []Rule
	trimmed := strings.TrimSpace(string(data))
	if strings.HasPrefix(trimmed, "[") {
		if err := strictUnmarshal(data, &rules); err != nil {
			return nil, fmt.Errorf("faults file: %w", err)
		}
	} else {
		var f File
		if err := strictUnmarshal(data, &f); err != nil {
			return nil, fmt.Errorf("faults file: %w (want {\"faults\": [rule, ...]})", err)
		}
		rules = f.Faults
	}
	for i := range rules {
		if err := rules[i].Validate(); err != nil {
			return nil, fmt.Errorf("faults file: rule %d: %w", i, err)
		}
	}
	return rules, nil
}

func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more data follows the first JSON value")
	}
	return nil
}
