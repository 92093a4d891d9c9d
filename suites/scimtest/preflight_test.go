package scimtest

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// scimServer answers like a SCIM server with token "good": a discovery
// document unless noSPC, a ListResponse on /Users.
func scimServer(noSPC bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		if r.Header.Get("Authorization") != "Bearer good" {
			w.WriteHeader(401)
			w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401"}`))
			return
		}
		switch {
		case strings.HasSuffix(r.URL.Path, "/ServiceProviderConfig") && !noSPC:
			w.Write([]byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]}`))
		case strings.HasSuffix(r.URL.Path, "/Users"):
			w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}`))
		default:
			w.WriteHeader(404)
			w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404"}`))
		}
	})
}

func TestPreflight(t *testing.T) {
	scim := httptest.NewServer(scimServer(false))
	defer scim.Close()
	noSPC := httptest.NewServer(scimServer(true))
	defer noSPC.Close()
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html>welcome</html>"))
	}))
	defer html.Close()
	notFound := httptest.NewServer(http.NotFoundHandler())
	defer notFound.Close()
	tlsSrv := httptest.NewTLSServer(scimServer(false))
	defer tlsSrv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/scim/v2"
	l.Close()

	tests := []struct {
		name, url, token string
		wantErr          string // "" means no error
		wantWarn         string
	}{
		{"a SCIM server", scim.URL + "/v2", "good", "", ""},
		{"no discovery document, SCIM otherwise", noSPC.URL + "/v2", "good", "", "RFC-DISCOVERY"},
		{"token refused", scim.URL + "/v2", "bad", "refused the token", ""},
		{"not SCIM at all", html.URL, "good", "does not answer SCIM", ""},
		{"404 everywhere", notFound.URL + "/nope", "good", "not a SCIM endpoint", ""},
		{"unreachable", closed, "good", "cannot connect", ""},
		{"TLS with an unknown CA", tlsSrv.URL + "/v2", "good", "unknown authority", ""},
		{"not a URL", "scim.example.com/v2", "good", "scheme must be http or https", ""},
		{"a query", scim.URL + "/v2?x=1", "good", "no query", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			warn, err := Preflight(context.Background(), tt.url, tt.token)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
			} else {
				var pe *PreflightError
				if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want a PreflightError saying %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error %q is more than one line", err)
				}
			}
			if !strings.Contains(warn, tt.wantWarn) || (tt.wantWarn == "" && warn != "") {
				t.Errorf("warning %q, want %q", warn, tt.wantWarn)
			}
		})
	}
}
