// Package mockcontainer starts scimconf's mock of Dynatrace's SCIM endpoint
// as a container, through testcontainers-go, for Go tests of an IdP
// connector or a SCIM client. Run starts the image (built with `make image`),
// waits until the mock answers /healthz and has printed its coordinates, and
// returns the SCIM base URL and token of the demo account, the management
// API's URL and token, and a management API client, all reachable from the
// test process through the container's mapped port.
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
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/scimconf/scimconf/server/mockclient"
)

// DefaultImage is the image `make image` builds.
const DefaultImage = "scimconf/mock:dev"

// Port is the port the mock listens on inside the container, for SCIM,
// the management API and /healthz.
const Port = "8080/tcp"

// Container is a running mock. Its fields are set by Run and do not change,
// except through Reset.
type Container struct {
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
	// Testcontainer is the underlying container, for logs, exec or
	// inspection.
	Testcontainer *testcontainers.DockerContainer
}

// Limits are the IAM limits of the mock's accounts; zero fields keep
// Dynatrace's defaults (see `scimconf serve --help`).
type Limits = mockclient.Limits

type config struct {
	image       string
	schema      string
	rules       string
	limits      Limits
	violations  []string
	adminToken  string
	args        []string
	env         map[string]string
	startupWait time.Duration
	fixtures    []json.RawMessage
}

// Option configures Run.
type Option func(*config)

// WithFixtures loads fixture sets (users and groups as SCIM JSON, in the
// shape of the repository's fixtures/demo.json) into the demo account once
// the mock is up, through the management API, so the account's rules apply.
func WithFixtures(sets ...json.RawMessage) Option {
	return func(c *config) { c.fixtures = append(c.fixtures, sets...) }
}

// WithImage runs another image of the mock than DefaultImage, e.g. one
// tagged by a release.
func WithImage(ref string) Option { return func(c *config) { c.image = ref } }

// WithSchema selects the schema set: "dynatrace" (the default: the
// attributes Dynatrace documents) or "full" (RFC 7643 User, EnterpriseUser
// and Group).
func WithSchema(set string) Option { return func(c *config) { c.schema = set } }

// WithRules selects the rules on top of SCIM 2.0: "dynatrace" (the
// default: Dynatrace's SCIM endpoint, where a userName is an email on a
// verified domain and never changes) or "rfc" (a reference SCIM 2.0 server:
// the same mock with the Dynatrace layer off, so any non-empty userName
// works). It is `scimconf serve --rules`.
func WithRules(rules string) Option { return func(c *config) { c.rules = rules } }

// WithLimits sets the limits every account gets; zero fields keep the
// defaults. Small limits let a test reach DT-USER-LIMIT or DT-GROUP-LIMIT
// quickly.
func WithLimits(l Limits) Option { return func(c *config) { c.limits = l } }

// WithViolations turns on the mock's violation switches: each one breaks one
// behaviour on purpose (e.g. "json-content-type", "ignore-if-match"), so a
// client's handling of a non-conforming server can be tested. The names are
// those of package server/violation (`scimconf serve --violate` takes
// them); an unknown name makes Run fail with the list of known ones.
func WithViolations(rules ...string) Option {
	return func(c *config) { c.violations = append(c.violations, rules...) }
}

// WithAdminToken sets the management API's token; by default the mock
// generates one (Container.AdminToken has it either way).
func WithAdminToken(token string) Option { return func(c *config) { c.adminToken = token } }

// WithArgs appends flags to `scimconf serve`, e.g. "--patch-no-content" or
// "--max-results=50", for settings no other option covers.
func WithArgs(args ...string) Option { return func(c *config) { c.args = append(c.args, args...) } }

// WithEnv sets an environment variable of the mock's process; every flag of
// `scimconf serve` has one (SCIMCONF_...).
func WithEnv(name, value string) Option {
	return func(c *config) {
		if c.env == nil {
			c.env = map[string]string{}
		}
		c.env[name] = value
	}
}

