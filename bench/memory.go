package bench

import (
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"text/tabwriter"
)

// LiveHeap forces a full collection and returns the bytes it found live:
// the heap a program needs, without the garbage GOGC lets pile up between
// collections (which RSS shows too, and which depends on GOGC). It
// collects twice: the first collection only moves sync.Pool contents
// aside, the second frees them, so that pooled buffers (which come and go
// with the load) do not count.
func LiveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// Memory is what an in-process server holds for the users seeded into it.
type Memory struct {
	Users int
	// Heap is the live heap grown since before seeding, less what the
	// bench itself keeps for the users (their ids).
	Heap uint64
	// Journal is the part of Heap the request journal held, measured by
	// clearing it; JournalEntries is how many exchanges it held, and
	// JournalCounted the bytes it counted against its budget.
	Journal        uint64
	JournalEntries int
	JournalCounted int64
}

// PerUser is the live heap per stored user, journal included.
func (m Memory) PerUser() float64 { return float64(m.Heap) / float64(max(m.Users, 1)) }

// PrintMemory writes the memory figures as a table.
func PrintMemory(w io.Writer, ms []Memory) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "users\tlive heap\tper user\tjournal\tjournal counted\tjournal entries\tper user without journal")
	for _, m := range ms {
		fmt.Fprintf(tw, "%d\t%s\t%.0f B\t%s\t%s\t%d\t%.0f B\n", m.Users, mib(m.Heap), m.PerUser(), mib(m.Journal),
			mib(uint64(max(m.JournalCounted, 0))), m.JournalEntries, float64(m.Heap-min(m.Journal, m.Heap))/float64(max(m.Users, 1)))
	}
	tw.Flush()
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
