package faults_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimconf/scimconf/server/internal/double/faults"
	"github.com/scimconf/scimconf/server/internal/double/journal"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		rule faults.Rule
		want string // "" for valid, else a part of the error
	}{
		{"429", faults.Rule{Match: faults.Match{Method: "PATCH", Nth: 3}, Action: faults.Action{Status: 429, RetryAfter: 2}}, ""},
		{"latency only", faults.Rule{Action: faults.Action{Latency: faults.Duration(time.Second)}}, ""},
		{"latency and reset", faults.Rule{Action: faults.Action{Latency: 1, Reset: true}}, ""},
		{"no action", faults.Rule{}, "at least one"},
		{"status 200", faults.Rule{Action: faults.Action{Status: 200}}, "action.status"},
		{"retry without status", faults.Rule{Action: faults.Action{Reset: true, RetryAfter: 2}}, "retryAfter needs"},
		{"two actions", faults.Rule{Action: faults.Action{Status: 500, Truncate: true}}, "exclude each other"},
		{"long latency", faults.Rule{Action: faults.Action{Latency: faults.Duration(time.Hour)}}, "latency"},
		{"negative nth", faults.Rule{Match: faults.Match{Nth: -1}, Action: faults.Action{Reset: true}}, "nth"},
		{"probability", faults.Rule{Match: faults.Match{Probability: 1.5}, Action: faults.Action{Reset: true}}, "probability"},
		{"bad pattern", faults.Rule{Match: faults.Match{Path: "/Users/["}, Action: faults.Action{Reset: true}}, "match.path"},
		{"relative path", faults.Rule{Match: faults.Match{Path: "Users"}, Action: faults.Action{Reset: true}}, "start with /"},
		{"negative times", faults.Rule{Times: -1, Action: faults.Action{Reset: true}}, "times"},
	}
	for _, tt := range tests {
		err := tt.rule.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v, want valid", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: %v, want an error about %q", tt.name, err, tt.want)
		}
	}
}

func TestParseHeader(t *testing.T) {
	tests := []struct {
		in      string
		want    faults.Action
		wantErr bool
	}{
		{"status=503", faults.Action{Status: 503}, false},
		{"status=429; retry-after=2", faults.Action{Status: 429, RetryAfter: 2}, false},
		{"status=429, Retry-After=2", faults.Action{Status: 429, RetryAfter: 2}, false},
		{"latency=1.5s", faults.Action{Latency: faults.Duration(1500 * time.Millisecond)}, false},
		{"latency=250", faults.Action{Latency: faults.Duration(250 * time.Millisecond)}, false},
		{"reset", faults.Action{Reset: true}, false},
		{"truncate; latency=10ms", faults.Action{Truncate: true, Latency: faults.Duration(10 * time.Millisecond)}, false},
		{"status=500; detail=boom", faults.Action{Status: 500, Detail: "boom"}, false},
		{"status=abc", faults.Action{}, true},
		{"stauts=503", faults.Action{}, true},
		{"status=302", faults.Action{}, true},
		{"", faults.Action{}, true},
		{"reset; status=503", faults.Action{}, true},
	}
	for _, tt := range tests {
		got, err := faults.ParseHeader(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseHeader(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "faults.json")
	os.WriteFile(good, []byte(`{"faults":[{"match":{"method":"PATCH","nth":3},"action":{"status":429,"retryAfter":2}},{"match":{"path":"/Groups"},"action":{"latency":"100ms"}}]}`), 0o600)
	rules, err := faults.ReadFile(good)
	if err != nil || len(rules) != 2 || rules[0].Action.RetryAfter != 2 || time.Duration(rules[1].Action.Latency) != 100*time.Millisecond {
		t.Fatalf("ReadFile = %+v, %v", rules, err)
	}
	if rules, err := faults.Parse([]byte(`[{"action":{"reset":true}}]`)); err != nil || len(rules) != 1 {
		t.Fatalf("a bare array: %+v, %v", rules, err)
	}
	for _, bad := range []string{`{"faults":[{"action":{}}]}`, `{"fautls":[]}`, `[{"action":{"status":429,"retry_after":2}}]`, `{`, `{"faults":[{"action":{"latency":"soon"}}]}`} {
		if _, err := faults.Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%s) = nil error", bad)
		}
	}
	if _, err := faults.ReadFile(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("ReadFile of a missing file = nil error")
	}
}

