package provider_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/patch"
	"github.com/scimconf/scimconf/server/internal/engine/provider"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

const base = "http://scim.test/v2"

func newProvider(t testing.TB) *provider.Provider {
	t.Helper()
	set := schema.Full()
	return provider.New(set, store.NewMemory(set), provider.DefaultConfig())
}

func user(name string) map[string]any {
	return map[string]any{"schemas": []any{schema.UserURN}, "userName": name}
}

func bulk(ops ...provider.BulkOperation) *provider.BulkRequest {
	return &provider.BulkRequest{Schemas: []string{provider.BulkRequestURN}, Operations: ops}
}

func statuses(r *provider.BulkResponse) []string {
	out := make([]string, len(r.Operations))
	for i, op := range r.Operations {
		out[i] = op.BulkID + ":" + op.Status
	}
	return out
}

func TestBulkForwardReference(t *testing.T) {
	p := newProvider(t)
	ctx := context.Background()
	// The group comes first and names a user created later in the request.
	resp, err := p.Bulk(ctx, bulk(
		provider.BulkOperation{Method: "POST", BulkID: "g", Path: "/Groups", Data: map[string]any{
			"displayName": "team", "members": []any{map[string]any{"value": "bulkId:u"}}}},
		provider.BulkOperation{Method: "POST", BulkID: "u", Path: "/Users", Data: user("ada@example.com")},
	), base)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(statuses(resp)); got != "[g:201 u:201]" {
		t.Fatalf("statuses %s, want both created, in request order", got)
	}
	grt := p.Set.ResourceType("Group")
	page, err := p.List(ctx, grt, &provider.ListRequest{Filter: `displayName eq "team"`}, base)
	if err != nil || page.TotalResults != 1 {
		t.Fatalf("group not found: %v %+v", err, page)
	}
	members, _ := page.Resources[0]["members"].([]any)
	uid := resp.Operations[1].Location[len(base+"/Users/"):]
	if len(members) != 1 || members[0].(map[string]any)["value"] != uid {
		t.Errorf("members %v, want the user %s created by the later operation", members, uid)
	}
}

func TestBulkCycleAndUnknownReference(t *testing.T) {
	p := newProvider(t)
	resp, err := p.Bulk(context.Background(), bulk(
		provider.BulkOperation{Method: "POST", BulkID: "a", Path: "/Groups", Data: map[string]any{
			"displayName": "a", "members": []any{map[string]any{"value": "bulkId:b"}}}},
		provider.BulkOperation{Method: "POST", BulkID: "b", Path: "/Groups", Data: map[string]any{
			"displayName": "b", "members": []any{map[string]any{"value": "bulkId:a"}}}},
		provider.BulkOperation{Method: "POST", BulkID: "c", Path: "/Groups", Data: map[string]any{
			"displayName": "c", "members": []any{map[string]any{"value": "bulkId:nowhere"}}}},
		provider.BulkOperation{Method: "POST", BulkID: "d", Path: "/Users", Data: user("d@example.com")},
	), base)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(statuses(resp)); got != "[a:409 b:409 c:409 d:201]" {
		t.Fatalf("statuses %s: a cycle and an unknown bulkId fail with 409, the rest runs", got)
	}
	n := p.Store.Count(context.Background(), p.Set.ResourceType("Group"))
	if n != 0 {
		t.Errorf("%d groups created by failed operations", n)
	}
}

func TestBulkFailOnErrors(t *testing.T) {
	p := newProvider(t)
	one := 1
	req := bulk(
		provider.BulkOperation{Method: "POST", BulkID: "x", Path: "/Users", Data: map[string]any{"userName": 7}},
		provider.BulkOperation{Method: "POST", BulkID: "y", Path: "/Users", Data: user("y@example.com")},
	)
	req.FailOnErrors = &one
	resp, err := p.Bulk(context.Background(), req, base)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(statuses(resp)); got != "[x:400]" {
		t.Fatalf("statuses %s: processing must stop after failOnErrors errors", got)
	}
	if resp.Operations[0].Response == nil || resp.Operations[0].Response.ScimType != scimerror.InvalidValue {
		t.Errorf("the failed operation carries no SCIM error: %+v", resp.Operations[0])
	}
}

func TestBulkLimitsAndEnvelope(t *testing.T) {
	p := newProvider(t)
	p.Config.BulkMaxOperations = 2
	ops := make([]provider.BulkOperation, 3)
	for i := range ops {
		ops[i] = provider.BulkOperation{Method: "POST", BulkID: fmt.Sprint(i), Path: "/Users", Data: user(fmt.Sprintf("u%d@example.com", i))}
	}
	for _, tc := range []struct {
		name   string
		req    *provider.BulkRequest
		status int
	}{
		{"too many operations", bulk(ops...), http.StatusRequestEntityTooLarge},
		{"no schemas", &provider.BulkRequest{Operations: ops[:1]}, http.StatusBadRequest},
		{"no operations", bulk(), http.StatusBadRequest},
		{"duplicate bulkId", bulk(ops[0], ops[0]), http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Bulk(context.Background(), tc.req, base)
			if e := scimerror.From(err); e == nil || e.Status != tc.status {
				t.Fatalf("error %v, want status %d", err, tc.status)
			}
			if n := p.Store.Count(context.Background(), p.Set.ResourceType("User")); n != 0 {
				t.Errorf("a refused bulk request created %d users", n)
			}
		})
	}
}

