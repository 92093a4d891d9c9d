// Package mockcontainer starts scimconf's mock of Dynatrace's SCIM endpoint
// as a container, through testcontainers-go, for Go tests of an IdP
// connector or a SCIM client. It follows testcontainers-go's module idiom:
// Run(ctx, image, customizers...) starts the image (built with `make image`;
// DefaultImage), waits until the mock answers /healthz and has printed its
// coordinates, and returns a Container with the SCIM base URL and token of
// the demo account, the management API's URL and token, and a management
// API client, all reachable from the test process through the mapped port.
// The options of this package (WithSchema, WithRules, WithLimits, ...) are
// testcontainers.ContainerCustomizer values, so they mix freely with
// testcontainers-go's own (testcontainers.WithEnv, WithLogConsumers, ...).
//
// It owns only the container's lifecycle and the translation of what the
// mock prints (the listener's address inside the container) into addresses
// the caller can use; the mock's behaviour belongs to the image.
//
// The Docker engine is found the way testcontainers-go finds it (DOCKER_HOST,
// ~/.testcontainers.properties, the default socket). Where no image registry
// is reachable, set TESTCONTAINERS_RYUK_DISABLED=true: the reaper image
// cannot be pulled, and Terminate removes the container instead.
package mockcontainer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/scimconf/scimconf/server/mockclient"
)

// DefaultImage is the image `make image` builds: the mock by default, the
// harness with `conformance`.
const DefaultImage = "scimconf/scimconf:dev"

// Port is the port the mock listens on inside the container, for SCIM,
// the management API and /healthz.
const Port = "8080/tcp"

// serveCmd is the image's default command; WithArgs appends to it.
var serveCmd = []string{"serve"}

// Container is a running mock: the testcontainers-go container (its
// Logs, Inspect, Exec, ContainerIP, ... are there) and the mock's
// coordinates. The coordinates are set by Run and do not change, except
// through Reset.
type Container struct {
	testcontainers.Container

	// SCIMBaseURL is the demo account's SCIM endpoint as the test process
	// reaches it, e.g. http://localhost:32768/idm/public/scim/<id>/v2.
	SCIMBaseURL string
	// SCIMToken is a bearer token of the demo account.
	SCIMToken string
	// AccountID is the demo account's id.
	AccountID string
	// VerifiedDomain is the demo account's verified domain: userNames of
	// new users must end in it (rule DT-USER-DOMAIN).
	VerifiedDomain string
	// URL is the root of the mock's HTTP listener, e.g.
	// http://localhost:32768.
	URL string
	// AdminURL is the management API's root (URL + "/mock/v1") and
	// AdminToken its bearer token.
	AdminURL   string
	AdminToken string
	// Admin is a client of the management API: accounts, domains, tokens,
	// groups and users as account management sees them, limits, reset.
	Admin *mockclient.Client

	terminate sync.Once
	termErr   error
}

// Limits are the IAM limits of the mock's accounts; zero fields keep
// Dynatrace's defaults (see `scimconf serve --help`).
type Limits = mockclient.Limits

// settings are what Run does after the container is up.
type settings struct {
	violations []string
	fixtures   []json.RawMessage
}

// Option is a setting applied through the management API once the mock is
// up (WithViolations, WithFixtures). It is a
// testcontainers.ContainerCustomizer whose Customize does nothing, so it
// goes in Run's list with the others; Run picks it out.
type Option func(*settings) error

// Customize does nothing: Run applies an Option after the start.
func (Option) Customize(*testcontainers.GenericContainerRequest) error { return nil }

var _ testcontainers.ContainerCustomizer = Option(nil)

// env sets one environment variable of the mock's process.
func env(name, value string) testcontainers.CustomizeRequestOption {
	return testcontainers.WithEnv(map[string]string{name: value})
}

// WithFixtures loads fixture sets (users and groups as SCIM JSON, in the
// shape of the repository's fixtures/demo.json) into the demo account once
// the mock is up, through the management API, so the account's rules apply.
func WithFixtures(sets ...json.RawMessage) Option {
	return func(s *settings) error {
		s.fixtures = append(s.fixtures, sets...)
		return nil
	}
}

