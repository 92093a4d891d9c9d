package reliability_test

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimconf/scimconf/server/mock"
)

// rss is the process's resident set size in bytes (Linux), 0 elsewhere.
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// TestSoak runs 16 clients against one mock for SCIMCONF_SOAK (e.g. 1m;
// make reliability-long), each creating users, patching, reading and
// filtering them, with a group of its own that keeps its 20 newest users
// as members (PATCH add, and remove of the oldest). It prints the
// throughput, the p50 and p99 latency, RSS and goroutines at the start and
// the end, and fails if any request got a 5xx or no answer, or if a write
// the mock acknowledged is missing afterwards. Skipped without the
// variable: it is not a CI test.
func TestSoak(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("SCIMCONF_SOAK"))
	if err != nil || d <= 0 {
		t.Skip("set SCIMCONF_SOAK=1m (make reliability-long) to run the soak")
	}
	// The account's user limit (10,000 by default, DT-USER-LIMIT) would
	// turn most of a minute's creates into cheap refusals.
	inst, _ := start(t, mock.Options{Limits: mock.Limits{MaxUsers: 1 << 30}})
	client.Transport = &http.Transport{MaxIdleConnsPerHost: 64}
	startRSS, startG := rss(), runtime.NumGoroutine()
	const clients = 16
	auth := []string{"Authorization", "Bearer " + inst.SCIMToken, "Content-Type", "application/scim+json"}
	var mu sync.Mutex
	var latencies []time.Duration
	acked := map[string]string{} // id -> displayName last acknowledged
	members := map[string]map[string]bool{}
	failures, refused := 0, 0
	deadline := time.Now().Add(d)
	began := time.Now()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			var lat []time.Duration
			timed := func(method, path, body string) answer {
				t0 := time.Now()
				a, err := send(method, inst.SCIMBaseURL+path, body, auth...)
				lat = append(lat, time.Since(t0))
				if err != nil || a.status >= 500 {
					mu.Lock()
					failures++
					mu.Unlock()
					t.Errorf("%s %s: %v %v", method, path, a, err)
				} else if a.status >= 400 {
					mu.Lock()
					refused++
					mu.Unlock()
				}
				return a
			}
			g := timed("POST", "/Groups", mustJSON(groupDoc(fmt.Sprint("soak-", c))))
			gid, _ := g.json()["id"].(string)
			// The group keeps its 20 newest members: each add past that
			// removes the oldest, so the load stays steady (a PATCH
			// answers the whole group) and both kinds of change are acked.
			var fifo []string
			for i := 0; time.Now().Before(deadline); i++ {
				userName := fmt.Sprintf("soak-%d-%d@%s", c, i, inst.Domain)
				a := timed("POST", "/Users", mustJSON(map[string]any{"userName": userName, "name": map[string]any{"givenName": "S", "familyName": "K"}, "active": true}))
				id, _ := a.json()["id"].(string)
				if a.status != http.StatusCreated || id == "" {
					continue
				}
				name := fmt.Sprint("v", i)
				p := timed("PATCH", "/Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"`+name+`"}]}`)
				mu.Lock()
				if p.status/100 == 2 {
					acked[id] = name
				} else {
					acked[id] = ""
				}
				mu.Unlock()
				timed("GET", "/Users/"+id, "")
				if gid != "" && timed("PATCH", "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"`+id+`"}]}]}`).status/100 == 2 {
					fifo = append(fifo, id)
				}
				if len(fifo) > 20 && timed("PATCH", "/Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"`+fifo[0]+`\"]"}]}`).status/100 == 2 {
					fifo = fifo[1:]
				}
				if i%5 == 0 {
					timed("GET", "/Users?filter="+queryEscape(`userName eq "`+userName+`"`), "")
				}
			}
			mine := map[string]bool{}
			for _, id := range fifo {
				mine[id] = true
			}
			mu.Lock()
			latencies = append(latencies, lat...)
			if gid != "" {
				members[gid] = mine
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	// Every acknowledged write is there.
	lost := 0
	for id, name := range acked {
		a := scim(t, inst, "GET", "/Users/"+id, "")
		if a.status != http.StatusOK || (name != "" && a.json()["displayName"] != name) {
			lost++
			t.Errorf("acknowledged user %s (displayName %q): %s", id, name, a)
		}
	}
	for gid, want := range members {
		got := map[string]bool{}
		ms, _ := scim(t, inst, "GET", "/Groups/"+gid, "").json()["members"].([]any)
		for _, m := range ms {
			got[m.(map[string]any)["value"].(string)] = true
		}
		for id := range want {
			if !got[id] {
				lost++
				t.Errorf("group %s lost the acknowledged member %s", gid, id)
			}
		}
		if len(got) != len(want) {
			lost++
			t.Errorf("group %s has %d members, want the %d acknowledged (a removal was lost)", gid, len(got), len(want))
		}
	}
	slices.Sort(latencies)
	pct := func(p float64) time.Duration { return latencies[int(p*float64(len(latencies)-1))] }
	endRSS, endG := rss(), runtime.NumGoroutine()
	figure(t, "soak: duration, clients, requests", "%v, %d, %d", elapsed.Round(time.Second), clients, len(latencies))
	figure(t, "soak: throughput", "%.0f req/s", float64(len(latencies))/elapsed.Seconds())
	figure(t, "soak: latency p50, p99", "%v, %v", pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond))
	figure(t, "soak: RSS start, end", "%.0f MiB, %.0f MiB (mock and clients in one process)", float64(startRSS)/(1<<20), float64(endRSS)/(1<<20))
	figure(t, "soak: goroutines start, end", "%d, %d", startG, endG)
	figure(t, "soak: acknowledged writes lost, 5xx, 4xx", "%d of %d users and their memberships, %d, %d", lost, len(acked), failures, refused)
}
