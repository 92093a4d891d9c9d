package journal_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimconf/scimconf/server/internal/double/journal"
	"github.com/scimconf/scimconf/server/internal/engine/scimhttp"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func seqs(es []journal.Entry) []uint64 {
	var out []uint64
	for _, e := range es {
		out = append(out, e.Seq)
	}
	return out
}

func TestRuleHeaderIsTheServers(t *testing.T) {
	if journal.RuleHeader != scimhttp.RuleHeader {
		t.Fatalf("journal.RuleHeader = %q, scimhttp.RuleHeader = %q", journal.RuleHeader, scimhttp.RuleHeader)
	}
}

func TestRingKeepsTheNewest(t *testing.T) {
	j := journal.New(journal.WithCapacity(3))
	for i := range 5 {
		j.Add(journal.Entry{Method: "GET", Path: "/x", Time: t0.Add(time.Duration(i) * time.Second)})
	}
	if got, want := seqs(j.Entries(journal.Filter{})), []uint64{3, 4, 5}; !slices.Equal(got, want) {
		t.Fatalf("seqs = %v, want %v", got, want)
	}
	c := j.Count(journal.Filter{})
	if c.Matched != 3 || c.Recorded != 5 || c.Dropped != 2 || c.Capacity != 3 {
		t.Fatalf("counts = %+v, want matched 3, recorded 5, dropped 2, capacity 3", c)
	}
	j.Clear()
	if got := j.Entries(journal.Filter{}); len(got) != 0 {
		t.Fatalf("after Clear: %d entries", len(got))
	}
	if e := j.Add(journal.Entry{}); e.Seq != 6 {
		t.Fatalf("seq after Clear = %d, want 6 (never reused)", e.Seq)
	}
}

func TestEntriesAreCopies(t *testing.T) {
	j := journal.New()
	j.Add(journal.Entry{PatchOps: []string{"add"}, RequestHeaders: http.Header{"A": {"1"}}})
	got := j.Entries(journal.Filter{})
	got[0].PatchOps[0] = "changed"
	got[0].RequestHeaders.Set("A", "2")
	again := j.Entries(journal.Filter{})
	if again[0].PatchOps[0] != "add" || again[0].RequestHeaders.Get("A") != "1" {
		t.Fatalf("a caller's change reached the journal: %+v", again[0])
	}
}

func TestFilter(t *testing.T) {
	base := "/idm/public/scim/acct-1/v2"
	entries := []journal.Entry{
		{Method: "POST", Path: base + "/Users", Status: 201, AccountID: "acct-1", Endpoint: "Users", ResourceType: "User", Time: t0},
		{Method: "PATCH", Path: base + "/Users/u1", Status: 200, AccountID: "acct-1", Endpoint: "Users", ResourceType: "User", ResourceID: "u1", PatchOps: []string{"Replace"}, Time: t0.Add(time.Second)},
		{Method: "PATCH", Path: base + "/Groups/g1", Status: 429, AccountID: "acct-1", Endpoint: "Groups", ResourceType: "Group", PatchOps: []string{"add", "remove"}, Fault: "rule f1: status=429", Time: t0.Add(2 * time.Second)},
		{Method: "POST", Path: "/idm/public/scim/other/v2/Users", Status: 400, Rule: "DT-USER-DOMAIN", AccountID: "other", Endpoint: "Users", ResourceType: "User", Time: t0.Add(3 * time.Second)},
		{Method: "GET", Path: base + "/UsersX", Status: 404, AccountID: "acct-1", Endpoint: "UsersX", Time: t0.Add(4 * time.Second)},
	}
	j := journal.New()
	for _, e := range entries {
		j.Add(e)
	}
	tests := []struct {
		name string
		f    journal.Filter
		want []uint64
	}{
		{"all", journal.Filter{}, []uint64{1, 2, 3, 4, 5}},
		{"method", journal.Filter{Method: "patch"}, []uint64{2, 3}},
		{"relative path prefix", journal.Filter{Path: "/Users"}, []uint64{1, 2, 4}},
		{"full path prefix", journal.Filter{Path: base + "/Users"}, []uint64{1, 2}},
		{"path pattern", journal.Filter{Path: "/Users/*"}, []uint64{2}},
		{"resource type", journal.Filter{ResourceType: "group"}, []uint64{3}},
		{"endpoint as resource type", journal.Filter{ResourceType: "Users"}, []uint64{1, 2, 4}},
		{"patch op any case", journal.Filter{PatchOp: "replace"}, []uint64{2}},
		{"patch op", journal.Filter{PatchOp: "remove"}, []uint64{3}},
		{"status", journal.Filter{Status: "429"}, []uint64{3}},
		{"status class", journal.Filter{Status: "4xx"}, []uint64{3, 4, 5}},
		{"account", journal.Filter{Account: "other"}, []uint64{4}},
		{"rule", journal.Filter{Rule: "DT-USER-DOMAIN"}, []uint64{4}},
		{"faulted", journal.Filter{Faulted: true}, []uint64{3}},
		{"since until", journal.Filter{Since: t0.Add(time.Second), Until: t0.Add(3 * time.Second)}, []uint64{2, 3}},
		{"after", journal.Filter{After: 3}, []uint64{4, 5}},
		{"limit keeps newest", journal.Filter{Limit: 2}, []uint64{4, 5}},
		{"combined", journal.Filter{Method: "PATCH", Status: "2xx"}, []uint64{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := seqs(j.Entries(tt.f)); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			// The query string form selects the same.
			f, err := journal.ParseFilter(tt.f.Values())
			if err != nil {
				t.Fatalf("ParseFilter(%v): %v", tt.f.Values(), err)
			}
			if got := seqs(j.Entries(f)); !slices.Equal(got, tt.want) {
				t.Fatalf("through the query %q: got %v, want %v", tt.f.Values().Encode(), got, tt.want)
			}
		})
	}
}

