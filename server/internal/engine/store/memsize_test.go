package store_test

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// liveHeap returns the bytes the last full collection found live, after
// forcing one: the heap a program needs, without the garbage GOGC lets
// pile up between collections.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC() // the first only moves sync.Pool contents aside
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// storedBytesPerUser fills a store with n users shaped as `make bench`
// seeds them (userName, name, active; random UUIDs as ids) and returns the
// live heap the store holds per user.
func storedBytesPerUser(tb testing.TB, n int) float64 {
	set := schema.Dynatrace()
	rt := set.ResourceType("User")
	before := liveHeap()
	s := store.NewMemory(set)
	for i := range n {
		doc := map[string]any{
			"userName": fmt.Sprintf("bench-120000-%d@example.com", i),
			"name":     map[string]any{"givenName": "Bench", "familyName": fmt.Sprint(i)},
			"active":   true,
		}
		if _, err := s.Create(ctx, rt, doc, nil); err != nil {
			tb.Fatal(err)
		}
	}
	after := liveHeap()
	runtime.KeepAlive(s)
	return float64(int64(after)-int64(before)) / float64(n)
}

// BenchmarkLiveHeapPerUser reports the live heap one stored user costs at
// 100,000 users (bytes/user); the time per op is meaningless.
func BenchmarkLiveHeapPerUser(b *testing.B) {
	var per float64
	for b.Loop() {
		per = storedBytesPerUser(b, 100_000)
	}
	b.ReportMetric(per, "bytes/user")
}

// TestLiveHeapPerUser keeps a stored user within its memory budget: the
// mock's target is 2 KiB of live heap per user with the default journal
// (README), of which the store may take 1.4 KiB. One map per resource
// (no second view of the document, meta made per query) holds it near
// 1.1 KiB; the document and its view both kept took 1.9 KiB.
func TestLiveHeapPerUser(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a store with 20,000 users")
	}
	if per := storedBytesPerUser(t, 20_000); per > 1400 {
		t.Fatalf("a stored user takes %.0f bytes of live heap, over 1400", per)
	}
}
