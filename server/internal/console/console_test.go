package console_test

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/console"
	"github.com/scimconf/scimconf/server/mock"
	"github.com/scimconf/scimconf/server/mockclient"
)

// startMock starts a real mock with its console on loopback.
func startMock(t *testing.T, rules ...string) *mock.Instance {
	t.Helper()
	opts := mock.Options{ConsoleAddr: "127.0.0.1:0"}
	if len(rules) > 0 {
		opts.Rules = rules[0]
	}
	inst, err := mock.Start(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	return inst
}

// browser is an HTTP client that keeps cookies and does not follow
// redirects, so that a test sees each one.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func post(t *testing.T, c *http.Client, u string, form url.Values, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// signIn signs c in with token and returns the page's CSRF token.
func signIn(t *testing.T, c *http.Client, inst *mock.Instance, token string) string {
	t.Helper()
	resp, _ := post(t, c, inst.ConsoleURL+"signin", url.Values{"token": {token}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in with the admin token = %d, want 303", resp.StatusCode)
	}
	_, body := get(t, c, inst.ConsoleURL)
	return csrfOf(t, body)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF field in the page:\n%s", page)
	}
	return m[1]
}

// Without a session every page, asset, stream and form goes to sign-in.
func TestNoSessionRedirectsToSignIn(t *testing.T) {
	inst := startMock(t)
	c := browser(t)
	a := inst.AccountID
	for _, p := range []string{"", "assets/style.css", "assets/console.js", "dns", "journal", "journal/stream", "journal/1",
		"client-report", "client-report/frame", "switches", "accounts/" + a + "/domains", "accounts/" + a + "/scim",
		"accounts/" + a + "/groups", "accounts/" + a + "/users", "accounts/" + a + "/limits"} {
		resp, body := get(t, c, inst.ConsoleURL+p)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/console/signin") {
			t.Errorf("GET /console/%s without a session = %d to %q, want 303 to the sign-in page", p, resp.StatusCode, resp.Header.Get("Location"))
		}
		if strings.Contains(body, "<table") || strings.Contains(body, "{") && strings.HasSuffix(p, ".css") {
			t.Errorf("GET /console/%s without a session gave content", p)
		}
	}
	for _, p := range []string{"reset", "accounts", "switches/ignore-if-match", "dns"} {
		resp, _ := post(t, c, inst.ConsoleURL+p, url.Values{"name": {"x"}})
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/console/signin") {
			t.Errorf("POST /console/%s without a session = %d to %q, want 303 to sign-in", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	accts, _ := (&mockclient.Client{BaseURL: inst.AdminURL, Token: inst.AdminToken}).Accounts(t.Context())
	if len(accts) != 1 {
		t.Errorf("accounts after POSTs without a session = %d, want the demo account alone", len(accts))
	}
}

// A SCIM token, a wrong token and no token do not sign in; no cookie is set.
func TestOnlyTheAdminTokenSignsIn(t *testing.T) {
	inst := startMock(t)
	for name, token := range map[string]string{"SCIM token": inst.SCIMToken, "wrong token": "admin-nope", "empty": ""} {
		c := browser(t)
		resp, body := post(t, c, inst.ConsoleURL+"signin", url.Values{"token": {token}})
		if resp.StatusCode == http.StatusSeeOther || len(resp.Cookies()) > 0 {
			t.Errorf("%s: sign-in = %d with cookies %v, want a refusal without a cookie", name, resp.StatusCode, resp.Cookies())
		}
		if token != "" && strings.Contains(body, token) {
			t.Errorf("%s: the refusal shows the token", name)
		}
		if resp, _ := get(t, c, inst.ConsoleURL); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("%s: the console answered %d after a refused sign-in", name, resp.StatusCode)
		}
	}
}

// The session cookie is HttpOnly, SameSite=Strict, scoped to /console/, and
// Secure when the console is reached over TLS.
func TestSessionCookieFlags(t *testing.T) {
	inst := startMock(t)
	check := func(t *testing.T, c *http.Client, base string, secure bool) {
		resp, _ := post(t, c, base+"signin", url.Values{"token": {inst.AdminToken}})
		var ck *http.Cookie
		for _, x := range resp.Cookies() {
			if x.Name == console.CookieName {
				ck = x
			}
		}
		if ck == nil {
			t.Fatalf("sign-in = %d set no session cookie", resp.StatusCode)
		}
		if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/console/" || ck.Secure != secure {
			t.Errorf("cookie HttpOnly=%v SameSite=%v Path=%q Secure=%v, want true, Strict, /console/, %v", ck.HttpOnly, ck.SameSite, ck.Path, ck.Secure, secure)
		}
		if strings.Contains(ck.Value, inst.AdminToken) {
			t.Error("the cookie carries the admin token")
		}
	}
	t.Run("http", func(t *testing.T) { check(t, browser(t), inst.ConsoleURL, false) })
	t.Run("https", func(t *testing.T) {
		c, err := console.New(console.Config{AdminURL: inst.AdminURL})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewTLSServer(c)
		defer srv.Close()
		b := browser(t)
		b.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
		check(t, b, srv.URL+console.Prefix, true)
	})
}