func TestAddDeleteClear(t *testing.T) {
	in := faults.New(1)
	a, err := in.Add(faults.Rule{Action: faults.Action{Reset: true}})
	if err != nil || a.ID != "f1" {
		t.Fatalf("Add = %+v, %v", a, err)
	}
	if _, err := in.Add(faults.Rule{ID: "f1", Action: faults.Action{Reset: true}}); !errors.Is(err, faults.ErrRuleExists) {
		t.Fatalf("Add with a taken id = %v", err)
	}
	named, _ := in.Add(faults.Rule{ID: "f2", Action: faults.Action{Reset: true}})
	next, _ := in.Add(faults.Rule{Action: faults.Action{Reset: true}})
	if named.ID != "f2" || next.ID != "f3" {
		t.Fatalf("ids %q %q, want f2 f3", named.ID, next.ID)
	}
	if !in.Delete("f2") || in.Delete("f2") {
		t.Fatal("Delete f2 twice: want true then false")
	}
	if got := len(in.Rules()); got != 2 {
		t.Fatalf("%d rules, want 2", got)
	}
	in.Clear()
	if got := len(in.Rules()); got != 0 {
		t.Fatalf("%d rules after Clear", got)
	}
	if a, _ := in.Add(faults.Rule{Action: faults.Action{Reset: true}}); a.ID != "f1" {
		t.Fatalf("id after Clear = %q, want f1", a.ID)
	}
}

// server runs a counting handler behind the journal and the injector, on a
// real socket, as the mock does.
type server struct {
	srv    *httptest.Server
	j      *journal.Journal
	in     *faults.Injector
	served atomic.Int64
}

func newServer(t *testing.T, seed uint64) *server {
	s := &server{j: journal.New(), in: faults.New(seed)}
	scim := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.served.Add(1)
		if r.Method == "DELETE" {
			w.WriteHeader(204)
			return
		}
		w.Header().Set("Content-Type", "application/scim+json")
		w.WriteHeader(200)
		io.WriteString(w, `{"id":"1","userName":"someone@example.com"}`)
	})
	s.srv = httptest.NewServer(s.j.Middleware(s.in.Middleware(scim)))
	t.Cleanup(s.srv.Close)
	return s
}

type result struct {
	status int
	header http.Header
	body   string
	err    error
}

func (s *server) call(t *testing.T, method, path string, header ...string) result {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), method, s.srv.URL+path, strings.NewReader(`{}`))
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	// A fresh connection per call: a reset must not spoil the next call.
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, header: resp.Header, body: string(b), err: err}
}

const users = "/idm/public/scim/acct/v2/Users"

func TestThirdPatchGets429(t *testing.T) {
	s := newServer(t, 1)
	rule, err := s.in.Add(faults.Rule{Match: faults.Match{Method: "patch", Nth: 3}, Action: faults.Action{Status: 429, RetryAfter: 2}})
	if err != nil {
		t.Fatal(err)
	}
	var statuses []int
	for i := range 5 {
		s.call(t, "GET", users)
		r := s.call(t, "PATCH", users+"/"+string(rune('a'+i)))
		statuses = append(statuses, r.status)
		if i == 2 {
			if r.header.Get("Retry-After") != "2" || r.header.Get("Content-Type") != "application/scim+json" || !strings.Contains(r.body, `"status":"429"`) {
				t.Errorf("the 429: headers %v body %s", r.header, r.body)
			}
			if r.header.Get(faults.Header) != "rule "+rule.ID+": status=429; retry-after=2" {
				t.Errorf("fault mark = %q", r.header.Get(faults.Header))
			}
		}
	}
	if want := []int{200, 200, 429, 200, 200}; !slices.Equal(statuses, want) {
		t.Fatalf("PATCH statuses %v, want %v", statuses, want)
	}
	if got := s.served.Load(); got != 9 {
		t.Errorf("served %d requests, want 9: the 429 must not reach the handler", got)
	}
	got, _ := s.in.Rule(rule.ID)
	if got.Seen != 5 || got.Fired != 1 {
		t.Errorf("counters seen %d fired %d, want 5 and 1", got.Seen, got.Fired)
	}
	faulted := s.j.Entries(journal.Filter{Faulted: true})
	if len(faulted) != 1 || faulted[0].Status != 429 || faulted[0].Method != "PATCH" || !strings.Contains(faulted[0].Fault, "status=429") {
		t.Fatalf("journal's faulted entries: %+v", faulted)
	}
}

