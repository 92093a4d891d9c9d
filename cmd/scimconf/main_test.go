package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildBinary builds scimconf once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "scimconf")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// startServe runs `scimconf serve` on a free port and returns the KEY=value
// lines it prints once ready.
func startServe(t *testing.T, bin string, args ...string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })
	env := map[string]string{}
	sc := bufio.NewScanner(stdout)
	deadline := time.AfterFunc(20*time.Second, cancel)
	defer deadline.Stop()
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		env[k] = v
		if k == "DNS_ADDR" {
			break
		}
	}
	for _, k := range []string{"SCIM_BASE_URL", "SCIM_TOKEN", "VERIFIED_DOMAIN", "ADMIN_URL", "ADMIN_TOKEN", "DNS_ADDR"} {
		if env[k] == "" {
			t.Fatalf("serve did not print %s; got %v; stderr:\n%s", k, env, stderr.String())
		}
	}
	go io.Copy(io.Discard, stdout)
	return env
}

func TestServePrintsWorkingCoordinates(t *testing.T) {
	env := startServe(t, buildBinary(t))
	req, _ := http.NewRequest("GET", env["SCIM_BASE_URL"]+"/Users", nil)
	req.Header.Set("Authorization", "Bearer "+env["SCIM_TOKEN"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/scim+json" {
		t.Fatalf("GET /Users with the printed token: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"conformance", "--help"}, {"report", "--help"}, {"admin", "--help"}, {"dns", "--help"}} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb); code != 0 {
			t.Errorf("%v: exit %d\n%s%s", args, code, out.String(), errb.String())
		}
		if out.Len()+errb.Len() < 100 {
			t.Errorf("%v: help too short: %q", args, out.String()+errb.String())
		}
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"nope"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "unknown command") {
		t.Errorf("unknown command: exit %d, %q", code, errb.String())
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

func urlQuery(s string) string {
	r := strings.NewReplacer(" ", "%20", `"`, "%22")
	return r.Replace(s)
}
