package reliability_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimconf/scimconf/server/mock"
	"github.com/scimconf/scimconf/server/mockclient"
)

// figures are the numbers the suite measured, printed at the end of the
// run (RELIABILITY.md quotes them): `make reliability` shows them.
var figures struct {
	sync.Mutex
	lines []string
}

// figure records one measured number for the closing summary.
func figure(t testing.TB, name, format string, args ...any) {
	line := fmt.Sprintf("%-44s %s", name, fmt.Sprintf(format, args...))
	t.Log("figure: " + line)
	figures.Lock()
	figures.lines = append(figures.lines, line)
	figures.Unlock()
}

func TestMain(m *testing.M) {
	code := m.Run()
	figures.Lock()
	if len(figures.lines) > 0 {
		slices.Sort(figures.lines)
		fmt.Println("reliability figures:")
		for _, l := range figures.lines {
			fmt.Println("  " + l)
		}
	}
	figures.Unlock()
	os.Exit(code)
}

// client gives up on an answer after 30s, so that a mock that never
// answers fails the test with the request instead of hanging it.
var client = &http.Client{Timeout: 30 * time.Second}

// start starts a mock for one test and closes it at the end.
func start(t testing.TB, opts mock.Options) (*mock.Instance, *mockclient.Client) {
	t.Helper()
	inst, err := mock.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	return inst, &mockclient.Client{BaseURL: inst.AdminURL, Token: inst.AdminToken, HTTP: client}
}

// answer is one exchange's outcome.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) String() string {
	return fmt.Sprintf("%d %.300s", a.status, a.body)
}

// json decodes the answer's body as an object (nil when it is not one).
func (a answer) json() map[string]any {
	var m map[string]any
	if json.Unmarshal(a.body, &m) != nil {
		return nil
	}
	return m
}

// do sends one request; header holds name, value pairs. A transport error
// fails the test: the mock must answer everything.
func do(t testing.TB, method, url, body string, header ...string) answer {
	t.Helper()
	a, err := send(method, url, body, header...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return a
}

// send is do for any goroutine: it returns the transport error.
func send(method, url, body string, header ...string) (answer, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return answer{}, err
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, fmt.Errorf("reading the answer: %w", err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// scim sends a SCIM request with the demo account's token.
func scim(t testing.TB, inst *mock.Instance, method, path, body string) answer {
	t.Helper()
	return do(t, method, inst.SCIMBaseURL+path, body,
		"Authorization", "Bearer "+inst.SCIMToken, "Content-Type", "application/scim+json")
}

// admin sends a management API request with the admin token.
func admin(t testing.TB, inst *mock.Instance, method, path, body string) answer {
	t.Helper()
	return do(t, method, inst.AdminURL+path, body,
		"Authorization", "Bearer "+inst.AdminToken, "Content-Type", "application/json")
}

// scimErrorProblem says what keeps an answer from being a SCIM error body
// (RFC 7644 section 3.12): the error schema, status as a string equal to
// the HTTP status, a scimType (when present) that is a string; "" when it
// is one.
func scimErrorProblem(a answer) string {
	m := a.json()
	if m == nil {
		return "the body is not a JSON object"
	}
	schemas, _ := m["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
		return fmt.Sprintf("schemas is %v, want the Error URN", m["schemas"])
	}
	if m["status"] != fmt.Sprint(a.status) {
		return fmt.Sprintf("status is %#v, want the string %q", m["status"], fmt.Sprint(a.status))
	}
	if st, ok := m["scimType"]; ok {
		if _, isString := st.(string); !isString {
			return fmt.Sprintf("scimType is %#v, want a string", st)
		}
	}
	return ""
}

// managementErrorProblem says what keeps an answer from being the
// management API's error shape ({"error": code, "detail": text}).
func managementErrorProblem(a answer) string {
	m := a.json()
	if m == nil {
		return "the body is not a JSON object"
	}
	if code, _ := m["error"].(string); code == "" {
		return fmt.Sprintf("error is %#v, want a code", m["error"])
	}
	if detail, _ := m["detail"].(string); detail == "" {
		return fmt.Sprintf("detail is %#v, want a text", m["detail"])
	}
	return ""
}

// snapshot is everything a request could change, as the management API
// shows it: every account with its users and groups (export), domains,
// tokens, account-management groups and limits; the DNS mock's records,
// the fault rules and the violation switches. Times that reads move
// (a token's lastUsedAt, a domain's lastCheck) are left out.
func snapshot(t testing.TB, mc *mockclient.Client) string {
	t.Helper()
	ctx := context.Background()
	var b bytes.Buffer
	put := func(what string, v any, err error) {
		if err != nil {
			t.Fatalf("snapshot: %s: %v", what, err)
		}
		j, _ := json.Marshal(v)
		fmt.Fprintf(&b, "%s: %s\n", what, j)
	}
	accounts, err := mc.Accounts(ctx)
	put("accounts", accounts, err)
	for _, a := range accounts {
		export, err := mc.Export(ctx, a.ID)
		put(a.ID+" export", export, err)
		domains, err := mc.Domains(ctx, a.ID)
		for i := range domains {
			domains[i].LastCheck = nil
		}
		put(a.ID+" domains", domains, err)
		tokens, err := mc.Tokens(ctx, a.ID)
		for i := range tokens {
			tokens[i].LastUsedAt = nil
		}
		put(a.ID+" tokens", tokens, err)
		groups, err := mc.Groups(ctx, a.ID)
		put(a.ID+" groups", groups, err)
		limits, err := mc.Limits(ctx, a.ID)
		put(a.ID+" limits", limits, err)
	}
	txt, err := mc.TXTRecords(ctx)
	put("txt", txt, err)
	faults, err := mc.Faults(ctx)
	put("faults", faults, err)
	violations, err := mc.Violations(ctx)
	put("violations", violations, err)
	return b.String()
}

// exportOf is the cheap snapshot for SCIM requests, which reach one
// account's users and groups only.
func exportOf(t testing.TB, mc *mockclient.Client, accountID string) string {
	t.Helper()
	export, err := mc.Export(context.Background(), accountID)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	return string(export)
}

// userDoc is a valid User for the demo account: the Dynatrace rules' email
// userName in the verified domain, the required name parts and active.
func userDoc(inst *mock.Instance, local string) map[string]any {
	return map[string]any{
		"schemas":  []any{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": local + "@" + inst.Domain,
		"name":     map[string]any{"givenName": "Ada", "familyName": "Lovelace"},
		"active":   true,
	}
}

func groupDoc(name string) map[string]any {
	return map[string]any{
		"schemas":     []any{"urn:ietf:params:scim:schemas:core:2.0:Group"},
		"displayName": name,
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// created posts a resource and returns its id.
func created(t testing.TB, inst *mock.Instance, endpoint string, doc any) string {
	t.Helper()
	a := scim(t, inst, "POST", endpoint, mustJSON(doc))
	id, _ := a.json()["id"].(string)
	if a.status != http.StatusCreated || id == "" {
		t.Fatalf("POST %s: %s", endpoint, a)
	}
	return id
}