func TestMatchByResourceTypeAndAccount(t *testing.T) {
	s := newServer(t, 1)
	s.in.Add(faults.Rule{Match: faults.Match{ResourceType: "Group", Account: "acct"}, Action: faults.Action{Status: 503}})
	tests := []struct {
		path string
		want int
	}{
		{users, 200},
		{"/idm/public/scim/acct/v2/Groups/1", 503},
		{"/idm/public/scim/other/v2/Groups/1", 200},
		{"/elsewhere", 200},
	}
	for _, tt := range tests {
		if got := s.call(t, "GET", tt.path).status; got != tt.want {
			t.Errorf("GET %s = %d, want %d", tt.path, got, tt.want)
		}
	}
}

func TestTimesAndProbabilityAreDeterministic(t *testing.T) {
	run := func() []int {
		s := newServer(t, 42)
		s.in.Add(faults.Rule{Match: faults.Match{Probability: 0.5}, Times: 4, Action: faults.Action{Status: 500}})
		var out []int
		for range 20 {
			out = append(out, s.call(t, "GET", users).status)
		}
		return out
	}
	a, b := run(), run()
	if !slices.Equal(a, b) {
		t.Fatalf("two runs with one seed differ:\n%v\n%v", a, b)
	}
	if n := countOf(a, 500); n != 4 {
		t.Fatalf("%d faults, want 4 (times): %v", n, a)
	}
}

func countOf(xs []int, v int) int {
	n := 0
	for _, x := range xs {
		if x == v {
			n++
		}
	}
	return n
}

func TestHeaderFault(t *testing.T) {
	s := newServer(t, 1)
	r := s.call(t, "GET", users, faults.Header, "status=503; retry-after=7")
	if r.status != 503 || r.header.Get("Retry-After") != "7" || r.header.Get(faults.Header) != "header: status=503; retry-after=7" {
		t.Fatalf("got %d %v", r.status, r.header)
	}
	r = s.call(t, "GET", users, faults.Header, "stauts=503")
	if r.status != 400 || !strings.Contains(r.body, "stauts") {
		t.Fatalf("a bad header: %d %s, want 400 naming the setting", r.status, r.body)
	}
	if r := s.call(t, "GET", users); r.status != 200 {
		t.Fatalf("the next call without the header: %d", r.status)
	}
}

func TestReset(t *testing.T) {
	s := newServer(t, 1)
	r := s.call(t, "POST", users, faults.Header, "reset")
	if r.err == nil {
		t.Fatalf("a reset connection answered %d", r.status)
	}
	if s.served.Load() != 0 {
		t.Fatal("a reset request was served")
	}
	e := s.j.Entries(journal.Filter{})
	if len(e) != 1 || e[0].Status != 0 || e[0].Fault != "header: reset" || e[0].Error == "" {
		t.Fatalf("journal: %+v", e)
	}
}

