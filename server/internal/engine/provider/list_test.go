package provider_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/provider"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

func intp(n int) *int { return &n }

func strp(s string) *string { return &s }

// listFixture holds five users u1..u5 (created in that order; u5 has no
// title, u2 is inactive) and two groups.
func listFixture(t testing.TB) *provider.Provider {
	t.Helper()
	p, _ := engine(t)
	titles := []any{"b", "d", "a", "c", nil}
	for i, title := range titles {
		more := []any{"displayName", fmt.Sprintf("User %d", i+1), "active", i != 1}
		if title != nil {
			more = append(more, "title", title)
		}
		newUser(t, p, fmt.Sprintf("u%d@example.com", i+1), more...)
	}
	newGroup(t, p, "g1")
	newGroup(t, p, "g2")
	return p
}

// names lists the userName (or, for a group, displayName) of each
// resource of a page.
func names(resp *provider.ListResponse) []string {
	out := []string{}
	for _, r := range resp.Resources {
		if n, ok := r["userName"].(string); ok {
			out = append(out, n)
		} else {
			out = append(out, fmt.Sprint(r["displayName"]))
		}
	}
	return out
}

func us(ns ...int) []string {
	out := []string{}
	for _, n := range ns {
		out = append(out, fmt.Sprintf("u%d@example.com", n))
	}
	return out
}