// Every write needs the session's CSRF token: missing, forged, another
// session's, or posted from another origin, it is refused and changes
// nothing.
func TestCSRF(t *testing.T) {
	inst := startMock(t)
	c := browser(t)
	good := signIn(t, c, inst, inst.AdminToken)
	other := signIn(t, browser(t), inst, inst.AdminToken)
	admin := &mockclient.Client{BaseURL: inst.AdminURL, Token: inst.AdminToken}
	for name, tc := range map[string]struct {
		form   url.Values
		header []string
	}{
		"missing":         {url.Values{"name": {"csrf-missing"}}, nil},
		"forged":          {url.Values{"name": {"csrf-forged"}, "csrf": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}, nil},
		"another session": {url.Values{"name": {"csrf-other"}, "csrf": {other}}, nil},
		"cross-origin":    {url.Values{"name": {"csrf-origin"}, "csrf": {good}}, []string{"Origin", "http://evil.example"}},
	} {
		resp, _ := post(t, c, inst.ConsoleURL+"accounts", tc.form, tc.header...)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s CSRF token: POST /console/accounts = %d, want 403", name, resp.StatusCode)
		}
		if resp, _ := post(t, c, inst.ConsoleURL+"switches/ignore-if-match", url.Values{"on": {"true"}, "csrf": tc.form["csrf"]}, tc.header...); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s CSRF token: POST a switch = %d, want 403", name, resp.StatusCode)
		}
	}
	accts, _ := admin.Accounts(t.Context())
	vs, _ := admin.Violations(t.Context())
	on := 0
	for _, v := range vs {
		if v.On {
			on++
		}
	}
	if len(accts) != 1 || on != 0 {
		t.Errorf("after refused writes: %d accounts, %d switches on; want 1 and 0", len(accts), on)
	}
	resp, _ := post(t, c, inst.ConsoleURL+"accounts", url.Values{"name": {"with-csrf"}, "csrf": {good}}, "Origin", strings.TrimSuffix(strings.TrimSuffix(inst.ConsoleURL, "/console/"), "/"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("POST /console/accounts with the CSRF token = %d, want 303", resp.StatusCode)
	}
	if accts, _ := admin.Accounts(t.Context()); len(accts) != 2 {
		t.Errorf("accounts after a valid POST = %d, want 2", len(accts))
	}
}

// Sign-out ends the session: the old cookie opens nothing.
func TestSignOut(t *testing.T) {
	inst := startMock(t)
	c := browser(t)
	csrf := signIn(t, c, inst, inst.AdminToken)
	u, _ := url.Parse(inst.ConsoleURL)
	old := c.Jar.Cookies(u)
	if resp, _ := post(t, c, inst.ConsoleURL+"signout", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out = %d", resp.StatusCode)
	}
	replay := browser(t)
	replay.Jar.SetCookies(u, old)
	if resp, _ := get(t, replay, inst.ConsoleURL); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the signed-out cookie still opens the console (%d)", resp.StatusCode)
	}
}

// Sign-in sends back only to a page of the console.
func TestSignInRedirectStaysInConsole(t *testing.T) {
	inst := startMock(t)
	for next, want := range map[string]string{"/console/dns": "/console/dns", "//evil.example/": "/console/", "https://evil.example/console/": "/console/", "/console/../x": "/console/", "/console/journal?status=4xx": "/console/journal?status=4xx"} {
		c := browser(t)
		resp, _ := post(t, c, inst.ConsoleURL+"signin", url.Values{"token": {inst.AdminToken}, "next": {next}})
		if got := resp.Header.Get("Location"); got != want {
			t.Errorf("next=%q: sign-in goes to %q, want %q", next, got, want)
		}
	}
}

// Every page renders for a signed-in session, shows no admin token, and a
// new SCIM token's value appears in the answer that generated it only.
func TestPagesAndTokenShownOnce(t *testing.T) {
	for _, rules := range []string{mock.RulesDynatrace, mock.RulesRFC} {
		t.Run(rules, func(t *testing.T) { testPagesAndTokenShownOnce(t, rules) })
	}
}

