package scimtest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// TestFindWhereWithoutFiltering: a server that declines every filter (400
// invalidFilter) is searched by walking its listing, matched on the eq
// filter's attribute and value; a server that filters is asked once.
func TestFindWhereWithoutFiltering(t *testing.T) {
	users := []string{"ada@example.org", "Grace@example.org", "linus@example.org"}
	var filtered, listed int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		if r.URL.Query().Get("filter") != "" {
			filtered++
			w.WriteHeader(400)
			io.WriteString(w, `{"schemas":["`+ErrorURN+`"],"status":"400","scimType":"invalidFilter","detail":"filtering is not supported"}`)
			return
		}
		listed++
		// Pages of one, so the walk has to follow startIndex.
		start, _ := strconv.Atoi(r.URL.Query().Get("startIndex"))
		res := "[]"
		if start >= 1 && start <= len(users) {
			res = `[{"id":"` + strconv.Itoa(start) + `","userName":"` + users[start-1] + `"}]`
		}
		io.WriteString(w, `{"schemas":["`+ListURN+`"],"totalResults":`+strconv.Itoa(len(users))+`,"itemsPerPage":1,"startIndex":`+strconv.Itoa(start)+`,"Resources":`+res+`}`)
	}))
	defer srv.Close()
	tg := &Target{Client: NewClient(srv.URL, "t")}
	ctx := context.Background()

	r, res := tg.FindWhere(ctx, "/Users", EqFilter("userName", "grace@example.org"))
	if r.Status != 200 || len(res) != 1 || res[0]["id"] != "2" {
		t.Fatalf("want the one User found by walking the listing (caseExact false), got %d %v", r.Status, res)
	}
	if filtered != 1 || listed != 3 {
		t.Errorf("want one declined filter and three pages, got %d and %d", filtered, listed)
	}
	if n := tg.CountWhere(ctx, "/Users", EqFilter("userName", "nobody@example.org")); n != 0 {
		t.Errorf("CountWhere of an absent userName: %d, want 0", n)
	}
	// A filter EqFilter did not write is not guessed at: the decline stays.
	if r, _ := tg.FindWhere(ctx, "/Users", `userName sw "a"`); r.Status != 400 {
		t.Errorf("a non-eq filter: status %d, want the server's 400", r.Status)
	}
}
