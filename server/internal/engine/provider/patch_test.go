package provider_test

import (
	"context"
	"net/http"
	"reflect"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/patch"
	"github.com/scimconf/scimconf/server/internal/engine/provider"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

func ops(o ...patch.Operation) *patch.Request {
	return &patch.Request{Schemas: []string{patch.URN}, Operations: o}
}

func op(kind, path string, value any) patch.Operation {
	return patch.Operation{Op: kind, Path: path, Value: value}
}

// patchUser is the user every PATCH case starts from.
func patchUser(t testing.TB, p *provider.Provider) map[string]any {
	t.Helper()
	return newUser(t, p, "ada@example.com",
		"displayName", "Ada", "title", "Countess",
		"emails", []any{
			map[string]any{"value": "ada@work.example", "type": "work", "primary": true},
			map[string]any{"value": "ada@home.example", "type": "home"},
		})
}

// RFC 7644 section 3.5.2: add, replace and remove, with a path, with a
// value filter in the path, and without a path.
func TestPatchOperations(t *testing.T) {
	work := map[string]any{"value": "ada@work.example", "type": "work", "primary": true}
	home := map[string]any{"value": "ada@home.example", "type": "home"}
	// These operations change nothing, so the version and lastModified stay.
	unchanged := map[string]bool{"remove an unassigned attribute": true, "remove, filter matches nothing": true, "attribute outside the schema": true}
	for _, tc := range []struct {
		name string
		req  *patch.Request
		want map[string]any // attributes checked after; nil value = absent
	}{
		{"add with path", ops(op("add", "nickName", "Ada")), map[string]any{"nickName": "Ada", "displayName": "Ada"}},
		{"add without path", ops(op("add", "", map[string]any{"nickName": "Ada", "title": "Lady"})), map[string]any{"nickName": "Ada", "title": "Lady"}},
		{"add to a multi-valued attribute appends", ops(op("add", "emails", []any{map[string]any{"value": "a@other.example", "type": "other"}})),
			map[string]any{"emails": []any{work, home, map[string]any{"value": "a@other.example", "type": "other"}}}},
		{"add a sub-attribute", ops(op("add", "name.givenName", "Ada")), map[string]any{"name": map[string]any{"givenName": "Ada"}}},
		{"add to an extension", ops(op("add", schema.EnterpriseUserURN+":department", "Math")),
			map[string]any{schema.EnterpriseUserURN: map[string]any{"department": "Math"}}},
		{"replace with path", ops(op("replace", "displayName", "Ada L.")), map[string]any{"displayName": "Ada L.", "title": "Countess"}},
		{"replace without path", ops(op("replace", "", map[string]any{"displayName": "Ada L.", "title": "Lady"})), map[string]any{"displayName": "Ada L.", "title": "Lady"}},
		{"replace a multi-valued attribute replaces the list", ops(op("replace", "emails", []any{map[string]any{"value": "x@example.com"}})),
			map[string]any{"emails": []any{map[string]any{"value": "x@example.com"}}}},
		{"replace through a value filter", ops(op("replace", `emails[type eq "home"].value`, "new@home.example")),
			map[string]any{"emails": []any{work, map[string]any{"value": "new@home.example", "type": "home"}}}},
		{"replace an element through a value filter", ops(op("replace", `emails[type eq "work"]`, map[string]any{"value": "w2@work.example", "type": "work"})),
			// Section 3.5.2.3: sub-attributes the value does not name are kept.
			map[string]any{"emails": []any{map[string]any{"value": "w2@work.example", "type": "work", "primary": true}, home}}},
		{"remove with path", ops(op("remove", "title", nil)), map[string]any{"title": nil, "displayName": "Ada"}},
		{"remove through a value filter", ops(op("remove", `emails[type eq "work"]`, nil)), map[string]any{"emails": []any{home}}},
		{"remove a sub-attribute through a value filter", ops(op("remove", `emails[type eq "work"].primary`, nil)),
			map[string]any{"emails": []any{map[string]any{"value": "ada@work.example", "type": "work"}, home}}},
		{"remove every value", ops(op("remove", "emails", nil)), map[string]any{"emails": nil}},
		{"remove an unassigned attribute", ops(op("remove", "nickName", nil)), map[string]any{"nickName": nil, "title": "Countess"}},
		// Package patch's documented choice: section 3.5.2.2 asks for no
		// error, and IdPs repeat removals.
		{"remove, filter matches nothing", ops(op("remove", `emails[type eq "other"]`, nil)), map[string]any{"emails": []any{work, home}}},
		// Attributes outside the schema are accepted and dropped (DESIGN).
		{"attribute outside the schema", ops(op("replace", "shoeSize", "9")), map[string]any{"shoeSize": nil, "title": "Countess"}},
		{"operations apply in order", ops(op("add", "nickName", "A"), op("replace", "nickName", "B"), op("remove", "title", nil)),
			map[string]any{"nickName": "B", "title": nil}},
		{"op is case-insensitive", ops(op("Replace", "displayName", "X")), map[string]any{"displayName": "X"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, c := engine(t)
			u := patchUser(t, p)
			at := c.tick()
			r, err := p.Patch(context.Background(), rtOf(t, p, "User"), idOf(u), tc.req, root, nil, provider.Preconditions{})
			if err != nil {
				t.Fatal(err)
			}
			s := stored(t, p, "User", idOf(u))
			for k, want := range tc.want {
				got, ok := r.Doc[k]
				if want == nil {
					if ok {
						t.Errorf("%s = %v, want it removed", k, got)
					}
					if v, ok := s.Doc[k]; ok {
						t.Errorf("stored %s = %v, want it removed", k, v)
					}
					continue
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %#v, want %#v", k, got, want)
				}
				if !reflect.DeepEqual(s.Doc[k], want) {
					t.Errorf("stored %s = %#v, want %#v", k, s.Doc[k], want)
				}
			}
			if r.Doc["userName"] != "ada@example.com" || idOf(r.Doc) != idOf(u) {
				t.Errorf("PATCH lost userName or id: %v", r.Doc)
			}
			if unchanged[tc.name] {
				if m := meta(r.Doc); m["version"] != `W/"1"` || m["lastModified"] != store.FormatTime(t0) || r.ETag != `W/"1"` {
					t.Errorf("meta %v, ETag %s after a PATCH that changed nothing: want version 1 kept", m, r.ETag)
				}
				return
			}
			m := meta(r.Doc)
			if m["version"] != `W/"2"` || m["lastModified"] != store.FormatTime(at) || m["created"] != store.FormatTime(t0) {
				t.Errorf("meta %v: want version W/\"2\", lastModified %s, created %s", m, store.FormatTime(at), store.FormatTime(t0))
			}
			if r.ETag != `W/"2"` {
				t.Errorf("ETag %q, want W/\"2\"", r.ETag)
			}
		})
	}
}

func TestPatchRefuses(t *testing.T) {
	for _, tc := range []struct {
		name     string
		req      *patch.Request
		status   int
		scimType string
	}{
		// RFC 7644 section 3.5.2.2: remove needs a path.
		{"remove without path", ops(op("remove", "", nil)), http.StatusBadRequest, scimerror.NoTarget},
		// RFC 7644 section 3.5.2.3: a value filter that matches nothing.
		{"replace, filter matches nothing", ops(op("replace", `emails[type eq "other"].value`, "x@example.com")), http.StatusBadRequest, scimerror.NoTarget},
		{"unknown attribute in a value filter", ops(op("replace", `emails[shoeSize eq "9"].value`, "x")), http.StatusBadRequest, scimerror.InvalidPath},
		{"malformed path", ops(op("replace", `emails[type eq`, "x")), http.StatusBadRequest, scimerror.InvalidPath},
		{"readOnly attribute", ops(op("replace", "id", "other")), http.StatusBadRequest, scimerror.Mutability},
		{"wrong type", ops(op("replace", "active", "maybe")), http.StatusBadRequest, scimerror.InvalidValue},
		// Section 3.5.2.2: removing a required attribute is 400 mutability.
		{"required attribute removed", ops(op("remove", "userName", nil)), http.StatusBadRequest, scimerror.Mutability},
		{"unique value taken", ops(op("replace", "userName", "bob@example.com")), http.StatusConflict, scimerror.Uniqueness},
		{"unknown op", ops(op("merge", "title", "x")), http.StatusBadRequest, scimerror.InvalidSyntax},
		{"no operations", ops(), http.StatusBadRequest, scimerror.InvalidSyntax},
		{"no schemas", &patch.Request{Operations: []patch.Operation{op("replace", "title", "x")}}, http.StatusBadRequest, scimerror.InvalidSyntax},
		// Atomicity (RFC 7644 section 3.5.2): a later failing operation
		// undoes the earlier ones.
		{"atomic: last op fails", ops(op("replace", "displayName", "changed"), op("add", "nickName", "x"), op("replace", `emails[type eq "other"].value`, "x")),
			http.StatusBadRequest, scimerror.NoTarget},
		{"atomic: required attribute removed last", ops(op("replace", "displayName", "changed"), op("remove", "userName", nil)),
			http.StatusBadRequest, scimerror.Mutability},
		{"atomic: uniqueness checked at commit", ops(op("replace", "displayName", "changed"), op("replace", "userName", "BOB@example.com")),
			http.StatusConflict, scimerror.Uniqueness},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, c := engine(t)
			u := patchUser(t, p)
			newUser(t, p, "bob@example.com")
			before := stored(t, p, "User", idOf(u))
			c.tick()
			r, err := p.Patch(context.Background(), rtOf(t, p, "User"), idOf(u), tc.req, root, nil, provider.Preconditions{})
			if err == nil {
				t.Fatalf("PATCH applied: %v", r.Doc)
			}
			wantSCIMError(t, err, tc.status, tc.scimType)
			after := stored(t, p, "User", idOf(u))
			if after.Version != before.Version || !after.LastModified.Equal(before.LastModified) || !reflect.DeepEqual(after.Doc, before.Doc) {
				t.Errorf("a refused PATCH changed the user:\nbefore v%d %v\nafter  v%d %v", before.Version, before.Doc, after.Version, after.Doc)
			}
		})
	}
	t.Run("unknown id", func(t *testing.T) {
		p, _ := engine(t)
		_, err := p.Patch(context.Background(), rtOf(t, p, "User"), "nobody", ops(op("replace", "title", "x")), root, nil, provider.Preconditions{})
		wantSCIMError(t, err, http.StatusNotFound, "")
	})
}

