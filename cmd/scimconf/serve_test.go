package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serveInProcess runs `scimconf serve args...` in this process until the
// test ends and returns the KEY=value lines it printed.
func serveInProcess(t *testing.T, args ...string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() { cancel(); <-done })
	env := map[string]string{}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, pr)
	}()
	timeout := time.After(20 * time.Second)
	for env["DNS_ADDR"] == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("serve %v ended before it was ready: %v", args, <-done)
			}
			k, v, _ := strings.Cut(l, "=")
			env[k] = v
		case <-timeout:
			t.Fatalf("serve %v printed no DNS_ADDR", args)
		}
	}
	return env
}

// postUser creates {"userName": userName} (with the attributes the
// dynatrace schema set requires) and returns the status.
func postUser(t *testing.T, env map[string]string, userName string) int {
	t.Helper()
	body := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + userName + `","name":{"givenName":"J","familyName":"Doe"},"active":true}`
	req, _ := http.NewRequest(http.MethodPost, env["SCIM_BASE_URL"]+"/Users", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+env["SCIM_TOKEN"])
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// --rules (or SCIMCONF_RULES) picks the rules; the flag wins over the
// variable, and a name that is no rules set stops serve with the choices.
func TestServeRules(t *testing.T) {
	t.Run("default dynatrace", func(t *testing.T) {
		if got := postUser(t, serveInProcess(t), "jdoe"); got != http.StatusBadRequest {
			t.Errorf("POST userName jdoe = %d, want 400 (DT-USER-EMAIL)", got)
		}
	})
	t.Run("--rules rfc", func(t *testing.T) {
		if got := postUser(t, serveInProcess(t, "--rules", "rfc"), "jdoe"); got != http.StatusCreated {
			t.Errorf("POST userName jdoe = %d, want 201", got)
		}
	})
	t.Run("SCIMCONF_RULES=rfc, --rules dynatrace wins", func(t *testing.T) {
		t.Setenv("SCIMCONF_RULES", "rfc")
		if got := postUser(t, serveInProcess(t), "jdoe"); got != http.StatusCreated {
			t.Errorf("SCIMCONF_RULES=rfc: POST userName jdoe = %d, want 201", got)
		}
		if got := postUser(t, serveInProcess(t, "--rules", "dynatrace"), "jdoe"); got != http.StatusBadRequest {
			t.Errorf("--rules dynatrace over SCIMCONF_RULES=rfc: POST userName jdoe = %d, want 400", got)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		err := runServe(t.Context(), []string{"--addr", "127.0.0.1:0", "--rules", "okta"}, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), `"rfc"`) {
			t.Errorf("--rules okta: %v, want an error naming the choices", err)
		}
	})
}
