package journal_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/double/journal"
)

// TestMaxBytesEvictsTheOldest: past the byte budget the oldest entries go,
// and what is kept stays within the budget, whatever the entry count
// allows.
func TestMaxBytesEvictsTheOldest(t *testing.T) {
	body := strings.Repeat("x", 1000)
	one := journal.Entry{Method: "POST", Path: "/Users", RequestBody: body}
	size := one.Size()
	budget := 3*size + size/2 // room for three entries, not four
	j := journal.New(journal.WithCapacity(100), journal.WithMaxBytes(budget))
	for range 10 {
		j.Add(one)
		if j.Bytes() > budget {
			t.Fatalf("the journal holds %d bytes, over its budget of %d", j.Bytes(), budget)
		}
	}
	if got, want := seqs(j.Entries(journal.Filter{})), []uint64{8, 9, 10}; !slices.Equal(got, want) {
		t.Fatalf("seqs = %v, want the newest three %v", got, want)
	}
	if j.Bytes() != 3*size {
		t.Fatalf("Bytes = %d, want 3 entries of %d", j.Bytes(), size)
	}
	c := j.Count(journal.Filter{})
	if c.Recorded != 10 || c.Dropped != 7 {
		t.Fatalf("counts = %+v, want recorded 10, dropped 7", c)
	}
	// The entry count still bounds the journal when entries are small.
	small := journal.New(journal.WithCapacity(2), journal.WithMaxBytes(1<<20))
	for range 5 {
		small.Add(journal.Entry{Method: "GET"})
	}
	if got := small.Len(); got != 2 {
		t.Fatalf("Len = %d, want the capacity 2", got)
	}
	j.Clear()
	if j.Bytes() != 0 || j.Len() != 0 {
		t.Fatalf("after Clear: %d bytes, %d entries", j.Bytes(), j.Len())
	}
}

// TestEntryLargerThanTheBudget: the newest entry is kept even when it alone
// is over the budget, without its bodies, marked truncated.
func TestEntryLargerThanTheBudget(t *testing.T) {
	j := journal.New(journal.WithMaxBytes(2000))
	j.Add(journal.Entry{Method: "GET", Path: "/a", ResponseBody: strings.Repeat("x", 1500)})
	e := j.Add(journal.Entry{Method: "POST", Path: "/b", RequestBody: strings.Repeat("x", 5000), ResponseBody: "{}"})
	if e.RequestBody != "" || e.ResponseBody != "" || !e.RequestBodyTruncated || !e.ResponseBodyTruncated {
		t.Fatalf("entry = %+v, want its bodies dropped and marked truncated", e)
	}
	if got := seqs(j.Entries(journal.Filter{})); !slices.Equal(got, []uint64{2}) {
		t.Fatalf("seqs = %v, want only the newest", got)
	}
	if j.Bytes() > 2000 {
		t.Fatalf("Bytes = %d, over the budget", j.Bytes())
	}
}

// TestDefaultsBoundBytes: a journal made with no options has the byte
// budget too.
func TestDefaultsBoundBytes(t *testing.T) {
	if got := journal.New().MaxBytes(); got != journal.DefaultMaxBytes {
		t.Fatalf("MaxBytes = %d, want %d", got, journal.DefaultMaxBytes)
	}
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC() // the first only moves sync.Pool contents aside
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestTruncatedBodiesDoNotPinTheirSource: an entry keeps the first
// DefaultMaxBody bytes of a 1 MiB body in a string of its own, not a slice
// of the whole body the middleware read (which would keep 1 MiB alive per
// entry while the budget counts 16 KiB).
func TestTruncatedBodiesDoNotPinTheirSource(t *testing.T) {
	const requests, large = 20, 1 << 20
	j := journal.New(journal.WithCapacity(requests))
	h := j.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Write(bytes.Repeat([]byte("r"), large))
	}))
	send := func() {
		r := httptest.NewRequest("POST", "/idm/public/scim/a/v2/Users", bytes.NewReader(bytes.Repeat([]byte("q"), large)))
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	send() // let the first request's one-time allocations happen
	before := liveHeap()
	for range requests - 1 {
		send()
	}
	grown := int64(liveHeap()) - int64(before)
	runtime.KeepAlive(j)
	es := j.Entries(journal.Filter{})
	if len(es) != requests || !es[0].RequestBodyTruncated || len(es[0].RequestBody) != journal.DefaultMaxBody {
		t.Fatalf("%d entries, want %d with truncated bodies", len(es), requests)
	}
	// Each entry holds two 16 KiB bodies; slices of the sources would hold
	// 1 MiB + 64 KiB each. Half a MiB per entry is generous both ways.
	if limit := int64(requests-1) * (large / 2); grown > limit {
		t.Fatalf("%d entries with truncated bodies grew the live heap by %d bytes, over %d: the bodies pin their sources", requests-1, grown, limit)
	}
	if counted := j.Bytes(); counted > int64(requests)*3*journal.DefaultMaxBody {
		t.Fatalf("Bytes = %d for %d entries of two %d-byte bodies", counted, requests, journal.DefaultMaxBody)
	}
}

