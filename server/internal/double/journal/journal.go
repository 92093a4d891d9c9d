// Package journal owns the mock's request journal: every SCIM exchange the
// mock served (method, path, query, request headers with secrets redacted,
// request and response bodies, status, scimType, the rule that refused the
// request, the IdP quirks the mock accepted, the fault it injected, the
// duration, and the account, resource type, resource id and PATCH ops the
// request was about), kept in a ring buffer bounded both in entries and in
// bytes, so that a long-running mock never grows without end and its
// memory can be planned on whatever the bodies weigh.
//
// It owns the HTTP middleware that records exchanges, the management
// endpoints that query, count, clear and tail the journal (mounted by
// package mgmt under /mock/v1/journal), and Filter, the query both those
// endpoints and the Go client (mockclient.Client) speak.
//
// The journal reads what the SCIM layer and the fault injector announce in
// response headers (RuleHeader, QuirksHeader, FaultHeader); it never looks
// inside them, and it must not change a request or a response.
package journal

import (
	"net/http"
	"reflect"
	"slices"
	"sync"
	"time"
)

// Response headers the journal reads. The SCIM layer sets RuleHeader on a
// refusal (its value is server.RuleHeader; a test keeps the two equal), the
// IdP dialect layer sets QuirksHeader to the comma-separated quirks it
// accepted, and the fault injector sets FaultHeader to the fault it
// injected. They are sent to the client too, so a connector's log shows
// them.
const (
	RuleHeader   = "X-Scimconf-Rule"
	QuirksHeader = "X-Scimconf-Quirks"
	FaultHeader  = "X-Scimconf-Fault"
)

// Defaults of New.
const (
	DefaultCapacity = 10000
	// DefaultMaxBytes bounds what the entries hold together (Entry.Size):
	// 16 MiB, about 170 bytes per user of an account of 100,000, so that
	// the journal stays a small share of a loaded mock's heap.
	DefaultMaxBytes = 16 << 20
	// DefaultMaxBody is how many bytes of each request and response body an
	// entry keeps; the rest is dropped and the entry marked truncated.
	DefaultMaxBody = 16 << 10
	// DefaultHeartbeat is the interval of the live tail's keep-alive
	// comments, short enough for proxies that close idle streams.
	DefaultHeartbeat = 15 * time.Second
)

// Entry is one recorded exchange. Entries are values: what a query returns
// is a copy the caller may keep and change.
type Entry struct {
	// Seq numbers exchanges from 1 in the order they started; it survives
	// eviction from the ring, so a gap shows dropped entries. Clear does
	// not restart it.
	Seq  uint64    `json:"seq"`
	Time time.Time `json:"time"`
	// Duration is from the request's arrival to the handler's return, in
	// nanoseconds on the wire.
	Duration time.Duration `json:"durationNs"`

	Method string `json:"method"`
	Path   string `json:"path"`
	// Query is the raw query string, without "?".
	Query string `json:"query,omitempty"`
	// RequestHeaders has Authorization and other secrets redacted.
	RequestHeaders http.Header `json:"requestHeaders,omitempty"`
	// RequestBody is the body as sent, up to the journal's body cap, with
	// password values redacted.
	RequestBody          string `json:"requestBody,omitempty"`
	RequestBodyTruncated bool   `json:"requestBodyTruncated,omitempty"`

	// Status is the HTTP status sent; 0 when none was (the connection was
	// reset by a fault, or the client went away first).
	Status                int         `json:"status"`
	ResponseHeaders       http.Header `json:"responseHeaders,omitempty"`
	ResponseBody          string      `json:"responseBody,omitempty"`
	ResponseBodyTruncated bool        `json:"responseBodyTruncated,omitempty"`
	// SCIMType and Detail come from a SCIM error response.
	SCIMType string `json:"scimType,omitempty"`
	Detail   string `json:"detail,omitempty"`
	// Rule is the conformance rule that made the mock refuse the request
	// (RuleHeader), e.g. "DT-USER-DOMAIN".
	Rule string `json:"rule,omitempty"`
	// Quirks are the IdP quirks the mock accepted (QuirksHeader).
	Quirks []string `json:"quirks,omitempty"`
	// Fault is the fault injected into this exchange (FaultHeader).
	Fault string `json:"fault,omitempty"`
	// Error says why an exchange has no complete response, e.g. the
	// connection was closed.
	Error string `json:"error,omitempty"`

	// AccountID is the account of the SCIM base URL in the path.
	AccountID string `json:"accountId,omitempty"`
	// Endpoint is the first path segment below the SCIM base URL: "Users",
	// "Groups", "Bulk", ".search", "ServiceProviderConfig", ...
	Endpoint string `json:"endpoint,omitempty"`
	// ResourceType is "User" or "Group" for /Users and /Groups, else empty.
	ResourceType string `json:"resourceType,omitempty"`
	// ResourceID is the id in the path, or of the resource a POST created.
	ResourceID string `json:"resourceId,omitempty"`
	// PatchOps are the "op" values of a PATCH body, as sent.
	PatchOps []string `json:"patchOps,omitempty"`

	// Unauthenticated marks an exchange the SCIM layer answered 401. Its
	// entry is a summary: method, path and the query's names (each cut
	// to a small cap), status, scimType, detail and rule; never its
	// headers, query values or bodies (RequestBodyTruncated says a body
	// was sent). Whoever reaches the port without a token thus costs the
	// journal a few hundred bytes a request, whatever they send.
	Unauthenticated bool `json:"unauthenticated,omitempty"`
}

