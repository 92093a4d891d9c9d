package mockclient_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/double/faults"
	"github.com/scimconf/scimconf/server/internal/double/journal"
	"github.com/scimconf/scimconf/server/mock"
	"github.com/scimconf/scimconf/server/mockclient"
)

// TestClientTestDouble drives the test-double controls through the one
// client against a running mock: a fault, the journal that records it, the
// client report graded from it, and the export of the account.
func TestClientTestDouble(t *testing.T) {
	ctx := t.Context()
	inst, err := mock.Start(ctx, mock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	c := &mockclient.Client{BaseURL: inst.AdminURL, Token: inst.AdminToken}

	added, err := c.AddFault(ctx, faults.Rule{Match: faults.Match{Method: "GET", Path: "/Users"}, Action: faults.Action{Status: 503}, Times: 1})
	if err != nil || added.ID == "" {
		t.Fatalf("AddFault = %+v, %v", added, err)
	}
	if rules, err := c.Faults(ctx); err != nil || len(rules) != 1 || rules[0].ID != added.ID {
		t.Fatalf("Faults = %+v, %v", rules, err)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, inst.SCIMBaseURL+"/Users", nil)
	req.Header.Set("Authorization", "Bearer "+inst.SCIMToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Fatalf("the fault did not fire: %d", resp.StatusCode)
	}
	if err := c.DeleteFault(ctx, added.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteFault(ctx, added.ID); !mockclient.IsStatus(err, http.StatusNotFound) {
		t.Errorf("DeleteFault of a deleted rule = %v, want a 404 APIError", err)
	}
	if err := c.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}

	faulted, err := c.Received(ctx, journal.Filter{Faulted: true})
	if err != nil || len(faulted) != 1 || faulted[0].Status != 503 {
		t.Fatalf("Received(faulted) = %+v, %v", faulted, err)
	}
	if n, err := c.CountJournal(ctx, journal.Filter{}); err != nil || n.Matched != 1 {
		t.Fatalf("CountJournal = %+v, %v", n, err)
	}

	report, err := c.ClientReport(ctx, journal.Filter{}, "json")
	var rep struct {
		Exchanges int `json:"exchanges"`
	}
	if err != nil || json.Unmarshal(report, &rep) != nil || rep.Exchanges != 1 {
		t.Fatalf("ClientReport(json) = %s, %v", report, err)
	}
	if md, err := c.ClientReport(ctx, journal.Filter{}, "md"); err != nil || !strings.HasPrefix(string(md), "# SCIM client report") {
		t.Fatalf("ClientReport(md) = %.80s, %v", md, err)
	}
	if _, err := c.ClientReport(ctx, journal.Filter{}, "pdf"); !mockclient.IsStatus(err, http.StatusBadRequest) {
		t.Errorf("ClientReport(pdf) = %v, want a 400 APIError", err)
	}

	if err := c.ClearJournal(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Received(ctx, journal.Filter{}); err != nil || len(got) != 0 {
		t.Fatalf("after ClearJournal: %d entries, %v", len(got), err)
	}

	set, err := c.Export(ctx, inst.AccountID)
	if err != nil || !json.Valid(set) || !strings.Contains(string(set), `"users"`) {
		t.Fatalf("Export = %.200s, %v", set, err)
	}
}
