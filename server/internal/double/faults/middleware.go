package faults

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// Middleware injects faults into the requests that reach next. A request
// with the Header injects that fault and no rule's; every other request is
// counted against the rules and gets the action of the first that fires.
// The injected fault is named in the response header Header ("rule f1:
// status=429; retry-after=2", or "header: reset"), which the journal, in
// front of this middleware, records. A malformed Header is answered with a
// SCIM 400 that says what is wrong, and the request is not served.
func (in *Injector) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var (
			act   Action
			label string
			ok    bool
		)
		if hv := r.Header.Get(Header); hv != "" {
			a, err := ParseHeader(hv)
			if err != nil {
				writeSCIMError(w, scimerror.BadRequest(scimerror.InvalidValue, "%v", err))
				return
			}
			in.count(r)
			act, label, ok = a, "header", true
		} else {
			var id string
			act, id, ok = in.decide(r)
			label = "rule " + id
		}
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set(Header, label+": "+act.describe())
		if act.Latency > 0 && !in.sleep(r, time.Duration(act.Latency)) {
			return // the client went away while waiting
		}
		switch {
		case act.Reset:
			reset(w)
		case act.Status != 0:
			if act.RetryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(act.RetryAfter))
			}
			detail := act.Detail
			if detail == "" {
				detail = "fault injected by scimconf (" + label + ": " + act.describe() + "); the request was not processed"
			}
			writeSCIMError(w, scimerror.New(act.Status, "", "%s", detail))
		case act.Truncate:
			truncate(w, r, next)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// count counts a call that carries the Header against the rules (the
// connector's third PATCH is its third, whatever the test injected), without
// firing any.
func (in *Injector) count(r *http.Request) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, rule := range in.rules {
		if rule.matches(r) {
			rule.Seen++
		}
	}
}

func writeSCIMError(w http.ResponseWriter, e *scimerror.Error) {
	b, _ := json.Marshal(e)
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(e.Status)
	w.Write(b)
}

// reset closes the connection without an answer: a TCP reset where the
// connection can be taken over (HTTP/1), else an aborted response.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	raw := conn
	if w, ok := conn.(interface{ NetConn() net.Conn }); ok {
		raw = w.NetConn() // the journal wraps the connection
	}
	if tc, ok := raw.(*net.TCPConn); ok {
		tc.SetLinger(0) // RST rather than FIN: "connection reset by peer"
	}
	conn.Close()
}

// truncate serves the request into a buffer, then sends its status and
// headers with the full Content-Length and only the first half of the
// body; net/http closes a connection whose body falls short, so the client
// reads an unexpected EOF. Without a body there is nothing to cut: the
// connection is closed after the request was served.
func truncate(w http.ResponseWriter, r *http.Request, next http.Handler) {
	buf := &bufferedWriter{header: http.Header{}}
	next.ServeHTTP(buf, r)
	for k, v := range buf.header {
		w.Header()[k] = v
	}
	body := buf.body.Bytes()
	if len(body) == 0 {
		reset(w)
		return
	}
	if buf.status == 0 {
		buf.status = http.StatusOK
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(buf.status)
	w.Write(body[:len(body)/2])
	http.NewResponseController(w).Flush()
}

// bufferedWriter holds a whole response.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
