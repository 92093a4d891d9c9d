package journal_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scimconf/scimconf/server/internal/double/journal"
	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
	"github.com/scimconf/scimconf/server/mock"
	"github.com/scimconf/scimconf/server/mockclient"
)

func startMock(t *testing.T) (*mock.Instance, *mockclient.Client) {
	t.Helper()
	inst, err := mock.Start(t.Context(), mock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	return inst, &mockclient.Client{BaseURL: inst.AdminURL, Token: inst.AdminToken}
}

func scim(t *testing.T, inst *mock.Instance, method, path, body string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), method, inst.SCIMBaseURL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+inst.SCIMToken)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestMockJournal: the mock records its SCIM exchanges, redacts the token,
// names the rule of a refusal, and forgets everything on reset.
func TestMockJournal(t *testing.T) {
	inst, jc := startMock(t)
	scim(t, inst, "POST", "/Users", `{"userName":"a@unverified.test","name":{"givenName":"A","familyName":"B"},"active":true}`)
	scim(t, inst, "GET", "/Users?filter=userName+eq+%22x%22", "")

	got, err := jc.Received(t.Context(), journal.Filter{})
	if err != nil || len(got) != 2 {
		t.Fatalf("Received = %d entries, %v", len(got), err)
	}
	refused := got[0]
	if refused.Status != 400 || refused.Rule != "DT-USER-DOMAIN" || refused.SCIMType != "invalidValue" || refused.AccountID != inst.AccountID || refused.ResourceType != "User" {
		t.Errorf("the refusal: %+v", refused)
	}
	authz := refused.RequestHeaders.Get("Authorization")
	if strings.Contains(authz, inst.SCIMToken) || authz != "Bearer "+account.RedactToken(inst.SCIMToken) {
		t.Errorf("Authorization recorded as %q", authz)
	}
	if got[1].Query != "filter=userName+eq+%22x%22" || got[1].Status != 200 {
		t.Errorf("the list: %+v", got[1])
	}
	// The management API is not journaled.
	if c, _ := jc.CountJournal(t.Context(), journal.Filter{}); c.Matched != 2 {
		t.Errorf("count %+v after the management calls, want 2", c)
	}
	req, _ := http.NewRequest("POST", inst.AdminURL+"/reset", nil)
	req.Header.Set("Authorization", "Bearer "+inst.AdminToken)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 204 {
		t.Fatalf("reset: %v %v", resp, err)
	}
	if got, _ := jc.Received(t.Context(), journal.Filter{}); len(got) != 0 {
		t.Fatalf("after reset: %d entries", len(got))
	}
}

// TestMockStream: the live tail needs the admin token, streams what the
// connector sends, and does not hold up Close.
func TestMockStream(t *testing.T) {
	inst, err := mock.Start(t.Context(), mock.Options{}) // the test closes it itself
	if err != nil {
		t.Fatal(err)
	}
	jc := &mockclient.Client{BaseURL: inst.AdminURL, Token: inst.AdminToken}
	if err := (&mockclient.Client{BaseURL: inst.AdminURL, Token: "wrong"}).FollowJournal(t.Context(), journal.Filter{}, func(journal.Entry) error { return nil }, nil); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("Follow with a wrong token = %v, want 401", err)
	}
	got := make(chan journal.Entry, 16)
	done := make(chan error, 1)
	go func() {
		done <- jc.FollowJournal(context.Background(), journal.Filter{Path: "/Groups"}, func(e journal.Entry) error {
			got <- e
			return nil
		}, nil)
	}()
	var e journal.Entry
	for e.Seq == 0 {
		scim(t, inst, "GET", "/Users", "")
		scim(t, inst, "GET", "/Groups", "")
		select {
		case e = <-got:
		case <-time.After(50 * time.Millisecond):
		}
	}
	if e.Endpoint != "Groups" {
		t.Fatalf("streamed %+v, want a /Groups exchange", e)
	}
	closed := make(chan error, 1)
	go func() { closed <- inst.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("Close with an open stream: %v", err)
		}
	case <-time.After(4 * time.Second):
		t.Fatal("Close hangs on an open stream")
	}
	if err := <-done; err == nil {
		t.Fatal("Follow returned nil when the mock stopped")
	}
}