func testPagesAndTokenShownOnce(t *testing.T, rules string) {
	inst := startMock(t, rules)
	c := browser(t)
	csrf := signIn(t, c, inst, inst.AdminToken)
	// One SCIM exchange for the journal pages.
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, inst.SCIMBaseURL+"/Users", nil)
	req.Header.Set("Authorization", "Bearer "+inst.SCIMToken)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	a := "accounts/" + inst.AccountID + "/"
	for _, p := range []string{"", "dns", "journal", "journal?status=2xx&method=GET", "journal/1", "client-report", "client-report/frame",
		"switches", a + "domains", a + "scim", a + "groups", a + "users", a + "limits", "assets/style.css", "assets/console.js"} {
		resp, body := get(t, c, inst.ConsoleURL+p)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET /console/%s = %d:\n%s", p, resp.StatusCode, body)
		}
		if strings.Contains(body, inst.AdminToken) || strings.Contains(body, inst.SCIMToken) {
			t.Errorf("GET /console/%s shows a token value", p)
		}
		if resp.StatusCode == http.StatusOK && !strings.HasPrefix(p, "assets/") && !strings.HasPrefix(p, "client-report/frame") && !strings.Contains(body, "rules: "+rules) {
			t.Errorf("GET /console/%s does not name the rules %s", p, rules)
		}
		if resp.Header.Get("Cache-Control") != "no-store" || resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("GET /console/%s: Cache-Control %q, CSP %q", p, resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Security-Policy"))
		}
	}
	if resp, body := get(t, c, inst.ConsoleURL+"journal?status=banana"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "status") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("a bad journal filter = %d (%s), want a 400 page naming it", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if resp, _ := get(t, c, inst.ConsoleURL+"accounts/no-such-account/users"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown account's page = %d, want 404", resp.StatusCode)
	}
	resp, body := post(t, c, inst.ConsoleURL+a+"scim/tokens", url.Values{"csrf": {csrf}, "description": {"for the test"}})
	m := regexp.MustCompile(`id="new-token">([^<]+)<`).FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("generate = %d without the new token in the page:\n%s", resp.StatusCode, body)
	}
	if _, again := get(t, c, inst.ConsoleURL+a+"scim"); strings.Contains(again, m[1]) || !strings.Contains(again, "for the test") {
		t.Errorf("the SCIM configuration page after generation shows the value again, or not the description")
	}
}

