package scimhttp

import (
	"net/http"
	"strings"

	"github.com/scimconf/scimconf/server/internal/engine/provider"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
)

// QuirksHeader names, on any response, the IdP dialects (schema.Quirk, comma-
// separated) the request used and the mock accepted - or, under --strict,
// the one it refused. A connector's author reads it to learn which
// non-RFC shapes their traffic relies on; the journal records it.
const QuirksHeader = "X-Scimconf-Quirks"

// dialect gives the request a schema.Dialect that the service provider
// reports quirks to, and wraps w so that the quirks recorded by the time
// the status line goes out are named in QuirksHeader.
func (s *Server) dialect(w http.ResponseWriter, r *http.Request) (http.ResponseWriter, *http.Request, *schema.Dialect) {
	d := &schema.Dialect{Strict: s.cfg.Strict}
	if s.cfg.Refuse != nil {
		d.Refuse = s.cfg.Refuse(r)
	}
	return &quirkWriter{ResponseWriter: w, d: d}, r.WithContext(provider.WithDialect(r.Context(), d)), d
}

// plusForSpace reports a "+" in the raw filter query parameter: Entra ID
// encodes spaces as "+", which net/url decodes as a space (the form
// encoding) but RFC 3986 reads as a plus.
func plusForSpace(r *http.Request, d *schema.Dialect) error {
	for _, kv := range strings.Split(r.URL.RawQuery, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if strings.EqualFold(k, "filter") && strings.Contains(v, "+") {
			return d.Accept(schema.PlusForSpace, "the filter query parameter "+v+" has \"+\" for a space")
		}
	}
	return nil
}

type quirkWriter struct {
	http.ResponseWriter
	d     *schema.Dialect
	wrote bool
}

func (q *quirkWriter) WriteHeader(code int) {
	if !q.wrote {
		q.wrote = true
		if s := q.d.String(); s != "" {
			q.Header().Set(QuirksHeader, s)
		}
	}
	q.ResponseWriter.WriteHeader(code)
}

func (q *quirkWriter) Write(b []byte) (int, error) {
	if !q.wrote {
		q.WriteHeader(http.StatusOK)
	}
	return q.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (q *quirkWriter) Unwrap() http.ResponseWriter { return q.ResponseWriter }
