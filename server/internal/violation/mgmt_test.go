package violation_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/dynatrace/mgmt"
	"github.com/scimconf/scimconf/server/mock"
	"github.com/scimconf/scimconf/server/mockclient"
)

// startMock starts a mock with the given switches on and returns it with
// a management client.
func startMock(t *testing.T, switches ...string) (*mock.Instance, *mockclient.Client) {
	t.Helper()
	inst, err := mock.Start(t.Context(), mock.Options{Violations: switches})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	return inst, &mockclient.Client{BaseURL: inst.AdminURL, Token: inst.AdminToken}
}

func scimStatus(t *testing.T, inst *mock.Instance, method, path, token, body string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), method, inst.SCIMBaseURL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestTokenSwitches(t *testing.T) {
	inst, c := startMock(t, "show-token-values", "token-description-frozen", "keep-deleted-token")
	ctx, acct := t.Context(), inst.AccountID
	tok, err := c.CreateToken(ctx, acct, "first")
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.TokenInfo(ctx, acct, tok.ID)
	if err != nil || got.Value != tok.Token {
		t.Errorf("show-token-values: token read %+v, %v; want its value shown", got, err)
	}
	list, _ := c.Tokens(ctx, acct)
	for _, l := range list {
		if l.ID == tok.ID && l.Value != tok.Token {
			t.Errorf("show-token-values: the list does not show the value: %+v", l)
		}
	}
	upd, err := c.UpdateToken(ctx, acct, tok.ID, "second")
	if err != nil || upd.Description != "first" {
		t.Errorf("token-description-frozen: update gave %+v, %v; want success with the old description", upd, err)
	}
	if err := c.DeleteToken(ctx, acct, tok.ID); err != nil {
		t.Fatal(err)
	}
	if s := scimStatus(t, inst, http.MethodGet, "/Users", tok.Token, ""); s != http.StatusOK {
		t.Errorf("keep-deleted-token: the deleted token gets %d, want 200", s)
	}
}

func TestManagementSwitches(t *testing.T) {
	inst, c := startMock(t, "unlocked-scim-groups", "disabled-shown-active", "scim-groups-shown-local")
	ctx, acct := t.Context(), inst.AccountID
	if s := scimStatus(t, inst, http.MethodPost, "/Groups", inst.SCIMToken,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"from-idp"}`); s != http.StatusCreated {
		t.Fatalf("creating a SCIM group: %d", s)
	}
	if s := scimStatus(t, inst, http.MethodPost, "/Users", inst.SCIMToken,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"off@`+inst.Domain+`","active":false,"name":{"givenName":"O","familyName":"F"}}`); s != http.StatusCreated {
		t.Fatalf("creating a disabled user: %d", s)
	}
	users, err := c.Users(ctx, acct)
	if err != nil || len(users) != 1 || users[0].Status != mgmt.UserActive {
		t.Errorf("disabled-shown-active: users %+v, %v", users, err)
	}
	groups, err := c.Groups(ctx, acct)
	if err != nil || len(groups) != 1 || groups[0].Type != mgmt.GroupLocal {
		t.Fatalf("scim-groups-shown-local: groups %+v, %v", groups, err)
	}
	name := "renamed"
	g, err := c.UpdateGroup(ctx, acct, groups[0].ID, mgmt.GroupUpdate{Name: &name})
	if err != nil || g.Name != name {
		t.Errorf("unlocked-scim-groups: rename gave %+v, %v", g, err)
	}
	if err := c.DeleteGroup(ctx, acct, groups[0].ID); err != nil {
		t.Errorf("unlocked-scim-groups: delete: %v", err)
	}
	if s := scimStatus(t, inst, http.MethodGet, "/Groups/"+groups[0].ID, inst.SCIMToken, ""); s != http.StatusNotFound {
		t.Errorf("the deleted SCIM group answers %d, want 404", s)
	}
}
