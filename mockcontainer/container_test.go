package mockcontainer_test

// These tests start real containers. They need a Docker engine and the
// mock's image (`make image`; SCIMCONF_MOCK_IMAGE names another). Without
// them they skip, saying why, except in CI (CI=true), where they fail:
// .ci/run installs and starts the engine and builds the image, so a
// missing one is a broken pipeline, not a reason to pass.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/scimconf/scimconf/mockcontainer"
	"github.com/scimconf/scimconf/server/mockclient"
)

// probeEnv makes the test binary a stand-in for the command that
// `scimconf container-run` runs (see TestMain and probe).
const probeEnv = "MOCKCONTAINER_PROBE"

func TestMain(m *testing.M) {
	if mode := os.Getenv(probeEnv); mode != "" {
		os.Exit(probe(mode))
	}
	os.Exit(m.Run())
}

func image() string {
	if v := os.Getenv("SCIMCONF_MOCK_IMAGE"); v != "" {
		return v
	}
	return mockcontainer.DefaultImage
}

func inCI() bool {
	b, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && b
}

// engine returns a client of the Docker engine, or skips the test (fails
// it in CI) when there is no engine or no image.
func engine(t *testing.T) *testcontainers.DockerClient {
	t.Helper()
	unavailable := func(format string, args ...any) {
		t.Helper()
		if inCI() {
			t.Fatalf("CI=true and "+format, args...)
		}
		t.Skipf(format, args...)
	}
	if testing.Short() {
		// Asked for by name, so a skip even in CI.
		t.Skip("-short: container tests start Docker containers")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var (
		cli *testcontainers.DockerClient
		err error
	)
	func() {
		// testcontainers-go may panic when it finds no engine.
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%v", r)
			}
		}()
		cli, err = testcontainers.NewDockerClientWithOpts(ctx)
		if err == nil {
			_, err = cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true})
		}
	}()
	if err != nil {
		unavailable("no Docker engine answers (%v): start one (.ci/run shows how), or run go test -short", err)
	}
	t.Cleanup(func() { cli.Close() })
	if _, err := cli.ImageInspect(ctx, image()); err != nil {
		unavailable("image %s is not there (%v): run `make image`", image(), err)
	}
	return cli
}

// noLeftovers fails the test if, when it ends, a container of the image or a
// network exists that did not exist when it started.
func noLeftovers(t *testing.T, cli *testcontainers.DockerClient) {
	t.Helper()
	before := inventory(t, cli)
	t.Cleanup(func() {
		for _, id := range inventory(t, cli) {
			if !slices.Contains(before, id) {
				t.Errorf("left behind: %s", id)
			}
		}
	})
}

func inventory(t *testing.T, cli *testcontainers.DockerClient) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	ctrs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("ancestor", image())})
	if err != nil {
		t.Fatalf("list containers: %v", err)
	}
	nets, err := cli.NetworkList(ctx, client.NetworkListOptions{})
	if err != nil {
		t.Fatalf("list networks: %v", err)
	}
	var ids []string
	for _, c := range ctrs.Items {
		ids = append(ids, "container "+c.ID[:12]+" ("+c.Image+")")
	}
	for _, n := range nets.Items {
		ids = append(ids, "network "+n.Name)
	}
	return ids
}

// start runs the mock and terminates it when the test ends.
func start(t *testing.T, opts ...testcontainers.ContainerCustomizer) *mockcontainer.Container {
	t.Helper()
	ctx := t.Context()
	began := time.Now()
	c, err := mockcontainer.Run(ctx, image(), opts...)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Logf("mock ready in %s at %s", time.Since(began).Round(time.Millisecond), c.URL)
	t.Cleanup(func() {
		if err := c.Terminate(context.Background()); err != nil {
			t.Errorf("Terminate: %v", err)
		}
	})
	return c
}

// scim sends one SCIM request and decodes a JSON answer into a map.
func scim(t *testing.T, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	var got map[string]any
	b, _ := io.ReadAll(resp.Body)
	if len(b) > 0 {
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s %s: %d, body is not JSON: %v\n%s", method, url, resp.StatusCode, err, b)
		}
	}
	return resp.StatusCode, got
}

func newUser(userName string) map[string]any {
	return map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": userName,
		"name":     map[string]any{"givenName": "Jane", "familyName": "Doe"},
		"active":   true,
	}
}

