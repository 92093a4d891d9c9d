package mgmt_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
	"github.com/scimconf/scimconf/server/internal/dynatrace/mgmt"
	"github.com/scimconf/scimconf/server/mock"
	"github.com/scimconf/scimconf/server/mockclient"
)

// start runs the whole mock on loopback, as `scimconf serve` does, and
// returns it with a client of its management API.
func start(t *testing.T) (*mock.Instance, *mockclient.Client) {
	t.Helper()
	inst, err := mock.Start(t.Context(), mock.Options{})
	if err != nil {
		t.Fatalf("mock.Start: %v", err)
	}
	t.Cleanup(func() { inst.Close() })
	return inst, &mockclient.Client{BaseURL: inst.AdminURL, Token: inst.AdminToken}
}

// wantAPIError checks that err is an *mockclient.APIError with the given status,
// code and rule.
func wantAPIError(t *testing.T, err error, status int, code, rule string) {
	t.Helper()
	var e *mockclient.APIError
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *mockclient.APIError %d %s", err, status, code)
	}
	if e.Status != status || e.Code != code || e.Rule != rule {
		t.Fatalf("got %d %q rule %q (%s), want %d %q rule %q", e.Status, e.Code, e.Rule, e.Detail, status, code, rule)
	}
	if e.Detail == "" {
		t.Errorf("%d %s has an empty detail", status, code)
	}
}

// must is used as must(c.Call(...))(t): it fails the test on an error and
// returns the value otherwise.
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// send makes a raw request and returns the status, headers and body.
func send(t *testing.T, method, url, token string, body io.Reader) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, data
}

// scim sends a SCIM request with a JSON body (nil for none) and decodes
// the answer.
func scim(t *testing.T, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	status, _, data := send(t, method, url, token, r)
	var doc map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s %s: %d answer is not a JSON object: %v: %s", method, url, status, err, data)
		}
	}
	return status, doc
}

func scimUser(userName string) map[string]any {
	return map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": userName,
		"name":     map[string]any{"givenName": "A", "familyName": "B"},
		"active":   true,
	}
}

func scimGroup(name string, memberIDs ...string) map[string]any {
	members := []map[string]any{}
	for _, id := range memberIDs {
		members = append(members, map[string]any{"value": id})
	}
	return map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:Group"},
		"displayName": name,
		"members":     members,
	}
}

func TestAdminAuth(t *testing.T) {
	inst, _ := start(t)
	accounts := inst.AdminURL + "/accounts"
	tests := []struct {
		name   string
		url    string
		header string
		want   int
	}{
		{"no header", accounts, "", http.StatusUnauthorized},
		{"wrong token", accounts, "Bearer not-the-admin-token", http.StatusUnauthorized},
		{"admin token one byte short", accounts, "Bearer " + inst.AdminToken[:len(inst.AdminToken)-1], http.StatusUnauthorized},
		{"SCIM token", accounts, "Bearer " + inst.SCIMToken, http.StatusUnauthorized},
		{"basic scheme", accounts, "Basic " + inst.AdminToken, http.StatusUnauthorized},
		{"bearer without credential", accounts, "Bearer ", http.StatusUnauthorized},
		{"unknown route needs auth first", inst.AdminURL + "/nope", "", http.StatusUnauthorized},
		{"admin token", accounts, "Bearer " + inst.AdminToken, http.StatusOK},
		{"scheme is case-insensitive", accounts, "bearer " + inst.AdminToken, http.StatusOK},
		{"openapi.json without auth", inst.AdminURL + "/openapi.json", "", http.StatusOK},
		{"openapi.json with a wrong token", inst.AdminURL + "/openapi.json", "Bearer x", http.StatusOK},
		{"two Authorization headers, the admin token first", accounts, "Bearer " + inst.AdminToken + "\x00Bearer x", http.StatusUnauthorized},
		{"two Authorization headers, the admin token last", accounts, "Bearer x\x00Bearer " + inst.AdminToken, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, tt.url, nil)
			for h := range strings.SplitSeq(tt.header, "\x00") {
				if h != "" {
					req.Header.Add("Authorization", h)
				}
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.want {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.want, data)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			if tt.want == http.StatusUnauthorized {
				var e mgmt.ErrorBody
				if err := json.Unmarshal(data, &e); err != nil || e.Error != "unauthorized" || e.Detail == "" {
					t.Errorf("body = %s, want an unauthorized error", data)
				}
				if resp.Header.Get("WWW-Authenticate") == "" {
					t.Error("no WWW-Authenticate header")
				}
			}
		})
	}

	t.Run("client without token", func(t *testing.T) {
		c := &mockclient.Client{BaseURL: inst.AdminURL}
		_, err := c.Accounts(t.Context())
		wantAPIError(t, err, http.StatusUnauthorized, "unauthorized", "")
		doc, err := c.OpenAPI(t.Context())
		if err != nil {
			t.Fatalf("OpenAPI without a token: %v", err)
		}
		var head struct {
			OpenAPI string `json:"openapi"`
		}
		if err := json.Unmarshal(doc, &head); err != nil || head.OpenAPI != "3.1.0" {
			t.Errorf("openapi = %q (%v), want 3.1.0", head.OpenAPI, err)
		}
	})
}

