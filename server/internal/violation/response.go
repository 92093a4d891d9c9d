package violation

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
)

// response holds an answer until the handler returns, so that a switch can
// read and rewrite its status, headers and body before anything is sent.
// Its header map may be the real writer's (nothing is sent before flush)
// or one of its own.
type response struct {
	header http.Header
	status int // 0 until the handler writes
	body   bytes.Buffer
}

func newResponse() *response { return &response{header: http.Header{}} }

func (r *response) Header() http.Header { return r.header }

// WriteHeader keeps the first status, as net/http does.
func (r *response) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

// Write keeps p; a body without a status line is a 200.
func (r *response) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(p)
}

func (r *response) ok() bool { return r.status >= 200 && r.status < 300 }

// object decodes a SCIM JSON body into a map, numbers kept as written.
func (r *response) object() (map[string]any, bool) {
	if ct := r.header.Get("Content-Type"); ct != scimJSON {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(r.body.Bytes()))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil || m == nil {
		return nil, false
	}
	return m, true
}

// doc decodes the body as a JSON object, whatever the Content-Type; nil
// when it is none.
func (r *response) doc() map[string]any {
	var d map[string]any
	if !decode(r.body.Bytes(), &d) {
		return nil
	}
	return d
}

// setBody replaces the body.
func (r *response) setBody(b []byte) {
	r.body.Reset()
	r.body.Write(b)
}

// setJSON replaces the body with v's JSON.
func (r *response) setJSON(v any) {
	out, err := json.Marshal(v)
	if err != nil {
		return // a body decoded from JSON always encodes; keep it as it was
	}
	r.setBody(out)
}

// replace makes the answer status with v as its SCIM JSON body; an error
// answer loses the success headers (ETag, Location).
func (r *response) replace(status int, v any) {
	out, err := json.Marshal(v)
	if err != nil {
		return
	}
	r.status = status
	r.setBody(out)
	r.header.Set("Content-Type", scimJSON)
	if status >= 400 {
		r.header.Del("ETag")
		r.header.Del("Location")
	}
}

// flush sends the answer as it now is; the body may have changed length,
// so a Content-Length the handler set is dropped.
func (r *response) flush(w http.ResponseWriter) {
	maps.Copy(w.Header(), r.header)
	w.Header().Del("Content-Length")
	if r.status == 0 {
		r.status = http.StatusOK
	}
	w.WriteHeader(r.status)
	w.Write(r.body.Bytes())
}
