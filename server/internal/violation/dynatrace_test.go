package violation_test

import (
	"context"
	"errors"
	"testing"

	"github.com/scimconf/scimconf/server/internal/dynatrace"
	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
	"github.com/scimconf/scimconf/server/internal/violation"
)

func switches(t *testing.T, names ...string) *violation.Set {
	t.Helper()
	set, err := violation.New(names...)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestUserRule(t *testing.T) {
	verified := dynatrace.DomainsFunc(func(_ context.Context, d string) bool { return d == "example.com" })
	rule := dynatrace.Users(verified)
	ctx := context.Background()
	tests := []struct {
		switches      []string
		current, next map[string]any
		wantErr       bool
		wantUserName  string
	}{
		{nil, nil, map[string]any{"userName": "jo"}, true, "jo"},
		{[]string{"username-need-not-be-email"}, nil, map[string]any{"userName": "jo"}, false, "jo"},
		{nil, nil, map[string]any{"userName": "jo@other.com"}, true, "jo@other.com"},
		{[]string{"accept-unverified-domain"}, nil, map[string]any{"userName": "jo@other.com"}, false, "jo@other.com"},
		{nil, map[string]any{"userName": "a@example.com"}, map[string]any{"userName": "b@example.com"}, false, "a@example.com"},
		{[]string{"apply-username-change"}, map[string]any{"userName": "a@example.com"}, map[string]any{"userName": "b@example.com"}, false, "b@example.com"},
		{[]string{"apply-username-change"}, map[string]any{"userName": "a@example.com"}, map[string]any{"userName": "b@other.com"}, true, "b@other.com"},
	}
	for i, tt := range tests {
		err := violation.UserRule(switches(t, tt.switches...), rule)(ctx, tt.current, tt.next)
		if (err != nil) != tt.wantErr || tt.next["userName"] != tt.wantUserName {
			t.Errorf("case %d %v: error %v, userName %v; want error %v, userName %s", i, tt.switches, err, tt.next["userName"], tt.wantErr, tt.wantUserName)
		}
	}
}

type txt map[string][]string

func (r txt) LookupTXT(_ context.Context, name string) ([]string, error) { return r[name], nil }

func TestVerifiedDomains(t *testing.T) {
	reg := account.NewRegistry(nil)
	a, _ := reg.CreateAccount("acme")
	d, _ := a.MarkVerified("example.com")
	inner := func(_ context.Context, n string) bool { return a.IsVerified(n) }
	ctx := context.Background()
	res := txt{}

	if violation.VerifiedDomains(switches(t), inner, a, res)(ctx, "uk.example.com") {
		t.Error("a subdomain is verified with every switch off")
	}
	if !violation.VerifiedDomains(switches(t, "parent-covers-subdomain"), inner, a, res)(ctx, "uk.example.com") {
		t.Error("parent-covers-subdomain: the subdomain is not verified")
	}
	forever := violation.VerifiedDomains(switches(t, "domain-needs-txt-forever"), inner, a, res)
	if forever(ctx, "example.com") {
		t.Error("domain-needs-txt-forever: verified without its TXT record")
	}
	res[d.TXTName] = []string{d.TXTValue}
	if !forever(ctx, "example.com") {
		t.Error("domain-needs-txt-forever: not verified with its TXT record")
	}
}

func TestAccountOptions(t *testing.T) {
	set := switches(t)
	reg := account.NewRegistry(txt{"example.com": {"anything"}}, violation.AccountOptions(set, account.CheckToken, account.CheckGroup)...)
	a, _ := reg.CreateAccount("acme")
	if _, _, err := a.GenerateToken(""); !errors.Is(err, account.ErrNoVerifiedDomain) {
		t.Errorf("a token without a verified domain: %v", err)
	}
	set.Enable("tokens-without-domain")
	if _, _, err := a.GenerateToken(""); err != nil {
		t.Errorf("tokens-without-domain: %v", err)
	}
	a.AddDomain("example.com")
	if d, _ := a.VerifyDomain(context.Background(), "example.com"); d.Status == account.DomainVerified {
		t.Error("a TXT record of another value verified the domain")
	}
	set.Enable("txt-value-unchecked")
	if d, _ := a.VerifyDomain(context.Background(), "example.com"); d.Status != account.DomainVerified {
		t.Error("txt-value-unchecked: any TXT record does not verify the domain")
	}
	for range account.MaxTokens - 1 {
		a.GenerateToken("")
	}
	if _, _, err := a.GenerateToken(""); !errors.Is(err, account.ErrTokenCap) {
		t.Errorf("token %d: %v", account.MaxTokens+1, err)
	}
	set.Enable("allow-11th-token")
	if _, _, err := a.GenerateToken(""); err != nil {
		t.Errorf("allow-11th-token: %v", err)
	}

	l := account.DefaultLimits()
	l.MaxGroups = 1
	a.SetLimits(l)
	a.CreateLocalGroup("Ops", "")
	if _, err := a.ClaimSCIMGroup("ops"); !errors.Is(err, account.ErrGroupNameTaken) {
		t.Errorf("a SCIM group named like a LOCAL group: %v", err)
	}
	set.Enable("scim-local-name-clash")
	if _, err := a.ClaimSCIMGroup("ops"); !errors.Is(err, account.ErrGroupLimit) {
		t.Errorf("scim-local-name-clash: the name is still refused, or the limit is not: %v", err)
	}
	set.Enable("group-limit-ignores-local")
	c, err := a.ClaimSCIMGroup("ops")
	if err != nil {
		t.Errorf("group-limit-ignores-local: %v", err)
	}
	c.Release()
}