func TestAccounts(t *testing.T) {
	inst, c := start(t)
	ctx := t.Context()

	acct := must(c.CreateAccount(ctx, "acme"))(t)
	if acct.ID == "" || acct.Name != "acme" || acct.CreatedAt.IsZero() {
		t.Errorf("CreateAccount = %+v", acct)
	}
	if want := inst.URL + "/idm/public/scim/" + acct.ID + "/v2"; acct.SCIMBaseURL != want {
		t.Errorf("scimBaseUrl = %q, want %q", acct.SCIMBaseURL, want)
	}
	if got := must(c.Account(ctx, acct.ID))(t); got != acct {
		t.Errorf("Account = %+v, want %+v", got, acct)
	}
	all := must(c.Accounts(ctx))(t)
	var ids []string
	for _, a := range all {
		ids = append(ids, a.ID)
	}
	if want := []string{inst.AccountID, acct.ID}; !slices.Equal(ids, want) {
		t.Errorf("Accounts = %v, want %v (demo, then acme)", ids, want)
	}

	_, err := c.CreateAccount(ctx, "")
	wantAPIError(t, err, http.StatusBadRequest, "invalid_account_name", "")

	if err := c.DeleteAccount(ctx, acct.ID); err != nil {
		t.Fatal(err)
	}
	_, err = c.Account(ctx, acct.ID)
	wantAPIError(t, err, http.StatusNotFound, "account_not_found", "")
	wantAPIError(t, c.DeleteAccount(ctx, acct.ID), http.StatusNotFound, "account_not_found", "")
	_, err = c.Domains(ctx, "no-such-account")
	wantAPIError(t, err, http.StatusNotFound, "account_not_found", "")
}

