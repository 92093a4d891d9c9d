package scimhttp_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scimconf/scimconf/server/internal/engine/provider"
)

// FuzzSCIM sends arbitrary methods, paths, queries and bodies to the SCIM
// endpoint: the mock must answer every one with a SCIM response below 500
// (a 5xx means a bug reached the recover middleware) and never panic.
func FuzzSCIM(f *testing.F) {
	seeds := []struct{ method, path, body string }{
		{"POST", "/Users", user},
		{"GET", "/Users?filter=userName%20eq%20%22a%22&sortBy=name.familyName&count=-1&startIndex=0", ""},
		{"GET", "/Users?filter=emails%5Btype%20eq%20%22work%22%5D&attributes=emails.value", ""},
		{"GET", "/Users?cursor=garbage&count=2", ""},
		{"POST", "/Groups", `{"displayName":"g","members":[{"value":"nope"}]}`},
		{"PATCH", "/Users/x", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","value":{"name.givenName":"x"}}]}`},
		{"POST", "/Bulk", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","bulkId":"a","path":"/Groups","data":{"displayName":"g","members":[{"value":"bulkId:a"}]}}]}`},
		{"POST", "/.search", `{"filter":"displayName pr","count":1}`},
		{"PUT", "/Groups/x", `{"displayName":null}`},
		{"GET", "/Schemas/urn:x", ""},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.body)
	}
	_, base := newServer(f, provider.DefaultConfig())
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !validMethod(method) || strings.ContainsAny(path, " \r\n\t#") {
			return
		}
		req, err := http.NewRequest(method, base+"/"+strings.TrimPrefix(path, "/"), strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "Bearer tok-a")
		req.Header.Set("Content-Type", "application/scim+json")
		resp, err := fuzzClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: transport error %v", method, path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented {
			t.Fatalf("%s %s %q: status %d %s", method, path, body, resp.StatusCode, b)
		}
	})
}

func validMethod(m string) bool {
	switch m {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS":
		return true
	}
	return false
}

// fuzzClient times out so that a request the mock never answers (a
// deadlock) fails the fuzz run with its input instead of stalling it.
var fuzzClient = &http.Client{Timeout: 10 * time.Second}