// WithStartupTimeout bounds how long Run waits for the mock to become
// ready; default 60 seconds.
func WithStartupTimeout(d time.Duration) Option { return func(c *config) { c.startupWait = d } }

// readyLine is among the KEY=value lines `scimconf serve` prints in one
// write once the demo account exists; /healthz alone answers a moment
// before that.
const readyLine = "ADMIN_TOKEN="

// Run starts the mock and returns when it is ready. On error the container,
// if one was created, is removed already. Call Terminate when done (for
// example with t.Cleanup).
func Run(ctx context.Context, opts ...Option) (*Container, error) {
	cfg := config{image: DefaultImage, startupWait: 60 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	env := map[string]string{}
	if cfg.adminToken != "" {
		env["SCIMCONF_ADMIN_TOKEN"] = cfg.adminToken
	}
	if cfg.schema != "" {
		env["SCIMCONF_SCHEMA"] = cfg.schema
	}
	if cfg.rules != "" {
		env["SCIMCONF_RULES"] = cfg.rules
	}
	for name, v := range map[string]int{
		"SCIMCONF_MAX_USERS":                 cfg.limits.MaxUsers,
		"SCIMCONF_MAX_GROUPS":                cfg.limits.MaxGroups,
		"SCIMCONF_MAX_GROUPS_PER_USER":       cfg.limits.MaxGroupsPerUser,
		"SCIMCONF_MAX_PERMISSIONS_PER_GROUP": cfg.limits.MaxPermissionsPerGroup,
	} {
		if v < 0 {
			return nil, fmt.Errorf("mockcontainer: limit %s is %d; limits are at least 1 (0 keeps the default)", name, v)
		}
		if v > 0 {
			env[name] = strconv.Itoa(v)
		}
	}
	if len(cfg.violations) > 0 {
		env["SCIMCONF_VIOLATE"] = strings.Join(cfg.violations, ",")
	}
	for k, v := range cfg.env {
		env[k] = v
	}

	customizers := []testcontainers.ContainerCustomizer{
		testcontainers.WithExposedPorts(Port),
		testcontainers.WithEnv(env),
		testcontainers.WithWaitStrategyAndDeadline(cfg.startupWait,
			wait.ForHTTP("/healthz").WithPort(Port),
			wait.ForLog(readyLine),
		),
	}
	if len(cfg.args) > 0 {
		customizers = append(customizers, testcontainers.WithCmdArgs(cfg.args...))
	}
	ctr, err := testcontainers.Run(ctx, cfg.image, customizers...)
	if err != nil {
		// The mock's own words say why it did not start (a bad flag, a
		// bad limit): show them.
		why := logExcerpt(ctx, ctr)
		if terr := testcontainers.TerminateContainer(ctr); terr != nil {
			err = errors.Join(err, terr)
		}
		return nil, fmt.Errorf("mockcontainer: start %s: %w%s", cfg.image, err, why)
	}
	c, err := coordinates(ctx, ctr)
	if err == nil {
		// SCIMCONF_VIOLATE turns them on at start where the image reads
		// it; the management API makes sure of it either way.
		for _, name := range cfg.violations {
			if err = c.SetViolation(ctx, name, true); err != nil {
				break
			}
		}
	}
	for _, set := range cfg.fixtures {
		if err != nil {
			break
		}
		if _, err = c.Admin.LoadFixtures(ctx, c.AccountID, set); err != nil {
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
		Testcontainer:  ctr,
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
// Container and more than once.
func (c *Container) Terminate(ctx context.Context) error {
	if c == nil || c.Testcontainer == nil {
		return nil
	}
	// TerminateContainer treats an already removed container as done.
	return testcontainers.TerminateContainer(c.Testcontainer, testcontainers.StopContext(ctx))
}

// Logs returns what the mock wrote to stdout and stderr so far: the
// KEY=value lines, then one log line per request and per rejection.
func (c *Container) Logs(ctx context.Context) (string, error) {
	rc, err := c.Testcontainer.Logs(ctx)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	return string(b), err
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
