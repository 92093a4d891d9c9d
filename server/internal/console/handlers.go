package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/scimconf/scimconf/server/mockclient"
)

// tokenCap is how many SCIM tokens an account may hold, as the seed's FAQ
// says (rule DT-TOKEN-CAP). The console only shows it; the management API
// enforces it and its refusal is what the page then shows.
const tokenCap = 10

func (c *Console) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
	})
	m.HandleFunc("GET /console", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
	})
	m.HandleFunc("GET "+Prefix+"signin", c.signinPage)
	m.HandleFunc("POST "+Prefix+"signin", c.signin)
	m.HandleFunc("GET "+Prefix+"assets/{file}", c.signedIn(c.asset))
	m.HandleFunc("POST "+Prefix+"signout", c.signedIn(c.signout))

	m.HandleFunc("GET "+Prefix+"{$}", c.signedIn(c.accountsPage))
	m.HandleFunc("POST "+Prefix+"accounts", c.signedIn(c.createAccount))
	m.HandleFunc("POST "+Prefix+"accounts/{id}/delete", c.signedIn(c.deleteAccount))
	m.HandleFunc("POST "+Prefix+"reset", c.signedIn(c.reset))

	m.HandleFunc("GET "+Prefix+"accounts/{id}/domains", c.signedIn(c.domainsPage))
	m.HandleFunc("POST "+Prefix+"accounts/{id}/domains", c.signedIn(c.addDomain))
	m.HandleFunc("POST "+Prefix+"accounts/{id}/domains/{domain}/verify", c.signedIn(c.verifyDomain))
	m.HandleFunc("POST "+Prefix+"accounts/{id}/domains/{domain}/delete", c.signedIn(c.deleteDomain))
	m.HandleFunc("GET "+Prefix+"dns", c.signedIn(c.dnsPage))
	m.HandleFunc("POST "+Prefix+"dns", c.signedIn(c.publishTXT))
	m.HandleFunc("POST "+Prefix+"dns/delete", c.signedIn(c.deleteTXT))

	m.HandleFunc("GET "+Prefix+"accounts/{id}/scim", c.signedIn(c.scimPage))
	m.HandleFunc("POST "+Prefix+"accounts/{id}/scim/tokens", c.signedIn(c.generateToken))
	m.HandleFunc("POST "+Prefix+"accounts/{id}/scim/tokens/{tid}/description", c.signedIn(c.describeToken))
	m.HandleFunc("POST "+Prefix+"accounts/{id}/scim/tokens/{tid}/delete", c.signedIn(c.deleteToken))

	m.HandleFunc("GET "+Prefix+"accounts/{id}/groups", c.signedIn(c.groupsPage))
	m.HandleFunc("POST "+Prefix+"accounts/{id}/groups", c.signedIn(c.createGroup))
	m.HandleFunc("POST "+Prefix+"accounts/{id}/groups/{gid}/edit", c.signedIn(c.editGroup))
	m.HandleFunc("POST "+Prefix+"accounts/{id}/groups/{gid}/delete", c.signedIn(c.deleteGroup))
	m.HandleFunc("POST "+Prefix+"accounts/{id}/groups/{gid}/permissions", c.signedIn(c.permissions))
	m.HandleFunc("GET "+Prefix+"accounts/{id}/users", c.signedIn(c.usersPage))
	m.HandleFunc("GET "+Prefix+"accounts/{id}/limits", c.signedIn(c.limitsPage))
	m.HandleFunc("POST "+Prefix+"accounts/{id}/limits", c.signedIn(c.setLimits))

	m.HandleFunc("GET "+Prefix+"journal", c.signedIn(c.journalPage))
	m.HandleFunc("GET "+Prefix+"journal/stream", c.signedIn(c.journalStream))
	m.HandleFunc("GET "+Prefix+"journal/{seq}", c.signedIn(c.exchangePage))
	m.HandleFunc("POST "+Prefix+"journal/clear", c.signedIn(c.clearJournal))
	m.HandleFunc("GET "+Prefix+"client-report", c.signedIn(c.reportPage))
	m.HandleFunc("GET "+Prefix+"client-report/frame", c.signedIn(c.reportFrame))
	m.HandleFunc("GET "+Prefix+"switches", c.signedIn(c.switchesPage))
	m.HandleFunc("POST "+Prefix+"switches/{name}", c.signedIn(c.toggleSwitch))
	m.HandleFunc("POST "+Prefix+"faults", c.signedIn(c.addFault))
	m.HandleFunc("POST "+Prefix+"faults/clear", c.signedIn(c.clearFaults))
	m.HandleFunc("POST "+Prefix+"faults/{fid}/delete", c.signedIn(c.deleteFault))
	c.mux = m
}