// TestDomainWalkthrough is the seed's "Verify your ownership of the domain"
// procedure: add, verify too early, publish the TXT record, verify.
func TestDomainWalkthrough(t *testing.T) {
	_, c := start(t)
	ctx := t.Context()
	acct := must(c.CreateAccount(ctx, "acme"))(t)

	d := must(c.AddDomain(ctx, acct.ID, "Acme.Test"))(t)
	if d.Domain != "acme.test" || d.Status != mgmt.DomainPending || d.TXTName == "" || !strings.HasPrefix(d.TXTValue, account.TXTPrefix) {
		t.Fatalf("AddDomain = %+v", d)
	}
	_, err := c.AddDomain(ctx, acct.ID, "acme.test")
	wantAPIError(t, err, http.StatusConflict, "domain_exists", "")
	_, err = c.AddDomain(ctx, acct.ID, "localhost")
	wantAPIError(t, err, http.StatusBadRequest, "invalid_domain", "")

	// DT-DOMAIN-REQUIRED: no token before a domain is verified.
	_, err = c.CreateToken(ctx, acct.ID, "too early")
	wantAPIError(t, err, http.StatusForbidden, "no_verified_domain", "DT-DOMAIN-REQUIRED")

	// DT-DOMAIN-TXT: the record is missing, so the domain stays pending
	// with a reason; that is an answer, not an HTTP error.
	d = must(c.VerifyDomain(ctx, acct.ID, "acme.test"))(t)
	if d.Status != mgmt.DomainPending || d.Reason == "" || d.LastCheck == nil || d.VerifiedAt != nil {
		t.Fatalf("VerifyDomain before the record = %+v, want PENDING with a reason", d)
	}

	rec := must(c.SetTXT(ctx, d.TXTName, d.TXTValue))(t)
	if !slices.Equal(rec.Values, []string{d.TXTValue}) {
		t.Errorf("SetTXT = %+v", rec)
	}
	recs := must(c.TXTRecords(ctx))(t)
	if !slices.ContainsFunc(recs, func(r mgmt.TXTRecord) bool { return slices.Contains(r.Values, d.TXTValue) }) {
		t.Errorf("TXTRecords = %+v, want the published record", recs)
	}

	d = must(c.VerifyDomain(ctx, acct.ID, "acme.test"))(t)
	if d.Status != mgmt.DomainVerified || d.VerifiedAt == nil || d.Reason != "" {
		t.Fatalf("VerifyDomain after the record = %+v, want VERIFIED", d)
	}
	if got := must(c.Domain(ctx, acct.ID, "ACME.test"))(t); got.Status != mgmt.DomainVerified {
		t.Errorf("Domain = %+v", got)
	}
	must(c.CreateToken(ctx, acct.ID, "now it works"))(t)

	// DT-DOMAIN-MULTI: a subdomain is a domain of its own.
	sub := must(c.AddDomain(ctx, acct.ID, "uk.acme.test"))(t)
	if sub.Status != mgmt.DomainPending {
		t.Errorf("subdomain = %+v, want PENDING", sub)
	}
	list := must(c.Domains(ctx, acct.ID))(t)
	var names []string
	for _, d := range list {
		names = append(names, d.Domain+"="+d.Status)
	}
	if want := []string{"acme.test=VERIFIED", "uk.acme.test=PENDING"}; !slices.Equal(names, want) {
		t.Errorf("Domains = %v, want %v", names, want)
	}

	if err := c.DeleteDomain(ctx, acct.ID, "uk.acme.test"); err != nil {
		t.Fatal(err)
	}
	_, err = c.Domain(ctx, acct.ID, "uk.acme.test")
	wantAPIError(t, err, http.StatusNotFound, "domain_not_found", "")
	_, err = c.VerifyDomain(ctx, acct.ID, "uk.acme.test")
	wantAPIError(t, err, http.StatusNotFound, "domain_not_found", "")
	wantAPIError(t, c.DeleteDomain(ctx, acct.ID, "uk.acme.test"), http.StatusNotFound, "domain_not_found", "")

	if err := c.DeleteTXT(ctx, d.TXTName); err != nil {
		t.Fatal(err)
	}
	_, err = c.TXT(ctx, d.TXTName)
	if !mockclient.IsStatus(err, http.StatusNotFound) {
		t.Errorf("TXT after DeleteTXT: err = %v, want 404", err)
	}
}

func TestTokens(t *testing.T) {
	inst, c := start(t)
	ctx := t.Context()
	id := inst.AccountID // the demo account has a verified domain and one token

	values := []string{inst.SCIMToken}
	var first mgmt.NewToken
	for i := 2; i <= account.MaxTokens; i++ {
		nt := must(c.CreateToken(ctx, id, ""))(t)
		if nt.ID == "" || nt.Token == "" || nt.CreatedAt.IsZero() {
			t.Fatalf("CreateToken = %+v", nt)
		}
		if i == 2 {
			first = nt
		}
		values = append(values, nt.Token)
	}
	// DT-TOKEN-CAP: the 11th is refused until one is deleted.
	_, err := c.CreateToken(ctx, id, "eleventh")
	wantAPIError(t, err, http.StatusConflict, "token_cap", "DT-TOKEN-CAP")

	// DT-TOKEN-ONCE: no listing shows a value.
	status, _, raw := send(t, http.MethodGet, inst.AdminURL+"/accounts/"+id+"/scim-tokens", inst.AdminToken, nil)
	if status != http.StatusOK {
		t.Fatalf("GET scim-tokens = %d", status)
	}
	for _, v := range values {
		if bytes.Contains(raw, []byte(v)) || bytes.Contains(raw, []byte(v[len(v)-20:])) {
			t.Fatalf("the token listing shows a token value: %s", raw)
		}
	}
	var listed []map[string]any
	if err := json.Unmarshal(raw, &listed); err != nil {
		t.Fatal(err)
	}
	if len(listed) != account.MaxTokens {
		t.Fatalf("%d tokens listed, want %d", len(listed), account.MaxTokens)
	}
	for _, tok := range listed {
		if _, ok := tok["token"]; ok {
			t.Errorf("a listed token has a \"token\" field: %v", tok)
		}
	}
	status, _, raw = send(t, http.MethodGet, inst.AdminURL+"/accounts/"+id+"/scim-tokens/"+first.ID, inst.AdminToken, nil)
	if status != http.StatusOK || bytes.Contains(raw, []byte(first.Token)) || bytes.Contains(raw, []byte(`"token"`)) {
		t.Errorf("GET one token = %d %s, want it without its value", status, raw)
	}

	// DT-TOKEN-DESC: optional at generation, editable later.
	tok := must(c.UpdateToken(ctx, id, first.ID, "Entra provisioning"))(t)
	if tok.ID != first.ID || tok.Description != "Entra provisioning" {
		t.Errorf("UpdateToken = %+v", tok)
	}
	if got := must(c.TokenInfo(ctx, id, first.ID))(t); got.Description != "Entra provisioning" {
		t.Errorf("TokenInfo after the edit = %+v", got)
	}
	_, err = c.UpdateToken(ctx, id, first.ID, "bad\x00description")
	wantAPIError(t, err, http.StatusBadRequest, "invalid_description", "")
	_, err = c.UpdateToken(ctx, id, "NOSUCHTOKEN", "x")
	wantAPIError(t, err, http.StatusNotFound, "token_not_found", "")

	if err := c.DeleteToken(ctx, id, first.ID); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, c.DeleteToken(ctx, id, first.ID), http.StatusNotFound, "token_not_found", "")
	nt := must(c.CreateToken(ctx, id, "eleventh"))(t)
	if nt.Description != "eleventh" {
		t.Errorf("CreateToken after a delete = %+v", nt)
	}
	_, err = c.CreateToken(ctx, id, "twelfth")
	wantAPIError(t, err, http.StatusConflict, "token_cap", "DT-TOKEN-CAP")
}

