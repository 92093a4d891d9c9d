package journal_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scimconf/scimconf/server/internal/double/journal"
	"github.com/scimconf/scimconf/server/mockclient"
)

// fixture serves a fake SCIM handler behind the journal middleware and the
// journal's endpoints, both on one real socket, as the mock mounts them.
type fixture struct {
	srv *httptest.Server
	j   *journal.Journal
	c   *mockclient.Client
}

func newFixture(t *testing.T, opts ...journal.Option) *fixture {
	t.Helper()
	j := journal.New(opts...)
	scim := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		switch {
		case r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/Users"):
			if strings.Contains(r.URL.RawQuery, "refuse") {
				w.Header().Set(journal.RuleHeader, "DT-USER-DOMAIN")
				w.Header().Set("Content-Type", "application/scim+json")
				w.WriteHeader(400)
				io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidValue","detail":"domain not verified"}`)
				return
			}
			w.Header().Set("Location", "http://x/idm/public/scim/acct/v2/Users/new-id")
			w.WriteHeader(201)
			io.WriteString(w, `{"id":"new-id"}`)
		case r.Method == "PATCH":
			w.Header().Set(journal.QuirksHeader, "capitalised-op, string-boolean")
			w.WriteHeader(204)
		case strings.HasSuffix(r.URL.Path, "/big"):
			io.WriteString(w, strings.Repeat("x", 100))
		case strings.HasSuffix(r.URL.Path, "/hangup"):
			w.Header().Set(journal.FaultHeader, "header: reset")
			c, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				c.Close()
			}
		default:
			// writes nothing: net/http sends 200
		}
	})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /mock/v1/journal", j.ServeList)
	mux.HandleFunc("GET /mock/v1/journal/count", j.ServeCount)
	mux.HandleFunc("DELETE /mock/v1/journal", j.ServeClear)
	mux.HandleFunc("GET /mock/v1/journal/stream", j.ServeStream)
	mux.Handle("/", j.Middleware(scim))
	srv := httptest.NewServer(mux)
	srv.Config.RegisterOnShutdown(j.CloseStreams)
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, j: j, c: &mockclient.Client{BaseURL: srv.URL + "/mock/v1"}}
}

