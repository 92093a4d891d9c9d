package provider_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/scimconf/scimconf/server/internal/engine/patch"
	"github.com/scimconf/scimconf/server/internal/engine/projection"
	"github.com/scimconf/scimconf/server/internal/engine/provider"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// root is the base URL the tests serve at: meta.location is root +
// endpoint + "/" + id.
const root = "https://sp.example/scim/v2"

// t0 is the time the test clock starts at.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// testClock is the store's clock, moved by hand so that meta.created and
// meta.lastModified have known values.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

// tick moves the clock by a minute and returns the new time.
func (c *testClock) tick() time.Time { c.t = c.t.Add(time.Minute); return c.t }

// engine builds the plain engine (no Policy) over the RFC 7643 schema set
// and an in-memory store on a hand-moved clock.
func engine(t testing.TB) (*provider.Provider, *testClock) {
	t.Helper()
	return engineWith(t, mustSet(t))
}

func mustSet(t testing.TB) *schema.Set {
	t.Helper()
	set, err := schema.ByName("full")
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func engineWith(t testing.TB, set *schema.Set) (*provider.Provider, *testClock) {
	t.Helper()
	c := &testClock{t: t0}
	return provider.New(set, store.NewMemory(set, store.WithClock(c.now)), provider.DefaultConfig()), c
}

func rtOf(t testing.TB, p *provider.Provider, name string) *schema.ResourceType {
	t.Helper()
	rt := p.Set.ResourceType(name)
	if rt == nil {
		t.Fatalf("no resource type %s", name)
	}
	return rt
}

// create stores body as a new resource of type name and returns the
// rendered document.
func create(t testing.TB, p *provider.Provider, name string, body map[string]any) map[string]any {
	t.Helper()
	r, err := p.Create(context.Background(), rtOf(t, p, name), body, root, nil)
	if err != nil {
		t.Fatalf("create %s %v: %v", name, body, err)
	}
	return r.Doc
}

func newUser(t testing.TB, p *provider.Provider, userName string, more ...any) map[string]any {
	t.Helper()
	body := map[string]any{"schemas": []any{schema.UserURN}, "userName": userName}
	for i := 0; i+1 < len(more); i += 2 {
		body[more[i].(string)] = more[i+1]
	}
	return create(t, p, "User", body)
}

func newGroup(t testing.TB, p *provider.Provider, name string, memberIDs ...string) map[string]any {
	t.Helper()
	ms := make([]any, len(memberIDs))
	for i, id := range memberIDs {
		ms[i] = map[string]any{"value": id}
	}
	body := map[string]any{"schemas": []any{schema.GroupURN}, "displayName": name}
	if len(ms) > 0 {
		body["members"] = ms
	}
	return create(t, p, "Group", body)
}

func idOf(doc map[string]any) string { s, _ := doc["id"].(string); return s }

func meta(doc map[string]any) map[string]any { m, _ := doc["meta"].(map[string]any); return m }

func proj(t testing.TB, rt *schema.ResourceType, attrs, excluded []string) *projection.Projection {
	t.Helper()
	pr, err := projection.New(rt, attrs, excluded)
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

// wantSCIMError fails unless err is a *scimerror.Error with status and
// scimType ("" for none).
func wantSCIMError(t testing.TB, err error, status int, scimType string) {
	t.Helper()
	var e *scimerror.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want a SCIM error %d %q", err, err, status, scimType)
	}
	if e.Status != status || e.ScimType != scimType {
		t.Fatalf("error %d %q (%s), want %d %q", e.Status, e.ScimType, e.Detail, status, scimType)
	}
}

// stored returns the stored resource, bypassing rendering.
func stored(t testing.TB, p *provider.Provider, name, id string) *store.Resource {
	t.Helper()
	r, err := p.Store.Get(context.Background(), rtOf(t, p, name), id)
	if err != nil {
		t.Fatalf("stored %s %s: %v", name, id, err)
	}
	return r
}

func keys(doc map[string]any) []string {
	out := make([]string, 0, len(doc))
	for k := range doc {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// RFC 7644 section 3.3: a created resource comes back with the server's id
// and meta, its schemas, and the Result says it is new (201 + Location).
func TestCreateRendersIDMetaAndSchemas(t *testing.T) {
	p, _ := engine(t)
	ctx := context.Background()
	for _, tc := range []struct {
		rt          string
		body        map[string]any
		wantSchemas []any
	}{
		{"User", map[string]any{"schemas": []any{schema.UserURN}, "userName": "ada@example.com", "externalId": "ext-1"}, []any{schema.UserURN}},
		{"User", map[string]any{
			"schemas":  []any{schema.UserURN, schema.EnterpriseUserURN},
			"userName": "bob@example.com", schema.EnterpriseUserURN: map[string]any{"employeeNumber": "7"},
		}, []any{schema.UserURN, schema.EnterpriseUserURN}},
		{"Group", map[string]any{"schemas": []any{schema.GroupURN}, "displayName": "ops"}, []any{schema.GroupURN}},
	} {
		t.Run(fmt.Sprint(tc.wantSchemas...), func(t *testing.T) {
			rt := rtOf(t, p, tc.rt)
			r, err := p.Create(ctx, rt, tc.body, root, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Created {
				t.Error("Created false for a new resource")
			}
			id := idOf(r.Doc)
			if id == "" {
				t.Fatalf("no id in %v", r.Doc)
			}
			wantLoc := root + rt.Endpoint + "/" + id
			if r.Location != wantLoc {
				t.Errorf("Location %q, want %q", r.Location, wantLoc)
			}
			if r.ETag != `W/"1"` {
				t.Errorf("ETag %q, want W/\"1\"", r.ETag)
			}
			wantMeta := map[string]any{
				"resourceType": tc.rt,
				"created":      "2026-01-02T03:04:05Z",
				"lastModified": "2026-01-02T03:04:05Z",
				"location":     wantLoc,
				"version":      `W/"1"`,
			}
			if got := meta(r.Doc); !reflect.DeepEqual(got, wantMeta) {
				t.Errorf("meta %v, want %v", got, wantMeta)
			}
			if got := r.Doc["schemas"]; !reflect.DeepEqual(got, tc.wantSchemas) {
				t.Errorf("schemas %v, want %v", got, tc.wantSchemas)
			}
			// What Create answered is what a later GET answers.
			g, err := p.Get(ctx, rt, id, root, nil, provider.Preconditions{})
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.body {
				if k != "schemas" && !reflect.DeepEqual(g.Doc[k], v) {
					t.Errorf("GET %s = %v, want %v as created", k, g.Doc[k], v)
				}
			}
			if !reflect.DeepEqual(g.Doc, r.Doc) {
				t.Errorf("GET %v differs from the create response %v", g.Doc, r.Doc)
			}
			if g.Created {
				t.Error("GET result marked Created")
			}
		})
	}
}

func TestCreateRefuses(t *testing.T) {
	for _, tc := range []struct {
		name     string
		rt       string
		body     map[string]any
		status   int
		scimType string
	}{
		{"User without userName", "User", map[string]any{"displayName": "Ada"}, http.StatusBadRequest, scimerror.InvalidValue},
		{"User with null userName", "User", map[string]any{"userName": nil}, http.StatusBadRequest, scimerror.InvalidValue},
		{"Group without displayName", "Group", map[string]any{"members": []any{}}, http.StatusBadRequest, scimerror.InvalidValue},
		{"userName of the wrong type", "User", map[string]any{"userName": 7}, http.StatusBadRequest, scimerror.InvalidValue},
		{"userName taken", "User", map[string]any{"userName": "taken@example.com"}, http.StatusConflict, scimerror.Uniqueness},
		// userName is caseExact false (RFC 7643 section 4.1.1).
		{"userName taken, other case", "User", map[string]any{"userName": "TAKEN@example.COM"}, http.StatusConflict, scimerror.Uniqueness},
		{"Group displayName taken", "Group", map[string]any{"displayName": "taken"}, http.StatusConflict, scimerror.Uniqueness},
		{"member that does not exist", "Group", map[string]any{"displayName": "new", "members": []any{map[string]any{"value": "nobody"}}}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := engine(t)
			newUser(t, p, "taken@example.com")
			newGroup(t, p, "taken")
			rt := rtOf(t, p, tc.rt)
			before := p.Store.Count(context.Background(), rt)
			r, err := p.Create(context.Background(), rt, tc.body, root, nil)
			if err == nil {
				t.Fatalf("created %v", r.Doc)
			}
			if tc.status != 0 {
				wantSCIMError(t, err, tc.status, tc.scimType)
			} else if e := scimerror.From(err); e == nil || e.Status/100 != 4 {
				t.Fatalf("error %v, want a SCIM 4xx", err)
			}
			if n := p.Store.Count(context.Background(), rt); n != before {
				t.Errorf("%d %s stored after a refused create, want %d", n, tc.rt, before)
			}
		})
	}
}

// RFC 7644 section 3.3: readOnly attributes in a request are ignored; the
// server assigns id and meta, and a User's groups come from membership.
func TestCreateIgnoresReadOnlyInput(t *testing.T) {
	p, _ := engine(t)
	g := newGroup(t, p, "admins")
	u := newUser(t, p, "ada@example.com",
		"id", "chosen-by-client",
		"meta", map[string]any{"created": "1999-01-01T00:00:00Z", "version": `W/"99"`, "resourceType": "Group"},
		"groups", []any{map[string]any{"value": idOf(g)}},
	)
	if idOf(u) == "chosen-by-client" {
		t.Error("the client chose the id")
	}
	m := meta(u)
	if m["created"] != "2026-01-02T03:04:05Z" || m["version"] != `W/"1"` || m["resourceType"] != "User" {
		t.Errorf("meta %v took values from the request", m)
	}
	if gs, ok := u["groups"]; ok {
		t.Errorf("groups %v set through a readOnly attribute", gs)
	}
	if ms, _ := p.Store.Members(context.Background(), idOf(g)); len(ms) != 0 {
		t.Errorf("group members %v after a create naming the group in readOnly groups", ms)
	}
}

// RFC 7643 section 4.1.1: password is writeOnly and returned "never": it
// is stored, but no response carries it, not even when asked for.
func TestPasswordNeverReturned(t *testing.T) {
	p, _ := engine(t)
	ctx := context.Background()
	rt := rtOf(t, p, "User")
	for _, tc := range []struct {
		name string
		pr   *projection.Projection
	}{
		{"default", nil},
		{"attributes=password", proj(t, rt, []string{"password", "userName"}, nil)},
		{"excludedAttributes=displayName", proj(t, rt, nil, []string{"displayName"})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p.Store.Reset()
			r, err := p.Create(ctx, rt, map[string]any{"userName": "ada@example.com", "password": "s3cret"}, root, tc.pr)
			if err != nil {
				t.Fatal(err)
			}
			if pw, ok := r.Doc["password"]; ok {
				t.Errorf("create returned password %v", pw)
			}
			if s := stored(t, p, "User", idOf(r.Doc)); s.Doc["password"] != "s3cret" {
				t.Errorf("stored password %v, want it kept", s.Doc["password"])
			}
			g, err := p.Get(ctx, rt, idOf(r.Doc), root, tc.pr, provider.Preconditions{})
			if err != nil {
				t.Fatal(err)
			}
			if pw, ok := g.Doc["password"]; ok {
				t.Errorf("GET returned password %v", pw)
			}
			l, err := p.List(ctx, rt, &provider.ListRequest{Attributes: []string{"password"}}, root)
			if err != nil {
				t.Fatal(err)
			}
			if pw, ok := l.Resources[0]["password"]; ok {
				t.Errorf("list returned password %v", pw)
			}
		})
	}
}

// RFC 7644 section 3.9: attributes and excludedAttributes shape every
// response that carries the resource, the create response included; id
// and schemas are always returned.
func TestProjectionOfCreateAndGet(t *testing.T) {
	p, _ := engine(t)
	ctx := context.Background()
	rt := rtOf(t, p, "User")
	body := map[string]any{"userName": "ada@example.com", "displayName": "Ada", "title": "Countess", "emails": []any{map[string]any{"value": "ada@example.com", "type": "work"}}}
	for _, tc := range []struct {
		name  string
		attrs []string
		excl  []string
		want  []string // top-level keys
	}{
		{"default", nil, nil, []string{"displayName", "emails", "id", "meta", "schemas", "title", "userName"}},
		{"attributes", []string{"displayName"}, nil, []string{"displayName", "id", "schemas"}},
		{"attributes sub", []string{"emails.value", "title"}, nil, []string{"emails", "id", "schemas", "title"}},
		{"excludedAttributes", nil, []string{"title", "emails"}, []string{"displayName", "id", "meta", "schemas", "userName"}},
		// id is returned "always": excluding it has no effect.
		{"excluded id", nil, []string{"id", "meta"}, []string{"displayName", "emails", "id", "schemas", "title", "userName"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p.Store.Reset()
			pr := proj(t, rt, tc.attrs, tc.excl)
			c, err := p.Create(ctx, rt, body, root, pr)
			if err != nil {
				t.Fatal(err)
			}
			if got := keys(c.Doc); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("create: keys %v, want %v", got, tc.want)
			}
			if c.Location == "" || c.ETag != `W/"1"` {
				t.Errorf("create: Location %q ETag %q must not depend on the projection", c.Location, c.ETag)
			}
			g, err := p.Get(ctx, rt, idOf(c.Doc), root, pr, provider.Preconditions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := keys(g.Doc); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("get: keys %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("sub-attribute only", func(t *testing.T) {
		p.Store.Reset()
		c, err := p.Create(ctx, rt, body, root, proj(t, rt, []string{"emails.value"}, nil))
		if err != nil {
			t.Fatal(err)
		}
		want := []any{map[string]any{"value": "ada@example.com"}}
		if got := c.Doc["emails"]; !reflect.DeepEqual(got, want) {
			t.Errorf("emails %v, want %v", got, want)
		}
	})
}

func TestGetUnknownID(t *testing.T) {
	p, _ := engine(t)
	u := newUser(t, p, "ada@example.com")
	g := newGroup(t, p, "ops")
	for _, tc := range []struct{ rt, id string }{
		{"User", "no-such-id"},
		{"Group", "no-such-id"},
		{"User", ""},
		// ids are unique across the account, but a Group's id is not a User.
		{"User", idOf(g)},
		{"Group", idOf(u)},
	} {
		t.Run(tc.rt+"/"+tc.id, func(t *testing.T) {
			r, err := p.Get(context.Background(), rtOf(t, p, tc.rt), tc.id, root, nil, provider.Preconditions{})
			if err == nil {
				t.Fatalf("found %v", r.Doc)
			}
			wantSCIMError(t, err, http.StatusNotFound, "")
		})
	}
}

func TestResourceType(t *testing.T) {
	p, _ := engine(t)
	for _, tc := range []struct{ endpoint, want string }{
		{"Users", "User"}, {"/Users", "User"}, {"/groups", "Group"}, {"Groups", "Group"},
	} {
		rt, err := p.ResourceType(tc.endpoint)
		if err != nil || rt.Name != tc.want {
			t.Errorf("ResourceType(%q) = %v, %v; want %s", tc.endpoint, rt, err, tc.want)
		}
	}
	_, err := p.ResourceType("/Devices")
	wantSCIMError(t, err, http.StatusNotFound, "")
}

// RFC 7644 section 3.5.1: PUT replaces the resource; what the body leaves
// out is cleared, the version moves on.
func TestReplace(t *testing.T) {
	p, c := engine(t)
	ctx := context.Background()
	rt := rtOf(t, p, "User")
	u := newUser(t, p, "ada@example.com", "displayName", "Ada", "title", "Countess",
		"emails", []any{map[string]any{"value": "ada@example.com"}},
		schema.EnterpriseUserURN, map[string]any{"department": "Math"})
	id := idOf(u)
	at := c.tick()
	r, err := p.Replace(ctx, rt, id, map[string]any{"userName": "ada@example.com", "nickName": "Ada"}, root, nil, provider.Preconditions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"displayName", "title", "emails", schema.EnterpriseUserURN} {
		if v, ok := r.Doc[k]; ok {
			t.Errorf("%s = %v after a PUT that left it out", k, v)
		}
		if v, ok := stored(t, p, "User", id).Doc[k]; ok {
			t.Errorf("stored %s = %v after a PUT that left it out", k, v)
		}
	}
	if r.Doc["nickName"] != "Ada" || r.Doc["userName"] != "ada@example.com" {
		t.Errorf("document %v lacks what the PUT set", r.Doc)
	}
	if got := r.Doc["schemas"]; !reflect.DeepEqual(got, []any{schema.UserURN}) {
		t.Errorf("schemas %v still name the removed extension", got)
	}
	m := meta(r.Doc)
	wantMeta := map[string]any{
		"resourceType": "User", "created": store.FormatTime(t0), "lastModified": store.FormatTime(at),
		"location": root + "/Users/" + id, "version": `W/"2"`,
	}
	if !reflect.DeepEqual(m, wantMeta) {
		t.Errorf("meta %v, want %v", m, wantMeta)
	}
	if r.ETag != `W/"2"` || r.Created {
		t.Errorf("ETag %q Created %v, want W/\"2\" false", r.ETag, r.Created)
	}

	// A PUT that changes nothing keeps the version (the resource did not
	// change, RFC 7644 section 3.14).
	c.tick()
	same, err := p.Replace(ctx, rt, id, map[string]any{"userName": "ada@example.com", "nickName": "Ada"}, root, nil, provider.Preconditions{})
	if err != nil {
		t.Fatal(err)
	}
	if v := meta(same.Doc)["version"]; v != `W/"2"` {
		t.Errorf("version %v after an identical PUT, want W/\"2\"", v)
	}
	if lm := meta(same.Doc)["lastModified"]; lm != store.FormatTime(at) {
		t.Errorf("lastModified %v after an identical PUT, want %s", lm, store.FormatTime(at))
	}
}

func TestReplaceRefuses(t *testing.T) {
	for _, tc := range []struct {
		name     string
		body     map[string]any
		status   int
		scimType string
	}{
		{"required userName left out", map[string]any{"displayName": "x"}, http.StatusBadRequest, scimerror.InvalidValue},
		{"userName of another user", map[string]any{"userName": "other@example.com"}, http.StatusConflict, scimerror.Uniqueness},
		{"wrong type", map[string]any{"userName": "ada@example.com", "active": "maybe"}, http.StatusBadRequest, scimerror.InvalidValue},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, c := engine(t)
			u := newUser(t, p, "ada@example.com", "displayName", "Ada")
			newUser(t, p, "other@example.com")
			c.tick()
			_, err := p.Replace(context.Background(), rtOf(t, p, "User"), idOf(u), tc.body, root, nil, provider.Preconditions{})
			wantSCIMError(t, err, tc.status, tc.scimType)
			s := stored(t, p, "User", idOf(u))
			if s.Version != 1 || s.Doc["displayName"] != "Ada" || s.Doc["userName"] != "ada@example.com" {
				t.Errorf("a refused PUT changed the user: version %d, %v", s.Version, s.Doc)
			}
		})
	}
	t.Run("unknown id", func(t *testing.T) {
		p, _ := engine(t)
		_, err := p.Replace(context.Background(), rtOf(t, p, "User"), "nobody", map[string]any{"userName": "x@example.com"}, root, nil, provider.Preconditions{})
		wantSCIMError(t, err, http.StatusNotFound, "")
		if n := p.Store.Count(context.Background(), rtOf(t, p, "User")); n != 0 {
			t.Errorf("PUT to an unknown id created %d users", n)
		}
	})
}

// PUT ignores readOnly attributes in the body (RFC 7644 section 3.5.1),
// so a document read by GET can be sent back as it is.
func TestReplaceWithReadBackDocument(t *testing.T) {
	p, _ := engine(t)
	ctx := context.Background()
	rt := rtOf(t, p, "User")
	u := newUser(t, p, "ada@example.com", "displayName", "Ada")
	g := newGroup(t, p, "ops", idOf(u))
	got, err := p.Get(ctx, rt, idOf(u), root, nil, provider.Preconditions{})
	if err != nil {
		t.Fatal(err)
	}
	body := got.Doc
	body["displayName"] = "Ada L."
	body["id"] = "another-id"
	body["groups"] = []any{}
	r, err := p.Replace(ctx, rt, idOf(u), body, root, nil, provider.Preconditions{})
	if err != nil {
		t.Fatal(err)
	}
	if idOf(r.Doc) != idOf(u) || r.Doc["displayName"] != "Ada L." {
		t.Errorf("after PUT: id %v displayName %v", r.Doc["id"], r.Doc["displayName"])
	}
	// groups is readOnly: the empty list in the body left the membership.
	gs, _ := r.Doc["groups"].([]any)
	if len(gs) != 1 || gs[0].(map[string]any)["value"] != idOf(g) {
		t.Errorf("groups %v, want the group %s kept", r.Doc["groups"], idOf(g))
	}
}

// RFC 7643 section 7, "immutable": a value may be set once, and a PUT may
// not change it afterwards (400 mutability, RFC 7644 section 3.12). The
// shipped sets have no top-level immutable attribute, so this set makes
// User.userType and the enterprise employeeNumber immutable.
func TestReplaceImmutable(t *testing.T) {
	set := mustSet(t)
	urt := set.ResourceType("User")
	urt.Core.Attr("userType").Mutability = schema.Immutable
	urt.Extension(schema.EnterpriseUserURN).Attr("employeeNumber").Mutability = schema.Immutable
	ent := func(n string) map[string]any { return map[string]any{"employeeNumber": n} }
	for _, tc := range []struct {
		name    string
		initial map[string]any
		put     map[string]any
		ok      bool
	}{
		{"unchanged", map[string]any{"userType": "staff"}, map[string]any{"userType": "staff"}, true},
		{"changed", map[string]any{"userType": "staff"}, map[string]any{"userType": "contractor"}, false},
		{"left out", map[string]any{"userType": "staff"}, map[string]any{}, false},
		{"set for the first time", map[string]any{}, map[string]any{"userType": "staff"}, true},
		{"extension unchanged", map[string]any{schema.EnterpriseUserURN: ent("1")}, map[string]any{schema.EnterpriseUserURN: ent("1")}, true},
		{"extension changed", map[string]any{schema.EnterpriseUserURN: ent("1")}, map[string]any{schema.EnterpriseUserURN: ent("2")}, false},
		{"extension set for the first time", map[string]any{}, map[string]any{schema.EnterpriseUserURN: ent("1")}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := engineWith(t, set)
			rt := rtOf(t, p, "User")
			tc.initial["userName"] = "ada@example.com"
			tc.put["userName"] = "ada@example.com"
			tc.put["displayName"] = "changed"
			u := create(t, p, "User", tc.initial)
			_, err := p.Replace(context.Background(), rt, idOf(u), tc.put, root, nil, provider.Preconditions{})
			s := stored(t, p, "User", idOf(u))
			if tc.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if s.Doc["displayName"] != "changed" {
					t.Errorf("stored %v, want the PUT applied", s.Doc)
				}
				return
			}
			wantSCIMError(t, err, http.StatusBadRequest, scimerror.Mutability)
			if s.Version != 1 || s.Doc["displayName"] != nil {
				t.Errorf("a refused PUT changed the user: version %d, %v", s.Version, s.Doc)
			}
		})
	}
}