// ctx is a request's context bounded for one management API call.
func apiCtx(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), apiTimeout)
}

// view is what every page template gets.
type view struct {
	Title   string
	Section string // the navigation entry that is current
	CSRF    string
	Flash   []flash
	Rules   string
	Account *mockclient.Account
	Data    any
	// Nonce and Style put the stylesheet inline on the pages shown without
	// a session (sign-in, refusals), which may not load the asset.
	Nonce string
	Style template.CSS
}

// show renders a page of a signed-in session.
func (c *Console) show(w http.ResponseWriter, s *session, name string, v view) {
	c.showStatus(w, s, http.StatusOK, name, v)
}

// showStatus renders a page of a signed-in session with a status.
func (c *Console) showStatus(w http.ResponseWriter, s *session, status int, name string, v view) {
	v.CSRF, v.Flash, v.Rules = s.csrf, append(c.takeFlash(s), v.Flash...), c.cfg.Rules
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	c.pages.render(w, name, v)
}

// bare renders a page that needs no session, its stylesheet inline under a
// nonce of this answer's Content-Security-Policy.
func (c *Console) bare(w http.ResponseWriter, status int, name string, v view) {
	v.Nonce = randomString(16)
	v.Style = template.CSS(styleCSS)
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+v.Nonce+"'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	c.pages.render(w, name, v)
}

// fail shows an error page for a failed read of the management API.
func (c *Console) fail(w http.ResponseWriter, s *session, err error) {
	status := http.StatusBadGateway
	var e *mockclient.APIError
	if errors.As(err, &e) {
		status = e.Status
	}
	c.showStatus(w, s, status, "error", view{Title: "Error", Data: apiFlash(err).Text})
}

// back redirects to a page of the console after a write.
func back(w http.ResponseWriter, r *http.Request, path string) {
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// localPath returns p when it is a path of the console, else def: a
// redirect never leaves the console.
func localPath(p, def string) string {
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(p, "//") || strings.Contains(p, "\\") {
		return def
	}
	// http.Redirect cleans the path: judge the path it will send to.
	clean := path.Clean(u.Path)
	if strings.HasSuffix(u.Path, "/") && clean != "/" {
		clean += "/"
	}
	if !strings.HasPrefix(clean, Prefix) {
		return def
	}
	u.Path = clean
	return u.RequestURI()
}

func acctURL(id, page string) string { return Prefix + "accounts/" + url.PathEscape(id) + "/" + page }

// --- sign-in ---

type signinData struct {
	Next  string
	Error string
}

func (c *Console) signinPage(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"), Prefix)
	if c.session(r) != nil {
		back(w, r, next)
		return
	}
	c.bare(w, http.StatusOK, "signin", view{Title: "Sign in", Data: signinData{Next: next}})
}

func (c *Console) signin(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.PostFormValue("next"), Prefix)
	refuse := func(status int, msg string) {
		c.bare(w, status, "signin", view{Title: "Sign in", Data: signinData{Next: next, Error: msg}})
	}
	if !sameOrigin(r) {
		refuse(http.StatusForbidden, "This sign-in was posted from another site.")
		return
	}
	token := strings.TrimSpace(r.PostFormValue("token"))
	if token == "" {
		refuse(http.StatusBadRequest, "Enter the admin token (ADMIN_TOKEN in what scimconf serve printed).")
		return
	}
	// The management API decides: the console signs in whoever it opens to.
	ctx, cancel := apiCtx(r)
	defer cancel()
	cl := &mockclient.Client{BaseURL: c.cfg.AdminURL, Token: token, HTTP: c.cfg.HTTP}
	if _, err := cl.Accounts(ctx); err != nil {
		if mockclient.IsStatus(err, http.StatusUnauthorized) {
			refuse(http.StatusUnauthorized, "That is not the admin token. A SCIM token opens its account's SCIM endpoint only, never the console: use ADMIN_TOKEN from what scimconf serve printed.")
			return
		}
		c.log.Warn("console: sign-in could not ask the management API", "err", err)
		refuse(http.StatusBadGateway, "The management API did not answer: "+err.Error())
		return
	}
	s := c.newSession(token)
	setCookie(w, r, s)
	back(w, r, next)
}

