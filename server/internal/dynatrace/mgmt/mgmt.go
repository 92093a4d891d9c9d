// Package mgmt owns the mock's management API, its stand-in for Dynatrace's
// Account Management, under /mock/v1: accounts, domains and their DNS TXT
// check, SCIM tokens, groups and users as account management sees them,
// limits, the DNS mock's records and the reset of the whole mock. It also
// owns the API's OpenAPI document and Client, the Go client that tests, the
// `scimconf admin` command and the conformance suites use.
//
// Every endpoint but GET /mock/v1/openapi.json needs
// "Authorization: Bearer <admin token>", a token separate from SCIM tokens.
// Every error, 404 and 405 included, is one JSON shape (ErrorBody).
//
// The mock's test-double controls (the request journal, fault injection,
// the client report, fixtures and export) are listed in its route table and
// documented in its OpenAPI document, but served by handlers of their own
// packages (journal, faults, clientreport, fixture) that Deps.Double hands
// in.
//
// It holds no state of its own: accounts live in package account, SCIM users
// and groups in each account's store (read only here: SCIM resources change
// only through SCIM), DNS records in package dnsmock.
package mgmt

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"github.com/scimconf/scimconf/server/internal/engine/scimhttp"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/scimconf/scimconf/dnsmock"
	"github.com/scimconf/scimconf/server/internal/apijson"
	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// Prefix is the path under which the management API is served.
const Prefix = "/mock/v1"

// MaxBodyBytes caps request bodies; larger ones get 413.
const MaxBodyBytes = 1 << 20

// Deps is what the management API works on. Registry and AdminToken are
// required; the others may be nil.
type Deps struct {
	Registry *account.Registry
	// AdminToken guards every endpoint but the OpenAPI document. An empty
	// token opens nothing: every guarded request gets 401.
	AdminToken string
	// Store returns an account's SCIM store, nil if it has none (the
	// account then shows no SCIM users or groups).
	Store func(accountID string) store.Store
	// Set returns the schema set; nil means schema.Dynatrace().
	Set func() *schema.Set
	// DNS is the embedded DNS mock whose records /mock/v1/dns/ manages;
	// nil when a real resolver verifies domains.
	DNS *dnsmock.Server
	// Double serves the test-double endpoints; a nil handler answers 404.
	Double Double
	// Reset resets the whole mock (accounts, DNS records, resources) and
	// recreates the demo account; its error (a demo account or fixtures
	// that could not be recreated) answers 500. Nil resets the registry and
	// DNS only.
	Reset  func(context.Context) error
	Logger *slog.Logger
	// Violations are the mock's violation switches, listed and changed
	// under /mock/v1/violations; nil serves an empty, unchangeable set.
	Violations Switches
	// Wrap, when set, wraps the routes inside the admin token check: a
	// middleware that sees only authenticated requests.
	Wrap func(http.Handler) http.Handler
}

// api is the handler state shared by every endpoint.
type api struct {
	// double serves the test-double endpoints.
	double Double

	reg        *account.Registry
	tokenHash  [32]byte
	noToken    bool
	storeOf    func(string) store.Store
	userRT     *schema.ResourceType
	groupRT    *schema.ResourceType
	dns        *dnsmock.Server
	reset      func(context.Context) error
	log        *slog.Logger
	violations Switches
}

// route is one endpoint: a method and a full path pattern of the standard
// mux. The table is the single source of what is registered, so the OpenAPI
// test can compare the two.
type route struct {
	method  string
	pattern string
	h       http.HandlerFunc
}

// Double holds the handlers of the mock's test-double endpoints, which
// live in their own packages so that this one stays free of them. Each is
// mounted on its route in the table below; path values ({id},
// {faultId}) reach it through the request.
type Double struct {
	// GET, DELETE /journal; GET /journal/count; GET /journal/stream
	// (package journal).
	Journal, ClearJournal, CountJournal, StreamJournal http.HandlerFunc
	// GET /client-report (package clientreport).
	ClientReport http.HandlerFunc
	// GET, POST, DELETE /faults; DELETE /faults/{faultId} (package faults).
	ListFaults, AddFault, ClearFaults, DeleteFault http.HandlerFunc
	// POST /accounts/{id}/fixtures; GET /accounts/{id}/export (package
	// fixture).
	LoadFixtures, Export http.HandlerFunc
}

// opt serves h, or a JSON 404 when this server was built without it.
func opt(h http.HandlerFunc) http.HandlerFunc {
	if h != nil {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		apijson.WriteError(w, http.StatusNotFound, "not_configured",
			"%s %s is not served by this server (it was started without the test-double controls)", r.Method, r.URL.Path)
	}
}

