package scimtest

// Helpers of the dynatrace profile: the management API (the mock's stand-in
// for Dynatrace's Account Management) spoken over plain HTTP through Client,
// so that every exchange lands in the spec's transcript, and throw-away
// accounts for the specs that change account-wide state (limits, tokens,
// domains) and so must not share the demo account with specs running in
// parallel processes.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
)

// scimPathMarker is what precedes the account id in a Dynatrace SCIM base
// URL: https://host/idm/public/scim/{accountId}/v2.
const scimPathMarker = "/idm/public/scim/"

var uniqueSeq atomic.Int64

// UniqueName returns a name unique to this run, this parallel process and
// this call: "<Prefix>-p<process>-<n>". Name alone is unique per process
// only (each process counts from 1), so two processes of one run can
// produce the same name; UniqueName cannot.
func (t *Target) UniqueName() string {
	return fmt.Sprintf("%s-p%d-%d", t.Prefix(), ginkgo.GinkgoParallelProcess(), uniqueSeq.Add(1))
}

// UniqueDomain returns a fresh DNS name for domain-verification specs:
// "<UniqueName>.example.net", one label under a reserved domain.
func (t *Target) UniqueDomain() string {
	return strings.ToLower(t.UniqueName()) + ".example.net"
}

// Admin returns a client of the management API (AdminURL, admin token).
func (t *Target) Admin() *Client { return NewClient(t.AdminURL, t.AdminToken) }

// AccountID is the account segment of the SCIM base URL, "" when the base
// URL does not have Dynatrace's shape.
func (t *Target) AccountID() string {
	_, rest, ok := strings.Cut(t.BaseURL, scimPathMarker)
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	return id
}

// SCIMBaseURL returns the SCIM base URL of another account on the same
// host as the target: <host>/idm/public/scim/<accountID>/v2.
func (t *Target) SCIMBaseURL(accountID string) string {
	host, _, ok := strings.Cut(t.BaseURL, scimPathMarker)
	if !ok {
		host = t.BaseURL
	}
	return host + scimPathMarker + url.PathEscape(accountID) + "/v2"
}

// Account is an account of the target, as the management API knows it.
type Account struct {
	ID    string
	Admin *Client
	// Path is the account's management path, "/accounts/<id>".
	Path string
	// Domain is the domain verified by NewSCIMAccount; Token and TokenID
	// the SCIM token it generated; SCIM a client of the account's SCIM
	// endpoint with that token.
	Domain  string
	Token   string
	TokenID string
	SCIM    *Client
}

// Account is the target's own account, the one its SCIM base URL names
// (AccountID), with SCIM the target's client. Unlike NewAccount it creates
// nothing: specs that change it must undo what they change.
func (t *Target) Account() *Account {
	id := t.AccountID()
	return &Account{ID: id, Admin: t.Admin(), Path: accountPath(id), SCIM: t.Client}
}

func accountPath(id string) string { return "/accounts/" + url.PathEscape(id) }

// NewAccount creates an empty account through the management API and
// deletes it (and with it everything in it) at the end of the spec.
func (t *Target) NewAccount(ctx context.Context) *Account {
	admin := t.Admin()
	r := admin.Post(ctx, "/accounts", map[string]any{"name": t.UniqueName()})
	gomega.ExpectWithOffset(1, r).To(HaveStatus(201), "creating a throw-away account through the management API")
	id := r.Str("id")
	gomega.ExpectWithOffset(1, id).NotTo(gomega.BeEmpty(), "the new account has an id: %s", r)
	a := &Account{ID: id, Admin: admin, Path: accountPath(id)}
	ginkgo.DeferCleanup(func(ctx context.Context) { admin.Delete(ctx, a.Path) })
	return a
}

// NewSCIMAccount creates an account with one verified domain and one SCIM
// token, and a SCIM client of its endpoint: what a Dynatrace customer has
// once SCIM is configured.
func (t *Target) NewSCIMAccount(ctx context.Context) *Account {
	a := t.NewAccount(ctx)
	a.Domain = t.UniqueDomain()
	a.VerifyDomain(ctx, t, a.Domain)
	a.TokenID, a.Token = a.NewToken(ctx, "scimconf "+t.RunID)
	a.SCIM = NewClient(t.SCIMBaseURL(a.ID), a.Token)
	return a
}