func (c *Console) signout(w http.ResponseWriter, r *http.Request, s *session) {
	c.endSession(s)
	setCookie(w, r, nil)
	back(w, r, Prefix+"signin")
}

func (c *Console) asset(w http.ResponseWriter, r *http.Request, _ *session) {
	name := r.PathValue("file")
	data, err := assetFS.ReadFile("assets/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch {
	case strings.HasSuffix(name, ".css"):
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case strings.HasSuffix(name, ".js"):
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	}
	w.Write(data)
}

// --- accounts ---

func (c *Console) accountsPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	accts, err := c.client(s).Accounts(ctx)
	if err != nil {
		c.fail(w, s, err)
		return
	}
	c.show(w, s, "accounts", view{Title: "Accounts", Section: "accounts", Data: accts})
}

func (c *Console) createAccount(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	a, err := c.client(s).CreateAccount(ctx, strings.TrimSpace(r.PostFormValue("name")))
	if err != nil {
		c.addFlash(s, apiFlash(err))
		back(w, r, Prefix)
		return
	}
	c.addFlash(s, flash{Kind: "ok", Text: fmt.Sprintf("Account %q created. Add a domain and verify it before SCIM can use the account.", a.Name)})
	back(w, r, acctURL(a.ID, "domains"))
}

func (c *Console) deleteAccount(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	if err := c.client(s).DeleteAccount(ctx, r.PathValue("id")); err != nil {
		c.addFlash(s, apiFlash(err))
	} else {
		c.addFlash(s, flash{Kind: "ok", Text: "Account deleted; its SCIM tokens stopped working."})
	}
	back(w, r, Prefix)
}

func (c *Console) reset(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	if err := c.client(s).Reset(ctx); err != nil {
		c.addFlash(s, apiFlash(err))
	} else {
		c.addFlash(s, flash{Kind: "ok", Text: "The mock was reset: accounts, DNS records, journal and faults are as at start; the demo account has a new SCIM token (see the server's output)."})
	}
	back(w, r, Prefix)
}

// account reads the account of the request's {id}, or shows an error.
func (c *Console) account(w http.ResponseWriter, r *http.Request, s *session) (*mockclient.Account, bool) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	a, err := c.client(s).Account(ctx, r.PathValue("id"))
	if err != nil {
		c.fail(w, s, err)
		return nil, false
	}
	return &a, true
}

// --- domains and DNS ---

type domainsData struct {
	Pending, Verified []mockclient.Domain
	DNSMock           bool
}

func (c *Console) domainsPage(w http.ResponseWriter, r *http.Request, s *session) {
	a, ok := c.account(w, r, s)
	if !ok {
		return
	}
	ctx, cancel := apiCtx(r)
	defer cancel()
	ds, err := c.client(s).Domains(ctx, a.ID)
	if err != nil {
		c.fail(w, s, err)
		return
	}
	var d domainsData
	for _, x := range ds {
		if x.Status == mockclient.DomainVerified {
			d.Verified = append(d.Verified, x)
		} else {
			d.Pending = append(d.Pending, x)
		}
	}
	_, err = c.client(s).TXTRecords(ctx)
	d.DNSMock = err == nil
	c.show(w, s, "domains", view{Title: "Domain verification", Section: "domains", Account: a, Data: d})
}

func (c *Console) addDomain(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	ctx, cancel := apiCtx(r)
	defer cancel()
	d, err := c.client(s).AddDomain(ctx, id, strings.TrimSpace(r.PostFormValue("domain")))
	if err != nil {
		c.addFlash(s, apiFlash(err))
	} else {
		c.addFlash(s, flash{Kind: "ok", Text: fmt.Sprintf("%s is pending: publish the TXT record below, then verify.", d.Domain)})
	}
	back(w, r, acctURL(id, "domains"))
}

func (c *Console) verifyDomain(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	ctx, cancel := apiCtx(r)
	defer cancel()
	d, err := c.client(s).VerifyDomain(ctx, id, r.PathValue("domain"))
	switch {
	case err != nil:
		c.addFlash(s, apiFlash(err))
	case d.Status == mockclient.DomainVerified:
		c.addFlash(s, flash{Kind: "ok", Text: d.Domain + " is verified: users with this domain can be provisioned."})
	default:
		c.addFlash(s, flash{Kind: "error", Text: d.Domain + " is still pending: " + d.Reason, Rule: "DT-DOMAIN-TXT"})
	}
	back(w, r, acctURL(id, "domains"))
}