func TestParseFilterErrors(t *testing.T) {
	for _, q := range []string{"stauts=400", "status=4x", "status=abc", "since=yesterday", "after=-1", "limit=-2", "faulted=maybe", "path=[", "status=099"} {
		v, _ := url.ParseQuery(q)
		if _, err := journal.ParseFilter(v); err == nil {
			t.Errorf("ParseFilter(%q) = nil error, want one", q)
		}
	}
}

func TestMatchPath(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"/Users", "/idm/public/scim/a/v2/Users", true},
		{"/Users", "/idm/public/scim/a/v2/Users/1", true},
		{"/Users", "/idm/public/scim/a/v2/UsersX", false},
		{"/Users/", "/idm/public/scim/a/v2/Users/1", true},
		{"/Users/*", "/idm/public/scim/a/v2/Users/1", true},
		{"/Users/*", "/idm/public/scim/a/v2/Users", false},
		{"/idm/public/scim/*/v2/Groups", "/idm/public/scim/a/v2/Groups", true},
		{"/idm/public/scim/a", "/idm/public/scim/a/v2/Groups", true},
		{"/Groups", "/mock/v1/Groups", false},
		{"", "/anything", true},
	}
	for _, tt := range tests {
		if got := journal.MatchPath(tt.pattern, tt.path); got != tt.want {
			t.Errorf("MatchPath(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

func TestSplitSCIMPath(t *testing.T) {
	tests := []struct {
		path, account, rest string
		ok                  bool
	}{
		{"/idm/public/scim/a1/v2/Users/9", "a1", "/Users/9", true},
		{"/idm/public/scim/a1/v2", "a1", "", true},
		{"/idm/public/scim/a1/v3/Users", "", "", false},
		{"/idm/public/scim//v2/Users", "", "", false},
		{"/mock/v1/accounts", "", "", false},
	}
	for _, tt := range tests {
		a, r, ok := journal.SplitSCIMPath(tt.path)
		if a != tt.account || r != tt.rest || ok != tt.ok {
			t.Errorf("SplitSCIMPath(%q) = %q %q %v, want %q %q %v", tt.path, a, r, ok, tt.account, tt.rest, tt.ok)
		}
	}
}

func TestRedactHeaders(t *testing.T) {
	const token = "dt0s09.ABCDEFGH.ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123"
	h := http.Header{
		"Authorization": {"Bearer " + token},
		"Cookie":        {"session=1"},
		"X-My-Token":    {"s3cret"},
		"Content-Type":  {"application/scim+json"},
	}
	got := journal.RedactHeaders(h)
	for name, v := range got {
		if strings.Contains(strings.Join(v, ""), "s3cret") || strings.Contains(strings.Join(v, ""), "session=1") {
			t.Errorf("%s = %v: a secret is left", name, v)
		}
	}
	if a := got.Get("Authorization"); !strings.HasPrefix(a, "Bearer ") || strings.Contains(a, token[len(token)-20:]) {
		t.Errorf("Authorization = %q, want Bearer and a redacted token", a)
	}
	if got.Get("Content-Type") != "application/scim+json" {
		t.Errorf("Content-Type = %q, want it kept", got.Get("Content-Type"))
	}
	if h.Get("Cookie") != "session=1" {
		t.Error("RedactHeaders changed its argument")
	}
	if got := journal.RedactAuthorization("Basic dXNlcjpwYXNz"); got != "Basic [redacted]" {
		t.Errorf("Basic = %q", got)
	}
}

func TestRedactBody(t *testing.T) {
	tests := []struct {
		name, body string
		keep       []string
		gone       []string
	}{
		{"no password", `{"userName":"a@example.com"}`, []string{`{"userName":"a@example.com"}`}, nil},
		{"attribute", `{"userName":"a","password":"hunter2"}`, []string{`"userName":"a"`}, []string{"hunter2"}},
		{"patch path", `{"Operations":[{"op":"replace","path":"password","value":"hunter2"}]}`, []string{`"op":"replace"`}, []string{"hunter2"}},
		{"patch no path", `{"Operations":[{"op":"replace","value":{"password":"hunter2","active":true}}]}`, []string{`"active":true`}, []string{"hunter2"}},
		{"urn path", `{"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:core:2.0:User:password","value":"hunter2"}]}`, nil, []string{"hunter2"}},
		{"not JSON", `password=hunter2`, nil, []string{"hunter2"}},
	}
	for _, tt := range tests {
		got := journal.RedactBody([]byte(tt.body))
		for _, k := range tt.keep {
			if !strings.Contains(got, k) {
				t.Errorf("%s: %q lost %q", tt.name, got, k)
			}
		}
		for _, g := range tt.gone {
			if strings.Contains(got, g) {
				t.Errorf("%s: %q still has %q", tt.name, got, g)
			}
		}
	}
}

func TestSubscribe(t *testing.T) {
	j := journal.New()
	sub := j.Subscribe(journal.Filter{Method: "PATCH"}, 1)
	j.Add(journal.Entry{Method: "GET"})
	j.Add(journal.Entry{Method: "PATCH"})
	j.Add(journal.Entry{Method: "PATCH"}) // the buffer holds one: missed
	if e := <-sub.C; e.Seq != 2 {
		t.Fatalf("first entry seq %d, want 2", e.Seq)
	}
	if sub.Missed() != 1 {
		t.Fatalf("missed = %d, want 1", sub.Missed())
	}
	sub.Close()
	sub.Close()
	if _, open := <-sub.C; open {
		t.Fatal("C is open after Close")
	}
	j.CloseStreams()
	if _, open := <-j.Subscribe(journal.Filter{}, 1).C; open {
		t.Fatal("a subscription after CloseStreams is open")
	}
}

func BenchmarkAdd(b *testing.B) {
	j := journal.New(journal.WithCapacity(1000))
	e := journal.Entry{Method: "PATCH", Path: "/idm/public/scim/a/v2/Users/1", Status: 200}
	for b.Loop() {
		j.Add(e)
	}
}

func BenchmarkEntriesFiltered(b *testing.B) {
	j := journal.New()
	for i := range journal.DefaultCapacity {
		m := "GET"
		if i%10 == 0 {
			m = "PATCH"
		}
		j.Add(journal.Entry{Method: m, Path: "/idm/public/scim/a/v2/Users/1", Status: 200})
	}
	f := journal.Filter{Method: "PATCH", Path: "/Users"}
	for b.Loop() {
		j.Entries(f)
	}
}