// TestTokenWithoutBody: the description is optional, and so is the body.
func TestTokenWithoutBody(t *testing.T) {
	inst, _ := start(t)
	status, _, raw := send(t, http.MethodPost, inst.AdminURL+"/accounts/"+inst.AccountID+"/scim-tokens", inst.AdminToken, nil)
	var nt mgmt.NewToken
	if status != http.StatusCreated || json.Unmarshal(raw, &nt) != nil || nt.Token == "" || nt.Description != "" {
		t.Fatalf("POST scim-tokens without a body = %d %s", status, raw)
	}
}

// TestDeletedTokenFailsAtOnce is rule DT-TOKEN-REVOKE, seen from the SCIM
// endpoint.
func TestDeletedTokenFailsAtOnce(t *testing.T) {
	inst, c := start(t)
	ctx := t.Context()
	nt := must(c.CreateToken(ctx, inst.AccountID, "short-lived"))(t)

	if status, doc := scim(t, http.MethodGet, inst.SCIMBaseURL+"/Users", nt.Token, nil); status != http.StatusOK {
		t.Fatalf("GET /Users with a new token = %d %v", status, doc)
	}
	if tok := must(c.TokenInfo(ctx, inst.AccountID, nt.ID))(t); tok.LastUsedAt == nil {
		t.Errorf("lastUsedAt not set after a SCIM request: %+v", tok)
	}
	if err := c.DeleteToken(ctx, inst.AccountID, nt.ID); err != nil {
		t.Fatal(err)
	}
	if status, doc := scim(t, http.MethodGet, inst.SCIMBaseURL+"/Users", nt.Token, nil); status != http.StatusUnauthorized {
		t.Fatalf("GET /Users with a deleted token = %d %v, want 401", status, doc)
	}
	// The other token still works.
	if status, _ := scim(t, http.MethodGet, inst.SCIMBaseURL+"/Users", inst.SCIMToken, nil); status != http.StatusOK {
		t.Fatalf("GET /Users with the demo token = %d", status)
	}
}