func (c *Console) deleteDomain(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	ctx, cancel := apiCtx(r)
	defer cancel()
	if err := c.client(s).DeleteDomain(ctx, id, r.PathValue("domain")); err != nil {
		c.addFlash(s, apiFlash(err))
	} else {
		c.addFlash(s, flash{Kind: "ok", Text: r.PathValue("domain") + " removed."})
	}
	back(w, r, acctURL(id, "domains"))
}

func (c *Console) dnsPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	recs, err := c.client(s).TXTRecords(ctx)
	if err != nil {
		c.fail(w, s, err)
		return
	}
	c.show(w, s, "dns", view{Title: "DNS mock", Section: "dns", Data: recs})
}

func (c *Console) publishTXT(w http.ResponseWriter, r *http.Request, s *session) {
	to := localPath(r.PostFormValue("back"), Prefix+"dns")
	name, value := strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("value"))
	ctx, cancel := apiCtx(r)
	defer cancel()
	if _, err := c.client(s).SetTXT(ctx, name, value); err != nil {
		c.addFlash(s, apiFlash(err))
	} else {
		c.addFlash(s, flash{Kind: "ok", Text: fmt.Sprintf("TXT record published at %s.", name)})
	}
	back(w, r, to)
}

func (c *Console) deleteTXT(w http.ResponseWriter, r *http.Request, s *session) {
	name := r.PostFormValue("name")
	ctx, cancel := apiCtx(r)
	defer cancel()
	if err := c.client(s).DeleteTXT(ctx, name); err != nil {
		c.addFlash(s, apiFlash(err))
	} else {
		c.addFlash(s, flash{Kind: "ok", Text: fmt.Sprintf("TXT record at %s removed.", name)})
	}
	back(w, r, Prefix+"dns")
}

// --- SCIM configuration ---

type scimData struct {
	Tokens []mockclient.Token
	Cap    int
	// New is a token generated by this request: its value is shown this
	// once.
	New *mockclient.NewToken
}

func (c *Console) scimPage(w http.ResponseWriter, r *http.Request, s *session) {
	c.renderSCIM(w, r, s, nil)
}

func (c *Console) renderSCIM(w http.ResponseWriter, r *http.Request, s *session, nt *mockclient.NewToken) {
	a, ok := c.account(w, r, s)
	if !ok {
		return
	}
	ctx, cancel := apiCtx(r)
	defer cancel()
	ts, err := c.client(s).Tokens(ctx, a.ID)
	if err != nil {
		c.fail(w, s, err)
		return
	}
	c.show(w, s, "scim", view{Title: "SCIM configuration", Section: "scim", Account: a, Data: scimData{Tokens: ts, Cap: tokenCap, New: nt}})
}

// generateToken answers with the page itself, not a redirect, so that the
// value exists in this one answer only.
func (c *Console) generateToken(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	ctx, cancel := apiCtx(r)
	defer cancel()
	nt, err := c.client(s).CreateToken(ctx, id, strings.TrimSpace(r.PostFormValue("description")))
	if err != nil {
		c.addFlash(s, apiFlash(err))
		back(w, r, acctURL(id, "scim"))
		return
	}
	c.renderSCIM(w, r, s, &nt)
}

func (c *Console) describeToken(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	ctx, cancel := apiCtx(r)
	defer cancel()
	if _, err := c.client(s).UpdateToken(ctx, id, r.PathValue("tid"), strings.TrimSpace(r.PostFormValue("description"))); err != nil {
		c.addFlash(s, apiFlash(err))
	} else {
		c.addFlash(s, flash{Kind: "ok", Text: "Description saved."})
	}
	back(w, r, acctURL(id, "scim"))
}

func (c *Console) deleteToken(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	ctx, cancel := apiCtx(r)
	defer cancel()
	if err := c.client(s).DeleteToken(ctx, id, r.PathValue("tid")); err != nil {
		c.addFlash(s, apiFlash(err))
	} else {
		c.addFlash(s, flash{Kind: "ok", Text: "Token deleted: it stopped working at once."})
	}
	back(w, r, acctURL(id, "scim"))
}

// --- groups, users, limits ---

type groupsData struct {
	Groups []mockclient.Group
	Limits mockclient.Limits
}

