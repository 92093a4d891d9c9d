// Package answer holds an HTTP answer until a switch has read and
// rewritten it: the violation switches (package violation) and the variant
// switches (package variant) both run the SCIM handler into a Response,
// change its status, headers or body, and only then send it. Nothing is
// written to the client before Flush.
package answer

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"

	"github.com/scimconf/scimconf/server/internal/engine/scimhttp"
)

// Response is an http.ResponseWriter that keeps what the handler wrote.
type Response struct {
	header http.Header
	// Status is 0 until the handler writes.
	Status int
	Body   bytes.Buffer
}

// New returns an empty Response with a header map of its own.
func New() *Response { return &Response{header: http.Header{}} }

// Over returns an empty Response whose header map is w's: headers set
// before the handler runs stay, and nothing is sent before Flush.
func Over(w http.ResponseWriter) *Response { return &Response{header: w.Header()} }

func (r *Response) Header() http.Header { return r.header }

// WriteHeader keeps the first status, as net/http does.
func (r *Response) WriteHeader(code int) {
	if r.Status == 0 {
		r.Status = code
	}
}

// Write keeps p; a body without a status line is a 200.
func (r *Response) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.Body.Write(p)
}

// OK reports a 2xx status.
func (r *Response) OK() bool { return r.Status >= 200 && r.Status < 300 }

// Object decodes a SCIM JSON body (Content-Type application/scim+json)
// into a map, numbers kept as written.
func (r *Response) Object() (map[string]any, bool) {
	if r.header.Get("Content-Type") != scimhttp.ContentType {
		return nil, false
	}
	m := r.Doc()
	return m, m != nil
}

// Doc decodes the body as a JSON object, whatever the Content-Type,
// numbers kept as written; nil when it is none.
func (r *Response) Doc() map[string]any {
	dec := json.NewDecoder(bytes.NewReader(r.Body.Bytes()))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil {
		return nil
	}
	return m
}

// SetBody replaces the body.
func (r *Response) SetBody(b []byte) {
	r.Body.Reset()
	r.Body.Write(b)
}

// SetJSON replaces the body with v's JSON; a value that does not encode
// (never one decoded from JSON) leaves the body as it was.
func (r *Response) SetJSON(v any) {
	if out, err := json.Marshal(v); err == nil {
		r.SetBody(out)
	}
}

// Replace makes the answer status with v as its SCIM JSON body; an error
// answer loses the success headers (ETag, Location).
func (r *Response) Replace(status int, v any) {
	out, err := json.Marshal(v)
	if err != nil {
		return
	}
	r.Status = status
	r.SetBody(out)
	r.header.Set("Content-Type", scimhttp.ContentType)
	if status >= 400 {
		r.header.Del("ETag")
		r.header.Del("Location")
	}
}

// Flush sends the answer as it now is. The body may have changed length,
// so a Content-Length the handler set is dropped; a 204 or 304 carries no
// body.
func (r *Response) Flush(w http.ResponseWriter) {
	maps.Copy(w.Header(), r.header)
	w.Header().Del("Content-Length")
	if r.Status == 0 {
		r.Status = http.StatusOK
	}
	w.WriteHeader(r.Status)
	if r.Status != http.StatusNoContent && r.Status != http.StatusNotModified {
		w.Write(r.Body.Bytes())
	}
}