func TestGroups(t *testing.T) {
	inst, c := start(t)
	ctx := t.Context()
	id := inst.AccountID

	status, user := scim(t, http.MethodPost, inst.SCIMBaseURL+"/Users", inst.SCIMToken, scimUser("ann@"+inst.Domain))
	if status != http.StatusCreated {
		t.Fatalf("POST /Users = %d %v", status, user)
	}
	status, sg := scim(t, http.MethodPost, inst.SCIMBaseURL+"/Groups", inst.SCIMToken, scimGroup("Engineering", user["id"].(string)))
	if status != http.StatusCreated {
		t.Fatalf("POST /Groups = %d %v", status, sg)
	}
	scimID := sg["id"].(string)

	// DT-GROUP-UNIQUE: a LOCAL group cannot take a SCIM group's name, in
	// any case.
	_, err := c.CreateGroup(ctx, id, "engineering", "")
	wantAPIError(t, err, http.StatusConflict, "group_name_taken", "DT-GROUP-UNIQUE")

	local := must(c.CreateGroup(ctx, id, "Auditors", "read-only people"))(t)
	if local.Type != mgmt.GroupLocal || local.Name != "Auditors" || local.Description != "read-only people" || local.Permissions == nil {
		t.Errorf("CreateGroup = %+v", local)
	}
	_, err = c.CreateGroup(ctx, id, "AUDITORS", "")
	wantAPIError(t, err, http.StatusConflict, "group_name_taken", "DT-GROUP-UNIQUE")
	_, err = c.CreateGroup(ctx, id, " ", "")
	wantAPIError(t, err, http.StatusBadRequest, "invalid_group_name", "")
	// ... and SCIM cannot take a LOCAL group's name either.
	if status, doc := scim(t, http.MethodPost, inst.SCIMBaseURL+"/Groups", inst.SCIMToken, scimGroup("auditors")); status != http.StatusConflict {
		t.Errorf("POST /Groups with a LOCAL group's name = %d %v, want 409", status, doc)
	}

	// DT-GROUP-TYPE: both kinds are listed, SCIM ones as SCIM.
	groups := must(c.Groups(ctx, id))(t)
	var got []string
	for _, g := range groups {
		got = append(got, g.Type+":"+g.Name)
	}
	if want := []string{"LOCAL:Auditors", "SCIM:Engineering"}; !slices.Equal(got, want) {
		t.Errorf("Groups = %v, want %v", got, want)
	}
	g := must(c.Group(ctx, id, scimID))(t)
	if g.Type != mgmt.GroupSCIM || g.Name != "Engineering" || g.MemberCount != 1 {
		t.Errorf("Group(SCIM) = %+v, want type SCIM with 1 member", g)
	}

	// DT-GROUP-LOCKED: a SCIM group is neither changed nor deleted here...
	name := "Renamed"
	_, err = c.UpdateGroup(ctx, id, scimID, mgmt.GroupUpdate{Name: &name})
	wantAPIError(t, err, http.StatusForbidden, "group_locked", "DT-GROUP-LOCKED")
	wantAPIError(t, c.DeleteGroup(ctx, id, scimID), http.StatusForbidden, "group_locked", "DT-GROUP-LOCKED")
	// ... but its permissions are set here.
	perms := []mgmt.Permission{
		{Name: "tenant-viewer", Scope: "abc12345", ScopeType: mgmt.ScopeTenant},
		{Name: "account-viewer", Scope: id, ScopeType: mgmt.ScopeAccount},
	}
	if got := must(c.SetPermissions(ctx, id, scimID, perms))(t); !slices.Equal(got, perms) {
		t.Errorf("SetPermissions = %+v, want %+v", got, perms)
	}
	if got := must(c.Permissions(ctx, id, scimID))(t); !slices.Equal(got, perms) {
		t.Errorf("Permissions = %+v, want %+v", got, perms)
	}
	if g := must(c.Group(ctx, id, scimID))(t); !slices.Equal(g.Permissions, perms) {
		t.Errorf("Group(SCIM).permissions = %+v", g.Permissions)
	}
	_, err = c.SetPermissions(ctx, id, scimID, []mgmt.Permission{{Name: "tenant-viewer", Scope: "x", ScopeType: "galaxy"}})
	wantAPIError(t, err, http.StatusBadRequest, "invalid_permission", "")
	if got := must(c.SetPermissions(ctx, id, scimID, nil))(t); len(got) != 0 {
		t.Errorf("SetPermissions([]) = %+v, want none", got)
	}

	// A LOCAL group is changed freely.
	desc := "auditors of record"
	upd := must(c.UpdateGroup(ctx, id, local.ID, mgmt.GroupUpdate{Description: &desc}))(t)
	if upd.Name != "Auditors" || upd.Description != desc {
		t.Errorf("UpdateGroup(description) = %+v", upd)
	}
	name = "ENGINEERING"
	_, err = c.UpdateGroup(ctx, id, local.ID, mgmt.GroupUpdate{Name: &name})
	wantAPIError(t, err, http.StatusConflict, "group_name_taken", "DT-GROUP-UNIQUE")
	status, _, raw := send(t, http.MethodPatch, inst.AdminURL+"/accounts/"+id+"/groups/"+local.ID, inst.AdminToken, strings.NewReader(`{"name":null}`))
	if status != http.StatusBadRequest {
		t.Errorf("PATCH {\"name\":null} = %d %s, want 400", status, raw)
	}
	name = "Reviewers"
	if upd := must(c.UpdateGroup(ctx, id, local.ID, mgmt.GroupUpdate{Name: &name}))(t); upd.Name != "Reviewers" || upd.Description != desc {
		t.Errorf("UpdateGroup(name) = %+v", upd)
	}
	must(c.SetPermissions(ctx, id, local.ID, perms[:1]))(t)
	if err := c.DeleteGroup(ctx, id, local.ID); err != nil {
		t.Fatal(err)
	}
	_, err = c.Group(ctx, id, local.ID)
	wantAPIError(t, err, http.StatusNotFound, "group_not_found", "")
	wantAPIError(t, c.DeleteGroup(ctx, id, local.ID), http.StatusNotFound, "group_not_found", "")
	_, err = c.Permissions(ctx, id, local.ID)
	wantAPIError(t, err, http.StatusNotFound, "group_not_found", "")
	_, err = c.UpdateGroup(ctx, id, "no-such-group", mgmt.GroupUpdate{Name: &name})
	wantAPIError(t, err, http.StatusNotFound, "group_not_found", "")
}

