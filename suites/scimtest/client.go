package scimtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
)

// Client is a SCIM client for specs: every call returns a *Response (never
// an error: a transport failure becomes Status 0 with Err set, so a
// matcher reports it with the request).
type Client struct {
	Base  string
	Token string
	// Header is sent with every request (after Authorization).
	Header http.Header
	HTTP   *http.Client
}

// NewClient returns a client for base with bearer token.
func NewClient(base, token string) *Client {
	return &Client{Base: strings.TrimRight(base, "/"), Token: token, HTTP: HTTPClient}
}

// WithToken returns a copy of c that sends another Authorization value:
// "" sends none, anything else is sent verbatim when it has a space (a
// scheme), else as "Bearer <token>".
func (c *Client) WithToken(token string) *Client {
	d := *c
	d.Token = token
	return &d
}

// Response is one exchange as a spec sees it.
type Response struct {
	Method  string
	URL     string
	ReqBody []byte
	Status  int
	Header  http.Header
	Body    []byte
	// JSON is the body decoded as an object (nil when it is not one).
	JSON map[string]any
	Err  error
	// Retried is set when the request met a transport error and was sent
	// once more on a fresh connection (idempotent methods only).
	Retried bool
	// ReusedConn is set when the transport error came on a kept-alive
	// connection.
	ReusedConn bool
	// Dropped is set when that connection was closed under the request
	// (reset, broken pipe, closed while idle): the server may close a
	// kept-alive connection at any time (RFC 9112 section 9.5), and one it
	// had closed before the request arrived says nothing of the request.
	// A plain end of stream after the request went out is the server
	// closing the connection on this request, and stays this request's.
	Dropped bool
}

// TransportError reports whether r got no HTTP answer at all.
func (r *Response) TransportError() bool { return r.Err != nil && r.Status == 0 }

// Do sends method to path (relative to the base URL, e.g. "/Users?count=1",
// or absolute) with body (nil, []byte, string, or any value to encode as
// JSON) and extra headers as name, value pairs.
func (c *Client) Do(ctx context.Context, method, path string, body any, headers ...string) *Response {
	u := path
	if !strings.HasPrefix(path, "http://") && !strings.HasPrefix(path, "https://") {
		u = c.Base + path
	}
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			return &Response{Method: method, URL: u, Err: err}
		}
	}
	r := &Response{Method: method, URL: u, ReqBody: raw}
	req, err := c.newRequest(ctx, method, u, raw, headers)
	if err != nil {
		r.Err = err
		return r
	}
	resp, reused, err := c.send(req)
	if err != nil && idempotent(method) && ctx.Err() == nil {
		// RFC 9112 section 9.5: "A client, server, or proxy MAY close the
		// transport connection at any time", and section 9.3.1.1 lets a
		// client retry an idempotent request automatically. Once, on a
		// fresh connection, so a server that drops this very request is
		// still seen doing so.
		closeIdle(c.HTTP)
		if req, err = c.newRequest(ctx, method, u, raw, headers); err == nil {
			r.Retried = true
			resp, reused, err = c.send(req)
		}
	}
	if err != nil {
		r.Err, r.ReusedConn = err, reused
		r.Dropped = reused && closedUnder(err)
		noteTransportError(r)
		return r
	}
	defer resp.Body.Close()
	r.Status, r.Header = resp.StatusCode, resp.Header
	r.Body, r.Err = io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if len(r.Body) > 0 {
		var m map[string]any
		if json.Unmarshal(r.Body, &m) == nil {
			r.JSON = m
		}
	}
	observe(r)
	return r
}

// newRequest builds the request Do sends (again, for a retry).
func (c *Client) newRequest(ctx context.Context, method, u string, raw []byte, headers []string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	if raw == nil {
		req.Body = nil
		req.ContentLength = 0
	} else {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	req.Header.Set("Accept", "application/scim+json")
	switch {
	case c.Token == "":
	case strings.Contains(c.Token, " "):
		req.Header.Set("Authorization", c.Token)
	default:
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for k, vs := range c.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return req, nil
}

// send sends req and says whether it went out on a kept-alive connection.
func (c *Client) send(req *http.Request) (*http.Response, bool, error) {
	var reused atomic.Bool
	trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused.Store(i.Reused) }}
	resp, err := c.HTTP.Do(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
	return resp, reused.Load(), err
}

// idempotent reports whether a request with method may be sent again
// after a transport error (RFC 9110 section 9.2.2).
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// closeIdle drops the client's idle connections, so the next request
// opens a fresh one.
func closeIdle(c *http.Client) {
	if t, ok := c.Transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	} else if c.Transport == nil {
		http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	}
}