// RFC 7644 section 3.4.2: filter, sort and index paging of a list.
func TestList(t *testing.T) {
	p := listFixture(t)
	for _, tc := range []struct {
		name       string
		req        provider.ListRequest
		maxResults int // 0: DefaultConfig's
		total      int
		startIndex int
		want       []string
	}{
		{"everything in creation order", provider.ListRequest{}, 0, 5, 1, us(1, 2, 3, 4, 5)},
		{"filter eq", provider.ListRequest{Filter: `userName eq "u3@example.com"`}, 0, 1, 1, us(3)},
		{"filter eq ignores case of userName", provider.ListRequest{Filter: `userName eq "U3@EXAMPLE.COM"`}, 0, 1, 1, us(3)},
		{"filter attribute name case-insensitive", provider.ListRequest{Filter: `USERNAME eq "u3@example.com"`}, 0, 1, 1, us(3)},
		{"filter boolean", provider.ListRequest{Filter: `active eq false`}, 0, 1, 1, us(2)},
		{"filter pr", provider.ListRequest{Filter: `title pr`}, 0, 4, 1, us(1, 2, 3, 4)},
		{"filter not pr", provider.ListRequest{Filter: `not (title pr)`}, 0, 1, 1, us(5)},
		{"filter or / and", provider.ListRequest{Filter: `title eq "a" or (title eq "d" and active eq false)`}, 0, 2, 1, us(2, 3)},
		{"filter sw", provider.ListRequest{Filter: `displayName sw "user 4"`}, 0, 1, 1, us(4)},
		{"filter matches nothing", provider.ListRequest{Filter: `title eq "zzz"`}, 0, 0, 1, us()},
		{"filter on meta", provider.ListRequest{Filter: `meta.resourceType eq "User"`}, 0, 5, 1, us(1, 2, 3, 4, 5)},
		{"sortBy ascending, unassigned last", provider.ListRequest{SortBy: "title"}, 0, 5, 1, us(3, 1, 4, 2, 5)},
		{"sortBy descending, unassigned first", provider.ListRequest{SortBy: "title", SortOrder: "descending"}, 0, 5, 1, us(5, 2, 4, 1, 3)},
		{"sortOrder case-insensitive", provider.ListRequest{SortBy: "title", SortOrder: "Descending"}, 0, 5, 1, us(5, 2, 4, 1, 3)},
		{"sortBy with filter", provider.ListRequest{Filter: "title pr", SortBy: "title", SortOrder: "ascending"}, 0, 4, 1, us(3, 1, 4, 2)},
		{"startIndex and count", provider.ListRequest{StartIndex: intp(2), Count: intp(2)}, 0, 5, 2, us(2, 3)},
		{"last partial page", provider.ListRequest{StartIndex: intp(4), Count: intp(10)}, 0, 5, 4, us(4, 5)},
		{"startIndex past the end", provider.ListRequest{StartIndex: intp(9)}, 0, 5, 9, us()},
		// Section 3.4.2.4: a startIndex below 1 is 1; count 0 asks for
		// totalResults only; a negative count is 0.
		{"startIndex 0 is 1", provider.ListRequest{StartIndex: intp(0), Count: intp(1)}, 0, 5, 1, us(1)},
		{"startIndex negative is 1", provider.ListRequest{StartIndex: intp(-3), Count: intp(1)}, 0, 5, 1, us(1)},
		{"count 0", provider.ListRequest{Count: intp(0)}, 0, 5, 1, us()},
		{"count negative", provider.ListRequest{Count: intp(-1)}, 0, 5, 1, us()},
		{"count 0 with filter", provider.ListRequest{Filter: "title pr", Count: intp(0)}, 0, 4, 1, us()},
		{"paging after sort and filter", provider.ListRequest{Filter: "title pr", SortBy: "title", StartIndex: intp(2), Count: intp(2)}, 0, 4, 2, us(1, 4)},
		// Section 3.4.2.4 and /ServiceProviderConfig filter.maxResults: the
		// page is capped, totalResults is not.
		{"maxResults caps no count", provider.ListRequest{}, 2, 5, 1, us(1, 2)},
		{"maxResults caps a larger count", provider.ListRequest{Count: intp(4)}, 3, 5, 1, us(1, 2, 3)},
		{"count below maxResults", provider.ListRequest{Count: intp(1)}, 3, 5, 1, us(1)},
		{"maxResults caps later pages", provider.ListRequest{StartIndex: intp(3), Count: intp(9)}, 2, 5, 3, us(3, 4)},
		{"no maxResults: everything", provider.ListRequest{}, -1, 5, 1, us(1, 2, 3, 4, 5)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p.Config = provider.DefaultConfig()
			switch {
			case tc.maxResults > 0:
				p.Config.MaxResults = tc.maxResults
			case tc.maxResults < 0:
				p.Config.MaxResults = 0
			}
			req := tc.req
			resp, err := p.List(context.Background(), rtOf(t, p, "User"), &req, root)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(resp); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("resources %v, want %v", got, tc.want)
			}
			if resp.TotalResults != tc.total || resp.StartIndex != tc.startIndex || resp.ItemsPerPage != len(tc.want) {
				t.Errorf("totalResults %d startIndex %d itemsPerPage %d, want %d %d %d",
					resp.TotalResults, resp.StartIndex, resp.ItemsPerPage, tc.total, tc.startIndex, len(tc.want))
			}
			if !reflect.DeepEqual(resp.Schemas, []string{provider.ListResponseURN}) {
				t.Errorf("schemas %v", resp.Schemas)
			}
			if resp.Resources == nil {
				t.Error("Resources is nil; an empty page holds an empty list")
			}
			if resp.NextCursor != "" || resp.PrevCursor != "" {
				t.Errorf("cursors %q %q on an index-paged list", resp.NextCursor, resp.PrevCursor)
			}
		})
	}
}

