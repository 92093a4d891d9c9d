package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/scimconf/scimconf/server/mockclient"
)

const adminCommands = `Commands (ACCOUNT defaults to the only account, e.g. the demo account of "scimconf serve"):
  accounts list                      list accounts
  accounts create NAME               create an account
  domains list                       list the account's domains (PENDING or VERIFIED)
  domains add DOMAIN                 add a domain; prints the TXT record to publish
  domains verify DOMAIN              look the TXT record up; VERIFIED, or PENDING with the reason
  domains delete DOMAIN              remove a domain
  tokens list                        list SCIM tokens (never their values)
  tokens create [DESCRIPTION]        generate a SCIM token; its value is shown this once
  tokens describe ID DESCRIPTION     change a token's description
  tokens delete ID                   delete a token (it stops working at once)
  groups list                        list LOCAL and SCIM groups
  users list                         list users as account management sees them
  limits get                         show the account's limits
  limits set KEY=N...                set limits (maxUsers, maxGroups, maxGroupsPerUser, maxPermissionsPerGroup)
  dns set NAME VALUE...              publish TXT values in the mock's DNS server
  dns delete NAME                    remove a TXT record
  reset                              reset the whole mock (accounts, DNS records, resources)
Output is JSON.`

func runAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("admin", "Calls a running mock's management API (see README: Management API).\n\n"+adminCommands, stderr)
	url := fs.String("url", "http://127.0.0.1:8080/mock/v1", describe("management API base URL, as printed by serve", "ADMIN_URL"))
	token := fs.String("token", "", describe("management API token, as printed by serve", "ADMIN_TOKEN"))
	account := fs.String("account", "", describe("account id; default: the only account", "ACCOUNT_ID"))
	// The flags' environment variables, as their help says (a shell that
	// sourced serve's --env-file has ADMIN_URL and ADMIN_TOKEN).
	if err := fromEnv(fs); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	words := fs.Args()
	if len(words) == 0 {
		fs.Usage()
		return errUsage
	}
	if *token == "" {
		return fmt.Errorf("no admin token: pass --token or set ADMIN_TOKEN (scimconf serve prints it)")
	}
	c := &mockclient.Client{BaseURL: strings.TrimRight(*url, "/"), Token: *token, HTTP: &http.Client{Timeout: 30 * time.Second}}
	a := &adminCall{ctx: ctx, c: c, account: *account}
	out, err := a.dispatch(words)
	if err != nil {
		if ae, ok := err.(*mockclient.APIError); ok {
			msg := fmt.Sprintf("%d %s: %s", ae.Status, ae.Code, ae.Detail)
			if ae.Rule != "" {
				msg += " (rule " + ae.Rule + ")"
			}
			return fmt.Errorf("%s", msg)
		}
		if err == errUsage {
			fs.Usage()
		}
		return err
	}
	if out != nil {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	return nil
}

type adminCall struct {
	ctx     context.Context
	c       *mockclient.Client
	account string
}

// accountID returns --account, or the only account's id.
func (a *adminCall) accountID() (string, error) {
	if a.account != "" {
		return a.account, nil
	}
	accts, err := a.c.Accounts(a.ctx)
	if err != nil {
		return "", err
	}
	if len(accts) != 1 {
		ids := make([]string, len(accts))
		for i, x := range accts {
			ids[i] = x.ID + " (" + x.Name + ")"
		}
		return "", fmt.Errorf("the mock has %d accounts; choose one with --account: %s", len(accts), strings.Join(ids, ", "))
	}
	return accts[0].ID, nil
}

func (a *adminCall) dispatch(w []string) (any, error) {
	need := func(n int) error {
		if len(w) < n {
			return fmt.Errorf("%q needs %d argument(s)\n\n%s", strings.Join(w, " "), n-2, adminCommands)
		}
		return nil
	}
	key := w[0]
	if len(w) > 1 {
		key += " " + w[1]
	}
	if key == "reset" {
		return nil, a.c.Reset(a.ctx)
	}
	switch key {
	case "accounts list":
		return a.c.Accounts(a.ctx)
	case "accounts create":
		if err := need(3); err != nil {
			return nil, err
		}
		return a.c.CreateAccount(a.ctx, strings.Join(w[2:], " "))
	case "dns set":
		if err := need(4); err != nil {
			return nil, err
		}
		return a.c.SetTXT(a.ctx, w[2], w[3:]...)
	case "dns delete":
		if err := need(3); err != nil {
			return nil, err
		}
		return nil, a.c.DeleteTXT(a.ctx, w[2])
	}
	id, err := a.accountID()
	if err != nil {
		return nil, err
	}
	switch key {
	case "domains list":
		return a.c.Domains(a.ctx, id)
	case "domains add", "domains verify", "domains delete":
		if err := need(3); err != nil {
			return nil, err
		}
		switch w[1] {
		case "add":
			return a.c.AddDomain(a.ctx, id, w[2])
		case "verify":
			return a.c.VerifyDomain(a.ctx, id, w[2])
		}
		return nil, a.c.DeleteDomain(a.ctx, id, w[2])
	case "tokens list":
		return a.c.Tokens(a.ctx, id)
	case "tokens create":
		return a.c.CreateToken(a.ctx, id, strings.Join(w[2:], " "))
	case "tokens describe":
		if err := need(4); err != nil {
			return nil, err
		}
		return a.c.UpdateToken(a.ctx, id, w[2], strings.Join(w[3:], " "))
	case "tokens delete":
		if err := need(3); err != nil {
			return nil, err
		}
		return nil, a.c.DeleteToken(a.ctx, id, w[2])
	case "groups list":
		return a.c.Groups(a.ctx, id)
	case "users list":
		return a.c.Users(a.ctx, id)
	case "limits get":
		return a.c.Limits(a.ctx, id)
	case "limits set":
		l, err := a.c.Limits(a.ctx, id)
		if err != nil {
			return nil, err
		}
		for _, kv := range w[2:] {
			k, v, _ := strings.Cut(kv, "=")
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, fmt.Errorf("limits set: %q is not KEY=NUMBER", kv)
			}
			switch strings.ToLower(k) {
			case "maxusers":
				l.MaxUsers = n
			case "maxgroups":
				l.MaxGroups = n
			case "maxgroupsperuser":
				l.MaxGroupsPerUser = n
			case "maxpermissionspergroup":
				l.MaxPermissionsPerGroup = n
			default:
				return nil, fmt.Errorf("limits set: unknown limit %q (maxUsers, maxGroups, maxGroupsPerUser, maxPermissionsPerGroup)", k)
			}
		}
		return a.c.SetLimits(a.ctx, id, l)
	}
	return nil, fmt.Errorf("unknown admin command %q\n\n%s", strings.Join(w, " "), adminCommands)
}