func TestRunCreateGetAndManage(t *testing.T) {
	cli := engine(t)
	noLeftovers(t, cli)
	c := start(t)
	ctx := t.Context()

	if c.AccountID == "" || c.VerifiedDomain == "" || !strings.HasSuffix(c.SCIMBaseURL, "/idm/public/scim/"+c.AccountID+"/v2") {
		t.Fatalf("coordinates: account %q, domain %q, base URL %q", c.AccountID, c.VerifiedDomain, c.SCIMBaseURL)
	}
	userName := "jane@" + c.VerifiedDomain
	status, created := scim(t, http.MethodPost, c.SCIMBaseURL+"/Users", c.SCIMToken, newUser(userName))
	if status != http.StatusCreated {
		t.Fatalf("POST /Users = %d %v, want 201", status, created)
	}
	id, _ := created["id"].(string)
	status, got := scim(t, http.MethodGet, c.SCIMBaseURL+"/Users/"+id, c.SCIMToken, nil)
	if status != http.StatusOK || got["userName"] != userName {
		t.Fatalf("GET /Users/%s = %d userName %v, want 200 %s", id, status, got["userName"], userName)
	}

	// The management API sees the user, and a token it generates opens
	// the same account.
	users, err := c.Admin.Users(ctx, c.AccountID)
	if err != nil {
		t.Fatalf("Admin.Users: %v", err)
	}
	if len(users) != 1 || users[0].Email != userName || users[0].Status != mockclient.UserActive {
		t.Fatalf("Admin.Users = %+v, want one active %s", users, userName)
	}
	tok, err := c.Admin.CreateToken(ctx, c.AccountID, "second token")
	if err != nil {
		t.Fatalf("Admin.CreateToken: %v", err)
	}
	if status, _ := scim(t, http.MethodGet, c.SCIMBaseURL+"/Users/"+id, tok.Token, nil); status != http.StatusOK {
		t.Fatalf("GET with the generated token = %d, want 200", status)
	}
	if status, _ := scim(t, http.MethodGet, c.SCIMBaseURL+"/Users/"+id, "not-a-token", nil); status != http.StatusUnauthorized {
		t.Fatalf("GET with a wrong token = %d, want 401", status)
	}

	rc, err := c.Logs(ctx)
	if err != nil {
		t.Fatalf("Logs: %v", err)
	}
	logs, _ := io.ReadAll(rc)
	rc.Close()
	if !strings.Contains(string(logs), "mock ready") {
		t.Errorf("Logs = %q; want the mock's log", logs)
	}

	// Terminate removes the container; a second call is harmless, and so
	// is testcontainers-go's own helper on the module's container.
	if err := c.Terminate(ctx); err != nil {
		t.Fatalf("Terminate: %v", err)
	}
	if _, err := c.Inspect(ctx); err == nil {
		t.Errorf("the container still exists after Terminate")
	}
	if err := c.Terminate(ctx); err != nil {
		t.Errorf("second Terminate: %v", err)
	}
	if err := testcontainers.TerminateContainer(c); err != nil {
		t.Errorf("testcontainers.TerminateContainer after Terminate: %v", err)
	}
}

func TestRunOptions(t *testing.T) {
	cli := engine(t)
	noLeftovers(t, cli)
	c := start(t,
		mockcontainer.WithSchema("full"),
		mockcontainer.WithLimits(mockcontainer.Limits{MaxUsers: 1}),
		mockcontainer.WithAdminToken("admin-fixed-for-test"),
		mockcontainer.WithArgs("--patch-no-content"),
		testcontainers.WithEnv(map[string]string{"SCIMCONF_MAX_RESULTS": "7"}), // testcontainers-go's own customizer
	)
	ctx := t.Context()
	if c.AdminToken != "admin-fixed-for-test" {
		t.Errorf("AdminToken = %q, want the one given", c.AdminToken)
	}
	lim, err := c.Admin.Limits(ctx, c.AccountID)
	if err != nil || lim.MaxUsers != 1 {
		t.Errorf("Admin.Limits = %+v, %v; want MaxUsers 1", lim, err)
	}
	status, spc := scim(t, http.MethodGet, c.SCIMBaseURL+"/ServiceProviderConfig", c.SCIMToken, nil)
	if filter, _ := spc["filter"].(map[string]any); status != http.StatusOK || filter["maxResults"] != float64(7) {
		t.Errorf("GET /ServiceProviderConfig = %d filter %v, want maxResults 7 from testcontainers.WithEnv", status, spc["filter"])
	}
	status, schemas := scim(t, http.MethodGet, c.SCIMBaseURL+"/Schemas", c.SCIMToken, nil)
	if b, _ := json.Marshal(schemas); status != http.StatusOK || !strings.Contains(string(b), "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User") {
		t.Errorf("GET /Schemas = %d, want the full set with EnterpriseUser: %s", status, b)
	}
	status, u := scim(t, http.MethodPost, c.SCIMBaseURL+"/Users", c.SCIMToken, newUser("one@"+c.VerifiedDomain))
	if status != http.StatusCreated {
		t.Fatalf("first user = %d %v, want 201", status, u)
	}
	patch := map[string]any{
		"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []any{map[string]any{"op": "replace", "path": "active", "value": false}},
	}
	if status, _ := scim(t, http.MethodPatch, c.SCIMBaseURL+"/Users/"+u["id"].(string), c.SCIMToken, patch); status != http.StatusNoContent {
		t.Errorf("PATCH with --patch-no-content = %d, want 204", status)
	}
	if status, _ := scim(t, http.MethodPost, c.SCIMBaseURL+"/Users", c.SCIMToken, newUser("two@"+c.VerifiedDomain)); status < 400 || status > 499 {
		t.Errorf("second user with MaxUsers 1 = %d, want 4xx", status)
	}
}