// groupWith creates a group with n members and returns its id and a user
// that is not yet a member.
func groupWith(b testing.TB, p *provider.Provider, n int) (string, string) {
	ctx := context.Background()
	urt, grt := p.Set.ResourceType("User"), p.Set.ResourceType("Group")
	members := make([]any, n)
	for i := range n {
		r, err := p.Create(ctx, urt, user(fmt.Sprintf("m%d@example.com", i)), base, nil)
		if err != nil {
			b.Fatal(err)
		}
		members[i] = map[string]any{"value": r.Doc["id"]}
	}
	g, err := p.Create(ctx, grt, map[string]any{"displayName": "big", "members": members}, base, nil)
	if err != nil {
		b.Fatal(err)
	}
	extra, err := p.Create(ctx, urt, user("extra@example.com"), base, nil)
	if err != nil {
		b.Fatal(err)
	}
	return g.Doc["id"].(string), extra.Doc["id"].(string)
}

func memberOp(op, path string, value any) *patch.Request {
	return &patch.Request{Schemas: []string{patch.URN}, Operations: []patch.Operation{{Op: op, Path: path, Value: value}}}
}

// BenchmarkPatchMember measures adding and removing one member through the
// whole provider (PATCH parse, store update, membership index). The
// figure must not grow with the group: compare /5 with /50000.
func BenchmarkPatchMember(b *testing.B) {
	for _, n := range []int{5, 50000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			p := newProvider(b)
			p.Config.PatchNoContent = true // rendering 50k members is not what is measured
			gid, uid := groupWith(b, p, n)
			grt := p.Set.ResourceType("Group")
			add := memberOp("add", "members", []any{map[string]any{"value": uid}})
			remove := memberOp("remove", `members[value eq "`+uid+`"]`, nil)
			ctx := context.Background()
			for b.Loop() {
				if _, err := p.Patch(ctx, grt, gid, add, base, nil, provider.Preconditions{}); err != nil {
					b.Fatal(err)
				}
				if _, err := p.Patch(ctx, grt, gid, remove, base, nil, provider.Preconditions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGetGroup measures reading a group with all its members rendered
// (members.display included: one index lookup per member).
func BenchmarkGetGroup(b *testing.B) {
	for _, n := range []int{5, 50000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			p := newProvider(b)
			gid, _ := groupWith(b, p, n)
			grt := p.Set.ResourceType("Group")
			ctx := context.Background()
			for b.Loop() {
				if _, err := p.Get(ctx, grt, gid, base, nil, provider.Preconditions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestPatchMemberFastPathMatchesGeneralEngine(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		op   func(uid string) *patch.Request
		want int // members after
	}{
		{"add list", func(u string) *patch.Request {
			return memberOp("add", "members", []any{map[string]any{"value": u}})
		}, 4},
		{"remove by filter", func(string) *patch.Request { return nil }, 2},
		{"Entra remove with value", func(string) *patch.Request { return nil }, 2},
		{"replace", func(u string) *patch.Request {
			return memberOp("Replace", "members", []any{map[string]any{"value": u}})
		}, 1},
		{"remove all", func(string) *patch.Request { return memberOp("remove", "members", nil) }, 0},
		// A filter the fast path does not know goes through the engine.
		{"general: remove by type", func(string) *patch.Request {
			return memberOp("remove", `members[type eq "User"]`, nil)
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newProvider(t)
			grt := p.Set.ResourceType("Group")
			gid, uid := groupWith(t, p, 3)
			req := tc.op(uid)
			if req == nil {
				ms, _ := p.Store.Members(ctx, gid)
				switch tc.name {
				case "remove by filter":
					req = memberOp("remove", `members[value eq "`+ms[0].Value+`"]`, nil)
				default:
					req = memberOp("Remove", "members", []any{map[string]any{"value": ms[0].Value}, map[string]any{"value": ms[1].Value}})
					tc.want = 1
				}
			}
			if _, err := p.Patch(ctx, grt, gid, req, base, nil, provider.Preconditions{}); err != nil {
				t.Fatal(err)
			}
			ms, _ := p.Store.Members(ctx, gid)
			if len(ms) != tc.want {
				t.Errorf("%d members after %s, want %d", len(ms), tc.name, tc.want)
			}
		})
	}
}

func TestPatchUnknownMemberChangesNothing(t *testing.T) {
	p := newProvider(t)
	ctx := context.Background()
	grt := p.Set.ResourceType("Group")
	gid, uid := groupWith(t, p, 2)
	before, _ := p.Store.Get(ctx, grt, gid)
	req := &patch.Request{Schemas: []string{patch.URN}, Operations: []patch.Operation{
		{Op: "replace", Path: "displayName", Value: "renamed"},
		{Op: "add", Path: "members", Value: []any{map[string]any{"value": uid}, map[string]any{"value": "no-such-id"}}},
	}}
	if _, err := p.Patch(ctx, grt, gid, req, base, nil, provider.Preconditions{}); err == nil {
		t.Fatal("adding a member that does not exist succeeded")
	}
	after, _ := p.Store.Get(ctx, grt, gid)
	ms, _ := p.Store.Members(ctx, gid)
	if after.Version != before.Version || after.Doc["displayName"] != "big" || len(ms) != 2 {
		t.Errorf("a failed PATCH changed the group: version %d->%d, name %v, %d members", before.Version, after.Version, after.Doc["displayName"], len(ms))
	}
}
