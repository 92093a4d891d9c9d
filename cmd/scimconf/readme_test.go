package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// readmeBlock returns the ```sh block that follows the README's
// <!-- readme-test: name --> marker.
func readmeBlock(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)<!-- readme-test: " + regexp.QuoteMeta(name) + " -->\n```sh\n(.*?)\n```").FindSubmatch(b)
	if m == nil {
		t.Fatalf("README.md has no ```sh block after <!-- readme-test: %s -->", name)
	}
	return string(m[1])
}

// runReadmeBlock runs a README block with bash as a user pastes it, after
// `make run ARGS="--env-file /tmp/scim.env"`: /tmp/ is a directory of the
// test's own and bin/scimconf the binary built here.
func runReadmeBlock(t *testing.T, name string, bin, tmp string) string {
	t.Helper()
	for _, tool := range []string{"bash", "curl", "sed"} {
		if _, err := exec.LookPath(tool); err != nil {
			if inCI() {
				t.Fatalf("CI=true and no %s: the README's walkthrough needs it", tool)
			}
			t.Skipf("no %s: the README's walkthrough needs it", tool)
		}
	}
	block := strings.NewReplacer("/tmp/", tmp+"/", "bin/scimconf", bin).Replace(readmeBlock(t, name))
	cmd := exec.CommandContext(t.Context(), "bash", "-c", block)
	cmd.Env = append(os.Environ(), "SCIM_BASE_URL=", "SCIM_TOKEN=", "VERIFIED_DOMAIN=", "ADMIN_URL=", "ADMIN_TOKEN=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Errorf("the %s block ended with %v", name, err)
	}
	return out.String()
}

func inCI() bool {
	b, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && b
}

// TestReadmeWalkthroughs runs the README's curl and admin walkthroughs as
// written against a fresh `scimconf serve --env-file`, and checks the
// status codes and answers the README promises beside them.
func TestReadmeWalkthroughs(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the binary")
	}
	bin := buildBinary(t)
	tmp := t.TempDir()
	startServe(t, bin, "--env-file", filepath.Join(tmp, "scim.env"))

	t.Run("curl", func(t *testing.T) {
		out := runReadmeBlock(t, "curl walkthrough", bin, tmp)
		for _, want := range []string{
			"POST /Users: 201", "filter: 200", `"totalResults":1`, "sorted page: 200",
			`"active":false`, "PATCH: 200", "DELETE: 204", "GET after DELETE: 404",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("the walkthrough's output lacks %q:\n%s", want, out)
			}
		}
		if m := regexp.MustCompile(`(?m)^id: (\S+)$`).FindStringSubmatch(out); m == nil {
			t.Errorf("no id captured from the POST's answer:\n%s", out)
		}
	})

	t.Run("admin", func(t *testing.T) {
		out := runReadmeBlock(t, "admin walkthrough", bin, tmp)
		for _, want := range []string{
			`"status": "PENDING"`, "no TXT record found for corp.example", `"status": "VERIFIED"`, `"token": "dt0s01.`,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("the walkthrough's output lacks %q:\n%s", want, out)
			}
		}
	})
}

// TestMakeTakesRunSettingsFromItsCommandLine: what the README's "Make
// variables and the environment" says. Values a shell exported (as after
// sourcing serve's env file) do not reach the run, and make says so; a
// foreign TARGET without VERIFIED_DOMAIN is told which domain it gets.
func TestMakeTakesRunSettingsFromItsCommandLine(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		if inCI() {
			t.Fatal("CI=true and no make")
		}
		t.Skip("no make")
	}
	makeN := func(env []string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), "make", append([]string{"-n", "-C", repoRoot}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make -n %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	out := makeN([]string{"VERIFIED_DOMAIN=sourced.invalid", "ADMIN_URL=http://sourced.invalid/mock/v1", "PROFILE=sourced-profile"}, "conformance")
	for _, v := range []string{"VERIFIED_DOMAIN", "ADMIN_URL", "PROFILE"} {
		if !strings.Contains(out, "make: ignoring "+v+" from the environment") {
			t.Errorf("make says nothing of %s from the environment:\n%s", v, out)
		}
	}
	if strings.Contains(out, "sourced.invalid") || strings.Contains(out, "sourced-profile") {
		t.Errorf("a value from the environment reached the run:\n%s", out)
	}
	if out := makeN(nil, "conformance", "PROFILE=rfc", "VERIFIED_DOMAIN=given.invalid"); !strings.Contains(out, "given.invalid") {
		t.Errorf("VERIFIED_DOMAIN on the command line did not reach the run:\n%s", out)
	}
	if out := makeN(nil, "conformance", "TARGET=https://scim.invalid/scim/v2"); !strings.Contains(out, "no VERIFIED_DOMAIN: the users the suites create are named on example.com") {
		t.Errorf("a TARGET without VERIFIED_DOMAIN: make does not say which domain is used:\n%s", out)
	}
}