// WithRules("rfc") reaches the image's serve: a userName that is no email
// is a User there.
func TestRunWithRulesRFC(t *testing.T) {
	cli := engine(t)
	noLeftovers(t, cli)
	c := start(t, mockcontainer.WithRules("rfc"))
	user := newUser("x@" + c.VerifiedDomain)
	user["userName"] = "jdoe"
	if status, u := scim(t, http.MethodPost, c.SCIMBaseURL+"/Users", c.SCIMToken, user); status != http.StatusCreated || u["userName"] != "jdoe" {
		t.Errorf("POST userName jdoe with WithRules(rfc) = %d %v, want 201", status, u)
	}
}

func TestFixtures(t *testing.T) {
	cli := engine(t)
	noLeftovers(t, cli)
	demo, err := os.ReadFile("../fixtures/demo.json")
	if err != nil {
		t.Fatal(err)
	}
	c := start(t, mockcontainer.WithFixtures(demo))
	users, err := c.Admin.Users(t.Context(), c.AccountID)
	if err != nil || len(users) == 0 {
		t.Fatalf("after WithFixtures(fixtures/demo.json) the account has %d users (%v), want the fixture's", len(users), err)
	}
	var set struct{ Users []any }
	json.Unmarshal(demo, &set)
	if len(users) != len(set.Users) {
		t.Errorf("%d users, want the fixture's %d", len(users), len(set.Users))
	}
}

func TestViolations(t *testing.T) {
	cli := engine(t)
	noLeftovers(t, cli)
	c := start(t, mockcontainer.WithViolations("json-content-type"))
	contentType := func() string {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, c.SCIMBaseURL+"/ServiceProviderConfig", nil)
		req.Header.Set("Authorization", "Bearer "+c.SCIMToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header.Get("Content-Type")
	}
	if got := contentType(); !strings.HasPrefix(got, "application/json") {
		t.Errorf("with json-content-type on: Content-Type %q, want application/json", got)
	}
	if err := c.SetViolation(t.Context(), "json-content-type", false); err != nil {
		t.Fatalf("SetViolation off: %v", err)
	}
	if got := contentType(); !strings.HasPrefix(got, "application/scim+json") {
		t.Errorf("with the switch off: Content-Type %q, want application/scim+json", got)
	}
	if err := c.SetViolation(t.Context(), "no-such-switch", true); err == nil || !strings.Contains(err.Error(), "ignore-if-match") {
		t.Errorf("unknown switch: %v; want an error listing the known ones", err)
	}
}

func TestReset(t *testing.T) {
	cli := engine(t)
	noLeftovers(t, cli)
	c := start(t)
	oldToken, oldBase := c.SCIMToken, c.SCIMBaseURL
	if status, _ := scim(t, http.MethodPost, c.SCIMBaseURL+"/Users", c.SCIMToken, newUser("jane@"+c.VerifiedDomain)); status != http.StatusCreated {
		t.Fatalf("POST /Users = %d, want 201", status)
	}
	if err := c.Reset(t.Context()); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if status, _ := scim(t, http.MethodGet, oldBase+"/Users", oldToken, nil); status != http.StatusUnauthorized {
		t.Errorf("old token after Reset = %d, want 401", status)
	}
	status, list := scim(t, http.MethodGet, c.SCIMBaseURL+"/Users", c.SCIMToken, nil)
	if status != http.StatusOK || list["totalResults"] != float64(0) {
		t.Errorf("GET /Users after Reset = %d totalResults %v, want 200 and 0", status, list["totalResults"])
	}
}