// WithSchema selects the schema set: "dynatrace" (the default: the
// attributes Dynatrace documents) or "full" (RFC 7643 User, EnterpriseUser
// and Group). It is `scimconf serve --schema`.
func WithSchema(set string) testcontainers.CustomizeRequestOption {
	return env("SCIMCONF_SCHEMA", set)
}

// WithRules selects the rules on top of SCIM 2.0: "dynatrace" (the
// default: Dynatrace's SCIM endpoint, where a userName is an email on a
// verified domain and never changes) or "rfc" (a reference SCIM 2.0 server:
// the same mock with the Dynatrace layer off, so any non-empty userName
// works). It is `scimconf serve --rules`.
func WithRules(rules string) testcontainers.CustomizeRequestOption {
	return env("SCIMCONF_RULES", rules)
}

// WithLimits sets the limits every account gets; zero fields keep the
// defaults. Small limits let a test reach DT-USER-LIMIT or DT-GROUP-LIMIT
// quickly. A negative limit makes Run fail.
func WithLimits(l Limits) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		vars := map[string]string{}
		for _, lim := range []struct {
			name string
			v    int
		}{
			{"SCIMCONF_MAX_USERS", l.MaxUsers},
			{"SCIMCONF_MAX_GROUPS", l.MaxGroups},
			{"SCIMCONF_MAX_GROUPS_PER_USER", l.MaxGroupsPerUser},
			{"SCIMCONF_MAX_PERMISSIONS_PER_GROUP", l.MaxPermissionsPerGroup},
		} {
			if lim.v < 0 {
				return fmt.Errorf("mockcontainer: limit %s is %d; limits are at least 1 (0 keeps the default)", lim.name, lim.v)
			}
			if lim.v > 0 {
				vars[lim.name] = strconv.Itoa(lim.v)
			}
		}
		return testcontainers.WithEnv(vars)(req)
	}
}

// WithViolations turns on the mock's violation switches: each one breaks one
// behaviour on purpose (e.g. "json-content-type", "ignore-if-match"), so a
// client's handling of a non-conforming server can be tested. The names are
// those of package server/violation (`scimconf serve --violate` takes
// them); an unknown name makes Run fail with the list of known ones.
func WithViolations(names ...string) Option {
	return func(s *settings) error {
		s.violations = append(s.violations, names...)
		return nil
	}
}

// WithAdminToken sets the management API's token; by default the mock
// generates one (Container.AdminToken has it either way).
func WithAdminToken(token string) testcontainers.CustomizeRequestOption {
	return env("SCIMCONF_ADMIN_TOKEN", token)
}

// WithArgs appends flags to `scimconf serve`, e.g. "--patch-no-content" or
// "--max-results=50", for settings no other option covers. Every flag also
// has an environment variable (SCIMCONF_...), which
// testcontainers.WithEnv sets.
func WithArgs(args ...string) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		if len(req.Cmd) == 0 {
			req.Cmd = append(req.Cmd, serveCmd...)
		}
		req.Cmd = append(req.Cmd, args...)
		return nil
	}
}

// WithStartupTimeout bounds how long Run waits for the mock to become
// ready; default 60 seconds.
func WithStartupTimeout(d time.Duration) testcontainers.CustomizeRequestOption {
	return testcontainers.WithWaitStrategyAndDeadline(d, readiness()...)
}

// readyLine is among the KEY=value lines `scimconf serve` prints in one
// write once the demo account exists; /healthz alone answers a moment
// before that.
const readyLine = "ADMIN_TOKEN="

func readiness() []wait.Strategy {
	return []wait.Strategy{wait.ForHTTP("/healthz").WithPort(Port), wait.ForLog(readyLine)}
}

