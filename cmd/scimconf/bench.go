package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/scimconf/scimconf/bench"
	"github.com/scimconf/scimconf/server/mock"
)

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlagSet("bench", `Measures a SCIM server under load on this machine: seeds users through /Bulk, then drives
GET /Users/{id} and GET /Users?filter=userName eq "..." with concurrent clients, at each
size in --users, next to a bare net/http handler as the baseline. With no --target it
starts the embedded mock in this process and also reports its live heap per stored user
after seeding each size (after a forced GC; the journal's share measured by clearing
it). Requests go only to the target and to loopback.`, stderr)
	var (
		target      = fs.String("target", "", describe("SCIM base URL; empty: the embedded mock", "SCIM_BASE_URL"))
		token       = fs.String("token", "", describe("bearer token of the target", "SCIM_TOKEN"))
		domain      = fs.String("verified-domain", "example.com", describe("domain for the seeded userNames", "VERIFIED_DOMAIN"))
		users       = fs.String("users", "1000,100000", describe("comma-separated sizes to measure at", "BENCH_USERS"))
		duration    = fs.Duration("duration", 3*time.Second, "how long each scenario runs at each size")
		concurrency = fs.Int("concurrency", 8, "concurrent clients")
	)
	if err := parse(fs, args); err != nil {
		return err
	}
	var sizes []int
	for _, f := range strings.Split(*users, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return fmt.Errorf("--users %q: want sizes like 1000,100000", *users)
		}
		sizes = append(sizes, n)
	}
	cfg := bench.Config{BaseURL: *target, Token: *token, Domain: *domain, Duration: *duration, Concurrency: *concurrency,
		RunID: time.Now().UTC().Format("150405")}
	var mem []bench.Memory
	if cfg.BaseURL == "" {
		inst, err := mock.Start(ctx, mock.Options{Limits: mockLimits(sizes)})
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, closeMock(inst)) }()
		cfg.BaseURL, cfg.Token, cfg.Domain = inst.SCIMBaseURL, inst.SCIMToken, inst.Domain
		cfg.AfterSeed = memoryProbe(inst, &mem)
	} else if cfg.Token == "" {
		return fmt.Errorf("--target needs --token")
	}
	results, err := bench.Sizes(ctx, cfg, sizes, stderr)
	if err != nil {
		return err
	}
	for _, n := range sizes {
		fmt.Fprintf(stdout, "\n%d users, %d clients, %s per scenario:\n", n, cfg.Concurrency, cfg.Duration)
		bench.Print(stdout, results[n])
	}
	if len(mem) > 0 {
		fmt.Fprintf(stdout, "\nlive heap of the embedded mock after seeding (default journal):\n")
		bench.PrintMemory(stdout, mem)
	}
	return nil
}

// memoryProbe reads the embedded mock's live heap after each seeding,
// against the heap before the first: the bench runs the mock in this
// process, so the difference is what the mock keeps for the users (less
// the ids the bench keeps, which it reports). The journal's share is
// measured by clearing it, which the read scenarios that follow do not
// notice.
func memoryProbe(inst *mock.Instance, out *[]bench.Memory) func(int, uint64) {
	base := bench.LiveHeap()
	return func(users int, benchBytes uint64) {
		withJournal := bench.LiveHeap()
		entries, counted := inst.Journal.Len(), inst.Journal.Bytes()
		inst.Journal.Clear()
		without := bench.LiveHeap()
		grown := func(h uint64) uint64 { return h - min(h, base+benchBytes) }
		*out = append(*out, bench.Memory{Users: users, Heap: grown(withJournal),
			Journal: withJournal - min(without, withJournal), JournalEntries: entries, JournalCounted: counted})
	}
}

// mockLimits raises the embedded mock's user limit to the largest size.
func mockLimits(sizes []int) mock.Limits {
	l := mock.DefaultLimits()
	for _, n := range sizes {
		l.MaxUsers = max(l.MaxUsers, n)
	}
	return l
}