// clone copies e's reference fields, so that callers never share them with
// the ring.
func (e Entry) clone() Entry {
	e.RequestHeaders = e.RequestHeaders.Clone()
	e.ResponseHeaders = e.ResponseHeaders.Clone()
	e.Quirks = slices.Clone(e.Quirks)
	e.PatchOps = slices.Clone(e.PatchOps)
	return e
}

// Journal is a bounded, concurrency-safe record of exchanges. The zero
// value is not usable; call New.
type Journal struct {
	capacity  int
	maxBytes  int64
	maxBody   int
	now       func() time.Time
	heartbeat time.Duration

	mu sync.Mutex
	// ring holds the n entries from head on, oldest first, wrapping
	// around; it grows as entries come, up to capacity slots, so an idle
	// journal costs nothing. It holds pointers so that the slots it has
	// grown but not filled cost 8 bytes each, not an Entry each.
	ring     []*Entry
	head, n  int
	bytes    int64 // Size of the entries held
	seq      uint64
	recorded uint64 // since the last Clear
	dropped  uint64 // evicted since the last Clear
	// unauthenticated counts entries answered 401 since the last Clear
	unauthenticated uint64
	subs            map[*Subscription]struct{}
	closed          bool
}

// Option configures New.
type Option func(*Journal)

// WithCapacity sets how many entries the ring keeps (default
// DefaultCapacity); the oldest are dropped first. n < 1 keeps the default.
func WithCapacity(n int) Option {
	return func(j *Journal) {
		if n > 0 {
			j.capacity = n
		}
	}
}

// WithMaxBytes bounds the bytes the entries hold together, as Entry.Size
// counts them (default DefaultMaxBytes); the oldest are dropped first, as
// for the entry count. The newest entry is always kept: when it alone
// weighs more than n, its bodies are dropped (and marked truncated). n < 1
// keeps the default.
func WithMaxBytes(n int64) Option {
	return func(j *Journal) {
		if n > 0 {
			j.maxBytes = n
		}
	}
}

// WithMaxBody sets how many bytes of each body an entry keeps (default
// DefaultMaxBody). n < 0 keeps the default; 0 keeps no body.
func WithMaxBody(n int) Option {
	return func(j *Journal) {
		if n >= 0 {
			j.maxBody = n
		}
	}
}

// WithClock sets the clock of entry times and durations (default
// time.Now). The mock keeps the wall clock even in its deterministic mode:
// whether a client honoured Retry-After is a matter of real time.
func WithClock(now func() time.Time) Option {
	return func(j *Journal) {
		if now != nil {
			j.now = now
		}
	}
}

// WithHeartbeat sets the live tail's keep-alive interval (default
// DefaultHeartbeat).
func WithHeartbeat(d time.Duration) Option {
	return func(j *Journal) {
		if d > 0 {
			j.heartbeat = d
		}
	}
}

// New returns an empty journal.
func New(opts ...Option) *Journal {
	j := &Journal{capacity: DefaultCapacity, maxBytes: DefaultMaxBytes, maxBody: DefaultMaxBody, now: time.Now, heartbeat: DefaultHeartbeat, subs: map[*Subscription]struct{}{}}
	for _, o := range opts {
		o(j)
	}
	return j
}

// Capacity returns how many entries the journal keeps.
func (j *Journal) Capacity() int { return j.capacity }

// MaxBytes returns the bytes the journal's entries may hold together.
func (j *Journal) MaxBytes() int64 { return j.maxBytes }

// Bytes returns what the journal's entries hold now, as Entry.Size counts.
func (j *Journal) Bytes() int64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.bytes
}

// Len returns how many entries the journal holds.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.n
}

// entrySize is what an Entry's own fields take, before what they point
// to, plus its pointer in the ring.
var entrySize = allocSize(int64(reflect.TypeFor[Entry]().Size())) + 8