// A PATCH that changes nothing leaves the version and lastModified alone.
func TestPatchNoChangeKeepsVersion(t *testing.T) {
	p, c := engine(t)
	u := patchUser(t, p)
	c.tick()
	r, err := p.Patch(context.Background(), rtOf(t, p, "User"), idOf(u), ops(op("replace", "displayName", "Ada")), root, nil, provider.Preconditions{})
	if err != nil {
		t.Fatal(err)
	}
	if m := meta(r.Doc); m["version"] != `W/"1"` || m["lastModified"] != store.FormatTime(t0) {
		t.Errorf("meta %v after a PATCH that changed nothing", m)
	}
}

// RFC 7644 section 3.5.2 lets a PATCH answer 204 without a body:
// Config.PatchNoContent gives a nil result, and the change is stored.
func TestPatchNoContent(t *testing.T) {
	for _, tc := range []struct {
		noContent bool
		wantDoc   bool
	}{{false, true}, {true, false}} {
		p, _ := engine(t)
		p.Config.PatchNoContent = tc.noContent
		u := patchUser(t, p)
		r, err := p.Patch(context.Background(), rtOf(t, p, "User"), idOf(u), ops(op("replace", "title", "Lady")), root, nil, provider.Preconditions{})
		if err != nil {
			t.Fatal(err)
		}
		if (r != nil) != tc.wantDoc {
			t.Errorf("PatchNoContent %v: result %v, want a document %v", tc.noContent, r, tc.wantDoc)
		}
		if r != nil && r.Doc["title"] != "Lady" {
			t.Errorf("PatchNoContent %v: title %v", tc.noContent, r.Doc["title"])
		}
		if s := stored(t, p, "User", idOf(u)); s.Doc["title"] != "Lady" || s.Version != 2 {
			t.Errorf("PatchNoContent %v: stored v%d title %v, want v2 Lady", tc.noContent, s.Version, s.Doc["title"])
		}
	}
}

