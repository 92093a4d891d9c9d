package journal

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/scimconf/scimconf/server/mgmt/apijson"
)

// Client reads a running mock's journal through the management API, for
// tests that assert what a connector sent, in the manner of gomega/ghttp's
// ReceivedRequests():
//
//	j := journal.Client{BaseURL: inst.AdminURL, Token: inst.AdminToken}
//	patches, err := j.Requests(ctx, "PATCH", "/Users")
//	Eventually(j.Received).WithArguments(journal.Filter{Status: "429"}).ShouldNot(BeEmpty())
//
// Set BaseURL and Token; it is safe for concurrent use.
type Client struct {
	// BaseURL is the management API's root, e.g.
	// http://127.0.0.1:8080/mock/v1 (ADMIN_URL of scimconf serve).
	BaseURL string
	// Token is the admin token (ADMIN_TOKEN).
	Token string
	// HTTP sends the requests; nil means http.DefaultClient. Follow needs
	// one without a Timeout, since a tail lasts.
	HTTP *http.Client
}

// Error is a non-2xx answer of a journal endpoint.
type Error struct {
	Status int
	Code   string
	Detail string
}

func (e *Error) Error() string {
	return fmt.Sprintf("journal: %d %s: %s", e.Status, e.Code, e.Detail)
}

func (c *Client) request(ctx context.Context, method, path string, f Filter) (*http.Request, error) {
	u := strings.TrimSuffix(c.BaseURL, "/") + path
	if q := f.Values().Encode(); q != "" {
		u += "?" + q
	}
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	return req, nil
}

func (c *Client) do(req *http.Request, out any) error {
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("journal: %s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	if err := answerError(resp); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("journal: %s %s: decoding the answer: %w", req.Method, req.URL.Path, err)
	}
	return nil
}

func answerError(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e := &Error{Status: resp.StatusCode}
	var eb apijson.ErrorBody
	if json.Unmarshal(data, &eb) == nil && eb.Error != "" {
		e.Code, e.Detail = eb.Error, eb.Detail
	} else {
		e.Detail = strings.TrimSpace(string(data))
	}
	return e
}

// List returns the entries that match f with the total count and the last
// Seq (GET /journal).
func (c *Client) List(ctx context.Context, f Filter) (List, error) {
	var out List
	req, err := c.request(ctx, http.MethodGet, "/journal", f)
	if err != nil {
		return out, err
	}
	err = c.do(req, &out)
	return out, err
}

// Received returns the entries that match f, oldest first.
func (c *Client) Received(ctx context.Context, f Filter) ([]Entry, error) {
	l, err := c.List(ctx, f)
	return l.Entries, err
}

// Requests returns the exchanges with the method (any when "") whose path
// matches pathPrefix (see MatchPath: "/Users" is every account's /Users).
func (c *Client) Requests(ctx context.Context, method, pathPrefix string) ([]Entry, error) {
	return c.Received(ctx, Filter{Method: method, Path: pathPrefix})
}

// Count counts the entries that match f (GET /journal/count).
func (c *Client) Count(ctx context.Context, f Filter) (Counts, error) {
	var out Counts
	f.Limit = 0
	req, err := c.request(ctx, http.MethodGet, "/journal/count", f)
	if err != nil {
		return out, err
	}
	err = c.do(req, &out)
	return out, err
}

// Clear empties the journal (DELETE /journal).
func (c *Client) Clear(ctx context.Context) error {
	req, err := c.request(ctx, http.MethodDelete, "/journal", Filter{})
	if err != nil {
		return err
	}
	return c.do(req, nil)
}

// ErrStreamClosed is what Follow returns when the server ended the stream
// (it shut down).
var ErrStreamClosed = errors.New("journal: the server closed the stream")

// Follow tails the journal (GET /journal/stream): it calls fn for every
// exchange that matches f, in order, until ctx ends (it then returns
// ctx.Err()), fn returns an error (returned as is), or the server closes
// the stream (ErrStreamClosed). With f.After set it first replays the
// entries after that Seq that are still in the journal. missed, when not
// nil, is told how many entries the server dropped because the reader was
// too slow.
func (c *Client) Follow(ctx context.Context, f Filter, fn func(Entry) error, missed func(n uint64)) error {
	f.Limit = 0
	req, err := c.request(ctx, http.MethodGet, "/journal/stream", f)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", EventStream)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("journal: %w", err)
	}
	defer resp.Body.Close()
	if err := answerError(resp); err != nil {
		return err
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var event string
	var data strings.Builder
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if err := dispatch(event, data.String(), fn, missed); err != nil {
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
		return fmt.Errorf("journal: reading the stream: %w", err)
	}
	return ErrStreamClosed
}

func dispatch(event, data string, fn func(Entry) error, missed func(uint64)) error {
	switch event {
	case "exchange":
		var e Entry
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			return fmt.Errorf("journal: an event of the stream is not an entry: %w", err)
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
