package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The console's journeys in a real browser: Debian's Chromium driven
// through the DevTools protocol by chromedp (pure Go, no WebDriver server or
// Node to install), against a real `scimconf serve` on loopback sockets with
// the real DNS mock. SCIMCONF_CHROMIUM names the browser (.ci/run exports
// it); otherwise chromium is looked up on PATH. Under CI=true a missing
// browser fails the test; elsewhere it skips, saying why.
//
// A failing step saves a screenshot and the page's HTML under
// reports/out/console/<test>/ (gitignored) and prints the path;
// SCIMCONF_CONSOLE_SHOTS=1 saves a screenshot of every page at 1280 px and
// at 390 px, for a person to look at.

// chromiumPath finds the browser or ends the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SCIMCONF_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		t.Fatalf("SCIMCONF_CHROMIUM=%s: no such file", p)
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	why := "no Chromium: install Debian's chromium (apt-get install chromium) or set SCIMCONF_CHROMIUM to a Chromium or Chrome binary"
	if os.Getenv("CI") == "true" {
		t.Fatal(why + " (CI=true: the browser tests must run)")
	}
	t.Skip(why)
	return ""
}

// tab is one browser tab on the console with the test's helpers.
type tab struct {
	t     *testing.T
	ctx   context.Context
	dir   string // where artefacts go
	shots bool
}

func newTab(t *testing.T) *tab {
	t.Helper()
	exe := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.WindowSize(1280, 900),
		// CI runs as root, where Chromium's sandbox cannot start; the
		// browser loads only the console on loopback.
		chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	// The console asks before a reset or a delete; the journeys say yes.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	dir, _ := filepath.Abs(filepath.Join("..", "..", "reports", "out", "console", strings.ReplaceAll(t.Name(), "/", "_")))
	return &tab{t: t, ctx: ctx, dir: dir, shots: os.Getenv("SCIMCONF_CONSOLE_SHOTS") != ""}
}

// do runs a step's actions with a deadline; on failure it saves the
// artefacts and fails the test.
func (b *tab) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fail(step, err)
	}
}

// text reads an element's text.
func (b *tab) text(step, css string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.fail(step, err)
	}
	return strings.TrimSpace(s)
}

// waitFor waits until a JavaScript condition holds on the page.
func (b *tab) waitFor(step, cond string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		b.fail(step, err)
	}
}

// fail saves a screenshot and the HTML of the page and fails the test.
func (b *tab) fail(step string, err error) {
	b.t.Helper()
	name := regexp.MustCompile(`[^a-zA-Z0-9]+`).ReplaceAllString(step, "-")
	saved := b.save(name)
	b.t.Fatalf("step %q: %v\nartefacts: %s", step, err, saved)
}

// save writes name.png and name.html into the artefact directory.
func (b *tab) save(name string) string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), 10*time.Second)
	defer cancel()
	if err := os.MkdirAll(b.dir, 0o755); err != nil {
		return "(cannot create " + b.dir + ": " + err.Error() + ")"
	}
	var errs []error
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		errs = append(errs, os.WriteFile(filepath.Join(b.dir, name+".png"), png, 0o644))
	} else {
		errs = append(errs, err)
	}
	if html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html"))); err == nil {
		errs = append(errs, os.WriteFile(filepath.Join(b.dir, name+".html"), []byte(html), 0o644))
	} else {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return filepath.Join(b.dir, name) + ".{png,html} (some not saved: " + err.Error() + ")"
	}
	return filepath.Join(b.dir, name) + ".{png,html}"
}

