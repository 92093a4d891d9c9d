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
