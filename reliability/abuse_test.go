package reliability_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimconf/scimconf/server/mock"
	"github.com/scimconf/scimconf/server/mockclient"
)

// liveHeap is the live heap after a full collection, in bytes.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC() // the first only moves sync.Pool contents aside
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// settle waits (polling, up to 20s) until the goroutine count is at most
// limit, and returns the last count.
func settle(limit int) int {
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(20 * time.Second); n > limit && time.Now().Before(deadline); n = runtime.NumGoroutine() {
		time.Sleep(50 * time.Millisecond)
	}
	return n
}

func hostOf(inst *mock.Instance) string {
	u, _ := url.Parse(inst.URL)
	return u.Host
}

// closedByServer is true when the server closed c: a read ends with EOF or
// a reset (not with the client's own deadline). It reads what is left of
// an answer first.
func closedByServer(c net.Conn) bool {
	c.SetReadDeadline(time.Now().Add(15 * time.Second))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// TestSlowAndAbusiveClients opens, all at once, connections that send
// their headers a byte at a time, bodies a byte at a time, a 1 GiB
// Content-Length and then nothing, and connections that send nothing at
// all, while a normal client provisions users. The normal client's every
// request succeeds; every abusive connection is closed by the server
// (read, header and idle timeouts, the early 413); and afterwards the
// goroutines and the live heap are back near where they started.
func TestSlowAndAbusiveClients(t *testing.T) {
	const timeout = 300 * time.Millisecond
	inst, _ := start(t, mock.Options{ReadTimeout: timeout, WriteTimeout: 2 * time.Second, IdleTimeout: timeout})
	host := hostOf(inst)
	scimPath := strings.TrimPrefix(inst.SCIMBaseURL, inst.URL)
	scim(t, inst, "GET", "/Users", "") // warm up the client's pool
	baseG, baseHeap := runtime.NumGoroutine(), liveHeap()

	const slowHeaders, slowBodies, hugeLengths, idle = 40, 40, 40, 200
	kinds := map[string]int{"slow headers": slowHeaders, "slow body": slowBodies, "1 GiB Content-Length": hugeLengths, "idle": idle}
	var conns []net.Conn
	var kindOf []string
	for kind, n := range kinds {
		for range n {
			c, err := net.Dial("tcp", host)
			if err != nil {
				t.Fatalf("dial %s: %v", kind, err)
			}
			t.Cleanup(func() { c.Close() })
			conns, kindOf = append(conns, c), append(kindOf, kind)
		}
	}
	// The abusers' traffic: each kind in its own goroutine per connection,
	// a byte every 50ms for the slow ones (for up to 3s: ten read timeouts).
	var wg sync.WaitGroup
	var mu sync.Mutex
	answered413 := 0
	for i, c := range conns {
		wg.Go(func() {
			switch kindOf[i] {
			case "slow headers":
				req := fmt.Sprintf("GET %s/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nX-Pad: %s\r\n\r\n", scimPath, inst.SCIMToken, strings.Repeat("p", 60))
				for j := range len(req) {
					if _, err := c.Write([]byte{req[j]}); err != nil {
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
			case "slow body":
				fmt.Fprintf(c, "POST %s/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/scim+json\r\nContent-Length: 100\r\n\r\n", scimPath, inst.SCIMToken)
				for range 60 {
					if _, err := c.Write([]byte(" ")); err != nil {
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
			case "1 GiB Content-Length":
				fmt.Fprintf(c, "POST %s/Users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/scim+json\r\nContent-Length: %d\r\n\r\n{\"a\"", scimPath, inst.SCIMToken, 1<<30)
				c.SetReadDeadline(time.Now().Add(15 * time.Second))
				if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil && resp.StatusCode == http.StatusRequestEntityTooLarge {
					mu.Lock()
					answered413++
					mu.Unlock()
				}
			}
		})
	}
	// Meanwhile a normal client works; every request must succeed.
	served := 0
	for i := range 60 {
		a := scim(t, inst, "POST", "/Users", mustJSON(userDoc(inst, fmt.Sprint("normal-", i))))
		if a.status != http.StatusCreated {
			t.Fatalf("a normal client's create %d during the abuse: %s", i, a)
		}
		if a := scim(t, inst, "GET", "/Users?count=5", ""); a.status != http.StatusOK {
			t.Fatalf("a normal client's list %d during the abuse: %s", i, a)
		}
		served += 2
	}
	duringG := runtime.NumGoroutine()
	wg.Wait()
	closed := 0
	for _, c := range conns {
		if closedByServer(c) {
			closed++
		}
	}
	total := len(conns)
	if closed != total {
		t.Errorf("the server closed %d of %d abusive connections, want all", closed, total)
	}
	if answered413 != hugeLengths {
		t.Errorf("%d of %d 1 GiB Content-Lengths were answered 413", answered413, hugeLengths)
	}
	for _, c := range conns {
		c.Close()
	}
	// Bounded: at most a few goroutines per open connection while they
	// lasted, and back to the start (plus a margin for the client's pool)
	// once they are gone.
	if limit := baseG + 3*total + 50; duringG > limit {
		t.Errorf("%d goroutines with %d abusive connections open, over %d", duringG, total, limit)
	}
	afterG := settle(baseG + 20)
	if afterG > baseG+20 {
		t.Errorf("%d goroutines after the abusive connections closed, %d before", afterG, baseG)
	}
	grown := int64(liveHeap()) - int64(baseHeap)
	const heapLimit = 16 << 20
	if grown > heapLimit {
		t.Errorf("the live heap grew by %d bytes over the abuse, over %d", grown, heapLimit)
	}
	figure(t, "slow/abusive connections", "%d (%d slow headers, %d slow bodies, %d 1 GiB Content-Length, %d idle): all closed by the server, %d normal requests served meanwhile, 0 failed",
		total, slowHeaders, slowBodies, hugeLengths, idle, served)
	figure(t, "goroutines: before, during, after abuse", "%d, %d, %d", baseG, duringG, afterG)
	figure(t, "live heap growth over the abuse", "%.1f MiB (bound %d MiB)", float64(grown)/(1<<20), heapLimit>>20)
}

// TestUnauthenticatedFlood: 300 POSTs of 1 MiB each without a valid
// token, each with a 4 KB query and header. Measured the same way on the
// code before the journal was bounded in bytes (f7e0a8d^) they grew the
// live heap by 302 MiB (the issue saw 258 MB); bounded but before 401s
// became summaries (e3e6416^), by 6.9 MiB with the 16 MiB default. Now
// the live heap grows by at most the journal's byte budget plus 8 MiB,
// and each is journaled as a counted summary without its body.
func TestUnauthenticatedFlood(t *testing.T) {
	const budget = 4 << 20
	inst, mc := start(t, mock.Options{JournalMaxBytes: budget})
	body := `{"userName":"` + strings.Repeat("f", 1<<20) + `"}`
	send("POST", inst.SCIMBaseURL+"/Users", body, "Authorization", "Bearer wrong") // one-time allocations
	before := liveHeap()
	const n = 300
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			auth := []string{"Authorization", "Bearer wrong-" + fmt.Sprint(i)}
			if i%3 == 0 {
				auth = nil
			}
			a, err := send("POST", inst.SCIMBaseURL+"/Users?access_token=x&pad="+strings.Repeat("q", 4000), body, append(auth, "X-Pad", strings.Repeat("h", 4000))...)
			if err != nil || a.status != http.StatusUnauthorized {
				t.Errorf("flood %d: %v %v", i, a, err)
			}
		})
	}
	wg.Wait()
	grown := int64(liveHeap()) - int64(before)
	limit := int64(budget + 8<<20)
	if grown > limit {
		t.Errorf("%d unauthenticated 1 MiB requests grew the live heap by %d bytes, over %d (journal budget + 8 MiB)", n, grown, limit)
	}
	counts, err := mc.CountJournal(t.Context(), mockclient.JournalFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if counts.Unauthenticated != n+1 {
		t.Errorf("the journal counts %d unauthenticated exchanges, want %d", counts.Unauthenticated, n+1)
	}
	figure(t, "unauthenticated flood heap growth", "%.1f MiB for %d x 1 MiB POSTs (bound %d MiB = journal budget + 8 MiB; 302 MiB measured the same way before the journal was bounded in bytes)",
		float64(grown)/(1<<20), n, limit>>20)
	figure(t, "unauthenticated flood journal", "%d counted as unauthenticated, %d summaries held", counts.Unauthenticated, counts.Matched)
}
