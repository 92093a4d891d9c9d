package reliability_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/scimconf/scimconf/server/mock"
)

// fuzzMock is one mock for the whole fuzz run, over a real socket, so the
// fuzzed requests cross the same listener, journal, faults, management API
// and SCIM handler a client's do.
var fuzzMock = sync.OnceValues(func() (*mock.Instance, error) {
	return mock.Start(context.Background(), mock.Options{})
})

// FuzzMock sends a fuzzed method, path (with query), header and body to
// the assembled mock, with the SCIM token, the admin token or none: it
// must answer every one below 500 and never drop the connection. A header
// named X-Scimconf-Fault is the double's way to ask for a fault (a 5xx on
// purpose), so it is not sent.
func FuzzMock(f *testing.F) {
	seeds := []struct {
		method, path, header, value, body string
		auth                              uint8
	}{
		{"POST", "/Users", "Content-Type", "application/scim+json", `{"userName":"a@example.com","name":{"givenName":"A","familyName":"B"},"active":true}`, 1},
		{"GET", "/Users?filter=userName%20eq%20%22a%22&sortBy=userName&count=-1", "Accept", "application/scim+json", "", 1},
		{"PATCH", "/Groups/x", "If-Match", `W/"1"`, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"u"}]}]}`, 1},
		{"POST", "/Bulk", "Content-Type", "application/json", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","bulkId":"a","path":"/Groups","data":{"displayName":"g"}}]}`, 1},
		{"POST", "/.search", "Content-Type", "application/scim+json", `{"filter":"emails[type eq \"work\"]"}`, 1},
		{"GET", "/Users?access_token=abc", "Cookie", "a=b", "", 0},
		{"POST", "/mock/v1/accounts", "Content-Type", "application/json", `{"name":"f"}`, 2},
		{"PUT", "/mock/v1/dns/txt/a.example.org", "Content-Type", "application/json", `{"values":["x","x","y"]}`, 2},
		{"POST", "/mock/v1/faults", "Content-Type", "application/json", `{"match":{"method":"GET"},"action":{"latency":"1ms"}}`, 2},
		{"GET", "/mock/v1/journal?status=4xx&method=POST", "Accept", "text/event-stream", "", 2},
		{"GET", "/mock/v1/client-report?format=html", "", "", "", 2},
		{"DELETE", "/mock/v1/accounts/nope", "", "", "", 2},
		{"GET", "/healthz", "", "", "", 0},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.header, s.value, s.body, s.auth)
	}
	f.Fuzz(func(t *testing.T, method, path, header, value, body string, auth uint8) {
		inst, err := fuzzMock()
		if err != nil {
			t.Fatal(err)
		}
		base := inst.URL
		if !strings.HasPrefix(path, "/mock/") && !strings.HasPrefix(path, "/healthz") {
			base = inst.SCIMBaseURL
		}
		// A request the Go client cannot send says nothing of the mock.
		if !validMethod(method) || strings.ContainsAny(path, " \r\n\t#\x00") || strings.EqualFold(header, "X-Scimconf-Fault") {
			return
		}
		req, err := http.NewRequest(method, base+"/"+strings.TrimPrefix(path, "/"), strings.NewReader(body))
		if err != nil || req.URL.Host != strings.TrimPrefix(inst.URL, "http://") {
			return
		}
		if header != "" {
			if !validHeader(header, value) || http.CanonicalHeaderKey(header) == "Host" || http.CanonicalHeaderKey(header) == "Content-Length" || http.CanonicalHeaderKey(header) == "Transfer-Encoding" {
				return
			}
			req.Header.Set(header, value)
		}
		switch auth % 3 {
		case 1:
			req.Header.Add("Authorization", "Bearer "+inst.SCIMToken)
		case 2:
			req.Header.Add("Authorization", "Bearer "+inst.AdminToken)
		}
		if strings.EqualFold(header, "Accept") && strings.Contains(value, "event-stream") {
			return // the live tail never ends by design
		}
		if strings.HasSuffix(req.URL.Path, "/journal/stream") || strings.HasSuffix(req.URL.Path, "/reset") {
			return // a tail that never ends; a reset changes the tokens the next inputs need
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s (%s: %q): no answer: %v", method, path, header, value, err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented {
			t.Fatalf("%s %s (%s: %q) %q: %d", method, path, header, value, body, resp.StatusCode)
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

// validHeader is true for a name and value net/http sends as they are.
func validHeader(name, value string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", c) {
			return false
		}
	}
	for i := range len(value) {
		if b := value[i]; b < ' ' && b != '\t' || b == 0x7f {
			return false
		}
	}
	return true
}