func TestRunFailsWithTheMocksWords(t *testing.T) {
	cli := engine(t)
	noLeftovers(t, cli)
	c, err := mockcontainer.Run(t.Context(), image(),
		mockcontainer.WithArgs("--no-such-flag"), mockcontainer.WithStartupTimeout(20*time.Second))
	if err == nil || !strings.Contains(err.Error(), "no-such-flag") {
		t.Fatalf("Run with a bad flag: %v; want an error quoting the mock's complaint", err)
	}
	if c != nil {
		t.Errorf("Run failed and returned a container %v; want nil (removed already)", c)
	}
}

// repoRoot is the module root, where the suites and cmd/scimconf are.
const repoRoot = ".."

// TestConformanceAgainstContainer runs the rfc and dynatrace suites, as
// `make conformance` would against any target, against the mock in a
// container: the image must be as conformant as the embedded mock.
func TestConformanceAgainstContainer(t *testing.T) {
	cli := engine(t)
	noLeftovers(t, cli)
	tests := []struct {
		schema, rules string
		suites        []string
	}{
		{"dynatrace", "", []string{"./suites/rfc", "./suites/dynatrace"}},
		// With the full set the dynatrace suite's DT-USER-REQUIRED does
		// not hold (RFC 7643's name is optional).
		{"full", "", []string{"./suites/rfc"}},
		// A reference SCIM 2.0 server: the rfc profile passes with the
		// Dynatrace layer off.
		{"full", "rfc", []string{"./suites/rfc"}},
	}
	for _, tt := range tests {
		set := tt.schema
		t.Run(set+"/"+tt.rules, func(t *testing.T) {
			c := start(t, mockcontainer.WithSchema(set), mockcontainer.WithRules(tt.rules))
			cmd := exec.CommandContext(t.Context(), "go", append([]string{"test", "-count=1"}, tt.suites...)...)
			cmd.Dir = repoRoot
			cmd.Env = append(os.Environ(),
				"SCIM_BASE_URL="+c.SCIMBaseURL, "SCIM_TOKEN="+c.SCIMToken,
				"VERIFIED_DOMAIN="+c.VerifiedDomain, "UNVERIFIED_DOMAIN=",
				"ADMIN_URL="+c.AdminURL, "ADMIN_TOKEN="+c.AdminToken,
				"READ_ONLY=", "SCIMCONF_SCHEMA="+set,
			)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("suites against the container: %v\n%s", err, lastLines(out, 80))
			}
			t.Logf("%s", bytes.TrimSpace(out))
		})
	}
}

// TestContainerRun drives `scimconf container-run` with this test binary
// as the command (see probe): the environment it gets, the exit status it
// passes on, the log it keeps, and that it removes the container.
func TestContainerRun(t *testing.T) {
	cli := engine(t)
	noLeftovers(t, cli)
	bin := filepath.Join(t.TempDir(), "scimconf")
	if out, err := exec.Command("go", "build", "-o", bin, repoRoot+"/cmd/scimconf").CombinedOutput(); err != nil {
		t.Fatalf("build scimconf: %v\n%s", err, out)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		flags    []string
		probe    string
		wantExit int
	}{
		{"token and URLs from the mock's log", nil, "mock", 0},
		{"token and path given", []string{"--token", "given-token", "--path", "/custom/v2"}, "given", 0},
		{"the command's failure is passed on", nil, "fail", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reports := t.TempDir()
			args := append([]string{"container-run", "--image", image(), "--report-dir", reports}, tt.flags...)
			args = append(args, "--", self, "-test.run=^$")
			cmd := exec.CommandContext(t.Context(), bin, args...)
			cmd.Env = append(os.Environ(), probeEnv+"="+tt.probe, "SCIM_BASE_URL=http://stale.invalid", "VERIFIED_DOMAIN=")
			out, err := cmd.CombinedOutput()
			if got := cmd.ProcessState.ExitCode(); got != tt.wantExit {
				t.Fatalf("exit status %d (%v), want %d\n%s", got, err, tt.wantExit, out)
			}
			log, err := os.ReadFile(filepath.Join(reports, "target.log"))
			if err != nil || !strings.Contains(string(log), "mock ready") {
				t.Errorf("target.log = %q, %v; want the container's log", log, err)
			}
		})
	}
}

