// Package bench owns the whole-server load figures of `make bench`: it
// seeds a SCIM server with users over HTTP, then drives a bounded,
// concurrent load of typical reads against it and against a bare net/http
// handler on the same machine, and reports throughput and latency
// percentiles for each. It only talks HTTP; the target may be the
// embedded mock or any SCIM server (read-only scenarios after seeding).
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"slices"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"
)

// Config bounds a run: every scenario runs for Duration with Concurrency
// clients, and never sends more than MaxRequests requests.
type Config struct {
	BaseURL     string
	Token       string
	Users       int // users to seed before measuring
	Offset      int // number of the first seeded user
	Domain      string
	Duration    time.Duration
	Concurrency int
	MaxRequests int
	// RunID names the seeded users: "bench-<RunID>-<n>@<Domain>".
	RunID string
	// AfterSeed, when set, is called after seeding to each size and
	// before that size's scenarios run, with the number of users seeded
	// and the bytes the bench itself keeps for them (their ids), so that
	// a caller running the server in this process can read its memory
	// (cmd/scimconf bench does, for the embedded mock).
	AfterSeed func(users int, benchBytes uint64)
}

// Result is one scenario's figures.
type Result struct {
	Scenario  string
	Requests  int
	Errors    int
	PerSecond float64
	P50, P99  time.Duration
}

// Sizes runs the scenarios at each number of users, seeding the difference
// between sizes, so a reader sees whether lookups stay flat as the
// server fills up.
func Sizes(ctx context.Context, cfg Config, sizes []int, progress io.Writer) (map[int][]Result, error) {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.MaxRequests <= 0 {
		cfg.MaxRequests = 1_000_000
	}
	client := newClient(cfg)
	out := map[int][]Result{}
	ids := &idList{}
	for _, n := range sizes {
		if n > ids.len() {
			c := cfg
			c.Users, c.Offset = n-ids.len(), ids.len()
			if err := seed(ctx, client, c, ids, progress); err != nil {
				return nil, err
			}
			if cfg.AfterSeed != nil {
				cfg.AfterSeed(ids.len(), ids.bytes())
			}
		}
		out[n] = measureAll(ctx, client, cfg, ids, n, progress)
	}
	return out, nil
}

// userName is the userName of the i-th seeded user. It is computed again
// when needed rather than kept, so that the bench holds as little memory
// as it can next to an embedded server whose memory it reports.
func (cfg Config) userName(i int) string {
	return fmt.Sprintf("bench-%s-%d@%s", cfg.RunID, i, cfg.Domain)
}

// idList keeps the seeded users' ids in one byte array, with no pointer
// per id, so that what the bench holds is small and known exactly (bytes).
type idList struct {
	data []byte
	ends []int32
}

func (l *idList) add(id string) {
	l.data = append(l.data, id...)
	l.ends = append(l.ends, int32(len(l.data)))
}

func (l *idList) len() int { return len(l.ends) }

func (l *idList) at(i int) string {
	start := int32(0)
	if i > 0 {
		start = l.ends[i-1]
	}
	return string(l.data[start:l.ends[i]])
}

// bytes is what the list holds on the heap.
func (l *idList) bytes() uint64 { return uint64(cap(l.data) + 4*cap(l.ends)) }

func newClient(cfg Config) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Concurrency * 2, DialContext: (&net.Dialer{}).DialContext}, Timeout: 10 * time.Second}
}

// measureAll runs the scenarios against the first n seeded users.
func measureAll(ctx context.Context, client *http.Client, cfg Config, ids *idList, n int, progress io.Writer) []Result {
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		w.Write(sampleBody)
	}))
	defer bare.Close()
	scenarios := []struct {
		name string
		url  func(i int) string
	}{
		{"bare net/http handler (baseline)", func(int) string { return bare.URL + "/Users/x" }},
		{"GET /Users/{id}", func(i int) string { return cfg.BaseURL + "/Users/" + ids.at(i%n) }},
		{`GET /Users?filter=userName eq "..."`, func(i int) string {
			return cfg.BaseURL + "/Users?filter=" + url.QueryEscape(`userName eq "`+cfg.userName(i%n)+`"`)
		}},
	}
	var out []Result
	for _, s := range scenarios {
		if ctx.Err() != nil {
			break
		}
		fmt.Fprintf(progress, "measuring %s for %s with %d clients...\n", s.name, cfg.Duration, cfg.Concurrency)
		out = append(out, measure(ctx, client, cfg, s.name, s.url))
	}
	return out
}

