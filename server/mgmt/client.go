package mgmt

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Client calls the management API. Its zero value is not usable: set
// BaseURL and Token. It is safe for concurrent use.
type Client struct {
	// BaseURL is the API's root, e.g. http://127.0.0.1:8080/mock/v1.
	BaseURL string
	// Token is the admin token.
	Token string
	// HTTP is the client to send requests with; nil means
	// http.DefaultClient.
	HTTP *http.Client
}

// APIError is a non-2xx answer of the management API.
type APIError struct {
	Status int
	Code   string // ErrorBody.Error, e.g. "token_cap"
	Detail string
	Rule   string // e.g. "DT-TOKEN-CAP"; empty when none
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "management API: %d", e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Rule != "" {
		b.WriteString(" (" + e.Rule + ")")
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	return b.String()
}

// IsStatus reports whether err is an *APIError with the given status.
func IsStatus(err error, status int) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == status
}

// maxAnswer bounds what the client reads of an answer.
const maxAnswer = 64 << 20

// do sends a request with an optional JSON body and decodes a 2xx answer
// into out (when out is non-nil and the answer has a body).
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("management API: encoding the %s %s body: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.BaseURL, "/")+path, body)
	if err != nil {
		return fmt.Errorf("management API: %w", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("management API: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("management API: %s %s: reading the answer: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := &APIError{Status: resp.StatusCode}
		var eb ErrorBody
		if json.Unmarshal(data, &eb) == nil && eb.Error != "" {
			e.Code, e.Detail, e.Rule = eb.Error, eb.Detail, eb.Rule
		} else {
			e.Detail = strings.TrimSpace(string(data))
			if len(e.Detail) > 500 {
				e.Detail = e.Detail[:500] + "..."
			}
		}
		return e
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("management API: %s %s: decoding the answer: %w", method, path, err)
	}
	return nil
}

func seg(s string) string { return url.PathEscape(s) }

func acctPath(id string) string { return "/accounts/" + seg(id) }

// OpenAPI returns the API's OpenAPI document (no token needed).
func (c *Client) OpenAPI(ctx context.Context) (json.RawMessage, error) {
	var doc json.RawMessage
	err := c.do(ctx, http.MethodGet, "/openapi.json", nil, &doc)
	return doc, err
}

// Reset resets the whole mock: accounts, DNS records and resources; the demo
// account is recreated with a new SCIM token.
func (c *Client) Reset(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/reset", nil, nil)
}

// CreateAccount creates an account.
func (c *Client) CreateAccount(ctx context.Context, name string) (Account, error) {
	var a Account
	err := c.do(ctx, http.MethodPost, "/accounts", map[string]string{"name": name}, &a)
	return a, err
}

// Accounts lists the accounts in creation order.
func (c *Client) Accounts(ctx context.Context) ([]Account, error) {
	var out []Account
	err := c.do(ctx, http.MethodGet, "/accounts", nil, &out)
	return out, err
}

// Account returns one account.
func (c *Client) Account(ctx context.Context, id string) (Account, error) {
	var a Account
	err := c.do(ctx, http.MethodGet, acctPath(id), nil, &a)
	return a, err
}

// DeleteAccount deletes an account; its SCIM tokens stop working at once.
func (c *Client) DeleteAccount(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, acctPath(id), nil, nil)
}

// AddDomain adds a PENDING domain and returns the TXT record to publish.
func (c *Client) AddDomain(ctx context.Context, accountID, domain string) (Domain, error) {
	var d Domain
	err := c.do(ctx, http.MethodPost, acctPath(accountID)+"/domains", map[string]string{"domain": domain}, &d)
	return d, err
}

// Domains lists an account's domains.
func (c *Client) Domains(ctx context.Context, accountID string) ([]Domain, error) {
	var out []Domain
	err := c.do(ctx, http.MethodGet, acctPath(accountID)+"/domains", nil, &out)
	return out, err
}

// Domain returns one domain of an account.
func (c *Client) Domain(ctx context.Context, accountID, domain string) (Domain, error) {
	var d Domain
	err := c.do(ctx, http.MethodGet, acctPath(accountID)+"/domains/"+seg(domain), nil, &d)
	return d, err
}

// VerifyDomain checks the domain's TXT record. A record not found is no
// error: the domain comes back PENDING with Reason set.
func (c *Client) VerifyDomain(ctx context.Context, accountID, domain string) (Domain, error) {
	var d Domain
	err := c.do(ctx, http.MethodPost, acctPath(accountID)+"/domains/"+seg(domain)+"/verify", nil, &d)
	return d, err
}

// DeleteDomain removes a domain.
func (c *Client) DeleteDomain(ctx context.Context, accountID, domain string) error {
	return c.do(ctx, http.MethodDelete, acctPath(accountID)+"/domains/"+seg(domain), nil, nil)
}

// CreateToken generates a SCIM token; NewToken.Token is its value, shown
// this once.
func (c *Client) CreateToken(ctx context.Context, accountID, description string) (NewToken, error) {
	var t NewToken
	err := c.do(ctx, http.MethodPost, acctPath(accountID)+"/scim-tokens", map[string]string{"description": description}, &t)
	return t, err
}

// Tokens lists an account's SCIM tokens, without their values.
func (c *Client) Tokens(ctx context.Context, accountID string) ([]Token, error) {
	var out []Token
	err := c.do(ctx, http.MethodGet, acctPath(accountID)+"/scim-tokens", nil, &out)
	return out, err
}

// TokenInfo returns one SCIM token, without its value. (It is not named
// Token because that is the field holding the admin token.)
func (c *Client) TokenInfo(ctx context.Context, accountID, tokenID string) (Token, error) {
	var t Token
	err := c.do(ctx, http.MethodGet, acctPath(accountID)+"/scim-tokens/"+seg(tokenID), nil, &t)
	return t, err
}

// UpdateToken replaces a token's description ("" clears it).
func (c *Client) UpdateToken(ctx context.Context, accountID, tokenID, description string) (Token, error) {
	var t Token
	err := c.do(ctx, http.MethodPatch, acctPath(accountID)+"/scim-tokens/"+seg(tokenID), map[string]string{"description": description}, &t)
	return t, err
}

// DeleteToken deletes a SCIM token; it stops working at once.
func (c *Client) DeleteToken(ctx context.Context, accountID, tokenID string) error {
	return c.do(ctx, http.MethodDelete, acctPath(accountID)+"/scim-tokens/"+seg(tokenID), nil, nil)
}

// Groups lists every group of an account, LOCAL and SCIM.
func (c *Client) Groups(ctx context.Context, accountID string) ([]Group, error) {
	var out []Group
	err := c.do(ctx, http.MethodGet, acctPath(accountID)+"/groups", nil, &out)
	return out, err
}

// Group returns one group, LOCAL or SCIM.
func (c *Client) Group(ctx context.Context, accountID, groupID string) (Group, error) {
	var g Group
	err := c.do(ctx, http.MethodGet, acctPath(accountID)+"/groups/"+seg(groupID), nil, &g)
	return g, err
}

// CreateGroup creates a LOCAL group.
func (c *Client) CreateGroup(ctx context.Context, accountID, name, description string) (Group, error) {
	var g Group
	err := c.do(ctx, http.MethodPost, acctPath(accountID)+"/groups", map[string]string{"name": name, "description": description}, &g)
	return g, err
}

// UpdateGroup changes a LOCAL group's name and/or description; a SCIM
// group gives a 403 APIError (rule DT-GROUP-LOCKED).
func (c *Client) UpdateGroup(ctx context.Context, accountID, groupID string, u GroupUpdate) (Group, error) {
	var g Group
	err := c.do(ctx, http.MethodPatch, acctPath(accountID)+"/groups/"+seg(groupID), u, &g)
	return g, err
}

// DeleteGroup deletes a LOCAL group; a SCIM group gives a 403 APIError.
func (c *Client) DeleteGroup(ctx context.Context, accountID, groupID string) error {
	return c.do(ctx, http.MethodDelete, acctPath(accountID)+"/groups/"+seg(groupID), nil, nil)
}

// Permissions returns a group's permissions.
func (c *Client) Permissions(ctx context.Context, accountID, groupID string) ([]Permission, error) {
	var out []Permission
	err := c.do(ctx, http.MethodGet, acctPath(accountID)+"/groups/"+seg(groupID)+"/permissions", nil, &out)
	return out, err
}

// SetPermissions replaces a group's permissions (SCIM groups too) and
// returns those now set.
func (c *Client) SetPermissions(ctx context.Context, accountID, groupID string, perms []Permission) ([]Permission, error) {
	if perms == nil {
		perms = []Permission{}
	}
	var out []Permission
	err := c.do(ctx, http.MethodPut, acctPath(accountID)+"/groups/"+seg(groupID)+"/permissions", perms, &out)
	return out, err
}

// Users lists the users of an account.
func (c *Client) Users(ctx context.Context, accountID string) ([]User, error) {
	var out []User
	err := c.do(ctx, http.MethodGet, acctPath(accountID)+"/users", nil, &out)
	return out, err
}

// User returns one user.
func (c *Client) User(ctx context.Context, accountID, userID string) (User, error) {
	var u User
	err := c.do(ctx, http.MethodGet, acctPath(accountID)+"/users/"+seg(userID), nil, &u)
	return u, err
}

// Limits returns an account's limits.
func (c *Client) Limits(ctx context.Context, accountID string) (Limits, error) {
	var l Limits
	err := c.do(ctx, http.MethodGet, acctPath(accountID)+"/limits", nil, &l)
	return l, err
}

// SetLimits replaces all of an account's limits and returns them.
func (c *Client) SetLimits(ctx context.Context, accountID string, l Limits) (Limits, error) {
	var out Limits
	err := c.do(ctx, http.MethodPut, acctPath(accountID)+"/limits", l, &out)
	return out, err
}

// SetTXT publishes a TXT record set in the DNS mock, replacing the values
// at name.
func (c *Client) SetTXT(ctx context.Context, name string, values ...string) (TXTRecord, error) {
	if values == nil {
		values = []string{}
	}
	var rec TXTRecord
	err := c.do(ctx, http.MethodPut, "/dns/txt/"+seg(name), map[string][]string{"values": values}, &rec)
	return rec, err
}

// TXT returns the DNS mock's record set at name.
func (c *Client) TXT(ctx context.Context, name string) (TXTRecord, error) {
	var rec TXTRecord
	err := c.do(ctx, http.MethodGet, "/dns/txt/"+seg(name), nil, &rec)
	return rec, err
}

// TXTRecords lists the DNS mock's record sets.
func (c *Client) TXTRecords(ctx context.Context) ([]TXTRecord, error) {
	var out struct {
		Records []TXTRecord `json:"records"`
	}
	err := c.do(ctx, http.MethodGet, "/dns/txt", nil, &out)
	return out.Records, err
}

// DeleteTXT withdraws the DNS mock's record set at name.
func (c *Client) DeleteTXT(ctx context.Context, name string) error {
	return c.do(ctx, http.MethodDelete, "/dns/txt/"+seg(name), nil, nil)
}
