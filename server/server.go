// Package server owns the mock's HTTP wiring: the SCIM routes under
// /idm/public/scim/{accountId}/v2 with their middleware (recover, logging,
// body cap, bearer-token authentication), and the mapping of requests to
// the plain-Go service provider (package provider) and of its results and
// errors to SCIM responses. The protocol itself lives in the sub-packages;
// handlers here stay thin.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/scimconf/scimconf/server/provider"
	"github.com/scimconf/scimconf/server/violation"
)

// SCIMPrefix is the path of every account's SCIM base URL, as Dynatrace
// has it: /idm/public/scim/{accountId}/v2.
const SCIMPrefix = "/idm/public/scim/{account}/v2"

// ErrUnauthorized is what a Tenancy returns for a token that opens nothing.
var ErrUnauthorized = errors.New("unauthorized")

// Tenancy maps bearer tokens to accounts and accounts to their service
// providers. The account model implements it; tests may use a fixed map.
type Tenancy interface {
	// Authenticate returns the id of the one account token opens, or an
	// error (ErrUnauthorized for an unknown or revoked token).
	Authenticate(ctx context.Context, token string) (accountID string, err error)
	// Provider returns the account's service provider, or nil when there
	// is no such account.
	Provider(accountID string) *provider.Provider
}

// Config is the HTTP layer's configuration.
type Config struct {
	// MaxBodyBytes caps request bodies other than bulk (413 beyond).
	MaxBodyBytes int64
	Logger       *slog.Logger
	// Violations are the mock's violation switches; nil has all off. The
	// HTTP layer applies those of authentication and of the wire format.
	Violations *violation.Set
	// Strict refuses the IdP dialects (schema.Quirk) with a 400 naming the
	// quirk and the RFC rule it breaks, instead of accepting and
	// recording them.
	Strict bool
}

// Server is the mock's HTTP handler for SCIM.
type Server struct {
	tenancy Tenancy
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
}

// New returns the SCIM HTTP handler over tenancy.
func New(tenancy Tenancy, cfg Config) *Server {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 8 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{tenancy: tenancy, cfg: cfg, log: cfg.Logger, mux: http.NewServeMux()}
	s.routes()
	return s
}

// ServeHTTP serves SCIM requests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Violations.On(violation.JSONContentType) {
		w = &jsonContentType{ResponseWriter: w}
	}
	s.recoverer(s.mux).ServeHTTP(w, r)
}
