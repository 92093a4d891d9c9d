package apijson_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/scimconf/scimconf/server/internal/apijson"
)

// The wire format is a contract of every endpoint under /mock/v1: these
// bytes are what clients (mockclient.Client, curl) read.
func TestWrite(t *testing.T) {
	tests := []struct {
		name   string
		write  func(w http.ResponseWriter)
		status int
		body   string
	}{
		{
			name:   "value",
			write:  func(w http.ResponseWriter) { apijson.WriteJSON(w, http.StatusCreated, map[string]string{"a": "<b>"}) },
			status: http.StatusCreated,
			body:   `{"a":"<b>"}` + "\n",
		},
		{
			name: "error without rule",
			write: func(w http.ResponseWriter) {
				apijson.WriteError(w, http.StatusBadRequest, "invalid_json", "the field %q must be <%s>", "name", "string")
			},
			status: http.StatusBadRequest,
			body:   `{"error":"invalid_json","detail":"the field \"name\" must be <string>"}` + "\n",
		},
		{
			name: "error with rule",
			write: func(w http.ResponseWriter) {
				apijson.WriteJSON(w, http.StatusConflict, apijson.ErrorBody{Error: "token_cap", Detail: "at most 10 tokens", Rule: "DT-TOKEN-CAP"})
			},
			status: http.StatusConflict,
			body:   `{"error":"token_cap","detail":"at most 10 tokens","rule":"DT-TOKEN-CAP"}` + "\n",
		},
		{
			name: "detail without arguments",
			write: func(w http.ResponseWriter) {
				apijson.WriteError(w, http.StatusNotFound, "no_dns_mock", "no embedded DNS mock")
			},
			status: http.StatusNotFound,
			body:   `{"error":"no_dns_mock","detail":"no embedded DNS mock"}` + "\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tt.write(rec)
			if got, want := rec.Code, tt.status; got != want {
				t.Errorf("status = %d, want %d", got, want)
			}
			if got, want := rec.Header().Get("Content-Type"), "application/json"; got != want {
				t.Errorf("Content-Type = %q, want %q", got, want)
			}
			if got, want := rec.Header().Get("Cache-Control"), "no-store"; got != want {
				t.Errorf("Cache-Control = %q, want %q", got, want)
			}
			if got, want := rec.Body.String(), tt.body; got != want {
				t.Errorf("body = %s, want %s", got, want)
			}
		})
	}
}