// Get, Post, Put, Patch and Delete are Do with the method.
func (c *Client) Get(ctx context.Context, path string, headers ...string) *Response {
	return c.Do(ctx, http.MethodGet, path, nil, headers...)
}

func (c *Client) Post(ctx context.Context, path string, body any, headers ...string) *Response {
	return c.Do(ctx, http.MethodPost, path, body, headers...)
}

func (c *Client) Put(ctx context.Context, path string, body any, headers ...string) *Response {
	return c.Do(ctx, http.MethodPut, path, body, headers...)
}

func (c *Client) Patch(ctx context.Context, path string, body any, headers ...string) *Response {
	return c.Do(ctx, http.MethodPatch, path, body, headers...)
}

func (c *Client) Delete(ctx context.Context, path string, headers ...string) *Response {
	return c.Do(ctx, http.MethodDelete, path, nil, headers...)
}

// Location is the response's Location header resolved against the
// request's URL, as RFC 7231 section 7.1.2 says a client reads it: "When it
// has the form of a relative reference ([RFC3986], Section 4.2), the final
// value is computed by resolving it against the effective request URI". ""
// when there is no Location.
func (r *Response) Location() string {
	return r.Resolve(r.Header.Get("Location"))
}

// Resolve resolves a URI reference the response carries (a Location,
// a meta.location) against the request's URL; "" stays "".
func (r *Response) Resolve(ref string) string {
	if ref == "" {
		return ""
	}
	base, err := url.Parse(r.URL)
	if err != nil {
		return ref
	}
	u, err := base.Parse(ref)
	if err != nil {
		return ref
	}
	return u.String()
}

// Query builds "?k=v&..." from name, value pairs, escaping values. Spaces
// become %20, not "+": RFC 3986 percent-encoding, which every server
// reads, where "+" for a space is an IdP dialect (plus-for-space).
func Query(kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Add(kv[i], kv[i+1])
	}
	return "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
}

// String renders the exchange for failure messages and reports: the
// request line, the request body, the status and the response body, each
// body cut at 4 KiB.
func (r *Response) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "> %s %s\n", r.Method, r.URL)
	if len(r.ReqBody) > 0 {
		fmt.Fprintf(&b, "> %s\n", cut(r.ReqBody))
	}
	if r.TransportError() {
		fmt.Fprintf(&b, "< %s\n", r.transportNote())
		return b.String()
	}
	fmt.Fprintf(&b, "< %d %s\n", r.Status, http.StatusText(r.Status))
	for _, h := range []string{"Content-Type", "Location", "ETag", "Allow", "WWW-Authenticate"} {
		if v := r.Header.Get(h); v != "" {
			fmt.Fprintf(&b, "< %s: %s\n", h, v)
		}
	}
	if len(r.Body) > 0 {
		fmt.Fprintf(&b, "< %s\n", cut(r.Body))
	}
	return b.String()
}

func cut(b []byte) string {
	const max = 4 << 10
	if len(b) > max {
		return string(b[:max]) + fmt.Sprintf("... (%d more bytes)", len(b)-max)
	}
	return string(b)
}

// Str returns the string at a dotted path of the JSON body ("meta.location",
// "name.givenName"), or "".
func (r *Response) Str(path string) string {
	s, _ := Path(r.JSON, path).(string)
	return s
}

// Path walks a dotted path through decoded JSON objects; names compare
// case-insensitively, as SCIM attribute names do. A path into an array
// yields nil.
func Path(v any, path string) any {
	for _, p := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = lookup(m, p)
	}
	return v
}

func lookup(m map[string]any, name string) any {
	if v, ok := m[name]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// Resources returns a ListResponse's Resources as objects.
func (r *Response) Resources() []map[string]any {
	arr, _ := lookup(r.JSON, "Resources").([]any)
	out := make([]map[string]any, 0, len(arr))
	for _, e := range arr {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// Int returns the number at a dotted path of the body, or -1.
func (r *Response) Int(path string) int {
	if f, ok := Path(r.JSON, path).(float64); ok {
		return int(f)
	}
	return -1
}