func (f *fixture) send(t *testing.T, method, path, body string, header ...string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequestWithContext(t.Context(), method, f.srv.URL+path, r)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return // a hung-up connection is what some paths test
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

const base = "/idm/public/scim/acct/v2"

func TestMiddlewareRecords(t *testing.T) {
	f := newFixture(t, journal.WithMaxBody(50))
	const token = "dt0s09.ABCDEFGH.ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123"
	f.send(t, "POST", base+"/Users", `{"userName":"a@example.com","password":"hunter2"}`, "Authorization", "Bearer "+token, "Content-Type", "application/scim+json")
	f.send(t, "POST", base+"/Users?refuse=1", `{"userName":"a@unverified.test"}`)
	f.send(t, "PATCH", base+"/Users/u1", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"},{"op":"add","path":"x","value":1}]}`)
	f.send(t, "GET", base+"/big", "")
	f.send(t, "POST", base+"/hangup", "") // not GET: net/http would retry it
	f.send(t, "GET", "/elsewhere", "")

	got, err := f.c.Received(t.Context(), journal.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 {
		t.Fatalf("%d entries, want 6: %+v", len(got), got)
	}
	create, refused, patch, big, hangup, other := got[0], got[1], got[2], got[3], got[4], got[5]

	if create.Status != 201 || create.ResourceType != "User" || create.ResourceID != "new-id" || create.AccountID != "acct" || create.Endpoint != "Users" {
		t.Errorf("create = %+v", create)
	}
	if strings.Contains(create.RequestBody, "hunter2") || !strings.Contains(create.RequestBody, "a@example.com") {
		t.Errorf("create body = %q: want the userName and no password", create.RequestBody)
	}
	if a := create.RequestHeaders.Get("Authorization"); strings.Contains(a, token[20:]) || !strings.HasPrefix(a, "Bearer ") {
		t.Errorf("Authorization recorded as %q", a)
	}
	if create.Time.IsZero() || create.Duration < 0 {
		t.Errorf("time %v duration %v", create.Time, create.Duration)
	}
	if refused.Status != 400 || refused.Rule != "DT-USER-DOMAIN" || refused.SCIMType != "invalidValue" || refused.Detail != "domain not verified" || refused.Query != "refuse=1" {
		t.Errorf("refused = %+v", refused)
	}
	if patch.Status != 204 || patch.ResourceID != "u1" || strings.Join(patch.PatchOps, ",") != "Replace,add" || strings.Join(patch.Quirks, ",") != "capitalised-op,string-boolean" {
		t.Errorf("patch = %+v", patch)
	}
	if !patch.RequestBodyTruncated || len(patch.RequestBody) != 50 {
		t.Errorf("patch body %q (truncated %v), want 50 bytes and truncated", patch.RequestBody, patch.RequestBodyTruncated)
	}
	if big.Status != 200 || !big.ResponseBodyTruncated || len(big.ResponseBody) != 50 {
		t.Errorf("big = status %d, %d bytes, truncated %v", big.Status, len(big.ResponseBody), big.ResponseBodyTruncated)
	}
	if hangup.Status != 0 || hangup.Fault != "header: reset" || hangup.Error == "" {
		t.Errorf("hangup = %+v", hangup)
	}
	if other.Status != 200 || other.AccountID != "" || other.ResourceType != "" {
		t.Errorf("other = %+v", other)
	}

	patches, err := f.c.Requests(t.Context(), "PATCH", "/Users")
	if err != nil || len(patches) != 1 {
		t.Fatalf("Requests(PATCH, /Users) = %d entries, %v", len(patches), err)
	}
	counts, err := f.c.CountJournal(t.Context(), journal.Filter{Path: "/Users"})
	if err != nil {
		t.Fatal(err)
	}
	if counts.Matched != 3 || counts.ByStatus["4xx"] != 1 || counts.ByStatus["2xx"] != 2 || counts.ByMethod["POST"] != 2 || counts.Recorded != 6 {
		t.Errorf("counts = %+v", counts)
	}
	l, err := f.c.Journal(t.Context(), journal.Filter{Limit: 1})
	if err != nil || len(l.Entries) != 1 || l.Matched != 6 || l.LastSeq != 6 || l.Entries[0].Seq != 6 {
		t.Errorf("List(limit 1) = %+v, %v", l, err)
	}
	if err := f.c.ClearJournal(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.c.Received(t.Context(), journal.Filter{}); len(got) != 0 {
		t.Errorf("after Clear: %d entries", len(got))
	}
}

func TestListRejectsUnknownParameter(t *testing.T) {
	f := newFixture(t)
	resp, err := http.Get(f.srv.URL + "/mock/v1/journal?stauts=400")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "stauts") {
		t.Fatalf("got %d %s, want 400 naming the parameter", resp.StatusCode, body)
	}
}

func TestStreamNeedsEventStreamAccept(t *testing.T) {
	f := newFixture(t)
	resp, err := http.Get(f.srv.URL + "/mock/v1/journal/stream")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotAcceptable || !strings.Contains(string(body), "text/event-stream") {
		t.Fatalf("got %d %s, want 406 saying what to send", resp.StatusCode, body)
	}
}

func TestFollow(t *testing.T) {
	f := newFixture(t, journal.WithHeartbeat(10*time.Millisecond))
	f.send(t, "GET", base+"/before", "")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	got := make(chan journal.Entry, 10)
	done := make(chan error, 1)
	go func() {
		done <- f.c.FollowJournal(ctx, journal.Filter{Method: "PATCH", After: 0}, func(e journal.Entry) error {
			got <- e
			return nil
		}, nil)
	}()
	// The stream is live once it has subscribed; send until an entry
	// arrives, since the subscription races the first request.
	var first journal.Entry
	for first.Seq == 0 {
		f.send(t, "GET", base+"/ignored", "")
		f.send(t, "PATCH", base+"/Users/u1", `{"Operations":[{"op":"add"}]}`)
		select {
		case first = <-got:
		case <-time.After(50 * time.Millisecond):
		case err := <-done:
			t.Fatalf("Follow returned early: %v", err)
		}
	}
	if first.Method != "PATCH" || first.ResourceID != "u1" {
		t.Fatalf("streamed %+v, want the PATCH", first)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Follow after cancel = %v, want context.Canceled", err)
	}
}

func TestFollowReplaysAfterAndStopsOnError(t *testing.T) {
	f := newFixture(t)
	for range 3 {
		f.send(t, "GET", base+"/x", "")
	}
	stop := errors.New("enough")
	var seen []uint64
	err := f.c.FollowJournal(t.Context(), journal.Filter{After: 1}, func(e journal.Entry) error {
		seen = append(seen, e.Seq)
		if len(seen) == 2 {
			return stop
		}
		return nil
	}, nil)
	if !errors.Is(err, stop) || len(seen) != 2 || seen[0] != 2 || seen[1] != 3 {
		t.Fatalf("Follow = %v, seen %v; want the replay of 2 and 3, then fn's error", err, seen)
	}
}

func TestFollowEndsOnShutdown(t *testing.T) {
	f := newFixture(t)
	done := make(chan error, 1)
	go func() {
		done <- f.c.FollowJournal(t.Context(), journal.Filter{}, func(journal.Entry) error { return nil }, nil)
	}()
	// Wait until the stream is open, then shut the server down: Close must
	// not hang on the stream, and Follow must say the server closed it.
	for f.j.Count(journal.Filter{}).Recorded == 0 {
		f.send(t, "GET", base+"/x", "")
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	f.srv.Config.Shutdown(t.Context())
	if err := <-done; err == nil {
		t.Fatal("Follow returned nil after shutdown")
	}
}
