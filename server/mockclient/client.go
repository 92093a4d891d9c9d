// Package mockclient is the one Go client of the mock's whole management API
// (/mock/v1): account management as Dynatrace's Account Management has it
// (accounts, domains, tokens, groups, users, limits), the DNS mock's
// records, and the test double's controls (journal, faults, fixtures,
// export, violation switches, client report, reset). It talks HTTP only;
// the wire types are the management API's own, named here.
package mockclient

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/scimconf/scimconf/server/internal/double/faults"
	"github.com/scimconf/scimconf/server/internal/double/journal"
	"github.com/scimconf/scimconf/server/internal/dynatrace/mgmt"
)

// Client is the one Go client of the whole management API (/mock/v1):
// accounts, domains, tokens, groups, users, limits, DNS, reset and OpenAPI,
// and the test-double controls mounted there: the journal (list, count,
// clear, live tail), faults, fixtures and export, violation switches and
// the client report. Its zero value is not usable: set BaseURL and Token.
// It is safe for concurrent use.
//
// In the manner of gomega/ghttp's ReceivedRequests(), a test asserts what a
// connector sent:
//
//	c := mockclient.Client{BaseURL: inst.AdminURL, Token: inst.AdminToken}
//	patches, err := c.Requests(ctx, "PATCH", "/Users")
//	Eventually(c.Received).WithArguments(mockclient.JournalFilter{Status: "429"}).ShouldNot(BeEmpty())
type Client struct {
	// BaseURL is the API's root, e.g. http://127.0.0.1:8080/mock/v1
	// (ADMIN_URL of scimconf serve).
	BaseURL string
	// Token is the admin token (ADMIN_TOKEN).
	Token string
	// HTTP is the client to send requests with; nil means
	// http.DefaultClient. FollowJournal needs one without a Timeout, since
	// a tail lasts.
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

// send sends a request with an optional JSON body to path (which may carry
// a query) and returns a 2xx answer, whose body the caller closes; any
// other answer is an *APIError.
func (c *Client) send(ctx context.Context, method, path, accept string, in any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("management API: encoding the %s %s body: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.BaseURL, "/")+path, body)
	if err != nil {
		return nil, fmt.Errorf("management API: %w", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", accept)
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("management API: %s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return resp, nil
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e := &APIError{Status: resp.StatusCode}
	var eb mgmt.ErrorBody
	switch {
	case err != nil:
		e.Detail = "reading the answer: " + err.Error()
	case json.Unmarshal(data, &eb) == nil && eb.Error != "":
		e.Code, e.Detail, e.Rule = eb.Error, eb.Detail, eb.Rule
	default:
		e.Detail = strings.TrimSpace(string(data))
		if len(e.Detail) > 500 {
			e.Detail = e.Detail[:500] + "..."
		}
	}
	return nil, e
}

// read sends a request and returns the whole 2xx answer.
func (c *Client) read(ctx context.Context, method, path, accept string, in any) ([]byte, error) {
	resp, err := c.send(ctx, method, path, accept, in)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("management API: %s %s: reading the answer: %w", method, path, err)
	}
	return data, nil
}

// do sends a request with an optional JSON body and decodes a 2xx answer
// into out (when out is non-nil and the answer has a body).
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	data, err := c.read(ctx, method, path, "application/json", in)
	if err != nil {
		return err
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("management API: %s %s: decoding the answer: %w", method, path, err)
	}
	return nil
}

// withQuery appends q to path when it is not empty.
func withQuery(path string, q url.Values) string {
	if s := q.Encode(); s != "" {
		return path + "?" + s
	}
	return path
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

// Journal returns the journal entries that match f with the total count
// and the last Seq (GET /journal).
func (c *Client) Journal(ctx context.Context, f journal.Filter) (journal.List, error) {
	var out journal.List
	err := c.do(ctx, http.MethodGet, withQuery("/journal", f.Values()), nil, &out)
	return out, err
}

// Received returns the journal entries that match f, oldest first.
func (c *Client) Received(ctx context.Context, f journal.Filter) ([]journal.Entry, error) {
	l, err := c.Journal(ctx, f)
	return l.Entries, err
}

// Requests returns the exchanges with the method (any when "") whose path
// matches pathPrefix (see journal.MatchPath: "/Users" is every account's
// /Users).
func (c *Client) Requests(ctx context.Context, method, pathPrefix string) ([]journal.Entry, error) {
	return c.Received(ctx, journal.Filter{Method: method, Path: pathPrefix})
}

// CountJournal counts the journal entries that match f (GET
// /journal/count).
func (c *Client) CountJournal(ctx context.Context, f journal.Filter) (journal.Counts, error) {
	var out journal.Counts
	f.Limit = 0
	err := c.do(ctx, http.MethodGet, withQuery("/journal/count", f.Values()), nil, &out)
	return out, err
}

// ClearJournal empties the journal (DELETE /journal).
func (c *Client) ClearJournal(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/journal", nil, nil)
}

// ErrStreamClosed is what FollowJournal returns when the server ended the
// stream (it shut down).
var ErrStreamClosed = errors.New("management API: the server closed the journal stream")

// FollowJournal tails the journal (GET /journal/stream): it calls fn for
// every exchange that matches f, in order, until ctx ends (it then returns
// ctx.Err()), fn returns an error (returned as is), or the server closes
// the stream (ErrStreamClosed). With f.After set it first replays the
// entries after that Seq that are still in the journal. missed, when not
// nil, is told how many entries the server dropped because the reader was
// too slow.
func (c *Client) FollowJournal(ctx context.Context, f journal.Filter, fn func(journal.Entry) error, missed func(n uint64)) error {
	f.Limit = 0
	resp, err := c.send(ctx, http.MethodGet, withQuery("/journal/stream", f.Values()), journal.EventStream, nil)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var event string
	var data strings.Builder
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if err := dispatchEvent(event, data.String(), fn, missed); err != nil {
				return err
			}
			event = ""
			data.Reset()
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "event:"):
			event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			if data.Len() > 0 {
				data.WriteByte('\n')
			}
			data.WriteString(strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("management API: reading the journal stream: %w", err)
	}
	return ErrStreamClosed
}

// dispatchEvent hands one server-sent event of the journal stream on.
func dispatchEvent(event, data string, fn func(journal.Entry) error, missed func(uint64)) error {
	switch event {
	case "exchange":
		var e journal.Entry
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			return fmt.Errorf("management API: an event of the journal stream is not an entry: %w", err)
		}
		return fn(e)
	case "missed":
		var n uint64
		if _, err := fmt.Sscan(data, &n); err == nil && missed != nil {
			missed(n)
		}
	}
	return nil
}

// ClientReport returns the report grading the client from the journal
// entries that match f (GET /client-report), in format "json", "html" or
// "md", as the server wrote it.
func (c *Client) ClientReport(ctx context.Context, f journal.Filter, format string) ([]byte, error) {
	q := f.Values()
	q.Set("format", format)
	return c.read(ctx, http.MethodGet, withQuery("/client-report", q), "*/*", nil)
}

// Faults lists the fault rules in force, with how often each matched and
// fired (GET /faults).
func (c *Client) Faults(ctx context.Context) ([]faults.Rule, error) {
	var out faults.File
	err := c.do(ctx, http.MethodGet, "/faults", nil, &out)
	return out.Faults, err
}

// AddFault adds a fault rule and returns it with its ID (POST /faults).
func (c *Client) AddFault(ctx context.Context, r faults.Rule) (faults.Rule, error) {
	var out faults.Rule
	err := c.do(ctx, http.MethodPost, "/faults", r, &out)
	return out, err
}

// DeleteFault removes one fault rule (DELETE /faults/{faultId}).
func (c *Client) DeleteFault(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/faults/"+seg(id), nil, nil)
}

// ClearFaults removes every fault rule (DELETE /faults).
func (c *Client) ClearFaults(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/faults", nil, nil)
}

// Export returns an account's users and groups as a fixture set (GET
// /accounts/{id}/export), which LoadFixtures takes back.
func (c *Client) Export(ctx context.Context, accountID string) (json.RawMessage, error) {
	var out json.RawMessage
	err := c.do(ctx, http.MethodGet, acctPath(accountID)+"/export", nil, &out)
	return out, err
}