// TestSizeBoundsTheHeap: what Entry.Size counts for exchanges recorded by
// the middleware is at least what they keep alive, and not far above it,
// so the byte budget is one a reader can plan memory on.
func TestSizeBoundsTheHeap(t *testing.T) {
	for _, bodyLen := range []int{0, 400, 20000} {
		const n = 2000
		j := journal.New(journal.WithCapacity(n), journal.WithMaxBytes(1<<40))
		resp := strings.Repeat("r", bodyLen)
		h := j.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/scim+json")
			w.Header().Set("Etag", `W/"1"`)
			w.Header().Set("Location", "http://127.0.0.1:1234/idm/public/scim/acct/v2/Users/0b9f3c3e-5e5c-4c4e-9b8a-1f2e3d4c5b6a")
			io.WriteString(w, resp)
		}))
		// Each request is made inside the loop, so that what its entry
		// shares with it is counted as the entry's.
		send := func() {
			r := httptest.NewRequest("PUT", "/idm/public/scim/acct/v2/Users/0b9f3c3e-5e5c-4c4e-9b8a-1f2e3d4c5b6a?attributes=userName",
				strings.NewReader(`{"userName":"ada@example.com","name":{"givenName":"Ada"}}`))
			r.Header.Set("Authorization", "Bearer dt0scim.ABCDEFGH.IJKLMNOPQRSTUVWXYZ")
			r.Header.Set("User-Agent", "Go-http-client/1.1")
			r.Header.Set("Content-Type", "application/scim+json")
			h.ServeHTTP(httptest.NewRecorder(), r)
		}
		before := liveHeap()
		for range n {
			send()
		}
		live := int64(liveHeap()) - int64(before)
		runtime.KeepAlive(j)
		counted := j.Bytes()
		if live > counted*11/10 || counted > 2*live {
			t.Errorf("bodies of %d bytes: %d entries keep %d bytes alive, Size counts %d: want live <= counted <= 2*live", bodyLen, n, live, counted)
		}
		t.Logf("bodies of %d bytes: live %d B/entry, counted %d B/entry", bodyLen, live/n, counted/n)
	}
}

// TestUnauthenticatedRequestsCostASummary: an exchange the SCIM layer
// answered 401 is kept as a small summary (no body, no headers, no query
// values), so that anyone who can reach the port without a token cannot
// fill the journal's byte budget with what they send. 300 unauthenticated
// POSTs of 1 MiB with an 8 KiB header and a 4 KiB query grow the live heap
// by less than 1 MB; kept whole (16 KiB of body, the header and the query
// each) they would hold about 8 MB.
func TestUnauthenticatedRequestsCostASummary(t *testing.T) {
	const requests, large, bound = 300, 1 << 20, 1 << 20
	j := journal.New() // the defaults: a budget of 16 MiB would keep all 300 whole
	h := j.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		w.Header().Set(journal.RuleHeader, "DT-AUTH")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"missing Authorization header"}`)
	}))
	body := bytes.Repeat([]byte("q"), large)
	junk := strings.Repeat("j", 8<<10)
	query := "filter=" + strings.Repeat("v", 4<<10) + "&access_token=secret"
	send := func() {
		r := httptest.NewRequest("POST", "/idm/public/scim/acct/v2/Users?"+query, bytes.NewReader(body))
		r.Header.Set("X-Junk", junk)
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	send()
	before := liveHeap()
	for range requests - 1 {
		send()
	}
	grown := int64(liveHeap()) - int64(before)
	runtime.KeepAlive(j)
	t.Logf("%d unauthenticated 1 MiB POSTs grew the live heap by %d bytes (%d B each); the journal counts %d bytes", requests-1, grown, grown/(requests-1), j.Bytes())
	if grown > bound {
		t.Fatalf("%d unauthenticated 1 MiB POSTs grew the live heap by %d bytes, over %d", requests-1, grown, bound)
	}
	es := j.Entries(journal.Filter{})
	if len(es) != requests {
		t.Fatalf("%d entries, want %d summaries", len(es), requests)
	}
	e := es[len(es)-1]
	if !e.Unauthenticated || e.Status != 401 || e.Method != "POST" || e.Path != "/idm/public/scim/acct/v2/Users" ||
		e.Rule != "DT-AUTH" || e.Detail != "missing Authorization header" || e.ResourceType != "User" {
		t.Fatalf("summary = %+v, want method, path, status, rule and detail", e)
	}
	if e.RequestBody != "" || !e.RequestBodyTruncated || e.RequestHeaders != nil || e.ResponseBody != "" || e.Query != "filter&access_token" {
		t.Fatalf("summary keeps body %d B, headers %v, query %q: want no body (marked dropped), no headers, the query's names only",
			len(e.RequestBody), e.RequestHeaders != nil, e.Query)
	}
	if c := j.Count(journal.Filter{}); c.Unauthenticated != requests {
		t.Fatalf("Counts.Unauthenticated = %d, want %d", c.Unauthenticated, requests)
	}
}
