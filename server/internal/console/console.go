package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/scimconf/scimconf/server/mockclient"
)

// Prefix is where the console lives on its listener.
const Prefix = "/console/"

// CookieName is the session cookie's name.
const CookieName = "scimconf_console"

// SessionIdle is how long a session lives without a request; MaxSessions
// bounds how many exist at once.
const (
	SessionIdle = 12 * time.Hour
	MaxSessions = 256
)

// maxForm bounds a form's body (a fault rule in JSON is the largest).
const maxForm = 64 << 10

// apiTimeout bounds one call to the management API (a domain verification
// asks DNS, which the API itself bounds).
const apiTimeout = 15 * time.Second

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets/*
var assetFS embed.FS

//go:embed assets/style.css
var styleCSS string

// Config configures the console.
type Config struct {
	// AdminURL is the management API's root, e.g. http://127.0.0.1:8080/mock/v1.
	AdminURL string
	// HTTP sends the console's requests to the management API; nil means a
	// client without a timeout (each call has its own deadline, and the
	// journal's live tail lasts).
	HTTP *http.Client
	// Rules names the rules the mock enforces ("dynatrace" or "rfc"), shown
	// in the header.
	Rules  string
	Logger *slog.Logger
}

// Console is the console's http.Handler. Close ends its live streams.
type Console struct {
	cfg   Config
	mux   *http.ServeMux
	pages *pages
	log   *slog.Logger

	mu       sync.Mutex
	sessions map[string]*session

	// stop ends the live journal streams when the server shuts down.
	stop     context.Context
	stopFunc context.CancelFunc
}

// session is one signed-in browser.
type session struct {
	id      string
	token   string // the admin token, kept here only
	csrf    string
	created time.Time
	seen    time.Time
	flash   []flash
}

// flash is a message shown once, on the next page.
type flash struct {
	Kind string // "ok" or "error"
	Text string
	Rule string
}

// New returns the console for the management API at cfg.AdminURL.
func New(cfg Config) (*Console, error) {
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	c := &Console{cfg: cfg, pages: p, log: cfg.Logger, sessions: map[string]*session{}}
	c.stop, c.stopFunc = context.WithCancel(context.Background())
	c.routes()
	return c, nil
}

// Close ends the live journal streams, so that a server shutdown does not
// wait for them.
func (c *Console) Close() { c.stopFunc() }

// ServeHTTP implements http.Handler.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	// same-origin, not no-referrer: with no-referrer browsers send
	// "Origin: null" on the console's own form posts, which sameOrigin
	// then refuses.
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'")
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	}
	c.mux.ServeHTTP(w, r)
}

// client is the management API's client for a session's token.
func (c *Console) client(s *session) *mockclient.Client {
	return &mockclient.Client{BaseURL: c.cfg.AdminURL, Token: s.token, HTTP: c.cfg.HTTP}
}

// sameOrigin refuses a POST that says it comes from another origin.
// Browsers send Origin on every POST; a request without one (curl) is
// judged by its CSRF token alone.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// signedIn wraps a handler that needs a session: without one, a GET goes
// to the sign-in page (and back after it) and anything else is sent there
// too; a POST must carry the session's CSRF token.
func (c *Console) signedIn(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := c.session(r)
		if s == nil {
			next := ""
			if r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, Prefix+"assets/") && !strings.HasSuffix(r.URL.Path, "/stream") {
				next = r.URL.RequestURI()
			}
			target := Prefix + "signin"
			if next != "" && next != Prefix {
				target += "?next=" + url.QueryEscape(next)
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			if !sameOrigin(r) {
				c.forbidden(w, "this form was posted from another site")
				return
			}
			got := r.PostFormValue("csrf")
			if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) != 1 {
				c.forbidden(w, "the form's CSRF token is missing or wrong: reload the page and send the form again")
				return
			}
		}
		h(w, r, s)
	}
}

// forbidden answers 403 with a short page that says why.
func (c *Console) forbidden(w http.ResponseWriter, why string) {
	c.bare(w, http.StatusForbidden, "error", view{Title: "Refused", Data: why})
}

// session returns the request's live session, or nil.
func (c *Console) session(r *http.Request) *session {
	ck, err := r.Cookie(CookieName)
	if err != nil || ck.Value == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.sessions[ck.Value]
	if s == nil {
		return nil
	}
	now := time.Now()
	if now.Sub(s.seen) > SessionIdle {
		delete(c.sessions, s.id)
		return nil
	}
	s.seen = now
	return s
}

// newSession starts a session for an admin token the API accepted.
func (c *Console) newSession(token string) *session {
	now := time.Now()
	s := &session{id: randomString(32), token: token, csrf: randomString(32), created: now, seen: now}
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, old := range c.sessions {
		if now.Sub(old.seen) > SessionIdle {
			delete(c.sessions, id)
		}
	}
	for len(c.sessions) >= MaxSessions {
		var oldest *session
		for _, o := range c.sessions {
			if oldest == nil || o.created.Before(oldest.created) {
				oldest = o
			}
		}
		delete(c.sessions, oldest.id)
	}
	c.sessions[s.id] = s
	return s
}

// endSession removes a session.
func (c *Console) endSession(s *session) {
	c.mu.Lock()
	delete(c.sessions, s.id)
	c.mu.Unlock()
}

// addFlash keeps a message for the session's next page.
func (c *Console) addFlash(s *session, f flash) {
	c.mu.Lock()
	if len(s.flash) < 8 {
		s.flash = append(s.flash, f)
	}
	c.mu.Unlock()
}

// takeFlash returns and forgets the session's messages.
func (c *Console) takeFlash(s *session) []flash {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := s.flash
	s.flash = nil
	return f
}

// setCookie sets (or, with s nil, clears) the session cookie.
func setCookie(w http.ResponseWriter, r *http.Request, s *session) {
	ck := &http.Cookie{
		Name:     CookieName,
		Path:     Prefix,
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
		Secure:   r.TLS != nil,
	}
	if s == nil {
		ck.MaxAge = -1
	} else {
		ck.Value = s.id
	}
	http.SetCookie(w, ck)
}

// apiFlash turns a management API answer into a message: its detail and
// the rule it names.
func apiFlash(err error) flash {
	var e *mockclient.APIError
	if errors.As(err, &e) {
		text := e.Detail
		if text == "" {
			text = e.Error()
		}
		return flash{Kind: "error", Text: text, Rule: e.Rule}
	}
	return flash{Kind: "error", Text: err.Error()}
}

func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
