package reliability_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/scimconf/scimconf/reports"
	"github.com/scimconf/scimconf/server/mock"
	"github.com/scimconf/scimconf/server/mockclient"
	"github.com/scimconf/scimconf/suites/scimtest"
)

// TestNoCredentialAnywhere sends a SCIM token every way a client can send
// one (Authorization Bearer and Basic, the access_token query parameter of
// RFC 6750 section 2.3, the form-encoded body of section 2.2, a JSON body,
// a cookie, an API-key header) through the harness's recorder, as the
// conformance suites do, and has the management API generate a token (its
// value is in the answer's JSON body). Neither token's secret appears in
// the journal's export, the client report (JSON, Markdown, HTML) or the
// harness's report (its recorded exchanges, rendered as Markdown and
// HTML).
func TestNoCredentialAnywhere(t *testing.T) {
	inst, mc := start(t, mock.Options{})
	rec := &scimtest.Recorder{Next: http.DefaultTransport}
	harness := &http.Client{Transport: rec, Timeout: 30 * time.Second}
	ctx := t.Context()

	// A token generated through the management API, through the recorder:
	// the answer's body carries its value.
	req, _ := http.NewRequestWithContext(ctx, "POST", inst.AdminURL+"/accounts/"+inst.AccountID+"/scim-tokens", strings.NewReader(`{"description":"credential test"}`))
	req.Header.Set("Authorization", "Bearer "+inst.AdminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := harness.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var generated mockclient.NewToken
	json.NewDecoder(resp.Body).Decode(&generated)
	resp.Body.Close()
	if generated.Token == "" {
		t.Fatalf("token generation: %d", resp.StatusCode)
	}
	tokens := []string{inst.SCIMToken, generated.Token, inst.AdminToken}

	sendWay := func(method, rawQuery string, header http.Header, body string) {
		t.Helper()
		u := inst.SCIMBaseURL + "/Users"
		if rawQuery != "" {
			u += "?" + rawQuery
		}
		req, err := http.NewRequestWithContext(ctx, method, u, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header = header
		resp, err := harness.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for _, tok := range tokens[:2] {
		sendWay("GET", "count=1", http.Header{"Authorization": {"Bearer " + tok}}, "")
		sendWay("GET", "", http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("scim:"+tok))}}, "")
		sendWay("GET", "access_token="+url.QueryEscape(tok)+"&count=1", nil, "")
		sendWay("GET", "count=1&access_token="+url.QueryEscape(tok), http.Header{"Authorization": {"Bearer " + tok}}, "")
		sendWay("POST", "", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, "access_token="+url.QueryEscape(tok))
		sendWay("POST", "", http.Header{"Authorization": {"Bearer " + tok}, "Content-Type": {"application/x-www-form-urlencoded"}}, "access_token="+url.QueryEscape(tok))
		sendWay("POST", "", http.Header{"Authorization": {"Bearer " + tok}, "Content-Type": {"application/scim+json"}},
			mustJSON(map[string]any{"userName": "cred@" + inst.Domain, "access_token": tok, "password": tok, "name": map[string]any{"givenName": "A", "familyName": "B"}, "active": true}))
		sendWay("GET", "", http.Header{"Cookie": {"session=" + tok}, "X-Api-Key": {tok}}, "")
	}

	// Everything the mock and the harness keep or show.
	places := map[string][]byte{}
	entries, err := mc.Received(ctx, mockclient.JournalFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 16 {
		t.Fatalf("the journal holds %d exchanges, want the 16 sent", len(entries))
	}
	places["journal"], _ = json.Marshal(entries)
	for _, format := range []string{"json", "markdown", "html"} {
		b, err := mc.ClientReport(ctx, mockclient.JournalFilter{}, format)
		if err != nil {
			t.Fatalf("client report %s: %v", format, err)
		}
		places["client report ("+format+")"] = b
	}
	exchanges := rec.Take()
	places["harness exchanges (report.json)"], _ = json.Marshal(exchanges)
	run := reports.Run{Target: "mock", Suites: []reports.Suite{{Description: "rfc", Specs: []*reports.Spec{{
		Suite: "rfc", Text: "credentials", Node: types.NodeTypeIt, Rules: []string{"RFC-AUTH"},
		State: types.SpecStateFailed, Message: "forced failure, so the transcript is rendered", Exchanges: exchanges,
	}}}}}
	var md, html bytes.Buffer
	if err := reports.Markdown(&md, []reports.Run{run}, reports.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := reports.HTML(&html, []reports.Run{run}, reports.Options{}); err != nil {
		t.Fatal(err)
	}
	places["harness report (markdown)"], places["harness report (html)"] = md.Bytes(), html.Bytes()
	if !bytes.Contains(html.Bytes(), []byte("/Users")) {
		t.Fatal("the harness's HTML report shows no exchange: the search below would prove nothing")
	}

	for place, b := range places {
		for _, tok := range tokens {
			secret := tok[strings.LastIndex(tok, ".")+1:] // the secret part; the public id may show
			for _, form := range []string{secret, url.QueryEscape(secret), base64.StdEncoding.EncodeToString([]byte("scim:" + tok))} {
				if bytes.Contains(b, []byte(form)) {
					t.Errorf("the %s shows a token's secret (%.12s...)", place, form)
				}
			}
		}
	}
	figure(t, "credential ways x places searched", "%d ways x 2 tokens, %d places: 0 secrets found", 8, len(places))
}