// page checks the page a person sees: every form field has a label, and at
// a phone's width (390 px) nothing makes the page scroll sideways (tables
// scroll inside their box). With SCIMCONF_CONSOLE_SHOTS set it saves the
// page at 1280 px and at 390 px.
func (b *tab) page(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	unlabelled, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter(e => !(e.labels.length || e.getAttribute('aria-label'))).map(e => e.name || e.id)`))
	if err != nil || len(unlabelled) > 0 {
		b.fail(name+": labelled fields", fmt.Errorf("fields without a label: %v (%v)", unlabelled, err))
	}
	if b.shots {
		b.t.Logf("screenshot: %s", b.save(name+"-1280"))
	}
	b.do(name+": narrow", chromedp.EmulateViewport(390, 844))
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil || wide {
		b.fail(name+": readable at 390 px", fmt.Errorf("the page is wider than the window (%v)", err))
	}
	if b.shots {
		b.t.Logf("screenshot: %s", b.save(name+"-390"))
	}
	b.do(name+": wide again", chromedp.EmulateViewport(1280, 900))
}

// scim sends one SCIM request with a bearer token and returns the status.
func scim(t *testing.T, method, url, token, body string) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// js quotes s for a JavaScript expression.
func js(s string) string { return fmt.Sprintf("%q", s) }

// The integrator's journey: sign in, add a domain, see verification fail,
// publish its TXT record in the DNS mock, verify, generate a token, let a
// SCIM client create a user with it, see the user in Users and the request
// arrive in the live journal, turn a violation switch on and see the next
// request refused, turn it off, reset.
func TestConsoleJourney(t *testing.T) {
	b := newTab(t)
	env := serveInProcess(t)
	console := env["CONSOLE_URL"]
	if console == "" {
		t.Fatalf("serve printed no CONSOLE_URL: %v", env)
	}
	const domain = "journey.example.org"
	accountID := path.Base(path.Dir(env["SCIM_BASE_URL"])) // .../scim/{accountId}/v2

	b.do("open the console", chromedp.Navigate(console), chromedp.WaitVisible(chromedp.CSS("#token")))
	if loc, _ := chromedp.Run(b.ctx, chromedp.Location()); !strings.Contains(loc, "/console/signin") {
		b.fail("no session goes to sign-in", fmt.Errorf("at %s", loc))
	}
	b.page("signin")
	b.do("sign in with the SCIM token", chromedp.SendKeys(chromedp.CSS("#token"), env["SCIM_TOKEN"]), chromedp.Submit(chromedp.CSS("#token")),
		chromedp.WaitVisible(chromedp.CSS("#signin-error")))
	// By keyboard: the field has the focus, Enter sends the form.
	b.waitFor("the token field has the focus", `document.activeElement === document.getElementById('token')`)
	b.do("sign in", chromedp.SendKeys(chromedp.CSS("#token"), env["ADMIN_TOKEN"]+"\r"),
		chromedp.WaitVisible(chromedp.CSS(`nav[aria-label="Console"]`)))
	b.page("accounts")

	b.do("open the demo account's domains", chromedp.Click(chromedp.CSS(`td.links a[href$="/domains"]`)), chromedp.WaitVisible(chromedp.CSS("#domain")))
	b.do("add a domain", chromedp.SendKeys(chromedp.CSS("#domain"), domain), chromedp.Submit(chromedp.CSS("#domain")),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-domain="`+domain+`"] .txt-value`)))
	txtName := b.text("read the TXT name", `tr[data-domain="`+domain+`"] .txt-name`)
	txtValue := b.text("read the TXT value", `tr[data-domain="`+domain+`"] .txt-value`)
	b.do("verify before publishing", chromedp.Click(chromedp.CSS(`button[aria-label="Verify `+domain+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.flash.error`)))
	if msg := b.text("read the refusal", "p.flash.error"); !strings.Contains(msg, "still pending") {
		b.fail("verification fails with its reason", fmt.Errorf("the page says %q", msg))
	}
	b.page("domains-pending")

	b.do("publish the TXT record on the DNS page", chromedp.Click(chromedp.CSS(`nav a[href="/console/dns"]`)), chromedp.WaitVisible(chromedp.CSS("#txt-name")),
		chromedp.SendKeys(chromedp.CSS("#txt-name"), txtName), chromedp.SendKeys(chromedp.CSS("#txt-value"), txtValue),
		chromedp.Submit(chromedp.CSS("#txt-value")), chromedp.WaitVisible(chromedp.CSS("p.flash.ok")))
	b.waitFor("the record is listed", `document.body.innerText.includes(`+js(txtValue)+`)`)
	b.page("dns")
	b.do("verify", chromedp.Navigate(console+"accounts/"+accountID+"/domains"), chromedp.WaitVisible(chromedp.CSS(`button[aria-label="Verify `+domain+`"]`)),
		chromedp.Click(chromedp.CSS(`button[aria-label="Verify `+domain+`"]`)), chromedp.WaitVisible(chromedp.CSS("p.flash.ok")))
	b.waitFor("the domain is verified", `document.querySelector('#verified + .scroll tr[data-domain=`+js(domain)+`]') !== null`)

	b.do("open SCIM configuration", chromedp.Click(chromedp.CSS(`nav a[href$="/scim"]`)), chromedp.WaitVisible(chromedp.CSS("#token-description")))
	b.do("generate a token", chromedp.SendKeys(chromedp.CSS("#token-description"), "browser journey"), chromedp.Submit(chromedp.CSS("#token-description")),
		chromedp.WaitVisible(chromedp.CSS("#new-token")))
	token := b.text("read the new token", "#new-token")
	baseURL := b.text("read the SCIM base URL", "#base-url")
	b.page("scim-new-token")
	if baseURL != env["SCIM_BASE_URL"] {
		t.Errorf("the SCIM configuration page shows base URL %q, serve printed %q", baseURL, env["SCIM_BASE_URL"])
	}
	b.do("reload SCIM configuration", chromedp.Click(chromedp.CSS(`nav a[href$="/scim"]`)), chromedp.WaitVisible(chromedp.CSS("#token-description")))
	b.waitFor("the token is listed, its value is not", `document.body.innerText.includes("2 of 10 tokens") && !document.body.innerHTML.includes(`+js(token)+`) && document.querySelectorAll('tr[data-token]').length === 2`)

	b.do("open the journal", chromedp.Click(chromedp.CSS(`nav a[href="/console/journal"]`)), chromedp.WaitVisible(chromedp.CSS("#journal-rows")))
	b.waitFor("the live tail is connected", `document.getElementById('live-status').textContent.startsWith('Live')`)
	user := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@` + domain + `","name":{"givenName":"Ada","familyName":"Lovelace"},"active":true}`
	if got := scim(t, http.MethodPost, baseURL+"/Users", token, user); got != http.StatusCreated {
		t.Fatalf("a SCIM client's POST /Users with the console's token = %d, want 201", got)
	}
	b.waitFor("the request shows in the live journal", `[...document.querySelectorAll('#journal-rows tr')].some(r => r.querySelector('td.path').textContent.endsWith('/Users') && r.querySelector('td.status').textContent === '201')`)
	b.page("journal")
	b.do("open the exchange", chromedp.Click(chromedp.CSS(`#journal-rows tr:first-child a`)), chromedp.WaitVisible(chromedp.CSS("pre.wire")))
	b.waitFor("the exchange is shown with its token redacted", `document.body.innerText.includes('ada@`+domain+`') && !document.body.innerHTML.includes(`+js(token)+`)`)
	b.page("exchange")

	b.do("open Users", chromedp.Navigate(console+"accounts/"+accountID+"/users"), chromedp.WaitVisible(chromedp.CSS(`tr[data-user="ada@`+domain+`"]`)))
	b.page("users")

	// An Entra-style PATCH ("Replace") is accepted, then refused with the
	// switch on.
	patch := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":true}]}`
	id := userID(t, baseURL, token, "ada@"+domain)
	if got := scim(t, http.MethodPatch, baseURL+"/Users/"+id, token, patch); got != http.StatusOK && got != http.StatusNoContent {
		t.Errorf("PATCH with op Replace (Entra ID's) = %d, want 200 or 204", got)
	}
	b.do("open the switches", chromedp.Click(chromedp.CSS(`nav a[href="/console/switches"]`)), chromedp.WaitVisible(chromedp.CSS(`tr[data-switch="refuse-capitalized-ops"] button`)))
	b.do("turn refuse-capitalized-ops on", chromedp.Click(chromedp.CSS(`tr[data-switch="refuse-capitalized-ops"] button`)), chromedp.WaitVisible(chromedp.CSS(`tr.on[data-switch="refuse-capitalized-ops"]`)))
	b.page("switches")
	if got := scim(t, http.MethodPatch, baseURL+"/Users/"+id, token, patch); got != http.StatusBadRequest {
		t.Errorf("PATCH with op Replace and refuse-capitalized-ops on = %d, want 400", got)
	}
	b.do("see the refusal in the journal", chromedp.Navigate(console+"journal?method=PATCH"), chromedp.WaitVisible(chromedp.CSS("#journal-rows tr")))
	b.waitFor("the refused PATCH is listed with its rule", `[...document.querySelectorAll('#journal-rows tr')].some(r => r.querySelector('td.status').textContent === '400' && r.textContent.includes('invalidSyntax'))`)
	b.do("turn it off", chromedp.Navigate(console+"switches"), chromedp.Click(chromedp.CSS(`tr[data-switch="refuse-capitalized-ops"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-switch="refuse-capitalized-ops"]:not(.on)`)))
	if got := scim(t, http.MethodPatch, baseURL+"/Users/"+id, token, patch); got != http.StatusOK && got != http.StatusNoContent {
		t.Errorf("PATCH with op Replace after the switch is off = %d, want 200 or 204", got)
	}

	b.do("open the client report", chromedp.Click(chromedp.CSS(`nav a[href="/console/client-report"]`)), chromedp.WaitVisible(chromedp.CSS("iframe.report")))
	b.page("client-report")
	group := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineers","members":[{"value":"` + id + `"}]}`
	if got := scim(t, http.MethodPost, baseURL+"/Groups", token, group); got != http.StatusCreated {
		t.Fatalf("POST /Groups = %d, want 201", got)
	}
	b.do("open Groups", chromedp.Navigate(console+"accounts/"+accountID+"/groups"), chromedp.WaitVisible(chromedp.CSS("#group-name")))
	b.waitFor("the SCIM group is shown locked", `[...document.querySelectorAll('section.card')].some(c => c.textContent.includes('Engineers') && c.querySelector('.locked') !== null && c.querySelector('input[name=permissionName]') !== null)`)
	b.page("groups")
	b.do("open Limits", chromedp.Navigate(console+"accounts/"+accountID+"/limits"), chromedp.WaitVisible(chromedp.CSS("#maxUsers")))
	b.page("limits")

	b.do("reset", chromedp.Click(chromedp.CSS(`header form[action="/console/reset"] button`)), chromedp.WaitVisible(chromedp.CSS("p.flash.ok")))
	b.waitFor("only the demo account is left", `document.querySelectorAll('main tbody tr').length === 1`)
	if got := scim(t, http.MethodGet, baseURL+"/Users", token, ""); got != http.StatusUnauthorized {
		t.Errorf("the console's token after reset = %d, want 401", got)
	}
	b.do("sign out", chromedp.Click(chromedp.CSS(`header form[action="/console/signout"] button`)), chromedp.WaitVisible(chromedp.CSS("#token")))
	b.do("no session after sign-out", chromedp.Navigate(console+"switches"), chromedp.WaitVisible(chromedp.CSS("#token")))
}

// userID finds a user's id by userName through SCIM.
func userID(t *testing.T, baseURL, token, userName string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, baseURL+`/Users?filter=`+strings.ReplaceAll(`userName eq "`+userName+`"`, " ", "%20"), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("no user %s in %s", userName, body)
	}
	return m[1]
}