func (c *Console) groupsPage(w http.ResponseWriter, r *http.Request, s *session) {
	a, ok := c.account(w, r, s)
	if !ok {
		return
	}
	ctx, cancel := apiCtx(r)
	defer cancel()
	gs, err := c.client(s).Groups(ctx, a.ID)
	if err != nil {
		c.fail(w, s, err)
		return
	}
	l, _ := c.client(s).Limits(ctx, a.ID)
	c.show(w, s, "groups", view{Title: "Groups", Section: "groups", Account: a, Data: groupsData{Groups: gs, Limits: l}})
}

func (c *Console) createGroup(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	ctx, cancel := apiCtx(r)
	defer cancel()
	g, err := c.client(s).CreateGroup(ctx, id, strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("description")))
	if err != nil {
		c.addFlash(s, apiFlash(err))
	} else {
		c.addFlash(s, flash{Kind: "ok", Text: fmt.Sprintf("LOCAL group %q created.", g.Name)})
	}
	back(w, r, acctURL(id, "groups"))
}

func (c *Console) editGroup(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	name, desc := strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("description"))
	ctx, cancel := apiCtx(r)
	defer cancel()
	if _, err := c.client(s).UpdateGroup(ctx, id, r.PathValue("gid"), mockclient.GroupUpdate{Name: &name, Description: &desc}); err != nil {
		c.addFlash(s, apiFlash(err))
	} else {
		c.addFlash(s, flash{Kind: "ok", Text: fmt.Sprintf("Group %q saved.", name)})
	}
	back(w, r, acctURL(id, "groups"))
}

func (c *Console) deleteGroup(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	ctx, cancel := apiCtx(r)
	defer cancel()
	if err := c.client(s).DeleteGroup(ctx, id, r.PathValue("gid")); err != nil {
		c.addFlash(s, apiFlash(err))
	} else {
		c.addFlash(s, flash{Kind: "ok", Text: "Group deleted."})
	}
	back(w, r, acctURL(id, "groups"))
}

// permissions adds (action=add) or removes (action=remove) one permission
// of a group, LOCAL or SCIM, by replacing the group's list.
func (c *Console) permissions(w http.ResponseWriter, r *http.Request, s *session) {
	id, gid := r.PathValue("id"), r.PathValue("gid")
	p := mockclient.Permission{
		Name:      strings.TrimSpace(r.PostFormValue("permissionName")),
		Scope:     strings.TrimSpace(r.PostFormValue("scope")),
		ScopeType: strings.TrimSpace(r.PostFormValue("scopeType")),
	}
	ctx, cancel := apiCtx(r)
	defer cancel()
	cl := c.client(s)
	perms, err := cl.Permissions(ctx, id, gid)
	if err == nil {
		if r.PostFormValue("action") == "remove" {
			perms = slices.DeleteFunc(perms, func(x mockclient.Permission) bool { return x == p })
		} else {
			perms = append(perms, p)
		}
		_, err = cl.SetPermissions(ctx, id, gid, perms)
	}
	if err != nil {
		c.addFlash(s, apiFlash(err))
	} else {
		c.addFlash(s, flash{Kind: "ok", Text: "Permissions saved."})
	}
	back(w, r, acctURL(id, "groups"))
}

type usersData struct {
	Users      []mockclient.User
	GroupNames map[string]string
	Limits     mockclient.Limits
}

func (c *Console) usersPage(w http.ResponseWriter, r *http.Request, s *session) {
	a, ok := c.account(w, r, s)
	if !ok {
		return
	}
	ctx, cancel := apiCtx(r)
	defer cancel()
	us, err := c.client(s).Users(ctx, a.ID)
	if err != nil {
		c.fail(w, s, err)
		return
	}
	d := usersData{Users: us, GroupNames: map[string]string{}}
	if gs, err := c.client(s).Groups(ctx, a.ID); err == nil {
		for _, g := range gs {
			d.GroupNames[g.ID] = g.Name
		}
	}
	d.Limits, _ = c.client(s).Limits(ctx, a.ID)
	c.show(w, s, "users", view{Title: "Users", Section: "users", Account: a, Data: d})
}

func (c *Console) limitsPage(w http.ResponseWriter, r *http.Request, s *session) {
	a, ok := c.account(w, r, s)
	if !ok {
		return
	}
	ctx, cancel := apiCtx(r)
	defer cancel()
	l, err := c.client(s).Limits(ctx, a.ID)
	if err != nil {
		c.fail(w, s, err)
		return
	}
	c.show(w, s, "limits", view{Title: "Limits", Section: "limits", Account: a, Data: l})
}

