package dnsmock_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scimconf/scimconf/dnsmock"
)

func TestHandler(t *testing.T) {
	s := start(t)
	h := s.Handler()
	const base = "/mock/v1/dns/txt"
	long := strings.Repeat("x", 70000)

	// Steps run in order against one server.
	steps := []struct {
		name       string
		method     string
		path       string
		body       string
		status     int
		wantRecord *dnsmock.TXTRecord // for 200 on one name
		wantList   []dnsmock.TXTRecord
		wantError  string // the "error" field
		detail     string // a part of "detail"
	}{
		{name: "list empty", method: "GET", path: base, status: 200, wantList: []dnsmock.TXTRecord{}},
		{name: "get absent", method: "GET", path: base + "/example.com", status: 404, wantError: "not found", detail: "example.com."},
		{name: "put", method: "PUT", path: base + "/_dt.Example.com", body: `{"values":["tok-1","tok-2"]}`, status: 200,
			wantRecord: &dnsmock.TXTRecord{Name: "_dt.example.com.", Values: []string{"tok-1", "tok-2"}}},
		{name: "get with dot", method: "GET", path: base + "/_DT.example.com.", status: 200,
			wantRecord: &dnsmock.TXTRecord{Name: "_dt.example.com.", Values: []string{"tok-1", "tok-2"}}},
		{name: "put replaces", method: "PUT", path: base + "/_dt.example.com", body: `{"values":["tok-3"]}`, status: 200,
			wantRecord: &dnsmock.TXTRecord{Name: "_dt.example.com.", Values: []string{"tok-3"}}},
		{name: "put another", method: "PUT", path: base + "/a.test", body: `{"values":[""]}`, status: 200,
			wantRecord: &dnsmock.TXTRecord{Name: "a.test.", Values: []string{""}}},
		{name: "list", method: "GET", path: base, status: 200, wantList: []dnsmock.TXTRecord{
			{Name: "_dt.example.com.", Values: []string{"tok-3"}}, {Name: "a.test.", Values: []string{""}}}},
		{name: "bad JSON", method: "PUT", path: base + "/b.test", body: `{"values":[`, status: 400, wantError: "invalid JSON", detail: `{"values":["..."]}`},
		{name: "wrong type", method: "PUT", path: base + "/b.test", body: `{"values":"v"}`, status: 400, wantError: "invalid JSON", detail: "values"},
		{name: "unknown field", method: "PUT", path: base + "/b.test", body: `{"value":["v"]}`, status: 400, wantError: "invalid JSON", detail: `unknown field "value"`},
		{name: "trailing data", method: "PUT", path: base + "/b.test", body: `{"values":["v"]} {}`, status: 400, wantError: "invalid JSON", detail: "more data"},
		{name: "no values field", method: "PUT", path: base + "/b.test", body: `{}`, status: 400, wantError: "invalid values", detail: "at least one"},
		{name: "empty values", method: "PUT", path: base + "/b.test", body: `{"values":[]}`, status: 400, wantError: "invalid values", detail: "at least one"},
		{name: "invalid name", method: "PUT", path: base + "/a..test", body: `{"values":["v"]}`, status: 400, wantError: "invalid name", detail: "empty label at offset 2"},
		{name: "escaped space in name", method: "PUT", path: base + "/a%20b.test", body: `{"values":["v"]}`, status: 400, wantError: "invalid name", detail: `" "`},
		{name: "too large for DNS", method: "PUT", path: base + "/b.test", body: `{"values":["` + long + `"]}`, status: 400, wantError: "invalid values", detail: "65535"},
		{name: "body too large", method: "PUT", path: base + "/b.test", body: `{"values":["` + strings.Repeat(long, 16) + `"]}`, status: 413, wantError: "body too large"},
		{name: "get invalid name", method: "GET", path: base + "/a..test", status: 400, wantError: "invalid name"},
		{name: "post", method: "POST", path: base + "/a.test", body: `{}`, status: 405, wantError: "method not allowed", detail: "GET, PUT, DELETE"},
		{name: "delete list", method: "DELETE", path: base, status: 405, wantError: "method not allowed", detail: "use GET"},
		{name: "unknown path", method: "GET", path: "/mock/v1/dns/aaaa/x", status: 404, wantError: "not found", detail: "/mock/v1/dns/txt"},
		{name: "delete", method: "DELETE", path: base + "/A.TEST.", status: 204},
		{name: "delete again", method: "DELETE", path: base + "/a.test", status: 404, wantError: "not found", detail: "a.test."},
		{name: "list after delete", method: "GET", path: base, status: 200, wantList: []dnsmock.TXTRecord{
			{Name: "_dt.example.com.", Values: []string{"tok-3"}}}},
	}
	for _, st := range steps {
		req := httptest.NewRequest(st.method, st.path, strings.NewReader(st.body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != st.status {
			t.Errorf("%s: %s %s = %d %s, want %d", st.name, st.method, st.path, rec.Code, rec.Body, st.status)
			continue
		}
		if st.status == http.StatusNoContent {
			if rec.Body.Len() != 0 {
				t.Errorf("%s: 204 with body %q", st.name, rec.Body)
			}
			continue
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q, want application/json", st.name, ct)
		}
		switch {
		case st.wantError != "":
			var got struct{ Error, Detail string }
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Errorf("%s: error body %q: %v", st.name, rec.Body, err)
				continue
			}
			if got.Error != st.wantError || !strings.Contains(got.Detail, st.detail) || got.Detail == "" {
				t.Errorf("%s: error %q detail %q, want %q with a detail holding %q", st.name, got.Error, got.Detail, st.wantError, st.detail)
			}
		case st.wantRecord != nil:
			var got dnsmock.TXTRecord
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.Name != st.wantRecord.Name || !slices.Equal(got.Values, st.wantRecord.Values) {
				t.Errorf("%s: body %s (%v), want %+v", st.name, rec.Body, err, *st.wantRecord)
			}
		case st.wantList != nil:
			var got dnsmock.TXTRecordList
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || !slices.EqualFunc(got.Records, st.wantList, func(a, b dnsmock.TXTRecord) bool {
				return a.Name == b.Name && slices.Equal(a.Values, b.Values)
			}) || got.Records == nil {
				t.Errorf("%s: body %s (%v), want records %+v", st.name, rec.Body, err, st.wantList)
			}
		}
	}

	// What the API published, DNS answers.
	r := &dnsmock.Resolver{Addr: s.Addr(), Timeout: 5 * time.Second}
	if got, err := r.LookupTXT(context.Background(), "_dt.example.com"); err != nil || !slices.Equal(got, []string{"tok-3"}) {
		t.Errorf("LookupTXT after the API calls = %q, %v; want [tok-3]", got, err)
	}
	if _, err := r.LookupTXT(context.Background(), "a.test"); !dnsmock.IsNoRecord(err) {
		t.Errorf("LookupTXT of the deleted name = %v, want no record", err)
	}
}

// TestPutManyValuesDeduplicatesInOrder is a PUT of 10,000 values, 2,000 of
// them distinct: the record set holds each once, in the order of its first
// appearance; 10,000 distinct values are refused (too large for one DNS
// message) and change nothing.
func TestPutManyValuesDeduplicatesInOrder(t *testing.T) {
	s := dnsmock.New()
	h := s.Handler()
	put := func(values []string) *httptest.ResponseRecorder {
		body, err := json.Marshal(map[string][]string{"values": values})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/mock/v1/dns/txt/_dt.example.com", strings.NewReader(string(body))))
		return rec
	}
	values := make([]string, 10000)
	want := make([]string, 2000)
	for i := range values {
		values[i] = "v" + strconv.Itoa((i*7)%2000) // 7 is prime to 2000: every value in the first 2,000
	}
	copy(want, values[:2000])
	if rec := put(values); rec.Code != http.StatusOK {
		t.Fatalf("PUT of 10,000 values = %d %s, want 200", rec.Code, rec.Body)
	}
	if got := s.TXT("_dt.example.com"); !slices.Equal(got, want) {
		t.Fatalf("TXT holds %d values (first %q), want the 2,000 distinct ones in order of first appearance", len(got), got[:min(3, len(got))])
	}
	for i := range values {
		values[i] = "v" + strconv.Itoa(i)
	}
	if rec := put(values); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "at most 65535") {
		t.Fatalf("PUT of 10,000 distinct values = %d %s, want 400 (too large for one DNS message)", rec.Code, rec.Body)
	}
	if got := s.TXT("_dt.example.com"); !slices.Equal(got, want) {
		t.Fatalf("a refused PUT changed the record set: %d values", len(got))
	}
}