// The projection applies to the PATCH response too (RFC 7644 section
// 3.5.2: "attributes" and "excludedAttributes" on PATCH).
func TestPatchProjection(t *testing.T) {
	p, _ := engine(t)
	rt := rtOf(t, p, "User")
	u := patchUser(t, p)
	r, err := p.Patch(context.Background(), rt, idOf(u), ops(op("replace", "title", "Lady")), root, proj(t, rt, []string{"title"}, nil), provider.Preconditions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := keys(r.Doc), []string{"id", "schemas", "title"}; !reflect.DeepEqual(got, want) {
		t.Errorf("keys %v, want %v", got, want)
	}
}

// Group members through PATCH (RFC 7644 section 3.5.2, the members
// examples): the rendered list and the users' groups follow.
func TestPatchGroupMembers(t *testing.T) {
	p, _ := engine(t)
	ctx := context.Background()
	a, b, c := newUser(t, p, "a@example.com"), newUser(t, p, "b@example.com"), newUser(t, p, "c@example.com")
	grt := rtOf(t, p, "Group")
	g := newGroup(t, p, "ops", idOf(a))
	val := func(ids ...string) []any {
		out := []any{}
		for _, id := range ids {
			out = append(out, map[string]any{"value": id})
		}
		return out
	}
	steps := []struct {
		name string
		req  *patch.Request
		want []string
	}{
		{"add two", ops(op("add", "members", val(idOf(b), idOf(c)))), []string{idOf(a), idOf(b), idOf(c)}},
		{"add one already there", ops(op("add", "members", val(idOf(b)))), []string{idOf(a), idOf(b), idOf(c)}},
		{"remove by value filter", ops(op("remove", `members[value eq "`+idOf(b)+`"]`, nil)), []string{idOf(a), idOf(c)}},
		{"replace the list", ops(op("replace", "members", val(idOf(b)))), []string{idOf(b)}},
		{"rename and add in one request", ops(op("replace", "displayName", "ops2"), op("add", "members", val(idOf(a)))), []string{idOf(b), idOf(a)}},
		{"remove all", ops(op("remove", "members", nil)), nil},
	}
	for _, st := range steps {
		r, err := p.Patch(ctx, grt, idOf(g), st.req, root, nil, provider.Preconditions{})
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		var got []string
		ms, _ := r.Doc["members"].([]any)
		for _, m := range ms {
			got = append(got, m.(map[string]any)["value"].(string))
		}
		if !reflect.DeepEqual(got, st.want) {
			t.Errorf("%s: members %v, want %v", st.name, got, st.want)
		}
		for _, u := range []map[string]any{a, b, c} {
			ids, _ := p.Store.GroupsOf(ctx, idOf(u))
			if in := len(ids) == 1; in != contains(st.want, idOf(u)) {
				t.Errorf("%s: user %s groups %v, membership %v", st.name, u["userName"], ids, st.want)
			}
		}
	}
	if s := stored(t, p, "Group", idOf(g)); s.Doc["displayName"] != "ops2" {
		t.Errorf("displayName %v, want ops2", s.Doc["displayName"])
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