// Size estimates the heap bytes e keeps alive: the entry itself, each of
// its strings, its headers (the map, its names and values) and lists, each
// allocation rounded up as Go's allocator rounds it. It errs on the high
// side (strings an entry shares, such as "GET" or a path's segments, are
// counted as its own), so that a journal within its budget by this count
// is within it in fact (a test measures this). The journal's byte budget
// is in these units.
func (e *Entry) Size() int64 {
	n := entrySize
	for _, s := range []string{e.Method, e.Path, e.Query, e.RequestBody, e.ResponseBody, e.SCIMType, e.Detail,
		e.Rule, e.Fault, e.Error, e.AccountID, e.Endpoint, e.ResourceType, e.ResourceID} {
		n += allocSize(int64(len(s)))
	}
	return n + headerSize(e.RequestHeaders) + headerSize(e.ResponseHeaders) + listSize(e.Quirks) + listSize(e.PatchOps)
}

// headerSize estimates a header map: the map's header, its groups of 8
// slots (a name and a value slice each, 8 control bytes a group) kept at
// most 7/8 full, the names, one array of every value (as Header.Clone
// makes it) and the values.
func headerSize(h http.Header) int64 {
	if h == nil {
		return 0
	}
	const mapHeader, group = 48, 8*(16+24) + 8
	slots := int64(8)
	for slots*7/8 < int64(len(h)) {
		slots *= 2
	}
	n := mapHeader + allocSize(slots/8*group)
	values := 0
	for k, vs := range h {
		n += allocSize(int64(len(k)))
		values += len(vs)
		for _, v := range vs {
			n += allocSize(int64(len(v)))
		}
	}
	return n + allocSize(int64(16*values))
}

func listSize(l []string) int64 {
	n := allocSize(int64(16 * cap(l)))
	for _, s := range l {
		n += allocSize(int64(len(s)))
	}
	return n
}

// allocSize rounds an allocation of n bytes up as Go's size classes do,
// or a little above: to 16 bytes, then to an eighth of the next power of
// two.
func allocSize(n int64) int64 {
	if n <= 0 {
		return 0
	}
	step := int64(16)
	for p := int64(128); p < n; p *= 2 {
		step = p / 8
	}
	return (n + step - 1) / step * step
}

// Add records e, giving it the next Seq (and the journal's time when e.Time
// is zero), and returns it as recorded. The middleware calls it; tests may
// call it to build a journal by hand.
func (j *Journal) Add(e Entry) Entry {
	if e.Time.IsZero() {
		e.Time = j.now()
	}
	j.mu.Lock()
	j.seq++
	e.Seq = j.seq
	j.recorded++
	if e.Unauthenticated {
		j.unauthenticated++
	}
	size := e.Size()
	if size > j.maxBytes {
		e = e.withoutBodies()
		size = e.Size()
	}
	for j.n > 0 && (j.n >= j.capacity || j.bytes+size > j.maxBytes) {
		j.evictOldest()
	}
	j.push(e)
	j.bytes += size
	for s := range j.subs {
		s.offer(e)
	}
	j.mu.Unlock()
	return e.clone()
}

// withoutBodies is e without its bodies, for an entry too large for the
// whole journal.
func (e Entry) withoutBodies() Entry {
	e.RequestBodyTruncated = e.RequestBodyTruncated || e.RequestBody != ""
	e.ResponseBodyTruncated = e.ResponseBodyTruncated || e.ResponseBody != ""
	e.RequestBody, e.ResponseBody = "", ""
	return e
}

// push appends e after the newest entry, growing the ring (up to
// capacity slots) when it is full. The caller makes room first.
func (j *Journal) push(e Entry) {
	if j.n == len(j.ring) {
		grown := make([]*Entry, min(max(2*len(j.ring), 16), j.capacity))
		for i := range j.n {
			grown[i] = j.ring[(j.head+i)%len(j.ring)]
		}
		j.ring, j.head = grown, 0
	}
	j.ring[(j.head+j.n)%len(j.ring)] = &e
	j.n++
}

// evictOldest drops the oldest entry, clearing its slot so that the ring
// does not keep it alive.
func (j *Journal) evictOldest() {
	j.bytes -= j.ring[j.head].Size()
	j.ring[j.head] = nil
	j.head = (j.head + 1) % len(j.ring)
	j.n--
	j.dropped++
}

// each calls f on every entry, oldest first, under the lock.
func (j *Journal) each(f func(*Entry)) {
	for i := range j.n {
		f(j.ring[(j.head+i)%len(j.ring)])
	}
}

