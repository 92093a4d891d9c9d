// Package server owns the SCIM HTTP layer: the routes under
// /idm/public/scim/{accountId}/v2 as a table of method patterns on the
// standard mux, with their middleware (recover, logging, body cap,
// bearer-token authentication), and the mapping of requests to the
// plain-Go service provider (package provider) and of its results and
// errors to SCIM responses. The protocol itself lives in the sub-packages;
// handlers here stay thin. It knows nothing of the mock's deliberate
// faults: those wrap this handler from outside.
package scimhttp

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/scimconf/scimconf/server/internal/engine/provider"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
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
	// error: ErrUnauthorized for an unknown or revoked token (answered 401),
	// or a *scimerror.Error, answered as it is, for a valid token that the
	// account does not let in now (a 403: RFC 7644 section 3.12, "Operation
	// is not permitted based on the supplied authorization").
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
	// ResourceTypes are the resource types whose endpoints (RFC 7644
	// section 3.2: /Users, /Groups) get routes. Each account's provider
	// serves its own copy of a schema set; an endpoint its set lacks
	// answers 404. Nil routes the endpoints of schema.Full().
	ResourceTypes []*schema.ResourceType
	// Strict refuses the IdP dialects (schema.Quirk) with a 400 naming the
	// quirk and the RFC rule it breaks, instead of accepting and
	// recording them.
	Strict bool
	// Refuse, when set, names per request the IdP dialects refused
	// although Strict is off: a server that takes some dialects and not
	// others, as many do. Nil refuses none.
	Refuse func(r *http.Request) []schema.Quirk
	// Opens, when set, reports whether a token of account tokenAccount
	// opens account's endpoint. Nil opens its own account only
	// (DT-AUTH-SCOPE).
	Opens func(tokenAccount, account string) bool
	// AuthDescription, when set, is the description of the bearer token
	// scheme in /ServiceProviderConfig: what the server asks of a token
	// (RFC 7643 section 5, authenticationSchemes.description).
	AuthDescription string
}

// Server is the mock's HTTP handler for SCIM.
type Server struct {
	tenancy Tenancy
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	// routed holds the patterns of the route table, so the fallback can
	// tell the methods a path takes from those it falls back for.
	routed  map[string]bool
	handler http.Handler
}

// New returns the SCIM HTTP handler over tenancy.
func New(tenancy Tenancy, cfg Config) *Server {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 8 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ResourceTypes == nil {
		cfg.ResourceTypes = schema.Full().ResourceTypes
	}
	if cfg.Opens == nil {
		cfg.Opens = func(tokenAccount, account string) bool { return tokenAccount == account }
	}
	s := &Server{tenancy: tenancy, cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), routed: map[string]bool{}}
	s.routes()
	s.handler = s.recoverer(s.mux)
	return s
}

// ServeHTTP serves SCIM requests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}
