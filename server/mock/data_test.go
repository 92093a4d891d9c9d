package mock

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
	"github.com/scimconf/scimconf/server/mockclient"
)

func scimAs(t *testing.T, base, token, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func admin(inst *Instance) *mockclient.Client {
	return &mockclient.Client{BaseURL: inst.AdminURL, Token: inst.AdminToken, HTTP: http.DefaultClient}
}

func userJSON(name string) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + name +
		`","name":{"givenName":"A","familyName":"B"},"active":true,"displayName":"` + name + `"}`
}

// states are the accounts as they would be written down, without the
// tokens' last use (written with the next management write only).
func states(r *account.Registry) []account.State {
	var out []account.State
	for _, a := range r.Accounts() {
		st := a.State()
		for i := range st.Tokens {
			st.Tokens[i].LastUsedAt = nil
		}
		out = append(out, st)
	}
	return out
}

// TestDataDirKeepsState: what the management API and SCIM wrote is there
// after a restart on the same directory, the old tokens (SCIM and admin)
// still work, the SCIM groups' names still count against LOCAL groups,
// and a reset is kept too.
func TestDataDirKeepsState(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	first, err := Start(ctx, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	c := admin(first)
	id := first.AccountID
	demoToken := first.SCIMToken
	if _, err := c.AddDomain(ctx, id, "pending.example.org"); err != nil {
		t.Fatal(err)
	}
	ci, err := c.CreateToken(ctx, id, "for the IdP")
	if err != nil {
		t.Fatal(err)
	}
	lim, _ := c.Limits(ctx, id)
	lim.MaxUsers = 321
	if _, err := c.SetLimits(ctx, id, lim); err != nil {
		t.Fatal(err)
	}
	local, err := c.CreateGroup(ctx, id, "Local admins", "kept")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetPermissions(ctx, id, local.ID, []mockclient.Permission{{Name: "account-viewer", Scope: id, ScopeType: "account"}}); err != nil {
		t.Fatal(err)
	}
	base := first.SCIMBaseURL
	code, u := scimAs(t, base, demoToken, "POST", "/Users", userJSON("kept@example.com"))
	if code != 201 {
		t.Fatalf("POST /Users = %d %v", code, u)
	}
	code, g := scimAs(t, base, demoToken, "POST", "/Groups", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineers","members":[{"value":%q}]}`, u["id"]))
	if code != 201 {
		t.Fatalf("POST /Groups = %d %v", code, g)
	}
	if _, err := c.SetPermissions(ctx, id, g["id"].(string), []mockclient.Permission{{Name: "tenant-viewer", Scope: "abc12345", ScopeType: "tenant"}}); err != nil {
		t.Fatal(err)
	}
	wantStates := states(first.Registry)
	wantExport, err := c.Export(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	adminToken := first.AdminToken
	first.Close()

	second, err := Start(ctx, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if second.AdminToken != adminToken {
		t.Errorf("admin token after restart %q, want %q (kept in the data directory)", second.AdminToken, adminToken)
	}
	if second.AccountID != id || second.SCIMToken != "" {
		t.Errorf("after restart: account %q token %q, want %q and no token (its value is not kept)", second.AccountID, second.SCIMToken, id)
	}
	if slices.ContainsFunc(second.Env(), func(l string) bool { return strings.HasPrefix(l, "SCIM_TOKEN=") }) {
		t.Errorf("Env after restart prints a SCIM_TOKEN line: %v", second.Env())
	}
	if got := states(second.Registry); !reflect.DeepEqual(got, wantStates) {
		t.Errorf("accounts after restart:\n got %+v\nwant %+v", got, wantStates)
	}
	c2 := admin(second)
	gotExport, err := c2.Export(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ReplaceAll(string(wantExport), first.URL, second.URL) != string(gotExport) {
		t.Errorf("SCIM state after restart:\n got %s\nwant %s", gotExport, wantExport)
	}
	for _, tok := range []string{demoToken, ci.Token} {
		if code, body := scimAs(t, second.SCIMBaseURL, tok, "GET", "/Users?filter=userName%20eq%20%22kept@example.com%22", ""); code != 200 || body["totalResults"] != 1.0 {
			t.Errorf("a token from before the restart: %d %v", code, body)
		}
	}
	// The SCIM group's name still belongs to it (DT-GROUP-UNIQUE).
	if _, err := c2.CreateGroup(ctx, id, "engineers", ""); err == nil {
		t.Error("a LOCAL group took the name of a restored SCIM group")
	}
	// The limit is enforced by the restored store.
	if l, _ := c2.Limits(ctx, id); l.MaxUsers != 321 {
		t.Errorf("maxUsers after restart = %d", l.MaxUsers)
	}

	// A reset is kept: the next start finds the new demo account only.
	if err := c2.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	newID := second.AccountID
	second.Close()
	third, err := Start(ctx, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	accts := third.Registry.Accounts()
	if len(accts) != 1 || accts[0].ID() != newID || third.AccountID != newID || newID == id {
		t.Errorf("after reset and restart: accounts %v, demo %q; want only the new demo account %q", len(accts), third.AccountID, newID)
	}
	if code, _ := scimAs(t, third.SCIMBaseURL, demoToken, "GET", "/Users", ""); code != 401 {
		t.Errorf("the token of the account the reset removed gives %d, want 401", code)
	}
}

// exportShape is an export with the ids replaced by names, so that exports
// of two mocks compare.
func exportShape(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var set struct {
		Users  []map[string]any `json:"users"`
		Groups []map[string]any `json:"groups"`
	}
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	var out []string
	for _, u := range set.Users {
		names[fmt.Sprint(u["id"])] = fmt.Sprint(u["userName"])
		out = append(out, fmt.Sprintf("user %v %v %v", u["userName"], u["displayName"], u["active"]))
	}
	for _, g := range set.Groups {
		names[fmt.Sprint(g["id"])] = fmt.Sprint(g["displayName"])
	}
	for _, g := range set.Groups {
		var ms []string
		list, _ := g["members"].([]any)
		for _, m := range list {
			ms = append(ms, names[fmt.Sprint(m.(map[string]any)["value"])])
		}
		slices.Sort(ms)
		out = append(out, fmt.Sprintf("group %v %v", g["displayName"], ms))
	}
	slices.Sort(out)
	return out
}

// TestExportImportBetweenStores moves an account's users and groups from a
// mock in memory to one with a data directory (through a restart) and back.
func TestExportImportBetweenStores(t *testing.T) {
	ctx := t.Context()
	mem, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	var ids []string
	for i := range 5 {
		_, u := scimAs(t, mem.SCIMBaseURL, mem.SCIMToken, "POST", "/Users", userJSON(fmt.Sprintf("m%d@example.com", i)))
		ids = append(ids, fmt.Sprint(u["id"]))
	}
	_, inner := scimAs(t, mem.SCIMBaseURL, mem.SCIMToken, "POST", "/Groups", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Inner","members":[{"value":%q},{"value":%q}]}`, ids[0], ids[1]))
	scimAs(t, mem.SCIMBaseURL, mem.SCIMToken, "POST", "/Groups", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Outer","members":[{"value":%q},{"value":%q}]}`, inner["id"], ids[4]))
	want, err := admin(mem).Export(ctx, mem.AccountID)
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	kept, err := Start(ctx, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin(kept).LoadFixtures(ctx, kept.AccountID, want); err != nil {
		t.Fatal(err)
	}
	kept.Close()
	kept, err = Start(ctx, Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer kept.Close()
	got, err := admin(kept).Export(ctx, kept.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if w, g := exportShape(t, want), exportShape(t, got); !reflect.DeepEqual(g, w) {
		t.Fatalf("in memory -> --data -> restart:\n got %v\nwant %v", g, w)
	}

	back, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if _, err := admin(back).LoadFixtures(ctx, back.AccountID, got); err != nil {
		t.Fatal(err)
	}
	again, err := admin(back).Export(ctx, back.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if w, g := exportShape(t, want), exportShape(t, again); !reflect.DeepEqual(g, w) {
		t.Fatalf("--data -> in memory:\n got %v\nwant %v", g, w)
	}
}

// --deterministic replays its ids after a restart: refused with --data.
func TestDataDirRefusesDeterministic(t *testing.T) {
	_, err := Start(t.Context(), Options{DataDir: t.TempDir(), Deterministic: true})
	if err == nil || !strings.Contains(err.Error(), "--deterministic") {
		t.Fatalf("Start = %v, want a refusal naming --deterministic", err)
	}
}