// Entries returns the entries that match f, oldest first. With f.Limit set
// only the newest f.Limit matches are returned (still oldest first).
func (j *Journal) Entries(f Filter) []Entry {
	j.mu.Lock()
	var out []Entry
	j.each(func(e *Entry) {
		if f.Match(e) {
			out = append(out, e.clone())
		}
	})
	j.mu.Unlock()
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[len(out)-f.Limit:]
	}
	return out
}

// Counts summarises the entries that match a filter.
type Counts struct {
	// Matched is the number of entries in the journal that match.
	Matched int `json:"matched"`
	// ByStatus counts matches by status class ("2xx", "4xx", ...; "none"
	// for exchanges without a status); ByMethod by method.
	ByStatus map[string]int `json:"byStatus"`
	ByMethod map[string]int `json:"byMethod"`
	// Recorded is every exchange recorded since the start or the last
	// Clear, matched or not; Dropped those the ring evicted since.
	Recorded uint64 `json:"recorded"`
	Dropped  uint64 `json:"dropped"`
	// Unauthenticated is every exchange answered 401 since the start or
	// the last Clear, matched or not, whether still held or evicted.
	Unauthenticated uint64 `json:"unauthenticated"`
	Capacity        int    `json:"capacity"`
}

// Count counts the entries that match f (f.Limit is ignored).
func (j *Journal) Count(f Filter) Counts {
	c := Counts{ByStatus: map[string]int{}, ByMethod: map[string]int{}}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.each(func(e *Entry) {
		if f.Match(e) {
			c.Matched++
			c.ByStatus[StatusClass(e.Status)]++
			c.ByMethod[e.Method]++
		}
	})
	c.Recorded, c.Dropped, c.Unauthenticated, c.Capacity = j.recorded, j.dropped, j.unauthenticated, j.capacity
	return c
}

// StatusClass returns "2xx" for 201 and so on, "none" for 0.
func StatusClass(status int) string {
	if status < 100 || status > 999 {
		return "none"
	}
	return string(rune('0'+status/100)) + "xx"
}

// Clear drops every entry. Seq keeps counting, so entries recorded later
// never reuse a number a client has seen.
func (j *Journal) Clear() {
	j.mu.Lock()
	j.ring, j.head, j.n, j.bytes, j.recorded, j.dropped, j.unauthenticated = nil, 0, 0, 0, 0, 0, 0
	j.mu.Unlock()
}

// CloseStreams ends every live tail and refuses new ones, so that a server
// shutdown is not held up by them. Recording goes on.
func (j *Journal) CloseStreams() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.closed = true
	for s := range j.subs {
		close(s.ch)
		delete(j.subs, s)
	}
}

// Subscription is one live tail of the journal.
type Subscription struct {
	// C delivers the matching entries recorded after Subscribe, in order.
	// It is closed by Close or CloseStreams.
	C <-chan Entry

	j      *Journal
	f      Filter
	ch     chan Entry
	missed uint64 // guarded by j.mu
}

// offer hands e to the tail without blocking the request being recorded;
// a tail that falls behind misses entries and is told how many. Called
// with j.mu held.
func (s *Subscription) offer(e Entry) {
	if !s.f.Match(&e) {
		return
	}
	select {
	case s.ch <- e.clone():
	default:
		s.missed++
	}
}

// Subscribe starts a live tail of the entries recorded from now on that
// match f (f.Limit is ignored). A reader that falls more than buffer
// entries behind misses entries rather than slowing the mock down; Missed
// says how many. Close it when done.
func (j *Journal) Subscribe(f Filter, buffer int) *Subscription {
	if buffer < 1 {
		buffer = 256
	}
	s := &Subscription{j: j, f: f, ch: make(chan Entry, buffer)}
	s.C = s.ch
	j.mu.Lock()
	if j.closed {
		close(s.ch)
	} else {
		j.subs[s] = struct{}{}
	}
	j.mu.Unlock()
	return s
}

// Close ends the subscription and closes C. It may be called more than
// once.
func (s *Subscription) Close() {
	s.j.mu.Lock()
	defer s.j.mu.Unlock()
	if _, ok := s.j.subs[s]; ok {
		delete(s.j.subs, s)
		close(s.ch)
	}
}

// Missed returns how many matching entries the tail missed because its
// reader was too slow.
func (s *Subscription) Missed() uint64 {
	s.j.mu.Lock()
	defer s.j.mu.Unlock()
	return s.missed
}

// headerValues returns the comma-separated values of a header, trimmed.
func headerValues(h http.Header, name string) []string {
	var out []string
	for _, v := range h.Values(name) {
		out = append(out, splitComma(v)...)
	}
	return out
}
