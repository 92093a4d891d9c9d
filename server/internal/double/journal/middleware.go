package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path"
	"strings"
	"sync"
)

// responseAnalysisCap bounds what the middleware keeps of a response
// body to read an error's scimType and detail, whatever the entry keeps.
const responseAnalysisCap = 64 << 10

// analysisCap bounds what the middleware reads of a request body ahead of
// the handler, to find the PATCH ops and redact passwords; the handler
// still reads the whole body (and applies its own cap).
const analysisCap = 1 << 20

// Middleware records every exchange that passes through next. It reads
// the request body ahead of next (up to 1 MiB; next sees the same bytes),
// watches what next writes, and records the entry when next returns, also
// when next panics (the panic goes on). It passes Flush and Hijack
// through, so a fault that closes the connection still works and is
// recorded with status 0.
func (j *Journal) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := j.now()
		body, readErr := peekBody(r)
		rec := &recorder{ResponseWriter: w, max: max(j.maxBody, responseAnalysisCap)}
		var once sync.Once
		rec.record = func() {
			once.Do(func() {
				e := j.entry(r, body, rec)
				e.Time = start
				e.Duration = j.now().Sub(start)
				if readErr != nil && e.Error == "" {
					e.Error = "reading the request body: " + readErr.Error()
				}
				j.Add(e)
			})
		}
		defer rec.record()
		next.ServeHTTP(rec, r)
	})
}

// peekBody reads up to analysisCap bytes of the body and puts them back in
// front of the rest.
func peekBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	buf, err := io.ReadAll(io.LimitReader(r.Body, analysisCap))
	r.Body = readCloser{io.MultiReader(bytes.NewReader(buf), r.Body), r.Body}
	return buf, err
}

type readCloser struct {
	io.Reader
	io.Closer
}

// summaryCap bounds each string of an unauthenticated exchange's summary
// (method, path, the query's names, detail).
const summaryCap = 256

// entry builds the record of a finished exchange.
func (j *Journal) entry(r *http.Request, body []byte, rec *recorder) Entry {
	if rec.wrote && rec.status == http.StatusUnauthorized {
		return j.summary(r, body, rec)
	}
	e := Entry{
		Method:         r.Method,
		Path:           r.URL.Path,
		Query:          RedactQuery(r.URL.RawQuery),
		RequestHeaders: RedactHeaders(r.Header),
		Status:         rec.status,
	}
	e.AccountID, e.Endpoint, e.ResourceType, e.ResourceID = resourceOf(r.URL.Path)
	if r.Method == http.MethodPatch {
		e.PatchOps = patchOps(body)
	}
	e.RequestBody, e.RequestBodyTruncated = j.cut(RedactBody(body))

	h := rec.Header()
	switch {
	case rec.hijacked && !rec.wrote:
		e.Error = "the connection was closed without an answer"
	case !rec.wrote:
		e.Status = http.StatusOK // net/http sends 200 for a handler that wrote nothing
	}
	if rec.hijacked && e.Error == "" {
		e.Error = "the connection was closed"
	}
	if len(h) > 0 {
		e.ResponseHeaders = RedactHeaders(h)
	}
	e.ResponseBody, e.ResponseBodyTruncated = j.cut(RedactResponseBody(rec.body.Bytes()))
	e.ResponseBodyTruncated = e.ResponseBodyTruncated || rec.cut
	e.Rule = h.Get(RuleHeader)
	e.Quirks = headerValues(h, QuirksHeader)
	e.Fault = h.Get(FaultHeader)
	if e.Status >= 400 {
		var scimErr struct {
			ScimType string `json:"scimType"`
			Detail   string `json:"detail"`
		}
		if json.Unmarshal(rec.body.Bytes(), &scimErr) == nil {
			e.SCIMType, e.Detail = scimErr.ScimType, scimErr.Detail
		}
	}
	if e.ResourceID == "" && r.Method == http.MethodPost && e.Status == http.StatusCreated && e.ResourceType != "" {
		if loc := h.Get("Location"); loc != "" {
			e.ResourceID = path.Base(loc)
		}
	}
	return e
}

