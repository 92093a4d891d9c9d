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
	var ids, names []string
	for _, n := range sizes {
		if n > len(ids) {
			c := cfg
			c.Users, c.Offset = n-len(ids), len(ids)
			more, moreNames, err := seed(ctx, client, c, progress)
			if err != nil {
				return nil, err
			}
			ids, names = append(ids, more...), append(names, moreNames...)
		}
		out[n] = measureAll(ctx, client, cfg, ids[:n], names[:n], progress)
	}
	return out, nil
}

func newClient(cfg Config) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Concurrency * 2, DialContext: (&net.Dialer{}).DialContext}, Timeout: 10 * time.Second}
}

func measureAll(ctx context.Context, client *http.Client, cfg Config, ids, names []string, progress io.Writer) []Result {
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
		{"GET /Users/{id}", func(i int) string { return cfg.BaseURL + "/Users/" + ids[i%len(ids)] }},
		{`GET /Users?filter=userName eq "..."`, func(i int) string {
			return cfg.BaseURL + "/Users?filter=" + url.QueryEscape(`userName eq "`+names[i%len(names)]+`"`)
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
// requests of at most 500 operations), else one POST each.
func seed(ctx context.Context, c *http.Client, cfg Config, progress io.Writer) (ids, names []string, err error) {
	const batch = 500
	for start := cfg.Offset; start < cfg.Offset+cfg.Users; start += batch {
		n := min(batch, cfg.Offset+cfg.Users-start)
		ops := make([]map[string]any, n)
		for i := range n {
			name := fmt.Sprintf("bench-%s-%d@%s", cfg.RunID, start+i, cfg.Domain)
			names = append(names, name)
			ops[i] = map[string]any{"method": "POST", "bulkId": fmt.Sprint(start + i), "path": "/Users", "data": map[string]any{
				"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": name,
				"name": map[string]any{"givenName": "Bench", "familyName": fmt.Sprint(start + i)}, "active": true}}
		}
		var resp struct {
			Operations []struct{ Status, Location string }
		}
		status, err := call(ctx, c, cfg, "POST", "/Bulk", map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:BulkRequest"}, "Operations": ops}, &resp)
		if err != nil || status != 200 {
			return nil, nil, fmt.Errorf("seeding through /Bulk: status %d: %v", status, err)
		}
		for _, op := range resp.Operations {
			if op.Status != "201" {
				return nil, nil, fmt.Errorf("seeding: a bulk POST answered %s", op.Status)
			}
			u, err := url.Parse(op.Location)
			if err != nil {
				return nil, nil, fmt.Errorf("seeding: bad location %q", op.Location)
			}
			ids = append(ids, path.Base(u.Path))
		}
		fmt.Fprintf(progress, "seeded %d/%d users\n", cfg.Offset+len(ids), cfg.Offset+cfg.Users)
	}
	if len(ids) == 0 {
		return nil, nil, fmt.Errorf("no users to read: give --users > 0")
	}
	return ids, names, nil
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
