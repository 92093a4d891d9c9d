package journal_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/double/journal"
)

// TestMockJournalKeepsNoCredential sends credentials every way a client
// can (Authorization, cookies, API-key headers, query parameters, a form
// body, JSON bodies) and finds none of them in what the journal keeps,
// nor the value of a token the management API generated.
func TestMockJournalKeepsNoCredential(t *testing.T) {
	inst, jc := startMock(t)
	tok, err := jc.CreateToken(t.Context(), inst.AccountID, "journal redaction")
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{inst.SCIMToken, tok.Token}
	secret := func(name string) string {
		s := "s3cr3t-" + name + "-value"
		secrets = append(secrets, s)
		return s
	}
	send := func(method, rawQuery string, header http.Header, body string) {
		t.Helper()
		u := inst.SCIMBaseURL + "/Users"
		if rawQuery != "" {
			u += "?" + rawQuery
		}
		req, err := http.NewRequestWithContext(t.Context(), method, u, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header = header
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	bearer := http.Header{"Authorization": {"Bearer " + inst.SCIMToken}}
	// RFC 6750 section 2.3: the URI query parameter.
	send("GET", "access_token="+url.QueryEscape(tok.Token), nil, "")
	send("GET", "filter=userName+eq+%22x%22&Access_Token="+url.QueryEscape(secret("mixed-case")), nil, "")
	send("GET", "access%5Ftoken="+secret("escaped-name")+"&count=1", nil, "")
	send("GET", "refresh_token="+secret("refresh")+"&client_secret="+secret("client")+"&password="+secret("pw")+"&api_key="+secret("apikey"), bearer, "")
	// RFC 6750 section 2.2: the form-encoded body parameter.
	send("POST", "", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		"access_token="+url.QueryEscape(tok.Token)+"&other=1")
	send("POST", "", http.Header{
		"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("admin:"+secret("basic")))},
		"Cookie":        {"session=" + secret("cookie")},
		"X-Api-Key":     {secret("x-api-key")},
		"X-Auth-Token":  {secret("x-auth-token")},
		"Content-Type":  {"application/scim+json"},
	}, `{"userName":"a@example.com","password":"`+secret("json-password")+`","access_token":"`+secret("json-token")+`","client_secret":"`+secret("json-secret")+`"}`)
	send("POST", "", bearer, `{"userName":"b@example.com","password":"`+secret("truncated-json")+`"`) // not JSON

	got, err := jc.Received(t.Context(), journal.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 7 {
		t.Fatalf("the journal holds %d entries, want 7", len(got))
	}
	kept, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if strings.Contains(string(kept), s) {
			t.Errorf("the journal keeps the credential %q", s)
		}
	}
	// What is not a credential stays. The exchanges without a bearer token
	// (1, 4, 5) were answered 401 and are summaries: the query's names, no
	// body.
	if got[1].Query != "filter&Access_Token" || !got[1].Unauthenticated {
		t.Errorf("query kept as %q (unauthenticated %v)", got[1].Query, got[1].Unauthenticated)
	}
	if got[4].RequestBody != "" || !got[4].RequestBodyTruncated || got[5].RequestBody != "" || got[5].RequestHeaders != nil {
		t.Errorf("unauthenticated exchanges keep body %q and %q, headers %v", got[4].RequestBody, got[5].RequestBody, got[5].RequestHeaders)
	}
	if !strings.Contains(got[3].Query, "refresh_token=") || got[3].Unauthenticated || got[6].Unauthenticated {
		t.Errorf("authenticated exchanges kept as query %q, unauthenticated %v and %v", got[3].Query, got[3].Unauthenticated, got[6].Unauthenticated)
	}
}

// TestRedactResponseBody: an answer cut short keeps its text without the
// credential; a whole answer that holds none is kept as sent, and
// changePassword's object is no credential.
func TestRedactResponseBody(t *testing.T) {
	cut := `{"Resources":[{"id":"1","access_token":"s3cr3t","userName":"a"},{"id":"2","client_secret":"s3cr3t-too`
	if got := journal.RedactResponseBody([]byte(cut)); strings.Contains(got, "s3cr3t") || !strings.Contains(got, `"userName":"a"`) {
		t.Errorf("cut answer kept as %q", got)
	}
	spc := `{"changePassword": {"supported": false}, "authenticationSchemes": [{"type": "oauthbearertoken"}]}`
	if got := journal.RedactResponseBody([]byte(spc)); got != spc {
		t.Errorf("an answer without a credential kept as %q, want it as sent", got)
	}
}
