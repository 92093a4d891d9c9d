package mock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// startShort starts a mock whose read, write and idle timeouts are 200ms.
func startShort(t *testing.T) *Instance {
	t.Helper()
	inst, err := Start(t.Context(), Options{
		ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond, IdleTimeout: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	return inst
}

// dial opens a raw connection to the mock; reads give up after 10s, so a
// mock that never closes fails the test instead of hanging it.
func dial(t *testing.T, inst *Instance) (net.Conn, *bufio.Reader) {
	t.Helper()
	u, _ := url.Parse(inst.URL)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	return c, bufio.NewReader(c)
}

// isTimeout is true for the client's own read deadline: the mock kept the
// connection open.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestSlowBodyIsCut: a client that sends its body a byte at a time, slower
// than the read timeout allows, loses the connection before it has sent it
// all.
func TestSlowBodyIsCut(t *testing.T) {
	inst := startShort(t)
	c, br := dial(t, inst)
	path := strings.TrimPrefix(inst.SCIMBaseURL, inst.URL) + "/Users"
	const n = 40
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/scim+json\r\nContent-Length: %d\r\n\r\n", path, inst.SCIMToken, n)
	cut := false
	for range n - 1 { // never the last byte: an answer can only come from the cut

		time.Sleep(50 * time.Millisecond)
		if _, err := c.Write([]byte(" ")); err != nil {
			cut = true // the mock closed the connection
			break
		}
		c.SetReadDeadline(time.Now().Add(time.Millisecond))
		if _, err := br.Peek(1); err == nil || !isTimeout(err) {
			cut = true // an answer (or the close) before the whole body
			break
		}
	}
	if !cut {
		t.Fatalf("the mock read a %d-byte body sent over %v with a 200ms read timeout", n, n*50*time.Millisecond)
	}
}

// TestAnnouncedHugeBodyIs413: a Content-Length beyond the body cap is
// answered 413, as a SCIM error, without waiting for the body.
func TestAnnouncedHugeBodyIs413(t *testing.T) {
	inst, err := Start(t.Context(), Options{ReadTimeout: -1}) // no read timeout: the answer cannot come from it
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	for _, path := range []string{strings.TrimPrefix(inst.SCIMBaseURL, inst.URL) + "/Users", "/mock/v1/accounts"} {
		c, br := dial(t, inst)
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/scim+json\r\nContent-Length: %d\r\n\r\n{\"userName\"", path, inst.SCIMToken, 1<<30)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: no answer to a 1 GiB Content-Length: %v", path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("%s: %d %s, want 413", path, resp.StatusCode, body)
		}
		if strings.HasPrefix(path, "/scim") || !strings.HasPrefix(path, "/mock") {
			if !strings.Contains(string(body), `"urn:ietf:params:scim:api:messages:2.0:Error"`) || !strings.Contains(string(body), `"status":"413"`) {
				t.Errorf("%s: 413 body %s, want a SCIM error", path, body)
			}
		}
	}
}

// TestIdleConnectionIsClosed: a kept-alive connection that sends no next
// request is closed after the idle timeout.
func TestIdleConnectionIsClosed(t *testing.T) {
	inst := startShort(t)
	c, br := dial(t, inst)
	fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if _, err := br.ReadByte(); err == nil || isTimeout(err) {
		t.Fatalf("an idle connection stayed open (read: %v), want it closed", err)
	}
}

// TestJournalStreamOutlivesWriteTimeout: the live tail is not cut by the
// write timeout; an exchange made after it has passed still arrives.
func TestJournalStreamOutlivesWriteTimeout(t *testing.T) {
	inst := startShort(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", inst.AdminURL+"/journal/stream", nil)
	req.Header.Set("Authorization", "Bearer "+inst.AdminToken)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stream: %d", resp.StatusCode)
	}
	time.Sleep(600 * time.Millisecond) // three write timeouts
	get, _ := http.NewRequestWithContext(ctx, "GET", inst.SCIMBaseURL+"/Users?count=1", nil)
	get.Header.Set("Authorization", "Bearer "+inst.SCIMToken)
	r2, err := http.DefaultClient.Do(get)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if sc.Text() == "event: exchange" {
			return
		}
	}
	t.Fatalf("the stream ended without the exchange: %v", sc.Err())
}

// TestLatencyFaultOutlivesWriteTimeout: an injected latency longer than
// the write timeout still ends in the answer it delays (the fault is what
// the test asked for, not a stalled client).
func TestLatencyFaultOutlivesWriteTimeout(t *testing.T) {
	inst := startShort(t)
	req, _ := http.NewRequestWithContext(t.Context(), "GET", inst.SCIMBaseURL+"/Users?count=1", nil)
	req.Header.Set("Authorization", "Bearer "+inst.SCIMToken)
	req.Header.Set("X-Scimconf-Fault", "latency=500ms")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("a 500ms latency fault with a 200ms write timeout: %v", err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("a 500ms latency fault with a 200ms write timeout: %d, %v", resp.StatusCode, err)
	}
}
