package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scimconf/scimconf/server/mock"
)

func TestTestDoubleFlags(t *testing.T) {
	dir := t.TempDir()
	faultsFile := filepath.Join(dir, "faults.json")
	os.WriteFile(faultsFile, []byte(`{"faults":[{"match":{"method":"PATCH","nth":3},"action":{"status":429,"retryAfter":2}}]}`), 0o600)
	var opts mock.Options
	if err := testDouble(&opts, faultsFile, "../../fixtures", true, 7, 50); err != nil {
		t.Fatal(err)
	}
	if len(opts.Faults) != 1 || len(opts.Fixtures) != 1 || !opts.Deterministic || opts.Seed != 7 || opts.JournalSize != 50 {
		t.Fatalf("options %+v", opts)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"faults":[{"action":{}}]}`), 0o600)
	for _, tt := range []struct {
		faults, fixtures string
		size             int
	}{{bad, "", 10}, {"", filepath.Join(dir, "none"), 10}, {"", "", 0}} {
		if err := testDouble(&mock.Options{}, tt.faults, tt.fixtures, false, 0, tt.size); err == nil {
			t.Errorf("testDouble(%q, %q, %d) = nil error", tt.faults, tt.fixtures, tt.size)
		}
	}
}

func TestJournalAndClientReportCommands(t *testing.T) {
	inst, err := mock.Start(t.Context(), mock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	for _, body := range []string{
		`{"userName":"a@unverified.test","name":{"givenName":"A","familyName":"B"},"active":true}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"b@example.com","name":{"givenName":"A","familyName":"B"},"active":true}`,
	} {
		req, _ := http.NewRequest("POST", inst.SCIMBaseURL+"/Users", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+inst.SCIMToken)
		req.Header.Set("Content-Type", "application/scim+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	conn := []string{"--url", inst.AdminURL, "--token", inst.AdminToken}

	var out, errOut bytes.Buffer
	if err := runJournal(t.Context(), append(conn, "--no-follow"), &out, &errOut); err != nil {
		t.Fatalf("journal --no-follow: %v %s", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "POST   /Users 400") || !strings.Contains(lines[0], "rule=DT-USER-DOMAIN") || !strings.Contains(lines[1], "POST   /Users 201") {
		t.Fatalf("journal lines:\n%s", out.String())
	}
	out.Reset()
	if err := runJournal(t.Context(), append(conn, "--no-follow", "--json", "--status", "4xx"), &out, &errOut); err != nil || strings.Count(out.String(), "\n") != 1 || !strings.Contains(out.String(), `"rule":"DT-USER-DOMAIN"`) {
		t.Fatalf("journal --json --status 4xx: %v\n%s", err, out.String())
	}
	if err := runJournal(t.Context(), append(conn, "--status", "4x"), &out, &errOut); err == nil {
		t.Fatal("journal --status 4x = nil error")
	}

	// Follow: Ctrl-C (the context) ends it without an error.
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	out.Reset()
	if err := runJournal(ctx, append(conn, "--lines", "1"), &out, &errOut); err != nil {
		t.Fatalf("journal (follow): %v", err)
	}
	if strings.Count(out.String(), "\n") != 1 {
		t.Fatalf("--lines 1 printed:\n%s", out.String())
	}

	out.Reset()
	err = runClientReport(t.Context(), conn, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "broke") || !strings.Contains(out.String(), "# SCIM client report") || !strings.Contains(out.String(), "DT-USER-DOMAIN") {
		t.Fatalf("client-report: %v\n%s", err, out.String())
	}
	file := filepath.Join(t.TempDir(), "report.html")
	if err := runClientReport(t.Context(), append(conn, "--format", "html", "--out", file, "--status", "2xx"), &out, &errOut); err != nil {
		t.Fatalf("client-report of the 2xx exchanges: %v", err)
	}
	if b, _ := os.ReadFile(file); !strings.Contains(string(b), "<!DOCTYPE html>") {
		t.Fatal("no HTML written")
	}
}