func TestTruncate(t *testing.T) {
	s := newServer(t, 1)
	r := s.call(t, "POST", users, faults.Header, "truncate")
	if r.status != 200 || !errors.Is(r.err, io.ErrUnexpectedEOF) {
		t.Fatalf("got %d, %q, err %v; want 200 and an unexpected EOF", r.status, r.body, r.err)
	}
	if s.served.Load() != 1 {
		t.Fatal("a truncated request must be served")
	}
	var v map[string]any
	if json.Unmarshal([]byte(r.body), &v) == nil {
		t.Fatalf("the body %q is whole", r.body)
	}
	// Nothing to cut: the connection closes after serving.
	r = s.call(t, "DELETE", users+"/1", faults.Header, "truncate")
	if r.err == nil || s.served.Load() != 2 {
		t.Fatalf("DELETE with truncate: %d %v, served %d", r.status, r.err, s.served.Load())
	}
}

func TestLatency(t *testing.T) {
	s := newServer(t, 1)
	s.in.Add(faults.Rule{Match: faults.Match{Method: "GET"}, Action: faults.Action{Latency: faults.Duration(time.Millisecond)}})
	r := s.call(t, "GET", users)
	if r.status != 200 || r.header.Get(faults.Header) == "" {
		t.Fatalf("got %d %v", r.status, r.header)
	}
	if s.served.Load() != 1 {
		t.Fatal("a delayed request must be served")
	}
}

func TestManagementEndpoints(t *testing.T) {
	in := faults.New(1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /mock/v1/faults", in.ServeList)
	mux.HandleFunc("POST /mock/v1/faults", in.ServeAdd)
	mux.HandleFunc("DELETE /mock/v1/faults", in.ServeClear)
	mux.HandleFunc("DELETE /mock/v1/faults/{faultId}", in.ServeDelete)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	do := func(method, path, body string) (int, http.Header, string) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	status, h, body := do("POST", "/mock/v1/faults", `{"description":"third PATCH","match":{"method":"PATCH","nth":3},"action":{"status":429,"retryAfter":2}}`)
	if status != 201 || h.Get("Location") != "/mock/v1/faults/f1" || !strings.Contains(body, `"id":"f1"`) {
		t.Fatalf("POST = %d %v %s", status, h, body)
	}
	tests := []struct {
		method, path, body string
		status             int
		code               string
	}{
		{"POST", "/mock/v1/faults", `{"match":{},"action":{"status":200}}`, 400, "invalid_fault"},
		{"POST", "/mock/v1/faults", `{"match":{},"action":{"status":429,"retry_after":2}}`, 400, "invalid_json"},
		{"POST", "/mock/v1/faults", ``, 400, "invalid_json"},
		{"POST", "/mock/v1/faults", `{"id":"f1","action":{"reset":true}}`, 409, "fault_exists"},
		{"DELETE", "/mock/v1/faults/nope", ``, 404, "fault_not_found"},
	}
	for _, tt := range tests {
		status, _, body := do(tt.method, tt.path, tt.body)
		if status != tt.status || !strings.Contains(body, `"error":"`+tt.code+`"`) {
			t.Errorf("%s %s %s = %d %s, want %d %s", tt.method, tt.path, tt.body, status, body, tt.status, tt.code)
		}
	}
	if status, _, body := do("GET", "/mock/v1/faults", ""); status != 200 || !strings.Contains(body, `"description":"third PATCH"`) {
		t.Fatalf("GET = %d %s", status, body)
	}
	if status, _, _ := do("DELETE", "/mock/v1/faults/f1", ""); status != 204 {
		t.Fatalf("DELETE f1 = %d", status)
	}
	do("POST", "/mock/v1/faults", `{"action":{"reset":true}}`)
	if status, _, _ := do("DELETE", "/mock/v1/faults", ""); status != 204 || len(in.Rules()) != 0 {
		t.Fatalf("DELETE all = %d, %d rules left", status, len(in.Rules()))
	}
	if _, _, body := do("GET", "/mock/v1/faults", ""); strings.TrimSpace(body) != `{"faults":[]}` {
		t.Fatalf("empty list = %s", body)
	}
}
