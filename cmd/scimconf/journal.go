package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/scimconf/scimconf/server/mockclient"
)

// journalFlags are the journal filters shared by journal and client-report.
type journalFlags struct {
	url, token                                            *string
	method, path, resourceType, op, status, account, rule *string
	faulted                                               *bool
	since                                                 *string
}

func addJournalFlags(fs interface {
	String(name, value, usage string) *string
	Bool(name string, value bool, usage string) *bool
}) *journalFlags {
	return &journalFlags{
		url:          fs.String("url", "http://127.0.0.1:8080/mock/v1", describe("management API base URL, as printed by serve", "ADMIN_URL")),
		token:        fs.String("token", "", describe("management API token, as printed by serve", "ADMIN_TOKEN")),
		method:       fs.String("method", "", "only this method (PATCH)"),
		path:         fs.String("path", "", "only paths with this prefix or pattern, full or below the SCIM base URL (/Users, /Groups/*)"),
		resourceType: fs.String("resource-type", "", "only User or Group"),
		op:           fs.String("op", "", "only PATCHes with this op (replace)"),
		status:       fs.String("status", "", "only this status (429) or class (4xx)"),
		account:      fs.String("account", "", "only this account id"),
		rule:         fs.String("rule", "", "only requests refused for this rule (DT-USER-DOMAIN)"),
		faulted:      fs.Bool("faulted", false, "only exchanges with an injected fault"),
		since:        fs.String("since", "", "only exchanges from this time on (RFC 3339)"),
	}
}

func (f *journalFlags) filter() (mockclient.JournalFilter, error) {
	jf := mockclient.JournalFilter{Method: strings.ToUpper(*f.method), Path: *f.path, ResourceType: *f.resourceType, PatchOp: *f.op,
		Status: *f.status, Account: *f.account, Rule: *f.rule, Faulted: *f.faulted}
	if *f.since != "" {
		t, err := time.Parse(time.RFC3339Nano, *f.since)
		if err != nil {
			return jf, fmt.Errorf("--since %q: want an RFC 3339 time such as 2026-05-04T10:00:00Z", *f.since)
		}
		jf.Since = t
	}
	// The server checks the rest and names what is wrong.
	_, err := mockclient.ParseJournalFilter(jf.Values())
	return jf, err
}

func (f *journalFlags) client(timeout time.Duration) (*mockclient.Client, error) {
	if *f.token == "" {
		return nil, errors.New("no admin token: pass --token or set ADMIN_TOKEN (scimconf serve prints it)")
	}
	return &mockclient.Client{BaseURL: strings.TrimRight(*f.url, "/"), Token: *f.token, HTTP: &http.Client{Timeout: timeout}}, nil
}

func runJournal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("journal", `Follows a running mock's request journal in the terminal: one line per SCIM exchange
(time, method, path below the SCIM base URL, status, duration, and the rule that refused
it, the IdP quirks accepted, the fault injected, the SCIM error), as the mock serves them.
It first prints the last --lines exchanges. --json prints each exchange as one JSON line
(the journal entry, with headers and bodies). --no-follow prints and exits.
The filters select exchanges as GET /mock/v1/journal does. Stop it with Ctrl-C.`, stderr)
	jf := addJournalFlags(fs)
	asJSON := fs.Bool("json", false, "print each exchange as a JSON line")
	lines := fs.Int("lines", 10, "exchanges of the past to print first (0: none)")
	noFollow := fs.Bool("no-follow", false, "print the past exchanges and exit")
	if err := parse(fs, args); err != nil {
		return err
	}
	f, err := jf.filter()
	if err != nil {
		return err
	}
	c, err := jf.client(0) // a tail lasts; ctx ends it
	if err != nil {
		return err
	}
	show := func(e mockclient.JournalEntry) error {
		if *asJSON {
			b, err := json.Marshal(e)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(stdout, "%s\n", b)
			return err
		}
		_, err := fmt.Fprintln(stdout, journalLine(e))
		return err
	}
	var last uint64
	if *lines > 0 || *noFollow {
		past := f
		past.Limit = *lines
		if *noFollow && *lines == 0 {
			past.Limit = 0
		}
		l, err := c.Journal(ctx, past)
		if err != nil {
			return err
		}
		for _, e := range l.Entries {
			if err := show(e); err != nil {
				return err
			}
		}
		last = l.LastSeq
	}
	if *noFollow {
		return nil
	}
	f.After = last
	err = c.FollowJournal(ctx, f, show, func(n uint64) {
		fmt.Fprintf(stderr, "scimconf journal: %d exchanges were missed (the terminal is slower than the mock)\n", n)
	})
	if ctx.Err() != nil {
		return nil // Ctrl-C
	}
	if errors.Is(err, mockclient.ErrStreamClosed) {
		return errors.New("the mock closed the stream (it stopped)")
	}
	return err
}

// journalLine is one exchange for a person.
func journalLine(e mockclient.JournalEntry) string {
	path := e.Path
	if _, rest, ok := mockclient.SplitSCIMPath(e.Path); ok {
		path = rest
		if path == "" {
			path = "/"
		}
	}
	if e.Query != "" {
		path += "?" + e.Query
	}
	status := fmt.Sprint(e.Status)
	if e.Status == 0 {
		status = "---"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %-6s %s %s %s", e.Time.Local().Format("15:04:05.000"), e.Method, path, status, e.Duration.Round(100*time.Microsecond))
	if e.Rule != "" {
		fmt.Fprintf(&b, "  rule=%s", e.Rule)
	}
	if len(e.Quirks) > 0 {
		fmt.Fprintf(&b, "  quirks=%s", strings.Join(e.Quirks, ","))
	}
	if e.Fault != "" {
		fmt.Fprintf(&b, "  fault=%q", e.Fault)
	}
	if e.Status >= 400 && (e.SCIMType != "" || e.Detail != "") {
		detail := e.Detail
		if len(detail) > 120 {
			detail = detail[:120] + "..."
		}
		fmt.Fprintf(&b, "  %s", strings.TrimSpace(e.SCIMType+" "+detail))
	}
	if e.Error != "" {
		fmt.Fprintf(&b, "  (%s)", e.Error)
	}
	return b.String()
}