// New returns the management API's handler, to be mounted at Prefix+"/".
// It never panics on a request: a handler panic becomes a 500 JSON error.
func New(d Deps) http.Handler {
	a := &api{
		reg:        d.Registry,
		noToken:    d.AdminToken == "",
		storeOf:    d.Store,
		dns:        d.DNS,
		reset:      d.Reset,
		log:        d.Logger,
		violations: d.Violations,
	}
	a.tokenHash = sha256.Sum256([]byte(d.AdminToken))
	a.double = d.Double
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.storeOf == nil {
		a.storeOf = func(string) store.Store { return nil }
	}
	var set *schema.Set
	if d.Set != nil {
		set = d.Set()
	}
	if set == nil {
		set = schema.Dynatrace()
	}
	a.userRT, a.groupRT = set.ResourceType("User"), set.ResourceType("Group")

	mux := http.NewServeMux()
	allow := map[string][]string{}
	for _, rt := range a.routes() {
		mux.HandleFunc(rt.method+" "+rt.pattern, rt.h)
		allow[rt.pattern] = append(allow[rt.pattern], rt.method)
	}
	// A pattern without a method catches every method the ones above do
	// not take, so that a 405 gets the JSON body and Allow.
	for pattern, methods := range allow {
		slices.Sort(methods)
		list := strings.Join(methods, ", ")
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", list)
			apijson.WriteError(w, http.StatusMethodNotAllowed, "method_not_allowed",
				"%s is not allowed on %s; use %s", r.Method, r.URL.Path, list)
		})
	}
	// "/" rather than Prefix+"/": the handler may be mounted anywhere,
	// and what reaches it outside Prefix is not found either.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		apijson.WriteError(w, http.StatusNotFound, "no_such_endpoint",
			"no management endpoint at %s; GET %s/openapi.json lists them", r.URL.Path, Prefix)
	})
	if a.dns == nil {
		mux.HandleFunc(Prefix+"/dns/", a.noDNS)
	} else {
		mux.Handle(Prefix+"/dns/", a.dns.Handler())
	}
	var h http.Handler = mux
	if d.Wrap != nil {
		h = d.Wrap(h)
	}
	return a.recoverer(a.authenticate(h))
}

// routes lists every endpoint. The DNS endpoints are served by the DNS
// mock's own handler; they are listed here so that they appear in the
// OpenAPI document and answer a JSON 404 when there is no DNS mock.
func (a *api) routes() []route {
	const acct = Prefix + "/accounts/{id}"
	dns := a.noDNS
	if a.dns != nil {
		dns = a.dns.Handler().ServeHTTP
	}
	return []route{
		{"GET", Prefix + "/openapi.json", serveOpenAPI},
		{"POST", Prefix + "/reset", a.resetAll},

		{"POST", Prefix + "/accounts", a.createAccount},
		{"GET", Prefix + "/accounts", a.listAccounts},
		{"GET", acct, a.getAccount},
		{"DELETE", acct, a.deleteAccount},

		{"POST", acct + "/domains", a.addDomain},
		{"GET", acct + "/domains", a.listDomains},
		{"GET", acct + "/domains/{domain}", a.getDomain},
		{"DELETE", acct + "/domains/{domain}", a.deleteDomain},
		{"POST", acct + "/domains/{domain}/verify", a.verifyDomain},

		{"POST", acct + "/scim-tokens", a.createToken},
		{"GET", acct + "/scim-tokens", a.listTokens},
		{"GET", acct + "/scim-tokens/{tokenId}", a.getToken},
		{"PATCH", acct + "/scim-tokens/{tokenId}", a.updateToken},
		{"DELETE", acct + "/scim-tokens/{tokenId}", a.deleteToken},

		{"GET", acct + "/groups", a.listGroups},
		{"POST", acct + "/groups", a.createGroup},
		{"GET", acct + "/groups/{groupId}", a.getGroup},
		{"PATCH", acct + "/groups/{groupId}", a.updateGroup},
		{"DELETE", acct + "/groups/{groupId}", a.deleteGroup},
		{"GET", acct + "/groups/{groupId}/permissions", a.getPermissions},
		{"PUT", acct + "/groups/{groupId}/permissions", a.setPermissions},

		{"GET", acct + "/users", a.listUsers},
		{"GET", acct + "/users/{userId}", a.getUser},

		{"GET", acct + "/limits", a.getLimits},
		{"PUT", acct + "/limits", a.setLimits},

		{"GET", Prefix + "/violations", a.listViolations},
		{"PUT", Prefix + "/violations/{name}", a.enableViolation},
		{"DELETE", Prefix + "/violations/{name}", a.disableViolation},

		{"GET", Prefix + "/journal", opt(a.double.Journal)},
		{"DELETE", Prefix + "/journal", opt(a.double.ClearJournal)},
		{"GET", Prefix + "/journal/count", opt(a.double.CountJournal)},
		{"GET", Prefix + "/journal/stream", opt(a.double.StreamJournal)},
		{"GET", Prefix + "/client-report", opt(a.double.ClientReport)},
		{"GET", Prefix + "/faults", opt(a.double.ListFaults)},
		{"POST", Prefix + "/faults", opt(a.double.AddFault)},
		{"DELETE", Prefix + "/faults", opt(a.double.ClearFaults)},
		{"DELETE", Prefix + "/faults/{faultId}", opt(a.double.DeleteFault)},
		{"POST", acct + "/fixtures", opt(a.double.LoadFixtures)},
		{"GET", acct + "/export", opt(a.double.Export)},

		{"GET", Prefix + "/dns/txt", dns},
		{"GET", Prefix + "/dns/txt/{name}", dns},
		{"PUT", Prefix + "/dns/txt/{name}", dns},
		{"DELETE", Prefix + "/dns/txt/{name}", dns},
	}
}