// A Group's PUT replaces its members (RFC 7644 section 3.5.1).
func TestReplaceGroupMembers(t *testing.T) {
	p, _ := engine(t)
	a, b, c := newUser(t, p, "a@example.com"), newUser(t, p, "b@example.com"), newUser(t, p, "c@example.com")
	g := newGroup(t, p, "ops", idOf(a), idOf(b))
	for _, tc := range []struct {
		name string
		put  []string
		want []string
	}{
		{"swap one", []string{idOf(b), idOf(c)}, []string{idOf(b), idOf(c)}},
		{"left out clears", nil, nil},
		{"duplicates collapse", []string{idOf(a), idOf(a)}, []string{idOf(a)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{"displayName": "ops"}
			if tc.put != nil {
				ms := []any{}
				for _, id := range tc.put {
					ms = append(ms, map[string]any{"value": id})
				}
				body["members"] = ms
			}
			r, err := p.Replace(context.Background(), rtOf(t, p, "Group"), idOf(g), body, root, nil, provider.Preconditions{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			if ms, ok := r.Doc["members"].([]any); ok {
				for _, m := range ms {
					mm := m.(map[string]any)
					got = append(got, mm["value"].(string))
					if mm["type"] != "User" || mm["$ref"] != root+"/Users/"+mm["value"].(string) {
						t.Errorf("member %v: want type User and $ref %s/Users/<id>", mm, root)
					}
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("members %v, want %v", got, tc.want)
			}
		})
	}
}

// RFC 7644 section 3.6: a deleted resource is gone (404), and it leaves
// every group that held it.
func TestDelete(t *testing.T) {
	p, c := engine(t)
	ctx := context.Background()
	urt, grt := rtOf(t, p, "User"), rtOf(t, p, "Group")
	ada, bob := newUser(t, p, "ada@example.com"), newUser(t, p, "bob@example.com")
	g1 := newGroup(t, p, "g1", idOf(ada), idOf(bob))
	g2 := newGroup(t, p, "g2", idOf(ada))
	outer := newGroup(t, p, "outer", idOf(g1), idOf(bob))

	at := c.tick()
	if err := p.Delete(ctx, urt, idOf(ada), provider.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	_, err := p.Get(ctx, urt, idOf(ada), root, nil, provider.Preconditions{})
	wantSCIMError(t, err, http.StatusNotFound, "")
	wantSCIMError(t, p.Delete(ctx, urt, idOf(ada), provider.Preconditions{}), http.StatusNotFound, "")
	_, err = p.Replace(ctx, urt, idOf(ada), map[string]any{"userName": "ada@example.com"}, root, nil, provider.Preconditions{})
	wantSCIMError(t, err, http.StatusNotFound, "")

	memberIDs := func(g map[string]any) []string {
		r, err := p.Get(ctx, grt, idOf(g), root, nil, provider.Preconditions{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		ms, _ := r.Doc["members"].([]any)
		for _, m := range ms {
			out = append(out, m.(map[string]any)["value"].(string))
		}
		return out
	}
	for _, tc := range []struct {
		group   map[string]any
		want    []string
		version string
	}{
		{g1, []string{idOf(bob)}, `W/"2"`},
		{g2, nil, `W/"2"`},
		{outer, []string{idOf(g1), idOf(bob)}, `W/"1"`},
	} {
		name := tc.group["displayName"].(string)
		if got := memberIDs(tc.group); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s members %v, want %v", name, got, tc.want)
		}
		s := stored(t, p, "Group", idOf(tc.group))
		if store.WeakETag(s.Version) != tc.version {
			t.Errorf("%s version %s, want %s (a group that loses a member changes)", name, store.WeakETag(s.Version), tc.version)
		}
		if tc.version == `W/"2"` && !s.LastModified.Equal(at) {
			t.Errorf("%s lastModified %v, want %v", name, s.LastModified, at)
		}
	}
	// A member filter finds no group holding the deleted user.
	l, err := p.List(ctx, grt, &provider.ListRequest{Filter: `members.value eq "` + idOf(ada) + `"`}, root)
	if err != nil {
		t.Fatal(err)
	}
	if l.TotalResults != 0 {
		t.Errorf("%d groups still list the deleted user", l.TotalResults)
	}

	// Deleting a group takes it out of the users' groups attribute.
	groupsOf := func(u map[string]any) []string {
		r, err := p.Get(ctx, urt, idOf(u), root, nil, provider.Preconditions{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		gs, _ := r.Doc["groups"].([]any)
		for _, g := range gs {
			out = append(out, g.(map[string]any)["value"].(string))
		}
		return out
	}
	if got, want := groupsOf(bob), []string{idOf(g1), idOf(outer)}; !reflect.DeepEqual(got, want) {
		t.Fatalf("bob's groups %v, want %v", got, want)
	}
	if err := p.Delete(ctx, grt, idOf(g1), provider.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	if got, want := groupsOf(bob), []string{idOf(outer)}; !reflect.DeepEqual(got, want) {
		t.Errorf("bob's groups %v after deleting g1, want %v", got, want)
	}
	if got, want := memberIDs(outer), []string{idOf(bob)}; !reflect.DeepEqual(got, want) {
		t.Errorf("outer members %v after deleting g1, want %v", got, want)
	}
}

// The groups attribute of a User (RFC 7643 section 4.1.2) is rendered
// from membership, with value, $ref, display and type.
func TestUserGroupsRendered(t *testing.T) {
	p, _ := engine(t)
	u := newUser(t, p, "ada@example.com")
	g := newGroup(t, p, "Analysts", idOf(u))
	r, err := p.Get(context.Background(), rtOf(t, p, "User"), idOf(u), root, nil, provider.Preconditions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []any{map[string]any{"value": idOf(g), "$ref": root + "/Groups/" + idOf(g), "display": "Analysts", "type": "direct"}}
	if !reflect.DeepEqual(r.Doc["groups"], want) {
		t.Errorf("groups %v, want %v", r.Doc["groups"], want)
	}
}

// TestGroupMembersDisplay: a Group's members carry "display" (RFC 7643
// section 4.2; section 8.4 shows the member User's displayName there): a
// User's displayName, else its userName; a nested Group's displayName. It
// follows a rename of the member, and attributes=members.display selects
// it.
func TestGroupMembersDisplay(t *testing.T) {
	p, _ := engine(t)
	ctx := context.Background()
	ada := newUser(t, p, "ada@example.com", "displayName", "Ada Lovelace")
	bob := newUser(t, p, "bob@example.com")
	inner := newGroup(t, p, "Inner")
	g := newGroup(t, p, "Analysts", idOf(ada), idOf(bob), idOf(inner))
	grt := rtOf(t, p, "Group")
	displays := func(doc map[string]any) []any {
		t.Helper()
		var out []any
		ms, _ := doc["members"].([]any)
		for _, m := range ms {
			out = append(out, m.(map[string]any)["display"])
		}
		return out
	}
	if got, want := displays(g), []any{"Ada Lovelace", "bob@example.com", "Inner"}; !reflect.DeepEqual(got, want) {
		t.Errorf("members.display on create = %v, want %v", got, want)
	}
	urt := rtOf(t, p, "User")
	if _, err := p.Replace(ctx, urt, idOf(ada), map[string]any{"schemas": []any{schema.UserURN}, "userName": "ada@example.com", "displayName": "Countess of Lovelace"}, root, nil, provider.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	r, err := p.Get(ctx, grt, idOf(g), root, proj(t, grt, []string{"members.display"}, nil), provider.Preconditions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := displays(r.Doc), []any{"Countess of Lovelace", "bob@example.com", "Inner"}; !reflect.DeepEqual(got, want) {
		t.Errorf("members.display after a rename = %v, want %v", got, want)
	}
}

// The Policy seam: Admit sees every write after schema checks and before
// the store commits; an error refuses the write, an edit of Next is stored.
func TestPolicyRefuses(t *testing.T) {
	refuse := provider.PolicyFunc(func(_ context.Context, c *provider.Change) error {
		if c.Next["displayName"] == "forbidden" {
			return scimerror.New(http.StatusForbidden, "", "not here")
		}
		return nil
	})
	patchReq := &patch.Request{Schemas: []string{patch.URN}, Operations: []patch.Operation{{Op: "replace", Path: "displayName", Value: "forbidden"}}}
	for _, tc := range []struct {
		name  string
		write func(p *provider.Provider, rt *schema.ResourceType, id string) error
	}{
		{"create", func(p *provider.Provider, rt *schema.ResourceType, _ string) error {
			_, err := p.Create(context.Background(), rt, map[string]any{"userName": "new@example.com", "displayName": "forbidden"}, root, nil)
			return err
		}},
		{"replace", func(p *provider.Provider, rt *schema.ResourceType, id string) error {
			_, err := p.Replace(context.Background(), rt, id, map[string]any{"userName": "ada@example.com", "displayName": "forbidden"}, root, nil, provider.Preconditions{})
			return err
		}},
		{"patch", func(p *provider.Provider, rt *schema.ResourceType, id string) error {
			_, err := p.Patch(context.Background(), rt, id, patchReq, root, nil, provider.Preconditions{})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := engine(t)
			u := newUser(t, p, "ada@example.com", "displayName", "Ada")
			p.Policy = refuse
			rt := rtOf(t, p, "User")
			wantSCIMError(t, tc.write(p, rt, idOf(u)), http.StatusForbidden, "")
			if n := p.Store.Count(context.Background(), rt); n != 1 {
				t.Errorf("%d users stored, want 1", n)
			}
			s := stored(t, p, "User", idOf(u))
			if s.Version != 1 || s.Doc["displayName"] != "Ada" {
				t.Errorf("the refused %s changed the user: version %d %v", tc.name, s.Version, s.Doc)
			}
		})
	}
}

func TestPolicyEditsAndSeesChange(t *testing.T) {
	var seen []string
	edit := provider.PolicyFunc(func(_ context.Context, c *provider.Change) error {
		cur := "<nil>"
		if c.Current != nil {
			cur = fmt.Sprint(c.Current["displayName"])
		}
		seen = append(seen, c.Op+" "+c.Type.Name+" "+cur+"->"+fmt.Sprint(c.Next["displayName"]))
		c.Next["title"] = "set by policy"
		return nil
	})
	p, _ := engine(t)
	p.Policy = edit
	ctx := context.Background()
	rt := rtOf(t, p, "User")
	r, err := p.Create(ctx, rt, map[string]any{"userName": "ada@example.com", "displayName": "A"}, root, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Doc["title"] != "set by policy" {
		t.Errorf("create response title %v, want the policy's edit", r.Doc["title"])
	}
	id := idOf(r.Doc)
	if _, err := p.Replace(ctx, rt, id, map[string]any{"userName": "ada@example.com", "displayName": "B"}, root, nil, provider.Preconditions{}); err != nil {
		t.Fatal(err)
	}
	if s := stored(t, p, "User", id); s.Doc["title"] != "set by policy" {
		t.Errorf("after PUT stored title %v, want the policy's edit", s.Doc["title"])
	}
	req := &patch.Request{Schemas: []string{patch.URN}, Operations: []patch.Operation{
		{Op: "replace", Path: "displayName", Value: "C"}, {Op: "remove", Path: "title"}}}
	pr, err := p.Patch(ctx, rt, id, req, root, nil, provider.Preconditions{})
	if err != nil {
		t.Fatal(err)
	}
	if pr.Doc["title"] != "set by policy" {
		t.Errorf("after PATCH title %v, want the policy's edit", pr.Doc["title"])
	}
	want := []string{"create User <nil>->A", "replace User A->B", "patch User B->C"}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("policy saw %q, want %q", seen, want)
	}
	// Schema checks come first: a body the schema refuses never reaches
	// the policy.
	seen = nil
	if _, err := p.Create(ctx, rt, map[string]any{"displayName": "no userName"}, root, nil); err == nil {
		t.Fatal("created a user without userName")
	}
	if len(seen) != 0 {
		t.Errorf("policy saw %q for a body the schema refuses", seen)
	}
}
