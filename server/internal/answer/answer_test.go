package answer

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRewriteAndFlush(t *testing.T) {
	r := New()
	r.Header().Set("Content-Type", "application/scim+json")
	r.Header().Set("Content-Length", "11")
	r.Header().Set("ETag", `W/"1"`)
	r.WriteHeader(http.StatusCreated)
	r.WriteHeader(http.StatusTeapot) // the first status stays
	r.Write([]byte(`{"n": 1.50}`))
	doc, ok := r.Object()
	if !ok || doc["n"].(interface{ String() string }).String() != "1.50" {
		t.Fatalf("Object: %v %v, want the number as written", doc, ok)
	}
	r.Replace(http.StatusBadRequest, map[string]any{"status": "400"})
	w := httptest.NewRecorder()
	r.Flush(w)
	if w.Code != 400 || w.Header().Get("ETag") != "" || w.Header().Get("Content-Length") != "" || w.Body.String() != `{"status":"400"}` {
		t.Errorf("flushed %d %v %q; want 400, no ETag, no stale Content-Length, the new body", w.Code, w.Header(), w.Body)
	}

	plain := New()
	plain.Write([]byte(`{}`))
	if _, ok := plain.Object(); ok {
		t.Error("Object of a body without the SCIM media type")
	}
	none := New()
	none.WriteHeader(http.StatusNoContent)
	none.Body.WriteString("stray")
	w = httptest.NewRecorder()
	none.Flush(w)
	if w.Code != 204 || w.Body.Len() != 0 {
		t.Errorf("204 flushed with %q", w.Body)
	}
}