// probe runs as the command of `scimconf container-run` and checks the
// environment it was given. It returns the exit status.
func probe(mode string) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(os.Stderr, "probe: "+format+"\n", args...)
		return 3
	}
	base, token := os.Getenv("SCIM_BASE_URL"), os.Getenv("SCIM_TOKEN")
	switch mode {
	case "fail":
		return 1
	case "given":
		if token != "given-token" || !strings.HasSuffix(base, "/custom/v2") || strings.Contains(base, "stale") {
			return fail("SCIM_BASE_URL=%s SCIM_TOKEN=%s; want the given path and token", base, token)
		}
		return 0
	}
	// mode "mock": everything from the log, moved to the mapped port.
	ctx := context.Background()
	if os.Getenv("VERIFIED_DOMAIN") == "" || os.Getenv("ADMIN_URL") == "" || strings.Contains(base, "0.0.0.0") || strings.Contains(base, "[::]") {
		return fail("env %q %q %q: want the printed coordinates on the mapped port", base, os.Getenv("VERIFIED_DOMAIN"), os.Getenv("ADMIN_URL"))
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/ServiceProviderConfig", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fail("GET ServiceProviderConfig: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fail("GET ServiceProviderConfig = %d, want 200", resp.StatusCode)
	}
	admin := &mockclient.Client{BaseURL: os.Getenv("ADMIN_URL"), Token: os.Getenv("ADMIN_TOKEN")}
	if _, err := admin.Accounts(ctx); err != nil {
		return fail("management API: %v", err)
	}
	return 0
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// TestHarnessInImage runs the harness from the image against a mock
// started from the same image, as the README shows: a second container
// runs `conformance --target` with the mock's address on the Docker
// network, the tokens in its environment, and writes the reports to a
// mounted directory. A conformant mock gives exit status 0, a mock with a
// violation switch on 1, a target nobody listens on 2.
func TestHarnessInImage(t *testing.T) {
	cli := engine(t)
	noLeftovers(t, cli)
	tests := []struct {
		name     string
		opts     []testcontainers.ContainerCustomizer
		port     string // the mock's port to aim at: 8080, or one nobody listens on
		wantExit int
	}{
		{"conformant mock", nil, "8080", 0},
		{"mock with json-content-type on", []testcontainers.ContainerCustomizer{mockcontainer.WithViolations("json-content-type")}, "8080", 1},
		{"nobody listens", nil, "8081", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			mock := start(t, tt.opts...)
			ip, err := mock.ContainerIP(ctx)
			if err != nil || ip == "" {
				t.Fatalf("the mock's address on the Docker network: %q, %v", ip, err)
			}
			target, err := mockcontainer.RewriteHost(mock.SCIMBaseURL, ip+":"+tt.port)
			if err != nil {
				t.Fatal(err)
			}
			adminURL, err := mockcontainer.RewriteHost(mock.AdminURL, ip+":"+tt.port)
			if err != nil {
				t.Fatal(err)
			}
			reports := t.TempDir()
			// The image's user must be able to write the mounted directory:
			// run as the directory's owner, as the README says.
			user := fmt.Sprintf("%d:%d", os.Getuid(), os.Getgid())
			began := time.Now()
			harness, err := testcontainers.Run(ctx, image(),
				testcontainers.WithCmd("conformance", "--target", target, "--profile", "rfc,dynatrace",
					"--verified-domain", mock.VerifiedDomain, "--admin-url", adminURL),
				// Tokens by environment: never on a command line.
				testcontainers.WithEnv(map[string]string{"SCIM_TOKEN": mock.SCIMToken, "ADMIN_TOKEN": mock.AdminToken}),
				testcontainers.WithConfigModifier(func(c *container.Config) { c.User = user }),
				testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
					hc.Binds = append(hc.Binds, reports+":/reports")
				}),
				testcontainers.WithWaitStrategy(wait.ForExit().WithExitTimeout(5*time.Minute)),
			)
			t.Cleanup(func() {
				if err := testcontainers.TerminateContainer(harness); err != nil {
					t.Errorf("remove the harness container: %v", err)
				}
			})
			if err != nil {
				t.Fatalf("run the harness container: %v", err)
			}
			state, err := harness.State(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var out []byte
			if rc, err := harness.Logs(ctx); err == nil {
				out, _ = io.ReadAll(rc)
				rc.Close()
			}
			t.Logf("harness container: exit %d in %s", state.ExitCode, time.Since(began).Round(time.Millisecond))
			if state.ExitCode != tt.wantExit {
				t.Fatalf("exit status %d, want %d; its output:\n%s", state.ExitCode, tt.wantExit, lastLines(out, 60))
			}
			if tt.wantExit == 2 {
				return // a configuration error: no suite ran, no report
			}
			for _, f := range []string{"junit.xml", "report.json", "report.md", "report.html"} {
				if fi, err := os.Stat(filepath.Join(reports, f)); err != nil || fi.Size() == 0 {
					t.Errorf("report %s in the mounted directory: %v; want it written", f, err)
				}
			}
			if bytes.Contains(out, []byte(mock.SCIMToken)) {
				t.Errorf("the harness printed the SCIM token")
			}
		})
	}
}
