// Package scimtest owns what every conformance suite shares: the target
// under test (an external SCIM server named by the environment, or the
// embedded mock started in-process), a SCIM HTTP client that records every
// exchange into the running spec's report, matchers whose failures show the
// rule, the request and the response, builders of test resources named
// with the run id, and the cleanup of everything a spec creates.
//
// The suites are black-box: nothing here may use the mock's packages to
// work out what a response should be. The only mock package it touches is
// server/mock, to start the embedded target.
package scimtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/scimconf/scimconf/server/mock"
)

// Config names the target and what the suites may do to it. Every field
// comes from an environment variable (FromEnv); `make conformance` and
// `scimconf conformance` set them from their arguments.
type Config struct {
	BaseURL          string   // SCIM_BASE_URL; empty starts the embedded mock
	Token            string   // SCIM_TOKEN
	VerifiedDomains  []string // VERIFIED_DOMAIN (comma- or space-separated)
	UnverifiedDomain string   // UNVERIFIED_DOMAIN
	AdminURL         string   // ADMIN_URL: the mock's management API (optional)
	AdminToken       string   // ADMIN_TOKEN
	ReadOnly         bool     // READ_ONLY: run only specs that change nothing
	// Schema is the embedded mock's schema set (SCIMCONF_SCHEMA:
	// dynatrace or full); ignored for an external target.
	Schema string
	// Rules are the embedded mock's rules (SCIMCONF_RULES: dynatrace or
	// rfc); ignored for an external target.
	Rules string
	// Violations are violation switches the embedded mock starts with
	// (SCIMCONF_VIOLATE, comma-separated), for `make sensitivity`: with
	// one on, the suites must fail. Ignored for an external target.
	Violations []string
	// Strict starts the embedded mock with --strict (SCIMCONF_STRICT): it
	// refuses the IdP dialects, so the idp suite fails exactly where a
	// dialect departs from the RFC. Ignored for an external target.
	Strict bool
}

// FromEnv reads the configuration from the environment.
func FromEnv() Config {
	return Config{
		BaseURL:          strings.TrimRight(os.Getenv("SCIM_BASE_URL"), "/"),
		Token:            os.Getenv("SCIM_TOKEN"),
		VerifiedDomains:  fields(os.Getenv("VERIFIED_DOMAIN")),
		UnverifiedDomain: os.Getenv("UNVERIFIED_DOMAIN"),
		AdminURL:         strings.TrimRight(os.Getenv("ADMIN_URL"), "/"),
		AdminToken:       os.Getenv("ADMIN_TOKEN"),
		ReadOnly:         truthy(os.Getenv("READ_ONLY")),
		Schema:           os.Getenv("SCIMCONF_SCHEMA"),
		Rules:            os.Getenv("SCIMCONF_RULES"),
		Violations:       fields(os.Getenv("SCIMCONF_VIOLATE")),
		Strict:           truthy(os.Getenv("SCIMCONF_STRICT")),
	}
}

func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

func truthy(s string) bool {
	b, err := strconv.ParseBool(s)
	return err == nil && b
}

// Target is the server under test for one suite run.
type Target struct {
	Config
	// RunID marks every name this run creates, so that runs on a shared
	// tenant never collide and leftovers can be found.
	RunID string
	// Embedded is the in-process mock, nil for an external target. It
	// exists on Ginkgo's first parallel process only (the one that started
	// the mock): specs ask OnEmbeddedMock.
	Embedded *mock.Instance
	// embeddedMock is OnEmbeddedMock's answer on every process.
	embeddedMock bool
	// Client talks SCIM to the target with the configured token.
	Client *Client
	// Caps is what the target's /ServiceProviderConfig declares.
	Caps Capabilities
}

// Start connects to the configured target, starting the embedded mock when
// no SCIM_BASE_URL is given, and reads its capabilities.
func Start(ctx context.Context, cfg Config) (*Target, error) {
	t := &Target{Config: cfg, RunID: newRunID()}
	if cfg.BaseURL == "" {
		inst, err := mock.Start(ctx, mock.Options{Schema: cfg.Schema, Rules: cfg.Rules, Violations: cfg.Violations, Strict: cfg.Strict})
		if err != nil {
			return nil, fmt.Errorf("start the embedded mock: %w", err)
		}
		t.Embedded, t.embeddedMock = inst, true
		t.BaseURL, t.Token = inst.SCIMBaseURL, inst.SCIMToken
		t.VerifiedDomains = []string{inst.Domain}
		t.AdminURL, t.AdminToken = inst.AdminURL, inst.AdminToken
		if t.UnverifiedDomain == "" {
			t.UnverifiedDomain = "unverified.invalid"
		}
	}
	if t.Token == "" {
		return nil, fmt.Errorf("SCIM_BASE_URL is set but SCIM_TOKEN is empty: give the bearer token of the target")
	}
	if len(t.VerifiedDomains) == 0 {
		t.VerifiedDomains = []string{"example.com"}
	}
	t.Client = NewClient(t.BaseURL, t.Token)
	caps, err := readCapabilities(ctx, t.Client)
	if err != nil {
		t.Close()
		return nil, err
	}
	t.Caps = caps
	return t, nil
}

// Close stops the embedded mock, if any.
func (t *Target) Close() {
	// Idle keep-alive connections would hold the mock's graceful shutdown
	// for its full timeout.
	if tr, ok := HTTPClient.Transport.(*Recorder); ok {
		if c, ok := tr.Next.(interface{ CloseIdleConnections() }); ok {
			c.CloseIdleConnections()
		}
	}
	if t.Embedded != nil {
		t.Embedded.Close()
	}
}

// OnEmbeddedMock reports whether the target is the embedded mock, on
// every parallel process (Embedded is set on the first only).
func (t *Target) OnEmbeddedMock() bool { return t.embeddedMock }

// HasAdmin reports whether the management API is known, so specs that
// need account management (tokens, domains, limits, locks) can run.
func (t *Target) HasAdmin() bool { return t.AdminURL != "" && t.AdminToken != "" }

// Domain returns the first verified domain.
func (t *Target) Domain() string { return t.VerifiedDomains[0] }

func newRunID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return time.Now().UTC().Format("0102") + hex.EncodeToString(b)
}

// HTTPClient is the client every suite request goes through: it records
// exchanges into the current spec's report.
var HTTPClient = &http.Client{Transport: &Recorder{Next: http.DefaultTransport}, Timeout: 30 * time.Second}