// Every form does what it says through the management API, and a refusal
// comes back as the API's message with its rule.
func TestWrites(t *testing.T) {
	inst := startMock(t)
	c := browser(t)
	csrf := signIn(t, c, inst, inst.AdminToken)
	admin := &mockclient.Client{BaseURL: inst.AdminURL, Token: inst.AdminToken}
	ctx := t.Context()
	acct := inst.ConsoleURL + "accounts/" + inst.AccountID + "/"
	send := func(path string, form url.Values) string {
		t.Helper()
		form.Set("csrf", csrf)
		resp, _ := post(t, c, path, form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST %s = %d, want 303", path, resp.StatusCode)
		}
		_, page := get(t, c, inst.ConsoleURL+strings.TrimPrefix(resp.Header.Get("Location"), "/console/"))
		return page
	}

	// Groups: create, rename, permissions on, off, delete.
	send(acct+"groups", url.Values{"name": {"Auditors"}, "description": {"read only"}})
	gs, _ := admin.Groups(ctx, inst.AccountID)
	if len(gs) != 1 || gs[0].Type != mockclient.GroupLocal {
		t.Fatalf("groups after create = %+v", gs)
	}
	g := gs[0].ID
	send(acct+"groups/"+g+"/edit", url.Values{"name": {"Auditors EU"}, "description": {"EU"}})
	perm := url.Values{"action": {"add"}, "permissionName": {"tenant-viewer"}, "scopeType": {"tenant"}, "scope": {"abc12345"}}
	send(acct+"groups/"+g+"/permissions", perm)
	if got, _ := admin.Group(ctx, inst.AccountID, g); got.Name != "Auditors EU" || len(got.Permissions) != 1 {
		t.Errorf("group after edit and a permission = %+v", got)
	}
	perm.Set("action", "remove")
	send(acct+"groups/"+g+"/permissions", perm)
	if got, _ := admin.Permissions(ctx, inst.AccountID, g); len(got) != 0 {
		t.Errorf("permissions after remove = %+v", got)
	}
	send(acct+"groups/"+g+"/delete", url.Values{})
	if gs, _ := admin.Groups(ctx, inst.AccountID); len(gs) != 0 {
		t.Errorf("groups after delete = %+v", gs)
	}

	// Limits: a bad number changes nothing; a good set is saved.
	before, _ := admin.Limits(ctx, inst.AccountID)
	if page := send(acct+"limits", url.Values{"maxUsers": {"many"}, "maxGroups": {"5"}, "maxGroupsPerUser": {"5"}, "maxPermissionsPerGroup": {"5"}}); !strings.Contains(page, "Not a whole number: maxUsers") {
		t.Error("a bad limit is not named")
	}
	if after, _ := admin.Limits(ctx, inst.AccountID); after != before {
		t.Errorf("limits changed by a refused form: %+v", after)
	}
	send(acct+"limits", url.Values{"maxUsers": {"7"}, "maxGroups": {"6"}, "maxGroupsPerUser": {"5"}, "maxPermissionsPerGroup": {"4"}})
	if after, _ := admin.Limits(ctx, inst.AccountID); after != (mockclient.Limits{MaxUsers: 7, MaxGroups: 6, MaxGroupsPerUser: 5, MaxPermissionsPerGroup: 4}) {
		t.Errorf("limits after save = %+v", after)
	}

	// Tokens: the cap's refusal is shown with its rule; a description is
	// edited; a token is deleted.
	for range 9 {
		if _, err := admin.CreateToken(ctx, inst.AccountID, "filler"); err != nil {
			t.Fatal(err)
		}
	}
	resp, _ := post(t, c, acct+"scim/tokens", url.Values{"csrf": {csrf}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the 11th token = %d, want the refusal on the page (303)", resp.StatusCode)
	}
	if _, page := get(t, c, acct+"scim"); !strings.Contains(page, "DT-TOKEN-CAP") || !strings.Contains(page, "10 of 10") {
		t.Error("the SCIM configuration page does not show the cap's refusal and count")
	}
	ts, _ := admin.Tokens(ctx, inst.AccountID)
	send(acct+"scim/tokens/"+ts[1].ID+"/description", url.Values{"description": {"Entra ID"}})
	send(acct+"scim/tokens/"+ts[2].ID+"/delete", url.Values{})
	if got, _ := admin.TokenInfo(ctx, inst.AccountID, ts[1].ID); got.Description != "Entra ID" {
		t.Errorf("description after edit = %q", got.Description)
	}
	if after, _ := admin.Tokens(ctx, inst.AccountID); len(after) != 9 {
		t.Errorf("tokens after a delete = %d, want 9", len(after))
	}

	// Domains and DNS records: add, publish, remove both.
	send(acct+"domains", url.Values{"domain": {"forms.example.net"}})
	d, err := admin.Domain(ctx, inst.AccountID, "forms.example.net")
	if err != nil {
		t.Fatal(err)
	}
	send(inst.ConsoleURL+"dns", url.Values{"name": {d.TXTName}, "value": {d.TXTValue}, "back": {"https://evil.example/"}})
	if rec, _ := admin.TXT(ctx, d.TXTName); len(rec.Values) != 1 {
		t.Errorf("record after publish = %+v", rec)
	}
	send(inst.ConsoleURL+"dns/delete", url.Values{"name": {d.TXTName}})
	send(acct+"domains/forms.example.net/delete", url.Values{})
	if ds, _ := admin.Domains(ctx, inst.AccountID); len(ds) != 1 {
		t.Errorf("domains after remove = %+v", ds)
	}

	// Faults: a bad rule changes nothing; add one, remove it; clear.
	if page := send(inst.ConsoleURL+"faults", url.Values{"rule": {`{"match":{"method":"GET"},"action":{"status":99}}`}}); !strings.Contains(page, "flash error") {
		t.Error("a fault rule the API refuses is not shown as refused")
	}
	send(inst.ConsoleURL+"faults", url.Values{"rule": {`{"match":{"method":"GET"},"action":{"status":503}}`}})
	fs, _ := admin.Faults(ctx)
	if len(fs) != 1 {
		t.Fatalf("faults after add = %+v", fs)
	}
	send(inst.ConsoleURL+"faults/"+fs[0].ID+"/delete", url.Values{})
	send(inst.ConsoleURL+"faults", url.Values{"rule": {`{"action":{"latency":"1ms"}}`}})
	send(inst.ConsoleURL+"faults/clear", url.Values{})
	if fs, _ := admin.Faults(ctx); len(fs) != 0 {
		t.Errorf("faults after clear = %+v", fs)
	}

	// Accounts: create and delete.
	send(inst.ConsoleURL+"accounts", url.Values{"name": {"second"}})
	accts, _ := admin.Accounts(ctx)
	if len(accts) != 2 {
		t.Fatalf("accounts after create = %d", len(accts))
	}
	send(inst.ConsoleURL+"accounts/"+accts[1].ID+"/delete", url.Values{})
	if accts, _ := admin.Accounts(ctx); len(accts) != 1 {
		t.Errorf("accounts after delete = %d", len(accts))
	}
}
