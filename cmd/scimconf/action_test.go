package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// repoRoot is this repository's root, seen from cmd/scimconf.
const repoRoot = "../.."

// runAction runs action/run.sh as action.yml's run step does on a runner:
// the inputs as INPUT_* variables, the token as SCIM_TOKEN, GITHUB_OUTPUT
// and GITHUB_STEP_SUMMARY as files. It returns the exit status, the outputs
// and the summary.
func runAction(t *testing.T, env map[string]string) (status int, outputs map[string]string, summary, log string) {
	t.Helper()
	dir := t.TempDir()
	outFile, summaryFile := filepath.Join(dir, "github_output"), filepath.Join(dir, "step_summary")
	// A runner creates both files empty.
	for _, f := range []string{outFile, summaryFile} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), "bash", filepath.Join(root, "action", "run.sh"))
	// The workspace: conformance runs from the source tree until the suites
	// are compiled into the binary, so the checkout is the working directory.
	cmd.Dir = root
	cmd.Env = append(os.Environ(),
		"GITHUB_ACTIONS=true", "CI=true",
		"GITHUB_OUTPUT="+outFile, "GITHUB_STEP_SUMMARY="+summaryFile,
		"RUNNER_TEMP="+dir, "GITHUB_ACTION_PATH="+root, "SCIMCONF_SOURCE="+root,
		"INPUT_REPORT_DIR="+filepath.Join(dir, "reports"),
		// Not inherited from the machine the test runs on.
		"SCIM_BASE_URL=", "VERIFIED_DOMAIN=", "ADMIN_URL=", "ADMIN_TOKEN=", "LABEL_FILTER=", "PROFILE=", "REPORT_DIR=",
	)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	if cmd.ProcessState == nil {
		t.Fatalf("run.sh did not run: %v", err)
	}
	outputs = map[string]string{}
	b, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			t.Errorf("GITHUB_OUTPUT line %q is not name=value", sc.Text())
		}
		if _, dup := outputs[k]; dup {
			t.Errorf("output %s written twice", k)
		}
		outputs[k] = v
	}
	s, err := os.ReadFile(summaryFile)
	if err != nil {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), outputs, string(s), out.String()
}

// TestActionScript runs the Action's script end to end against `scimconf
// serve`: a conformant mock gives verdict pass, a mock with a violation
// switch on verdict fail, both with the report paths and report.md as the
// step summary; a missing token is a configuration error before anything
// runs. The token never shows in the log, the outputs or the summary.
func TestActionScript(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs the conformance suites")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash: the Action's script runs on bash")
	}
	bin := buildBinary(t)
	tests := []struct {
		name        string
		serveArgs   []string
		wantStatus  int
		wantVerdict string
	}{
		{"conformant mock", nil, 0, "pass"},
		{"mock breaking a MUST rule", []string{"--violate", "status-as-number"}, 1, "fail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mock := startServe(t, bin, tt.serveArgs...)
			status, outputs, summary, log := runAction(t, map[string]string{
				"INPUT_TARGET":          mock["SCIM_BASE_URL"],
				"SCIM_TOKEN":            mock["SCIM_TOKEN"],
				"INPUT_PROFILE":         "rfc",
				"INPUT_VERIFIED_DOMAIN": mock["VERIFIED_DOMAIN"],
				"SCIMCONF":              bin,
			})
			if status != tt.wantStatus || outputs["verdict"] != tt.wantVerdict {
				t.Fatalf("exit status %d, verdict %q; want %d, %q\noutputs: %v\nlog:\n%s", status, outputs["verdict"], tt.wantStatus, tt.wantVerdict, outputs, tail(log, 6000))
			}
			if outputs["exit-code"] != strconv.Itoa(tt.wantStatus) {
				t.Errorf("exit-code output %q, want %d", outputs["exit-code"], tt.wantStatus)
			}
			for name, file := range map[string]string{"junit": "junit.xml", "report-md": "report.md", "report-html": "report.html", "report-json": "report.json"} {
				p := outputs[name]
				if p != filepath.Join(outputs["report-dir"], file) || !filepath.IsAbs(p) {
					t.Errorf("output %s = %q, want %s in report-dir %q", name, p, file, outputs["report-dir"])
					continue
				}
				if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
					t.Errorf("output %s: %v, want a written report", name, err)
				}
			}
			md, err := os.ReadFile(outputs["report-md"])
			if err != nil {
				t.Fatal(err)
			}
			if strings.Count(summary, string(md)) != 1 {
				t.Errorf("step summary (%d bytes) does not hold report.md (%d bytes) exactly once", len(summary), len(md))
			}
			for what, s := range map[string]string{"log": log, "summary": summary, "outputs": strings.Join(mapValues(outputs), "\n")} {
				if strings.Contains(s, mock["SCIM_TOKEN"]) && !strings.Contains(s, "::add-mask::"+mock["SCIM_TOKEN"]) {
					t.Errorf("the token shows in the %s", what)
				}
			}
		})
	}

	t.Run("no token", func(t *testing.T) {
		status, outputs, summary, log := runAction(t, map[string]string{
			"INPUT_TARGET": "http://127.0.0.1:1/scim/v2", "SCIM_TOKEN": "", "SCIMCONF": bin,
		})
		if status != 2 || outputs["verdict"] != "error" {
			t.Fatalf("exit status %d, verdict %q; want 2, error\n%s", status, outputs["verdict"], log)
		}
		if !strings.Contains(log, "::error title=scimconf::the token input is empty") || !strings.Contains(summary, "configuration error") {
			t.Errorf("want a workflow error and a summary that say what to fix; log:\n%s\nsummary:\n%s", log, summary)
		}
	})
}

// TestActionBuildsFromSource: with no scimconf input the script builds the
// binary from the action's own source, as it does on a runner.
func TestActionBuildsFromSource(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the binary")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash: the Action's script runs on bash")
	}
	// No token: the script stops before building, so give one and a target
	// nobody listens on; what matters here is the build and its version.
	status, outputs, _, log := runAction(t, map[string]string{
		"INPUT_TARGET": "http://127.0.0.1:1/scim/v2", "SCIM_TOKEN": "t0ken-for-build-test", "INPUT_PROFILE": "rfc",
		"SCIMCONF": "", "SCIMCONF_REF": "v0.0.0-action-test",
		"LABEL_FILTER": "RFC-DISCOVERY",
	})
	if !strings.Contains(log, "scimconf v0.0.0-action-test commit") {
		t.Fatalf("the built binary's version line is missing (exit status %d, outputs %v):\n%s", status, outputs, tail(log, 4000))
	}
	if status == 0 || outputs["verdict"] == "pass" {
		t.Errorf("against a target nobody listens on: exit status %d, verdict %q; want a failure", status, outputs["verdict"])
	}
}

func mapValues(m map[string]string) []string {
	var vs []string
	for _, v := range m {
		vs = append(vs, v)
	}
	return vs
}
