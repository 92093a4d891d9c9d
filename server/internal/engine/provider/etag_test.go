package provider_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/provider"
)

func TestETag(t *testing.T) {
	for _, tc := range []struct {
		version uint64
		want    string
	}{{1, `W/"1"`}, {2, `W/"2"`}, {1234567890123, `W/"1234567890123"`}} {
		if got := provider.ETag(tc.version); got != tc.want {
			t.Errorf("ETag(%d) = %s, want %s", tc.version, got, tc.want)
		}
	}
}

// etagUser creates a user and moves it to version 2, so that W/"1" is
// stale and W/"2" current.
func etagUser(t testing.TB, p *provider.Provider) string {
	t.Helper()
	u := newUser(t, p, "ada@example.com", "title", "v1")
	if _, err := p.Patch(context.Background(), rtOf(t, p, "User"), idOf(u), ops(op("replace", "title", "v2")), root, nil, provider.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	if v := stored(t, p, "User", idOf(u)).Version; v != 2 {
		t.Fatalf("version %d, want 2", v)
	}
	return idOf(u)
}

// If-Match values (RFC 7644 section 3.14, RFC 7232 section 3.1 with weak
// comparison): which ones name version 2.
var ifMatchCases = []struct {
	ifMatch string
	ok      bool
}{
	{"", true}, // no precondition
	{`W/"2"`, true},
	{`"2"`, true}, // weak comparison: the strong form names the same version
	{"*", true},
	{`W/"1", W/"2"`, true},
	{` W/"7" ,W/"2" `, true},
	{`W/"1"`, false},
	{`"1"`, false},
	{`W/"3"`, false},
	{`W/"1", W/"3"`, false},
	{`W/"22"`, false},
}

// RFC 7644 section 3.14: a write whose If-Match names another version is
// refused with 412 Precondition Failed, and nothing changes.
func TestIfMatchOnWrites(t *testing.T) {
	writes := []struct {
		name string
		do   func(p *provider.Provider, id string, pc provider.Preconditions) error
	}{
		{"PUT", func(p *provider.Provider, id string, pc provider.Preconditions) error {
			_, err := p.Replace(context.Background(), p.Set.ResourceType("User"), id, map[string]any{"userName": "ada@example.com", "title": "v3"}, root, nil, pc)
			return err
		}},
		{"PATCH", func(p *provider.Provider, id string, pc provider.Preconditions) error {
			_, err := p.Patch(context.Background(), p.Set.ResourceType("User"), id, ops(op("replace", "title", "v3")), root, nil, pc)
			return err
		}},
		{"DELETE", func(p *provider.Provider, id string, pc provider.Preconditions) error {
			return p.Delete(context.Background(), p.Set.ResourceType("User"), id, pc)
		}},
	}
	for _, w := range writes {
		for _, tc := range ifMatchCases {
			t.Run(w.name+" "+tc.ifMatch, func(t *testing.T) {
				p, _ := engine(t)
				id := etagUser(t, p)
				err := w.do(p, id, provider.Preconditions{IfMatch: tc.ifMatch})
				res, getErr := p.Store.Get(context.Background(), rtOf(t, p, "User"), id)
				if !tc.ok {
					wantSCIMError(t, err, http.StatusPreconditionFailed, "")
					if getErr != nil || res.Version != 2 || res.Doc["title"] != "v2" {
						t.Errorf("a refused %s changed the user: %v %v", w.name, res, getErr)
					}
					return
				}
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if w.name == "DELETE" {
					if getErr == nil {
						t.Error("the user is still there after DELETE")
					}
					return
				}
				if getErr != nil || res.Version != 3 || res.Doc["title"] != "v3" {
					t.Errorf("after %s: %v %v, want version 3 with title v3", w.name, res, getErr)
				}
			})
		}
	}
}

// An If-Match on a resource that does not exist is 404, not 412.
func TestIfMatchUnknownID(t *testing.T) {
	p, _ := engine(t)
	pc := provider.Preconditions{IfMatch: `W/"1"`}
	rt := rtOf(t, p, "User")
	_, err := p.Replace(context.Background(), rt, "nobody", map[string]any{"userName": "x@example.com"}, root, nil, pc)
	wantSCIMError(t, err, http.StatusNotFound, "")
	_, err = p.Patch(context.Background(), rt, "nobody", ops(op("replace", "title", "x")), root, nil, pc)
	wantSCIMError(t, err, http.StatusNotFound, "")
	wantSCIMError(t, p.Delete(context.Background(), rt, "nobody", pc), http.StatusNotFound, "")
}

// RFC 7644 section 3.14 / RFC 7232 section 3.2: a GET whose If-None-Match
// names the current version answers *provider.NotModified (the HTTP layer's
// 304); a GET with any other value gets the resource and its ETag.
func TestIfNoneMatchOnGet(t *testing.T) {
	p, _ := engine(t)
	id := etagUser(t, p)
	for _, tc := range ifMatchCases {
		t.Run(tc.ifMatch, func(t *testing.T) {
			r, err := p.Get(context.Background(), rtOf(t, p, "User"), id, root, nil, provider.Preconditions{IfNoneMatch: tc.ifMatch})
			notModified := tc.ok && tc.ifMatch != ""
			if notModified {
				var nm *provider.NotModified
				if !errors.As(err, &nm) {
					t.Fatalf("result %v, error %v: want *provider.NotModified", r, err)
				}
				if nm.ETag != `W/"2"` {
					t.Errorf("NotModified.ETag %q, want W/\"2\"", nm.ETag)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.ETag != `W/"2"` || meta(r.Doc)["version"] != `W/"2"` || r.Doc["title"] != "v2" {
				t.Errorf("ETag %q, meta.version %v, title %v: want W/\"2\" and v2", r.ETag, meta(r.Doc)["version"], r.Doc["title"])
			}
		})
	}
	// If-Match does not apply to GET in this engine: the resource comes back.
	if _, err := p.Get(context.Background(), rtOf(t, p, "User"), id, root, nil, provider.Preconditions{IfMatch: `W/"1"`}); err != nil {
		t.Errorf("GET with a stale If-Match: %v", err)
	}
	// If-None-Match on an unknown id is 404.
	_, err := p.Get(context.Background(), rtOf(t, p, "User"), "nobody", root, nil, provider.Preconditions{IfNoneMatch: "*"})
	wantSCIMError(t, err, http.StatusNotFound, "")
}

// The ETag of a result and meta.version follow every change, and each
// write's ETag is the one a following If-Match must name.
func TestETagFollowsWrites(t *testing.T) {
	p, _ := engine(t)
	ctx := context.Background()
	rt := rtOf(t, p, "User")
	c, err := p.Create(ctx, rt, map[string]any{"userName": "ada@example.com"}, root, nil)
	if err != nil {
		t.Fatal(err)
	}
	id, etag := idOf(c.Doc), c.ETag
	steps := []func(pc provider.Preconditions) (*provider.Result, error){
		func(pc provider.Preconditions) (*provider.Result, error) {
			return p.Replace(ctx, rt, id, map[string]any{"userName": "ada@example.com", "title": "a"}, root, nil, pc)
		},
		func(pc provider.Preconditions) (*provider.Result, error) {
			return p.Patch(ctx, rt, id, ops(op("replace", "title", "b")), root, nil, pc)
		},
		func(pc provider.Preconditions) (*provider.Result, error) {
			return p.Patch(ctx, rt, id, ops(op("add", "nickName", "c")), root, nil, pc)
		},
	}
	seen := map[string]bool{etag: true}
	for i, step := range steps {
		r, err := step(provider.Preconditions{IfMatch: etag})
		if err != nil {
			t.Fatalf("step %d with If-Match %s: %v", i, etag, err)
		}
		if seen[r.ETag] || r.ETag != meta(r.Doc)["version"] {
			t.Errorf("step %d: ETag %s (meta.version %v), want a new version", i, r.ETag, meta(r.Doc)["version"])
		}
		seen[r.ETag] = true
		// The previous ETag is stale now.
		if _, err := step(provider.Preconditions{IfMatch: etag}); err == nil {
			t.Errorf("step %d: the stale If-Match %s was accepted", i, etag)
		}
		etag = r.ETag
	}
	if err := p.Delete(ctx, rt, id, provider.Preconditions{IfMatch: etag}); err != nil {
		t.Errorf("DELETE with the current ETag %s: %v", etag, err)
	}
}