func (c *Console) setLimits(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("id")
	var l mockclient.Limits
	var bad []string
	for _, f := range []struct {
		name string
		dst  *int
	}{{"maxUsers", &l.MaxUsers}, {"maxGroups", &l.MaxGroups}, {"maxGroupsPerUser", &l.MaxGroupsPerUser}, {"maxPermissionsPerGroup", &l.MaxPermissionsPerGroup}} {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(f.name)))
		if err != nil {
			bad = append(bad, f.name)
		}
		*f.dst = n
	}
	if len(bad) > 0 {
		c.addFlash(s, flash{Kind: "error", Text: "Not a whole number: " + strings.Join(bad, ", ") + ". Nothing was changed."})
		back(w, r, acctURL(id, "limits"))
		return
	}
	ctx, cancel := apiCtx(r)
	defer cancel()
	if _, err := c.client(s).SetLimits(ctx, id, l); err != nil {
		c.addFlash(s, apiFlash(err))
	} else {
		c.addFlash(s, flash{Kind: "ok", Text: "Limits saved."})
	}
	back(w, r, acctURL(id, "limits"))
}

// --- violation switches and fault rules ---

type switchesData struct {
	Switches []mockclient.Violation
	Faults   []mockclient.FaultRule
	On       int
}

func (c *Console) switchesPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	vs, err := c.client(s).Violations(ctx)
	if err != nil {
		c.fail(w, s, err)
		return
	}
	fs, err := c.client(s).Faults(ctx)
	if err != nil {
		c.fail(w, s, err)
		return
	}
	d := switchesData{Switches: vs, Faults: fs}
	for _, v := range vs {
		if v.On {
			d.On++
		}
	}
	// The switches that are on first: they are what changes the mock.
	slices.SortStableFunc(d.Switches, func(a, b mockclient.Violation) int {
		switch {
		case a.On == b.On:
			return 0
		case a.On:
			return -1
		}
		return 1
	})
	c.show(w, s, "switches", view{Title: "Violation switches and faults", Section: "switches", Data: d})
}

func (c *Console) toggleSwitch(w http.ResponseWriter, r *http.Request, s *session) {
	name := r.PathValue("name")
	ctx, cancel := apiCtx(r)
	defer cancel()
	var (
		v   mockclient.Violation
		err error
	)
	if r.PostFormValue("on") == "true" {
		v, err = c.client(s).EnableViolation(ctx, name)
	} else {
		v, err = c.client(s).DisableViolation(ctx, name)
	}
	if err != nil {
		c.addFlash(s, apiFlash(err))
	} else if v.On {
		c.addFlash(s, flash{Kind: "ok", Text: fmt.Sprintf("%s is on: the mock now breaks this rule on purpose, from the next request.", v.Name)})
	} else {
		c.addFlash(s, flash{Kind: "ok", Text: fmt.Sprintf("%s is off.", v.Name)})
	}
	back(w, r, Prefix+"switches")
}

func (c *Console) addFault(w http.ResponseWriter, r *http.Request, s *session) {
	var rule mockclient.FaultRule
	dec := json.NewDecoder(strings.NewReader(r.PostFormValue("rule")))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rule); err != nil {
		c.addFlash(s, flash{Kind: "error", Text: "The fault rule is not valid JSON of a rule: " + err.Error() + ". Nothing was added."})
		back(w, r, Prefix+"switches")
		return
	}
	ctx, cancel := apiCtx(r)
	defer cancel()
	if got, err := c.client(s).AddFault(ctx, rule); err != nil {
		c.addFlash(s, apiFlash(err))
	} else {
		c.addFlash(s, flash{Kind: "ok", Text: "Fault rule " + got.ID + " added."})
	}
	back(w, r, Prefix+"switches")
}

func (c *Console) deleteFault(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	if err := c.client(s).DeleteFault(ctx, r.PathValue("fid")); err != nil {
		c.addFlash(s, apiFlash(err))
	} else {
		c.addFlash(s, flash{Kind: "ok", Text: "Fault rule " + r.PathValue("fid") + " removed."})
	}
	back(w, r, Prefix+"switches")
}

func (c *Console) clearFaults(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	if err := c.client(s).ClearFaults(ctx); err != nil {
		c.addFlash(s, apiFlash(err))
	} else {
		c.addFlash(s, flash{Kind: "ok", Text: "Every fault rule removed."})
	}
	back(w, r, Prefix+"switches")
}