func TestLimits(t *testing.T) {
	inst, c := start(t)
	ctx := t.Context()
	id := inst.AccountID

	if got, want := must(c.Limits(ctx, id))(t), mgmt.Limits(account.DefaultLimits()); got != want {
		t.Errorf("Limits = %+v, want the defaults %+v", got, want)
	}
	bad := []struct {
		name string
		body string
	}{
		{"zero", `{"maxUsers":0,"maxGroups":1,"maxGroupsPerUser":1,"maxPermissionsPerGroup":1}`},
		{"negative", `{"maxUsers":1,"maxGroups":-5,"maxGroupsPerUser":1,"maxPermissionsPerGroup":1}`},
		{"missing field", `{"maxUsers":1,"maxGroups":1,"maxGroupsPerUser":1}`},
		{"not a number", `{"maxUsers":"many","maxGroups":1,"maxGroupsPerUser":1,"maxPermissionsPerGroup":1}`},
		{"null", `null`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			status, _, raw := send(t, http.MethodPut, inst.AdminURL+"/accounts/"+id+"/limits", inst.AdminToken, strings.NewReader(tt.body))
			if status != http.StatusBadRequest {
				t.Errorf("PUT limits %s = %d %s, want 400", tt.body, status, raw)
			}
		})
	}
	if got := must(c.Limits(ctx, id))(t); got != mgmt.Limits(account.DefaultLimits()) {
		t.Errorf("a refused PUT changed the limits: %+v", got)
	}

	want := mgmt.Limits{MaxUsers: 1, MaxGroups: 7, MaxGroupsPerUser: 3, MaxPermissionsPerGroup: 2}
	if got := must(c.SetLimits(ctx, id, want))(t); got != want {
		t.Errorf("SetLimits = %+v, want %+v", got, want)
	}
	if got := must(c.Limits(ctx, id))(t); got != want {
		t.Errorf("Limits after SetLimits = %+v, want %+v", got, want)
	}

	// DT-USER-LIMIT: with maxUsers 1 the second user is refused.
	if status, doc := scim(t, http.MethodPost, inst.SCIMBaseURL+"/Users", inst.SCIMToken, scimUser("one@"+inst.Domain)); status != http.StatusCreated {
		t.Fatalf("first user = %d %v", status, doc)
	}
	status, doc := scim(t, http.MethodPost, inst.SCIMBaseURL+"/Users", inst.SCIMToken, scimUser("two@"+inst.Domain))
	if status < 400 || status > 499 {
		t.Fatalf("second user with maxUsers 1 = %d %v, want a 4xx", status, doc)
	}
	if schemas, _ := doc["schemas"].([]any); !slices.Contains(schemas, any("urn:ietf:params:scim:api:messages:2.0:Error")) {
		t.Errorf("refusal is not a SCIM error: %v", doc)
	}
	if users := must(c.Users(ctx, id))(t); len(users) != 1 {
		t.Errorf("%d users after the refusal, want 1", len(users))
	}
}