// AddDomain adds domain to the account; the answer is the pending domain
// with the TXT record to publish.
func (a *Account) AddDomain(ctx context.Context, domain string) *Response {
	r := a.Admin.Post(ctx, a.Path+"/domains", map[string]any{"domain": domain})
	gomega.ExpectWithOffset(1, r).To(HaveStatus(200, 201), "adding domain %s to the account", domain)
	return r
}

// PublishTXT publishes a TXT record set in the target's DNS mock and
// removes it at the end of the spec.
func (t *Target) PublishTXT(ctx context.Context, name string, values ...string) {
	admin := t.Admin()
	path := "/dns/txt/" + url.PathEscape(name)
	r := admin.Put(ctx, path, map[string]any{"values": values})
	gomega.ExpectWithOffset(1, r).To(HaveStatus(200, 201, 204), "publishing the TXT record %s in the DNS mock", name)
	ginkgo.DeferCleanup(func(ctx context.Context) { admin.Delete(ctx, path) })
}

// Verify asks the target to check domain's TXT record now.
func (a *Account) Verify(ctx context.Context, domain string) *Response {
	return a.Admin.Post(ctx, a.Path+"/domains/"+url.PathEscape(domain)+"/verify", nil)
}

// VerifyDomain adds domain, publishes its TXT record and verifies it,
// expecting VERIFIED.
func (a *Account) VerifyDomain(ctx context.Context, t *Target, domain string) {
	add := a.Admin.Post(ctx, a.Path+"/domains", map[string]any{"domain": domain})
	gomega.ExpectWithOffset(1, add).To(HaveStatus(200, 201), "adding domain %s to the account", domain)
	name, value := add.Str("txtName"), add.Str("txtValue")
	gomega.ExpectWithOffset(1, value).NotTo(gomega.BeEmpty(), "a pending domain names the TXT value to publish: %s", add)
	if name == "" {
		name = domain
	}
	t.PublishTXT(ctx, name, value)
	v := a.Verify(ctx, domain)
	gomega.ExpectWithOffset(1, v).To(HaveStatus(200), "verifying domain %s after publishing its TXT record", domain)
	gomega.ExpectWithOffset(1, v.Str("status")).To(gomega.Equal("VERIFIED"), "the TXT record is published, so the domain verifies: %s", v)
}

// NewToken generates a SCIM token, expecting 201 with its id and value.
func (a *Account) NewToken(ctx context.Context, description string) (id, value string) {
	r := a.Admin.Post(ctx, a.Path+"/scim-tokens", map[string]any{"description": description})
	gomega.ExpectWithOffset(1, r).To(HaveStatus(201), "generating a SCIM token")
	id, value = r.Str("id"), r.Str("token")
	gomega.ExpectWithOffset(1, id).NotTo(gomega.BeEmpty(), "a new token has an id: %s", r)
	gomega.ExpectWithOffset(1, value).NotTo(gomega.BeEmpty(), "a new token's value is shown at generation: %s", r)
	return id, value
}

// DeleteToken deletes the SCIM token with id; the answer is returned for
// the caller to judge.
func (a *Account) DeleteToken(ctx context.Context, id string) *Response {
	return a.Admin.Delete(ctx, a.Path+"/scim-tokens/"+url.PathEscape(id))
}

// Limits reads the account's limits.
func (a *Account) Limits(ctx context.Context) map[string]any {
	r := a.Admin.Get(ctx, a.Path+"/limits")
	gomega.ExpectWithOffset(1, r).To(HaveStatus(200), "reading the account's limits")
	return r.JSON
}

// SetLimit sets one limit ("maxUsers", "maxGroups", "maxGroupsPerUser",
// "maxPermissionsPerGroup"), keeping the others.
func (a *Account) SetLimit(ctx context.Context, name string, value int) {
	l := a.Admin.Get(ctx, a.Path+"/limits")
	gomega.ExpectWithOffset(1, l).To(HaveStatus(200), "reading the account's limits")
	body := map[string]any{}
	for _, k := range []string{"maxUsers", "maxGroups", "maxGroupsPerUser", "maxPermissionsPerGroup"} {
		body[k] = l.JSON[k]
	}
	body[name] = value
	r := a.Admin.Put(ctx, a.Path+"/limits", body)
	gomega.ExpectWithOffset(1, r).To(HaveStatus(200, 204), "setting %s to %d", name, value)
}

// JSONArray decodes a body that is a JSON array of objects (the management
// API's lists); nil when it is not one.
func (r *Response) JSONArray() []map[string]any {
	var arr []map[string]any
	if err := json.Unmarshal(r.Body, &arr); err != nil {
		return nil
	}
	return arr
}