// authenticate lets through GET openapi.json and requests that carry the
// admin token. The token is compared as SHA-256 digests in constant time,
// so neither its bytes nor its length show in the timing.
func (a *api) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == Prefix+"/openapi.json" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			next.ServeHTTP(w, r)
			return
		}
		// Two Authorization headers are refused whatever they hold, as on
		// the SCIM endpoint (scimhttp): taking the first would let a
		// proxy that reads the last disagree on who is asking.
		if n := len(r.Header.Values("Authorization")); n > 1 {
			unauthorized(w, fmt.Sprintf("the request has %d Authorization headers; send exactly one: \"Authorization: Bearer <admin token>\"", n))
			return
		}
		token, ok := scimhttp.BearerToken(r.Header.Get("Authorization"))
		switch {
		case !ok:
			unauthorized(w, `send "Authorization: Bearer <admin token>"; the admin token is printed by scimconf serve as ADMIN_TOKEN (SCIM tokens do not open the management API)`)
			return
		case a.noToken:
			unauthorized(w, "this server was started without an admin token, so the management API is closed")
			return
		}
		sum := sha256.Sum256([]byte(token))
		if subtle.ConstantTimeCompare(sum[:], a.tokenHash[:]) != 1 {
			unauthorized(w, "the bearer token is not this server's admin token (ADMIN_TOKEN printed by scimconf serve); SCIM tokens do not open the management API")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		next.ServeHTTP(w, r)
	})
}

func unauthorized(w http.ResponseWriter, detail string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="scimconf management API"`)
	apijson.WriteError(w, http.StatusUnauthorized, "unauthorized", "%s", detail)
}

// recoverer turns a handler panic into a 500 so that no request can take
// the listener down or leave the client without an answer.
func (a *api) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &scimhttp.StatusRecorder{ResponseWriter: w}
		start := time.Now()
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.log.Error("mgmt: handler panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
				if rw.Status == 0 {
					apijson.WriteError(rw, http.StatusInternalServerError, "internal",
						"the management API failed on this request; the server log has the details")
				}
				return
			}
			if rw.Status == 0 {
				rw.Status = http.StatusOK // net/http sends 200 for a handler that wrote nothing
			}
			level := slog.LevelDebug
			if rw.Status >= 500 {
				level = slog.LevelWarn
			}
			a.log.Log(r.Context(), level, "mgmt: request", "method", r.Method, "path", r.URL.Path, "status", rw.Status, "duration", time.Since(start))
		}()
		next.ServeHTTP(rw, r)
	})
}

func (a *api) noDNS(w http.ResponseWriter, r *http.Request) {
	apijson.WriteError(w, http.StatusNotFound, "no_dns_mock",
		"no embedded DNS mock: this server verifies domains through a real resolver; publish TXT records in your DNS zone instead")
}

func (a *api) resetAll(w http.ResponseWriter, r *http.Request) {
	if a.reset != nil {
		if err := a.reset(r.Context()); err != nil {
			a.log.Error("mgmt: reset", "err", err)
			apijson.WriteError(w, http.StatusInternalServerError, "reset_failed", "%s", err.Error())
			return
		}
	} else {
		a.reg.Reset()
		if a.dns != nil {
			a.dns.Reset()
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// account finds the account of the {id} path value or answers 404.
func (a *api) account(w http.ResponseWriter, r *http.Request) (*account.Account, bool) {
	id := r.PathValue("id")
	acct, ok := a.reg.Account(id)
	if !ok {
		writeFailure(w, fmt.Errorf("%w: no account has id %q; GET %s/accounts lists them", account.ErrAccountNotFound, id, Prefix))
		return nil, false
	}
	return acct, true
}

// storeFor returns the account's SCIM store, or nil.
func (a *api) storeFor(acct *account.Account) store.Store {
	return a.storeOf(acct.ID())
}

// baseURL is scheme://host of the request, as the client reached us.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	// A TLS-terminating proxy in front of a container says so here.
	if p := strings.ToLower(r.Header.Get("X-Forwarded-Proto")); p == "http" || p == "https" {
		scheme = p
	}
	return scheme + "://" + r.Host
}