// TestUsers is rule DT-USER-DISABLE as account management shows it.
func TestUsers(t *testing.T) {
	inst, c := start(t)
	ctx := t.Context()
	id := inst.AccountID

	if users := must(c.Users(ctx, id))(t); users == nil || len(users) != 0 {
		t.Errorf("Users of a fresh account = %#v, want []", users)
	}
	status, u := scim(t, http.MethodPost, inst.SCIMBaseURL+"/Users", inst.SCIMToken, scimUser("jane@"+inst.Domain))
	if status != http.StatusCreated {
		t.Fatalf("POST /Users = %d %v", status, u)
	}
	uid := u["id"].(string)
	status, g := scim(t, http.MethodPost, inst.SCIMBaseURL+"/Groups", inst.SCIMToken, scimGroup("Ops", uid))
	if status != http.StatusCreated {
		t.Fatalf("POST /Groups = %d %v", status, g)
	}
	want := mgmt.User{ID: uid, Email: "jane@" + inst.Domain, Name: mgmt.UserName{GivenName: "A", FamilyName: "B"}, Status: mgmt.UserActive, Groups: []string{g["id"].(string)}}
	if got := must(c.User(ctx, id, uid))(t); !equalUser(got, want) {
		t.Errorf("User = %+v, want %+v", got, want)
	}

	patch := map[string]any{
		"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []map[string]any{{"op": "replace", "path": "active", "value": false}},
	}
	if status, doc := scim(t, http.MethodPatch, inst.SCIMBaseURL+"/Users/"+uid, inst.SCIMToken, patch); status != http.StatusOK && status != http.StatusNoContent {
		t.Fatalf("PATCH active=false = %d %v", status, doc)
	}
	want.Status = mgmt.UserDisabled
	users := must(c.Users(ctx, id))(t)
	if len(users) != 1 || !equalUser(users[0], want) {
		t.Errorf("Users after active=false = %+v, want [%+v]", users, want)
	}
	_, err := c.User(ctx, id, "no-such-user")
	wantAPIError(t, err, http.StatusNotFound, "user_not_found", "")
}

func equalUser(a, b mgmt.User) bool {
	return a.ID == b.ID && a.Email == b.Email && a.Name == b.Name && a.Status == b.Status && slices.Equal(a.Groups, b.Groups)
}

func TestReset(t *testing.T) {
	inst, c := start(t)
	ctx := t.Context()
	oldToken := inst.SCIMToken
	acct := must(c.CreateAccount(ctx, "scratch"))(t)
	must(c.SetTXT(ctx, "scratch.test", "x"))(t)

	if err := c.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	accounts := must(c.Accounts(ctx))(t)
	if len(accounts) != 1 || accounts[0].ID == acct.ID || accounts[0].Name != "demo" {
		t.Errorf("Accounts after Reset = %+v, want only a new demo account", accounts)
	}
	if _, err := c.TXT(ctx, "scratch.test"); !mockclient.IsStatus(err, http.StatusNotFound) {
		t.Errorf("TXT record after Reset: err = %v, want 404", err)
	}
	if status, _ := scim(t, http.MethodGet, inst.SCIMBaseURL+"/Users", oldToken, nil); status != http.StatusUnauthorized {
		t.Errorf("old demo token after Reset = %d, want 401", status)
	}
}

// TestErrorShape: every refusal, the mux's own included, is the one JSON
// error shape.
func TestErrorShape(t *testing.T) {
	inst, _ := start(t)
	acct := inst.AdminURL + "/accounts/" + inst.AccountID
	big := `{"name":"` + strings.Repeat("x", mgmt.MaxBodyBytes) + `"}`
	tests := []struct {
		name        string
		method, url string
		body        string
		status      int
		code        string
		detailHas   string
	}{
		{"malformed JSON", "POST", inst.AdminURL + "/accounts", `{"name":`, 400, "invalid_json", ""},
		{"not JSON", "POST", inst.AdminURL + "/accounts", `name=acme`, 400, "invalid_json", "offset"},
		{"unknown field", "POST", inst.AdminURL + "/accounts", `{"name":"a","colour":"red"}`, 400, "unknown_field", `"colour"`},
		{"unknown field in a permission", "PUT", acct + "/groups/x/permissions", `[{"permissionName":"a","scope":"b","scopeType":"tenant","extra":1}]`, 400, "unknown_field", `"extra"`},
		{"wrong type", "POST", inst.AdminURL + "/accounts", `{"name":42}`, 400, "invalid_json", `"name"`},
		{"two values", "POST", inst.AdminURL + "/accounts", `{"name":"a"} {"name":"b"}`, 400, "invalid_json", ""},
		{"empty body", "POST", inst.AdminURL + "/accounts", ``, 400, "invalid_json", "empty"},
		{"missing name", "POST", inst.AdminURL + "/accounts", `{}`, 400, "invalid_account_name", `"name"`},
		{"permissions not an array", "PUT", acct + "/groups/x/permissions", `null`, 400, "invalid_permission", ""},
		{"body over 1 MiB", "POST", inst.AdminURL + "/accounts", big, 413, "body_too_large", ""},
		{"unknown route", "GET", inst.AdminURL + "/nothing/here", "", 404, "no_such_endpoint", "openapi.json"},
		{"unknown route under an account", "GET", acct + "/widgets", "", 404, "no_such_endpoint", ""},
		{"wrong method", "PUT", inst.AdminURL + "/accounts", "{}", 405, "method_not_allowed", "GET, POST"},
		{"wrong method on an item", "POST", acct + "/scim-tokens/abc", "{}", 405, "method_not_allowed", "DELETE, GET, PATCH"},
		{"wrong method on DNS", "POST", inst.AdminURL + "/dns/txt/example.com", "{}", 405, "method_not_allowed", "PUT"},
		{"unknown account", "GET", inst.AdminURL + "/accounts/nope/users", "", 404, "account_not_found", "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			status, h, raw := send(t, tt.method, tt.url, inst.AdminToken, body)
			if status != tt.status {
				t.Fatalf("status = %d, want %d: %s", status, tt.status, raw)
			}
			if ct := h.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			var e map[string]any
			if err := json.Unmarshal(raw, &e); err != nil {
				t.Fatalf("body is not JSON: %s", raw)
			}
			for k := range e {
				if k != "error" && k != "detail" && k != "rule" {
					t.Errorf("error body has the field %q: %s", k, raw)
				}
			}
			if e["error"] != tt.code {
				t.Errorf("error = %v, want %q (detail %v)", e["error"], tt.code, e["detail"])
			}
			detail, _ := e["detail"].(string)
			if detail == "" || !strings.Contains(detail, tt.detailHas) {
				t.Errorf("detail = %q, want it to mention %q", detail, tt.detailHas)
			}
			if status == http.StatusMethodNotAllowed && h.Get("Allow") == "" {
				t.Error("405 without Allow")
			}
		})
	}
}

