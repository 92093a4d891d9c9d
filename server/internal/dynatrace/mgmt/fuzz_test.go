package mgmt_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
	"github.com/scimconf/scimconf/server/internal/dynatrace/mgmt"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// rig is the management API over a registry and one memory store per
// account, without the SCIM side: enough for in-process fuzzing.
func rig(tb testing.TB) (http.Handler, string) {
	tb.Helper()
	stores := sync.Map{}
	reg := account.NewRegistry(nil, account.WithAccountCreated(func(a *account.Account) {
		stores.Store(a.ID(), store.NewMemory(schema.Dynatrace()))
	}))
	h := mgmt.New(mgmt.Deps{
		Registry:   reg,
		AdminToken: "admin",
		Store: func(id string) store.Store {
			if st, ok := stores.Load(id); ok {
				return st.(store.Store)
			}
			return nil
		},
	})
	a, err := reg.CreateAccount("fuzz")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := a.MarkVerified("example.com"); err != nil {
		tb.Fatal(err)
	}
	if _, err := a.CreateLocalGroup("Local", ""); err != nil {
		tb.Fatal(err)
	}
	return h, a.ID()
}

// FuzzRequests: whatever the method, path and body, the handler answers
// without a panic or a 500, and every error is the one JSON shape.
func FuzzRequests(f *testing.F) {
	seeds := []struct{ method, path, body string }{
		{"POST", "/accounts", `{"name":"x"}`},
		{"POST", "/accounts/{id}/domains", `{"domain":"a.example.com"}`},
		{"POST", "/accounts/{id}/domains/example.com/verify", ``},
		{"POST", "/accounts/{id}/scim-tokens", `{"description":"d"}`},
		{"PATCH", "/accounts/{id}/scim-tokens/X", `{"description":null}`},
		{"POST", "/accounts/{id}/groups", `{"name":"G","description":"d"}`},
		{"PATCH", "/accounts/{id}/groups/x", `{"name":"\u0000"}`},
		{"PUT", "/accounts/{id}/groups/x/permissions", `[{"permissionName":"a","scope":"b","scopeType":"tenant"}]`},
		{"PUT", "/accounts/{id}/limits", `{"maxUsers":1e99,"maxGroups":1,"maxGroupsPerUser":1,"maxPermissionsPerGroup":1}`},
		{"GET", "/accounts/{id}/users/%00", ``},
		{"DELETE", "/accounts/{id}", ``},
		{"GET", "/dns/txt", ``},
		{"BREW", "/accounts", `{`},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.body)
	}
	h, id := rig(f)
	f.Fuzz(func(t *testing.T, method, path, body string) {
		req, err := http.NewRequest(method, "http://mock"+mgmt.Prefix+strings.ReplaceAll(path, "{id}", id), strings.NewReader(body))
		if err != nil {
			return // not a request a client could send
		}
		req.Header.Set("Authorization", "Bearer admin")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q %q = %d %s", method, path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var e mgmt.ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" || e.Detail == "" {
				t.Fatalf("%s %q = %d with body %q, want the JSON error shape", method, path, rec.Code, rec.Body)
			}
		}
	})
}

// TestConcurrentTokenCap: parallel generations cannot exceed the cap.
func TestConcurrentTokenCap(t *testing.T) {
	h, id := rig(t)
	var wg sync.WaitGroup
	codes := make(chan int, 3*account.MaxTokens)
	for range cap(codes) {
		wg.Go(func() {
			req := httptest.NewRequest(http.MethodPost, mgmt.Prefix+"/accounts/"+id+"/scim-tokens", bytes.NewReader(nil))
			req.Header.Set("Authorization", "Bearer admin")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			codes <- rec.Code
		})
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	if want := map[int]int{201: account.MaxTokens, 409: 2 * account.MaxTokens}; got[201] != want[201] || got[409] != want[409] || len(got) != 2 {
		t.Errorf("statuses = %v, want %v", got, want)
	}
}