// Run starts the mock from img (DefaultImage when empty), applies opts in
// order after the module's defaults, and returns when the mock is ready and
// every Option has been applied. On error the container, if one was
// created, is removed already and Run returns nil. Call Terminate when done
// (for example with t.Cleanup); it is safe on a nil Container and more than
// once, so `defer c.Terminate(ctx)` may come before the error check.
func Run(ctx context.Context, img string, opts ...testcontainers.ContainerCustomizer) (*Container, error) {
	if img == "" {
		img = DefaultImage
	}
	var set settings
	for _, o := range opts {
		if o, ok := o.(Option); ok {
			if err := o(&set); err != nil {
				return nil, err
			}
		}
	}
	moduleOpts := []testcontainers.ContainerCustomizer{
		testcontainers.WithExposedPorts(Port),
		testcontainers.WithCmd(serveCmd...),
		testcontainers.WithWaitStrategyAndDeadline(60*time.Second, readiness()...),
	}
	if len(set.violations) > 0 {
		// The image reads SCIMCONF_VIOLATE at start; the management API
		// makes sure of it below either way.
		moduleOpts = append(moduleOpts, env("SCIMCONF_VIOLATE", strings.Join(set.violations, ",")))
	}
	ctr, err := testcontainers.Run(ctx, img, append(moduleOpts, opts...)...)
	if err != nil {
		// The mock's own words say why it did not start (a bad flag, a
		// bad limit): show them.
		why := logExcerpt(ctx, ctr)
		if terr := testcontainers.TerminateContainer(ctr); terr != nil {
			err = errors.Join(err, terr)
		}
		return nil, fmt.Errorf("mockcontainer: start %s: %w%s", img, err, why)
	}
	c, err := coordinates(ctx, ctr)
	if err == nil {
		for _, name := range set.violations {
			if err = c.SetViolation(ctx, name, true); err != nil {
				break
			}
		}
	}
	for _, fixtures := range set.fixtures {
		if err != nil {
			break
		}
		if _, err = c.Admin.LoadFixtures(ctx, c.AccountID, fixtures); err != nil {
			err = fmt.Errorf("mockcontainer: loading fixtures: %w", err)
		}
	}
	if err != nil {
		return nil, errors.Join(err, testcontainers.TerminateContainer(ctr))
	}
	return c, nil
}

// coordinates reads the KEY=value lines the mock printed and rewrites the
// listener's address in its URLs to the mapped host port.
func coordinates(ctx context.Context, ctr *testcontainers.DockerContainer) (*Container, error) {
	hostport, err := ctr.PortEndpoint(ctx, Port, "")
	if err != nil {
		return nil, fmt.Errorf("mockcontainer: mapped address of %s: %w", Port, err)
	}
	rc, err := ctr.Logs(ctx)
	if err != nil {
		return nil, fmt.Errorf("mockcontainer: read the mock's log: %w", err)
	}
	defer rc.Close()
	vars := ParseEnv(rc)
	for _, k := range []string{"SCIM_BASE_URL", "SCIM_TOKEN", "ADMIN_URL", "ADMIN_TOKEN"} {
		if vars[k] == "" {
			return nil, fmt.Errorf("mockcontainer: the mock printed no %s= line; is %s an image of scimconf's mock?", k, ctr.Image)
		}
	}
	c := &Container{
		SCIMToken:      vars["SCIM_TOKEN"],
		VerifiedDomain: vars["VERIFIED_DOMAIN"],
		URL:            "http://" + hostport,
		AdminToken:     vars["ADMIN_TOKEN"],
		Container:      ctr,
	}
	if c.SCIMBaseURL, err = RewriteHost(vars["SCIM_BASE_URL"], hostport); err != nil {
		return nil, err
	}
	if c.AdminURL, err = RewriteHost(vars["ADMIN_URL"], hostport); err != nil {
		return nil, err
	}
	c.AccountID = accountID(c.SCIMBaseURL)
	c.Admin = &mockclient.Client{BaseURL: c.AdminURL, Token: c.AdminToken}
	return c, nil
}