// TestNoDNSMock: with a real resolver there are no DNS records to manage.
func TestNoDNSMock(t *testing.T) {
	h := mgmt.New(mgmt.Deps{Registry: account.NewRegistry(nil), AdminToken: "secret"})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := &mockclient.Client{BaseURL: srv.URL + mgmt.Prefix, Token: "secret", HTTP: srv.Client()}
	ctx := context.Background()

	_, err := c.SetTXT(ctx, "example.com", "v")
	wantAPIError(t, err, http.StatusNotFound, "no_dns_mock", "")
	_, err = c.TXTRecords(ctx)
	wantAPIError(t, err, http.StatusNotFound, "no_dns_mock", "")

	// Without a store the account shows no SCIM users or groups, and
	// verification without a resolver says why it fails.
	acct := must(c.CreateAccount(ctx, "acme"))(t)
	if users := must(c.Users(ctx, acct.ID))(t); len(users) != 0 {
		t.Errorf("Users = %+v", users)
	}
	must(c.AddDomain(ctx, acct.ID, "acme.test"))(t)
	d := must(c.VerifyDomain(ctx, acct.ID, "acme.test"))(t)
	if d.Status != mgmt.DomainPending || !strings.Contains(d.Reason, "resolver") {
		t.Errorf("VerifyDomain without a resolver = %+v", d)
	}
	if err := c.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if accounts := must(c.Accounts(ctx))(t); len(accounts) != 0 {
		t.Errorf("Accounts after Reset = %+v", accounts)
	}
}

// TestEmptyAdminTokenOpensNothing: a server started without an admin token
// must not accept "Bearer " followed by nothing, or anything else.
func TestEmptyAdminTokenOpensNothing(t *testing.T) {
	srv := httptest.NewServer(mgmt.New(mgmt.Deps{Registry: account.NewRegistry(nil)}))
	t.Cleanup(srv.Close)
	for _, h := range []string{"", "Bearer", "Bearer ", "Bearer x"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+mgmt.Prefix+"/accounts", nil)
		if h != "" {
			req.Header.Set("Authorization", h)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("Authorization %q = %d, want 401", h, resp.StatusCode)
		}
	}
}

// TestResetFailureIsAnswered: a reset that cannot recreate the demo
// account says so (500 reset_failed) instead of answering 204.
func TestResetFailureIsAnswered(t *testing.T) {
	h := mgmt.New(mgmt.Deps{Registry: account.NewRegistry(nil), AdminToken: "secret",
		Reset: func(context.Context) error { return errors.New("reset: recreating the demo account: boom") }})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := &mockclient.Client{BaseURL: srv.URL + mgmt.Prefix, Token: "secret", HTTP: srv.Client()}
	wantAPIError(t, c.Reset(context.Background()), http.StatusInternalServerError, "reset_failed", "")
}