var sampleBody = []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"x","userName":"ada@example.com","name":{"givenName":"Ada","familyName":"Lovelace"},"active":true,"meta":{"resourceType":"User","created":"2026-01-01T00:00:00Z","lastModified":"2026-01-01T00:00:00Z","location":"http://127.0.0.1/Users/x","version":"W/\"1\""}}`)

// seed creates cfg.Users users through /Bulk when the target takes it (in
// requests of at most 500 operations), adding their ids to ids.
func seed(ctx context.Context, c *http.Client, cfg Config, ids *idList, progress io.Writer) error {
	const batch = 500
	for start := cfg.Offset; start < cfg.Offset+cfg.Users; start += batch {
		n := min(batch, cfg.Offset+cfg.Users-start)
		ops := make([]map[string]any, n)
		for i := range n {
			name := cfg.userName(start + i)
			ops[i] = map[string]any{"method": "POST", "bulkId": fmt.Sprint(start + i), "path": "/Users", "data": map[string]any{
				"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": name,
				"name": map[string]any{"givenName": "Bench", "familyName": fmt.Sprint(start + i)}, "active": true}}
		}
		var resp struct {
			Operations []struct{ Status, Location string }
		}
		status, err := call(ctx, c, cfg, "POST", "/Bulk", map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:BulkRequest"}, "Operations": ops}, &resp)
		if err != nil || status != 200 {
			return fmt.Errorf("seeding through /Bulk: status %d: %v", status, err)
		}
		for _, op := range resp.Operations {
			if op.Status != "201" {
				return fmt.Errorf("seeding: a bulk POST answered %s", op.Status)
			}
			u, err := url.Parse(op.Location)
			if err != nil {
				return fmt.Errorf("seeding: bad location %q", op.Location)
			}
			ids.add(path.Base(u.Path))
		}
		fmt.Fprintf(progress, "seeded %d/%d users\n", ids.len(), cfg.Offset+cfg.Users)
	}
	if ids.len() == 0 {
		return fmt.Errorf("no users to read: give --users > 0")
	}
	return nil
}

func call(ctx context.Context, c *http.Client, cfg Config, method, path string, body, out any) (int, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, method, cfg.BaseURL+path, bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+cfg.Token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, json.NewDecoder(resp.Body).Decode(out)
}

// measure runs one scenario: Concurrency clients in a closed loop until
// Duration passes or MaxRequests are sent.
func measure(ctx context.Context, c *http.Client, cfg Config, name string, target func(int) string) Result {
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var sent, errs atomic.Int64
	lat := make([][]time.Duration, cfg.Concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(sent.Add(1))
				if i > cfg.MaxRequests {
					return
				}
				req, err := http.NewRequestWithContext(ctx, "GET", target(i), nil)
				if err != nil {
					// A target URL that does not parse fails every
					// request alike: count it, as a failed exchange is.
					errs.Add(1)
					continue
				}
				req.Header.Set("Authorization", "Bearer "+cfg.Token)
				t0 := time.Now()
				resp, err := c.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
					}
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs.Add(1)
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	r := Result{Scenario: name, Requests: len(all), Errors: int(errs.Load())}
	if len(all) > 0 {
		r.PerSecond = float64(len(all)) / elapsed.Seconds()
		r.P50, r.P99 = all[len(all)/2], all[len(all)*99/100]
	}
	return r
}

// Print writes the results as a table, with each scenario's throughput as
// a fraction of the baseline's.
func Print(w io.Writer, results []Result) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\trequests\terrors\treq/s\tof baseline\tp50\tp99")
	for _, r := range results {
		frac := "-"
		if len(results) > 0 && results[0].PerSecond > 0 {
			frac = fmt.Sprintf("%.0f%%", 100*r.PerSecond/results[0].PerSecond)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%s\t%s\t%s\n", r.Scenario, r.Requests, r.Errors, r.PerSecond, frac, r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond))
	}
	tw.Flush()
}