// summary is the entry of an exchange answered 401: who sent it is not
// known, so it keeps only what says what was tried and why it was refused,
// each string cut to summaryCap and copied, so that nothing of the request
// (a 1 MiB body, long headers, a query with a token in it) stays alive.
func (j *Journal) summary(r *http.Request, body []byte, rec *recorder) Entry {
	h := rec.Header()
	e := Entry{
		Method:               capped(r.Method),
		Path:                 capped(r.URL.Path),
		Query:                queryNames(r.URL.RawQuery),
		Status:               rec.status,
		Rule:                 capped(h.Get(RuleHeader)),
		RequestBodyTruncated: len(body) > 0,
		Unauthenticated:      true,
	}
	e.AccountID, e.Endpoint, e.ResourceType, e.ResourceID = resourceOf(e.Path)
	var scimErr struct {
		ScimType string `json:"scimType"`
		Detail   string `json:"detail"`
	}
	if json.Unmarshal(rec.body.Bytes(), &scimErr) == nil {
		e.SCIMType, e.Detail = capped(scimErr.ScimType), capped(scimErr.Detail)
	}
	return e
}

// capped is a copy of the first summaryCap bytes of s.
func capped(s string) string {
	return strings.Clone(s[:min(len(s), summaryCap)])
}

// queryNames is the names of a raw query's parameters, without their
// values, joined by "&" and capped.
func queryNames(raw string) string {
	var b strings.Builder
	for part := range strings.SplitSeq(raw, "&") {
		name, _, _ := strings.Cut(part, "=")
		if name == "" {
			continue
		}
		if b.Len()+len(name)+1 > summaryCap {
			break
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(name)
	}
	return b.String()
}

// cut keeps the first maxBody bytes of a body. The part kept is copied:
// a slice of s would keep all of s alive (up to the 1 MiB the middleware
// reads) for as long as the entry stays in the journal, and the journal's
// byte budget counts only what the entry shows.
func (j *Journal) cut(s string) (string, bool) {
	if len(s) <= j.maxBody {
		return s, false
	}
	return strings.Clone(s[:j.maxBody]), true
}

// resourceOf reads the account, endpoint, resource type and resource id
// from a SCIM path.
func resourceOf(p string) (account, endpoint, resourceType, id string) {
	account, rest, ok := SplitSCIMPath(p)
	if !ok {
		return "", "", "", ""
	}
	parts := strings.SplitN(strings.TrimPrefix(rest, "/"), "/", 3)
	endpoint = parts[0]
	switch endpoint {
	case "Users":
		resourceType = "User"
	case "Groups":
		resourceType = "Group"
	}
	if len(parts) > 1 && parts[1] != ".search" && resourceType != "" {
		id = parts[1]
	}
	return account, endpoint, resourceType, id
}

// patchOps returns the "op" of every operation of a PatchOp body, as sent;
// nil when the body is not one.
func patchOps(body []byte) []string {
	var req struct {
		Operations []struct {
			Op any `json:"op"`
		} `json:"Operations"`
	}
	if json.Unmarshal(body, &req) != nil {
		return nil
	}
	var ops []string
	for _, o := range req.Operations {
		if s, ok := o.Op.(string); ok {
			ops = append(ops, s)
		}
	}
	return ops
}

// recorder watches what the handler writes: the status, the first max
// bytes of the body, and whether the connection was hijacked.
type recorder struct {
	http.ResponseWriter
	// record adds the entry, once: when the handler returns, or when a
	// hijacked connection is closed, so that the entry is in the journal
	// before the client sees the connection go.
	record   func()
	max      int
	status   int
	wrote    bool
	hijacked bool
	body     bytes.Buffer
	cut      bool
}

func (rw *recorder) WriteHeader(code int) {
	if !rw.wrote && code >= 200 {
		rw.status, rw.wrote = code, true
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *recorder) Write(b []byte) (int, error) {
	if !rw.wrote {
		rw.status, rw.wrote = http.StatusOK, true
	}
	if room := rw.max - rw.body.Len(); len(b) > room {
		rw.body.Write(b[:room])
		rw.cut = true
	} else {
		rw.body.Write(b)
	}
	return rw.ResponseWriter.Write(b)
}

func (rw *recorder) Flush() {
	http.NewResponseController(rw.ResponseWriter).Flush()
}

// Hijack hands the connection over (a fault closes it); the entry then
// records that no answer was sent, unless one already was.
func (rw *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(rw.ResponseWriter).Hijack()
	if err != nil {
		return c, brw, err
	}
	rw.hijacked = true
	return &recordingConn{Conn: c, record: rw.record}, brw, nil
}

// recordingConn records the exchange before it closes the connection.
type recordingConn struct {
	net.Conn
	record func()
}

// NetConn returns the connection underneath, as tls.Conn does, for a
// caller that needs its type (a fault sets SO_LINGER on a TCP connection).
func (c *recordingConn) NetConn() net.Conn { return c.Conn }

func (c *recordingConn) Close() error {
	c.record()
	return c.Conn.Close()
}

func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }
