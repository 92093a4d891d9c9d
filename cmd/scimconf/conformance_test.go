package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runFunc runs the standalone binary with only env in its environment.
type runFunc func(env []string, args ...string) (code int, stdout, stderr string)

// standalone copies the built binary into an empty directory, as a user
// who downloaded it would have it, and returns that directory (where it
// runs) and a runner for it: no Go toolchain on PATH, no checkout, only
// the environment given.
func standalone(t *testing.T, bin string) (string, runFunc) {
	t.Helper()
	dir := t.TempDir()
	copyBin := filepath.Join(dir, "scimconf")
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(copyBin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	emptyPath := t.TempDir() // PATH holds no go (nor anything else)
	return dir, func(env []string, args ...string) (int, string, string) {
		cmd := exec.Command(copyBin, args...)
		cmd.Dir = dir
		cmd.Env = append([]string{"PATH=" + emptyPath, "HOME=" + dir}, env...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("run %v: %v", args, err)
		}
		return code, out.String(), errb.String()
	}
}

// TestConformanceFromAnywhere is issue 14's "done when": the binary,
// copied alone into an empty directory and run with a PATH that has no
// go, runs every profile against a mock started separately (scimconf
// serve) and writes the four reports; the verdict passes for each
// profile, junit.xml stays small, and no token reaches a report.
func TestConformanceFromAnywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the conformance suites in a subprocess")
	}
	bin := buildBinary(t)
	env := startServe(t, bin)
	dir, run := standalone(t, bin)
	code, stdout, stderr := run([]string{"SCIM_TOKEN=" + env["SCIM_TOKEN"], "ADMIN_TOKEN=" + env["ADMIN_TOKEN"]},
		"conformance", "--target", env["SCIM_BASE_URL"], "--profile", "rfc,dynatrace,idp",
		"--verified-domain", env["VERIFIED_DOMAIN"], "--unverified-domain", "unverified.invalid",
		"--admin-url", env["ADMIN_URL"], "--out", "out")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, tail(stdout, 4000), tail(stderr, 4000))
	}
	for _, want := range []string{": rfc: PASS", ": dynatrace: PASS", ": idp: PASS", "verdict: PASS"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, tail(stdout, 4000))
		}
	}
	for _, want := range []string{" specs to run", "] rfc · ", "] dynatrace · ", "] idp · "} {
		if !strings.Contains(stderr, want) {
			t.Errorf("no progress line %q on stderr:\n%s", want, tail(stderr, 2000))
		}
	}
	if strings.Contains(stderr, "\x1b[") {
		t.Error("colour codes on stderr, which is not a terminal")
	}
	for _, f := range []string{"junit.xml", "report.json", "report.md", "report.html"} {
		b, err := os.ReadFile(filepath.Join(dir, "out", f))
		if err != nil {
			t.Errorf("missing %s: %v", f, err)
			continue
		}
		for _, tok := range []string{env["SCIM_TOKEN"], env["ADMIN_TOKEN"]} {
			if bytes.Contains(b, []byte(tok)) {
				t.Errorf("%s holds a token", f)
			}
		}
		if f == "junit.xml" {
			if len(b) > 300<<10 {
				t.Errorf("junit.xml of a passing run is %d bytes, want under 300 KB", len(b))
			}
			if bytes.Contains(b, []byte("[It]")) || bytes.Contains(b, []byte("<failure")) {
				t.Error("junit.xml of a passing run holds [It] or a failure")
			}
		}
	}
	// The run went to the separate server and left nothing behind.
	req, _ := http.NewRequest("GET", env["SCIM_BASE_URL"]+"/Users?filter="+urlQuery(`userName sw "scimconf-"`), nil)
	req.Header.Set("Authorization", "Bearer "+env["SCIM_TOKEN"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct{ TotalResults int }
	json.NewDecoder(resp.Body).Decode(&list)
	if list.TotalResults != 0 {
		t.Errorf("%d users of the run were left on the target", list.TotalResults)
	}
}

// TestConformanceNotConformant: a mock that breaks RFC-CREATE fails the
// verdict with exit status 1, junit.xml names the rule as classname with
// what came back, GitHub annotations and the step summary are written.
func TestConformanceNotConformant(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the conformance suites in a subprocess")
	}
	bin := buildBinary(t)
	env := startServe(t, bin, "--violate", "create-no-location")
	dir, run := standalone(t, bin)
	summary := filepath.Join(t.TempDir(), "summary.md")
	code, stdout, stderr := run([]string{"SCIM_TOKEN=" + env["SCIM_TOKEN"], "GITHUB_ACTIONS=true", "GITHUB_STEP_SUMMARY=" + summary},
		"conformance", "--target", env["SCIM_BASE_URL"], "--verified-domain", env["VERIFIED_DOMAIN"], "--out", "out")
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, tail(stdout, 4000), tail(stderr, 4000))
	}
	for _, want := range []string{": rfc: FAIL", "RFC-CREATE", "verdict: FAIL", "::error title=RFC-CREATE (MUST"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, tail(stdout, 4000))
		}
	}
	if strings.Contains(stdout, ": dynatrace:") {
		t.Error("the dynatrace profile ran against a --target without being asked for")
	}
	if !strings.Contains(stderr, "FAIL ") {
		t.Errorf("no failure line in the progress:\n%s", tail(stderr, 2000))
	}
	junit, err := os.ReadFile(filepath.Join(dir, "out", "junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(junit, []byte(`classname="RFC-CREATE"`)) || !bytes.Contains(junit, []byte(`<failure message="RFC-CREATE`)) {
		t.Errorf("junit.xml has no RFC-CREATE failure:\n%s", tail(string(junit), 3000))
	}
	if md, err := os.ReadFile(summary); err != nil || !bytes.Contains(md, []byte("RFC-CREATE")) {
		t.Errorf("GITHUB_STEP_SUMMARY: %v\n%s", err, md)
	}
}

// TestConformanceWithoutAdmin: without ADMIN_URL the specs that need the
// management API skip (they would fail), the run passes, and the verdict
// says how many MUST rules were not run and why.
func TestConformanceWithoutAdmin(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the conformance suites in a subprocess")
	}
	bin := buildBinary(t)
	env := startServe(t, bin)
	_, run := standalone(t, bin)
	code, stdout, stderr := run([]string{"SCIM_TOKEN=" + env["SCIM_TOKEN"]},
		"conformance", "--target", env["SCIM_BASE_URL"], "--profile", "rfc,dynatrace", "--verified-domain", env["VERIFIED_DOMAIN"], "--out", "out")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, tail(stdout, 4000), tail(stderr, 4000))
	}
	if !strings.Contains(stdout, ": dynatrace: PASS") || !strings.Contains(stdout, "need the management API (no ADMIN_URL)") {
		t.Errorf("the verdict does not say which MUST rules were not run for lack of ADMIN_URL:\n%s", tail(stdout, 3000))
	}
}

// TestConformanceConfigurationErrors: what is wrong with the target or
// the token is one line and exit status 2, before any spec runs.
func TestConformanceConfigurationErrors(t *testing.T) {
	bin := buildBinary(t)
	env := startServe(t, bin)
	_, run := standalone(t, bin)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/scim/v2"
	l.Close()
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"unreachable", []string{"SCIM_TOKEN=x"}, []string{"--target", closed}, "cannot connect"},
		{"token refused", []string{"SCIM_TOKEN=wrong"}, []string{"--target", env["SCIM_BASE_URL"]}, "refused the token"},
		{"no token", nil, []string{"--target", env["SCIM_BASE_URL"]}, "no token was given"},
		{"not SCIM", []string{"SCIM_TOKEN=" + env["SCIM_TOKEN"]}, []string{"--target", strings.TrimSuffix(env["ADMIN_URL"], "/") + "/nowhere"}, "SCIM"},
		{"unknown profile", []string{"SCIM_TOKEN=x"}, []string{"--target", closed, "--profile", "rfc,okta"}, `no such profile`},
		{"not a URL", []string{"SCIM_TOKEN=x"}, []string{"--target", "scim.example.com/v2"}, "http or https"},
		{"unknown switch", nil, []string{"--violate", "no-such-switch"}, `no violation switch is named "no-such-switch"`},
		{"unknown variant", nil, []string{"--variant", "eq-only-filters,no-such-variant"}, `no variant is named "no-such-variant"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(tt.env, append([]string{"conformance", "--out", "out-" + tt.name}, tt.args...)...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q, want 2 and %q\nstdout:\n%s", code, stderr, tt.want, tail(stdout, 2000))
			}
			if n := strings.Count(strings.TrimSpace(stderr), "\n"); n > 0 {
				t.Errorf("the error is %d lines, want one:\n%s", n+1, stderr)
			}
		})
	}
}

// TestConformanceEmbeddedSwitches: --violate and --variant start the
// embedded mock with switches, so the binary alone shows a rule failing
// under its violation switch, and a server without discovery judged on
// every other rule.
func TestConformanceEmbeddedSwitches(t *testing.T) {
	bin := buildBinary(t)
	_, run := standalone(t, bin)
	code, stdout, stderr := run(nil, "conformance", "--profile", "rfc", "--out", "out-violate", "--violate", "create-no-location")
	if code != 1 || !strings.Contains(stdout, "RFC-CREATE") {
		t.Errorf("--violate create-no-location: exit %d, want 1 and RFC-CREATE failed\nstdout:\n%s\nstderr:\n%s", code, tail(stdout, 2000), tail(stderr, 1000))
	}
	code, stdout, _ = run(nil, "conformance", "--profile", "rfc", "--rules", "rfc", "--schema", "full", "--out", "out-variant",
		"--variant", "eq-only-filters,no-service-provider-config")
	if code != 1 || !strings.Contains(stdout, "1 MUST rule failed: RFC-DISCOVERY") || !strings.Contains(stdout, "discovery assumption") {
		t.Errorf("no discovery, eq-only: exit %d, want 1 with only RFC-DISCOVERY failed and the assumptions stated\nstdout:\n%s", code, tail(stdout, 3000))
	}
}