// Terminate stops and removes the container. It is safe to call on a nil
// Container and more than once: the first call does the work, later calls
// return its result. opts are testcontainers-go's (StopTimeout, ...).
func (c *Container) Terminate(ctx context.Context, opts ...testcontainers.TerminateOption) error {
	if c == nil || c.Container == nil {
		return nil
	}
	c.terminate.Do(func() {
		c.termErr = testcontainers.TerminateContainer(c.Container,
			append([]testcontainers.TerminateOption{testcontainers.StopContext(ctx)}, opts...)...)
	})
	return c.termErr
}

// Reset removes every account, resource, token and DNS record, then
// recreates the demo account; SCIMBaseURL, SCIMToken and AccountID then
// name the new demo account (the old token no longer works). Use it
// between tests that share one container.
func (c *Container) Reset(ctx context.Context) error {
	if err := c.Admin.Reset(ctx); err != nil {
		return fmt.Errorf("mockcontainer: reset: %w", err)
	}
	accts, err := c.Admin.Accounts(ctx)
	if err != nil {
		return fmt.Errorf("mockcontainer: list accounts after reset: %w", err)
	}
	if len(accts) == 0 {
		return errors.New("mockcontainer: no demo account after reset")
	}
	// The demo token printed at start-up is gone and token values are
	// shown only once (DT-TOKEN-ONCE): generate one for the caller.
	tok, err := c.Admin.CreateToken(ctx, accts[0].ID, "mockcontainer: token after reset")
	if err != nil {
		return fmt.Errorf("mockcontainer: token for the demo account: %w", err)
	}
	base, err := RewriteHost(accts[0].SCIMBaseURL, strings.TrimPrefix(c.URL, "http://"))
	if err != nil {
		return err
	}
	c.AccountID, c.SCIMToken, c.SCIMBaseURL = accts[0].ID, tok.Token, base
	return nil
}

// SetViolation turns one of the mock's violation switches on or off while
// it runs (PUT or DELETE /mock/v1/violations/{name}).
func (c *Container) SetViolation(ctx context.Context, name string, on bool) error {
	var err error
	if on {
		_, err = c.Admin.EnableViolation(ctx, name)
	} else {
		_, err = c.Admin.DisableViolation(ctx, name)
	}
	if err != nil {
		return fmt.Errorf("mockcontainer: violation switch %q: %w", name, err)
	}
	return nil
}

// ParseEnv reads KEY=value lines, as `scimconf serve` prints them, from a
// log. Other lines are ignored; a later line for the same key wins.
func ParseEnv(r io.Reader) map[string]string {
	vars := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if ok && isEnvName(k) {
			vars[k] = v
		}
	}
	return vars
}

func isEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r >= 'A' && r <= 'Z', r == '_':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// RewriteHost replaces the host and port of rawURL with hostport: the mock
// prints URLs with its listener's address inside the container
// (0.0.0.0:8080 or [::]:8080), which the test process cannot use.
func RewriteHost(rawURL, hostport string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("mockcontainer: %q is not an absolute URL", rawURL)
	}
	if _, _, err := net.SplitHostPort(hostport); err != nil {
		return "", fmt.Errorf("mockcontainer: %q is not host:port: %w", hostport, err)
	}
	u.Host = hostport
	return u.String(), nil
}

// accountID takes the account id out of /idm/public/scim/{accountId}/v2.
func accountID(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i, p := range parts {
		if p == "scim" && i+1 < len(parts) {
			return parts[i+1]
		}
	}
	return ""
}

// logExcerpt returns a failed container's log, shortened, for an error message.
func logExcerpt(ctx context.Context, ctr *testcontainers.DockerContainer) string {
	if ctr == nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	rc, err := ctr.Logs(ctx)
	if err != nil {
		return ""
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 1<<20))
	s := strings.TrimSpace(string(b))
	if s == "" {
		return ""
	}
	// A flag error comes first and a crash last: keep both ends.
	if len(s) > 3000 {
		s = s[:1500] + "\n...\n" + s[len(s)-1500:]
	}
	return "\ncontainer log:\n" + s
}
