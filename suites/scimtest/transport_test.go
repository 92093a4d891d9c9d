package scimtest

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// droppingServer answers the first request on each connection and closes
// the connection without an answer when a second one arrives on it: a
// server closing a kept-alive connection just as the client reuses it
// (RFC 9112 section 9.5), over a real socket.
func droppingServer(t *testing.T) (url string, requests *atomic.Int64) {
	return closingServer(t, true)
}

// closingServer is droppingServer; without reset it reads the second
// request whole and closes the connection plainly, as a server does that
// gives up on that request (a handler's panic in Go's net/http).
func closingServer(t *testing.T, reset bool) (url string, requests *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	requests = &atomic.Int64{}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func(conn net.Conn) {
				defer conn.Close()
				br := bufio.NewReader(conn)
				for n := 0; ; n++ {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, req.Body)
					requests.Add(1)
					if n > 0 {
						if tc, ok := conn.(*net.TCPConn); ok && reset {
							tc.SetLinger(0) // a reset, as a closing server sends
						}
						return
					}
					io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: 2\r\n\r\n{}")
				}
			}(conn)
		}
	}()
	return "http://" + ln.Addr().String(), requests
}

// TestIdempotentRetriedOnFreshConnection: a PUT or DELETE lost on a
// kept-alive connection is sent once more on a fresh one and answered; a
// POST is not repeated and comes back as a transport error that says so.
func TestIdempotentRetriedOnFreshConnection(t *testing.T) {
	base, requests := droppingServer(t)
	c := &Client{Base: base, Token: "t", HTTP: &http.Client{Transport: &http.Transport{}}}
	ctx := context.Background()
	for _, method := range []string{http.MethodPut, http.MethodDelete} {
		if r := c.Get(ctx, "/Users/1"); r.Status != 200 {
			t.Fatalf("first request: %s", r)
		}
		r := c.Do(ctx, method, "/Users/1", map[string]any{"x": 1})
		if r.Status != 200 || !r.Retried {
			t.Errorf("%s on a dropped kept-alive connection: want 200 after one retry, got status %d retried %v: %s", method, r.Status, r.Retried, r)
		}
	}
	if r := c.Get(ctx, "/Users/1"); r.Status != 200 {
		t.Fatalf("first request: %s", r)
	}
	before := requests.Load()
	r := c.Post(ctx, "/Users", map[string]any{"userName": "x"})
	if !r.TransportError() || r.Retried || !r.Dropped {
		t.Fatalf("POST on a dropped kept-alive connection: want a transport error without retry, got status %d retried %v dropped %v: %v", r.Status, r.Retried, r.Dropped, r.Err)
	}
	if n := requests.Load() - before; n != 1 {
		t.Errorf("the POST reached the server %d times, want once (never repeated)", n)
	}
	if s := r.String(); !strings.Contains(s, "the kept-alive connection was closed under the request") || !strings.Contains(s, "not idempotent") {
		t.Errorf("the transcript does not say what happened: %s", s)
	}
}

// TestNoAnswerOnFreshConnection: a server that drops every request gets
// one retry of a GET, and the transcript says both attempts failed.
func TestNoAnswerOnFreshConnection(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	c := &Client{Base: srv.URL, Token: "t", HTTP: &http.Client{Transport: &http.Transport{}}}
	r := c.Get(context.Background(), "/ServiceProviderConfig")
	if !r.TransportError() || !r.Retried {
		t.Fatalf("want a transport error after one retry, got %s", r)
	}
	if !strings.Contains(r.String(), "also when sent once more on a fresh connection") {
		t.Errorf("the transcript does not say it was retried: %s", r)
	}
}

// TestCapabilitiesWithoutDiscovery: a server without
// /ServiceProviderConfig gives no error (the run goes on), a stated
// problem and assumptions resting on its answers; a refused token is
// still an error, as nothing could be judged.
func TestCapabilitiesWithoutDiscovery(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		switch {
		case r.Header.Get("Authorization") != "Bearer good":
			w.WriteHeader(401)
			io.WriteString(w, `{"schemas":["`+ErrorURN+`"],"status":"401"}`)
		case r.Method == "GET" && r.URL.Path == "/Users" && r.URL.Query().Get("filter") != "":
			io.WriteString(w, `{"schemas":["`+ListURN+`"],"totalResults":0,"Resources":[]}`)
		case r.Method == "PATCH":
			w.WriteHeader(404)
			io.WriteString(w, `{"schemas":["`+ErrorURN+`"],"status":"404"}`)
		default:
			w.WriteHeader(404)
			io.WriteString(w, `{"schemas":["`+ErrorURN+`"],"status":"404"}`)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	caps, err := readCapabilities(ctx, NewClient(srv.URL, "good"))
	if err != nil {
		t.Fatalf("a missing /ServiceProviderConfig stops the run: %v", err)
	}
	if caps.Declared || !strings.Contains(caps.DiscoveryProblem, "404") {
		t.Errorf("want Declared false and the 404 stated, got %v %q", caps.Declared, caps.DiscoveryProblem)
	}
	if !caps.Filter || !caps.Patch || caps.Bulk || caps.ETag || caps.Sort || caps.Cursor {
		t.Errorf("assumptions: want filter and PATCH (shown by answers), nothing else; got %+v", caps)
	}
	all := strings.Join(caps.Assumed, "\n")
	for _, w := range []string{"filter assumed supported", "PATCH assumed supported", "Bulk assumed unsupported: POST /Bulk without operations answered 404"} {
		if !strings.Contains(all, w) {
			t.Errorf("assumptions do not state %q:\n%s", w, all)
		}
	}
	if _, err := readCapabilities(ctx, NewClient(srv.URL, "bad")); err == nil || !strings.Contains(err.Error(), "SCIM_TOKEN") {
		t.Errorf("a refused token: want an error naming SCIM_TOKEN, got %v", err)
	}
}

// TestClosedAfterTheRequest: a kept-alive connection closed plainly after
// the server read a POST is the server giving up on that request, not a
// connection lost under it: it stays this request's failure.
func TestClosedAfterTheRequest(t *testing.T) {
	base, _ := closingServer(t, false)
	c := &Client{Base: base, Token: "t", HTTP: &http.Client{Transport: &http.Transport{}}}
	ctx := context.Background()
	if r := c.Get(ctx, "/Users/1"); r.Status != 200 {
		t.Fatalf("first request: %s", r)
	}
	r := c.Post(ctx, "/Users", map[string]any{"userName": "x"})
	if !r.TransportError() || !r.ReusedConn || r.Dropped {
		t.Fatalf("want a transport error on a reused connection, not a dropped one; got status %d reused %v dropped %v: %v", r.Status, r.ReusedConn, r.Dropped, r.Err)
	}
	if !strings.Contains(r.String(), "closed the kept-alive connection after this request went out") {
		t.Errorf("the transcript does not say what happened: %s", r)
	}
}