// Each listed resource is rendered as GET renders it, with the request's
// projection.
func TestListRendersResources(t *testing.T) {
	p := listFixture(t)
	ctx := context.Background()
	rt := rtOf(t, p, "User")
	resp, err := p.List(ctx, rt, &provider.ListRequest{Filter: `userName eq "u1@example.com"`}, root)
	if err != nil || len(resp.Resources) != 1 {
		t.Fatalf("%v %v", err, resp)
	}
	g, err := p.Get(ctx, rt, idOf(resp.Resources[0]), root, nil, provider.Preconditions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(resp.Resources[0], g.Doc) {
		t.Errorf("listed %v, GET %v", resp.Resources[0], g.Doc)
	}
	for _, tc := range []struct {
		name        string
		attrs, excl []string
		want        []string
	}{
		{"attributes", []string{"title"}, nil, []string{"id", "schemas", "title"}},
		{"excludedAttributes", nil, []string{"meta", "displayName", "active", "title"}, []string{"id", "schemas", "userName"}},
	} {
		resp, err := p.List(ctx, rt, &provider.ListRequest{Attributes: tc.attrs, ExcludedAttributes: tc.excl, Count: intp(1)}, root)
		if err != nil {
			t.Fatal(err)
		}
		if got := keys(resp.Resources[0]); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: keys %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestListRefuses(t *testing.T) {
	p := listFixture(t)
	for _, tc := range []struct {
		name     string
		req      provider.ListRequest
		status   int
		scimType string
	}{
		{"filter syntax", provider.ListRequest{Filter: `userName eq`}, http.StatusBadRequest, scimerror.InvalidFilter},
		{"filter unknown operator", provider.ListRequest{Filter: `userName is "x"`}, http.StatusBadRequest, scimerror.InvalidFilter},
		{"filter unbalanced", provider.ListRequest{Filter: `(userName eq "x"`}, http.StatusBadRequest, scimerror.InvalidFilter},
		{"filter unknown attribute", provider.ListRequest{Filter: `shoeSize eq "9"`}, http.StatusBadRequest, scimerror.InvalidFilter},
		{"filter gt on a boolean", provider.ListRequest{Filter: `active gt true`}, http.StatusBadRequest, scimerror.InvalidFilter},
		{"sortBy unknown", provider.ListRequest{SortBy: "shoeSize"}, http.StatusBadRequest, scimerror.InvalidValue},
		{"sortOrder unknown", provider.ListRequest{SortBy: "title", SortOrder: "sideways"}, http.StatusBadRequest, scimerror.InvalidValue},
		{"attributes unknown", provider.ListRequest{Attributes: []string{"urn:example:no:such:schema:shoeSize"}}, http.StatusBadRequest, scimerror.InvalidValue},
		{"attributes and excludedAttributes", provider.ListRequest{Attributes: []string{"title"}, ExcludedAttributes: []string{"title"}}, http.StatusBadRequest, scimerror.InvalidValue},
		{"cursor not issued by the server", provider.ListRequest{Cursor: strp("bogus")}, http.StatusBadRequest, "invalidCursor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			resp, err := p.List(context.Background(), rtOf(t, p, "User"), &req, root)
			if err == nil {
				t.Fatalf("listed %v", names(resp))
			}
			wantSCIMError(t, err, tc.status, tc.scimType)
		})
	}
}

// RFC 9865 cursor paging: the first page is asked for with an empty
// cursor, each page names the next, and the last names none.
func TestListCursor(t *testing.T) {
	p := listFixture(t)
	ctx := context.Background()
	rt := rtOf(t, p, "User")
	var got []string
	var prevs []string
	req := provider.ListRequest{Filter: "title pr", SortBy: "title", Count: intp(2), Cursor: strp("")}
	for page := 0; ; page++ {
		if page > 5 {
			t.Fatal("cursor paging does not end")
		}
		resp, err := p.List(ctx, rt, &req, root)
		if err != nil {
			t.Fatal(err)
		}
		if resp.TotalResults != 4 || resp.StartIndex != 0 || resp.ItemsPerPage != len(resp.Resources) {
			t.Errorf("page %d: totalResults %d startIndex %d itemsPerPage %d, want 4, none, %d", page, resp.TotalResults, resp.StartIndex, resp.ItemsPerPage, len(resp.Resources))
		}
		got = append(got, names(resp)...)
		prevs = append(prevs, resp.PrevCursor)
		if resp.NextCursor == "" {
			break
		}
		req.Cursor = strp(resp.NextCursor)
	}
	if want := us(3, 1, 4, 2); !reflect.DeepEqual(got, want) {
		t.Errorf("cursor pages %v, want %v", got, want)
	}
	if len(prevs) != 2 || prevs[0] != "" || prevs[1] == "" {
		t.Errorf("previous cursors %q: want none on the first page and one on the second", prevs)
	}

	// Following previousCursor from the second page gives the first.
	back := req
	back.Cursor = strp(prevs[1])
	resp, err := p.List(ctx, rt, &back, root)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(resp), us(3, 1); !reflect.DeepEqual(got, want) {
		t.Errorf("previous page %v, want %v", got, want)
	}

	// A cursor is bound to its query.
	other := req
	other.Filter = "active eq true"
	_, err = p.List(ctx, rt, &other, root)
	wantSCIMError(t, err, http.StatusBadRequest, "invalidCursor")
}

// RFC 7644 section 3.4.3: POST /.search at the root searches every
// resource type; the provider pages Users first, then Groups, as one list.
func TestSearchAtRoot(t *testing.T) {
	p := listFixture(t)
	groups := func(ns ...string) []string { return ns }
	all := append(us(1, 2, 3, 4, 5), groups("g1", "g2")...)
	for _, tc := range []struct {
		name       string
		req        provider.ListRequest
		maxResults int
		total      int
		startIndex int
		want       []string
	}{
		{"everything", provider.ListRequest{}, 0, 7, 1, all},
		{"filter both types understand", provider.ListRequest{Filter: `displayName sw "g" or displayName eq "User 2"`}, 0, 3, 1, []string{"u2@example.com", "g1", "g2"}},
		{"filter only Users understand", provider.ListRequest{Filter: `userName sw "u1"`}, 0, 1, 1, us(1)},
		{"filter only Groups understand", provider.ListRequest{Filter: `members pr or displayName eq "g2"`}, 0, 1, 1, groups("g2")},
		{"page across the types", provider.ListRequest{StartIndex: intp(4), Count: intp(3)}, 0, 7, 4, []string{"u4@example.com", "u5@example.com", "g1"}},
		{"page in the Groups", provider.ListRequest{StartIndex: intp(7), Count: intp(3)}, 0, 7, 7, groups("g2")},
		{"past the end", provider.ListRequest{StartIndex: intp(8)}, 0, 7, 8, us()},
		{"count 0", provider.ListRequest{Count: intp(0)}, 0, 7, 1, us()},
		{"maxResults", provider.ListRequest{StartIndex: intp(5)}, 2, 7, 5, []string{"u5@example.com", "g1"}},
		{"maxResults caps count", provider.ListRequest{Count: intp(10)}, 3, 7, 1, us(1, 2, 3)},
		{"projection", provider.ListRequest{Attributes: []string{"displayName"}, Filter: `displayName eq "g1"`}, 0, 1, 1, groups("g1")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p.Config = provider.DefaultConfig()
			if tc.maxResults > 0 {
				p.Config.MaxResults = tc.maxResults
			}
			req := tc.req
			resp, err := p.Search(context.Background(), &req, root)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(resp); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("resources %v, want %v", got, tc.want)
			}
			if resp.TotalResults != tc.total || resp.StartIndex != tc.startIndex || resp.ItemsPerPage != len(tc.want) {
				t.Errorf("totalResults %d startIndex %d itemsPerPage %d, want %d %d %d",
					resp.TotalResults, resp.StartIndex, resp.ItemsPerPage, tc.total, tc.startIndex, len(tc.want))
			}
			for _, r := range resp.Resources {
				m := meta(r)
				if len(req.Attributes) > 0 {
					if m != nil || r["userName"] != nil {
						t.Errorf("projection not applied: %v", r)
					}
					continue
				}
				if rt, _ := m["resourceType"].(string); m["location"] != root+"/"+rt+"s/"+idOf(r) {
					t.Errorf("%v: meta %v", r["id"], m)
				}
			}
		})
	}
}

func TestSearchRefuses(t *testing.T) {
	p := listFixture(t)
	for _, tc := range []struct {
		name     string
		req      provider.ListRequest
		scimType string
	}{
		{"filter no type understands", provider.ListRequest{Filter: `shoeSize eq "9"`}, scimerror.InvalidFilter},
		{"filter syntax", provider.ListRequest{Filter: `displayName eq`}, scimerror.InvalidFilter},
		{"cursor at the root", provider.ListRequest{Cursor: strp("")}, scimerror.InvalidValue},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			resp, err := p.Search(context.Background(), &req, root)
			if err == nil {
				t.Fatalf("searched %v", names(resp))
			}
			wantSCIMError(t, err, http.StatusBadRequest, tc.scimType)
		})
	}
}
