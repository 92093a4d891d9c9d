package violation_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/provider"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/store"
	"github.com/scimconf/scimconf/server/internal/violation"
	"github.com/scimconf/scimconf/server/mock"
)

// newProvider is a provider over the full schema set with the
// provider's decorators of package violation, as the mock wires them.
func newProvider(t *testing.T, switches ...string) (*provider.Provider, *violation.Set) {
	t.Helper()
	set, err := violation.New(switches...)
	if err != nil {
		t.Fatal(err)
	}
	sch, _ := schema.ByName("full")
	p := provider.New(sch, violation.ProviderStore(set, store.NewMemory(sch)), provider.DefaultConfig())
	p.Policy = violation.ProviderPolicy(set, nil)
	p.Required = violation.Required(set)
	return p, set
}

func TestProviderStore(t *testing.T) {
	p, set := newProvider(t)
	ctx, users := t.Context(), p.Set.ResourceType("User")
	var ids []string
	for _, n := range []string{"b", "a", "c"} {
		r, err := p.Create(ctx, users, map[string]any{"userName": n, "externalId": "X" + n}, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.Doc["id"].(string))
	}
	groups := p.Set.ResourceType("Group")
	if _, err := p.Create(ctx, groups, map[string]any{"displayName": "g", "members": []any{map[string]any{"value": ids[0]}}}, "", nil); err != nil {
		t.Fatal(err)
	}
	names := func(req *provider.ListRequest) ([]string, *provider.ListResponse, error) {
		resp, err := p.List(ctx, users, req, "")
		if err != nil {
			return nil, nil, err
		}
		var out []string
		for _, r := range resp.Resources {
			out = append(out, r["userName"].(string))
		}
		return out, resp, nil
	}
	one, two := 1, 2
	cases := []struct {
		sw   violation.Switch
		req  provider.ListRequest
		off  string // the answer with the switch off
		on   string // and on
		page int    // startIndex answered with the switch on (0: not checked)
	}{
		{violation.SortIgnoresOrder, provider.ListRequest{SortBy: "userName", SortOrder: "descending"}, "[c b a]", "[a b c]", 0},
		{violation.PagingRepeats, provider.ListRequest{StartIndex: &two, Count: &one}, "[a]", "[b]", 2},
		{violation.FilterIgnoresNot, provider.ListRequest{Filter: `not (userName eq "a")`}, "[b c]", "[a]", 0},
		{violation.FilterIgnoresCaseexact, provider.ListRequest{Filter: `externalId eq "xa"`}, "[]", "[a]", 0},
		{violation.EmptyFilter404, provider.ListRequest{Filter: `userName eq "zz"`}, "[]", "error", 0},
		{violation.BadCursorRestarts, provider.ListRequest{Cursor: new(string), Count: &one}, "[b]", "[b]", 0},
	}
	for _, c := range cases {
		for _, on := range []bool{false, true} {
			if on {
				set.Enable(c.sw.String())
			}
			got, resp, err := names(&c.req)
			s := fmt.Sprint(got)
			if err != nil {
				s = "error"
			}
			want := c.off
			if on {
				want = c.on
			}
			if s != want {
				t.Errorf("%s on=%v: %s, want %s", c.sw, on, s, want)
			}
			if on && c.page > 0 && resp != nil && resp.StartIndex != c.page {
				t.Errorf("%s: startIndex %d, want %d", c.sw, resp.StartIndex, c.page)
			}
			set.Disable(c.sw.String())
		}
	}
	bad := "not-a-cursor"
	if _, _, err := names(&provider.ListRequest{Cursor: &bad}); err == nil {
		t.Error("a tampered cursor was accepted with bad-cursor-restarts off")
	}
	set.Enable("bad-cursor-restarts")
	if got, _, err := names(&provider.ListRequest{Cursor: &bad, Count: &one}); err != nil || fmt.Sprint(got) != "[b]" {
		t.Errorf("bad-cursor-restarts: %v, %v; want the first page", got, err)
	}

	set.Enable("lastmodified-frozen")
	set.Enable("user-groups-empty")
	r, err := p.Replace(ctx, users, ids[0], map[string]any{"userName": "b", "displayName": "B"}, "", nil, provider.Preconditions{})
	if err != nil {
		t.Fatal(err)
	}
	meta := r.Doc["meta"].(map[string]any)
	if meta["lastModified"] != meta["created"] {
		t.Errorf("lastmodified-frozen: meta %v", meta)
	}
	if r.Doc["groups"] != nil {
		t.Errorf("user-groups-empty: groups %v", r.Doc["groups"])
	}
	set.Disable("lastmodified-frozen")
	set.Disable("user-groups-empty")
	r, _ = p.Get(ctx, users, ids[0], "", nil, provider.Preconditions{})
	if meta := r.Doc["meta"].(map[string]any); meta["lastModified"] == meta["created"] || r.Doc["groups"] == nil {
		t.Errorf("switches off: %v", r.Doc)
	}
}

func TestProviderPolicy(t *testing.T) {
	p, set := newProvider(t, "put-merges", "put-ignores-active", "keep-group-description")
	ctx, users, groups := t.Context(), p.Set.ResourceType("User"), p.Set.ResourceType("Group")
	u, err := p.Create(ctx, users, map[string]any{"userName": "u", "displayName": "U", "active": true}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	id := u.Doc["id"].(string)
	r, err := p.Replace(ctx, users, id, map[string]any{"userName": "u", "active": false}, "", nil, provider.Preconditions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Doc["displayName"] != "U" || r.Doc["active"] != true {
		t.Errorf("put-merges and put-ignores-active: %v", r.Doc)
	}
	set.Disable("put-merges")
	set.Disable("put-ignores-active")
	r, _ = p.Replace(ctx, users, id, map[string]any{"userName": "u", "active": false}, "", nil, provider.Preconditions{})
	if r.Doc["displayName"] != nil || r.Doc["active"] != false {
		t.Errorf("switches off: %v", r.Doc)
	}

	set.Enable("put-refuses-readonly")
	if _, err := p.Replace(ctx, users, id, map[string]any{"userName": "u", "id": id}, "", nil, provider.Preconditions{}); err == nil {
		t.Error("put-refuses-readonly: a PUT with id passed")
	}

	// The full set has no Group description either way; the policy
	// stores it from the body.
	g, err := p.Create(ctx, groups, map[string]any{"displayName": "g", "description": "d"}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, _ := p.Store.Get(ctx, groups, g.Doc["id"].(string))
	if res.Doc["description"] != "d" {
		t.Errorf("keep-group-description: stored %v", res.Doc)
	}
}

func TestRequiredActiveOptional(t *testing.T) {
	set, _ := violation.New()
	users := schema.Dynatrace().ResourceType("User")
	doc := map[string]any{"userName": "a@example.com", "name": map[string]any{"givenName": "A", "familyName": "B"}}
	if err := violation.Required(set)(users, doc); err == nil {
		t.Error("a User without active passed with active-optional off")
	}
	set.Enable("active-optional")
	if err := violation.Required(set)(users, doc); err != nil {
		t.Errorf("active-optional: %v", err)
	}
	if _, ok := doc["active"]; ok {
		t.Error("active-optional changed the document")
	}
}

// scim sends one SCIM request to the mock and decodes the answer.
func scim(t *testing.T, inst *mock.Instance, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd bytes.Buffer
	if body != nil {
		json.NewEncoder(&rd).Encode(body)
	}
	req, _ := http.NewRequestWithContext(t.Context(), method, inst.SCIMBaseURL+path, &rd)
	req.Header.Set("Authorization", "Bearer "+inst.SCIMToken)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func dtUser(n string) map[string]any {
	return map[string]any{
		"schemas":  []string{schema.UserURN},
		"userName": n + "@example.com", "externalId": "ext-" + n, "password": "secret", "active": true,
		"name": map[string]any{"givenName": "A", "familyName": "B"},
	}
}

func TestSCIMMiddleware(t *testing.T) {
	// The full schema set: the Dynatrace one has no password.
	inst, err := mock.Start(t.Context(), mock.Options{Schema: "full"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	set := inst.Violations
	on := func(names ...string) func() {
		for _, n := range names {
			set.Enable(n)
		}
		return func() {
			for _, n := range names {
				set.Disable(n)
			}
		}
	}
	_, u := scim(t, inst, "POST", "/Users", dtUser("a"))
	uid, _ := u["id"].(string)
	_, g := scim(t, inst, "POST", "/Groups", map[string]any{"displayName": "g", "members": []any{map[string]any{"value": uid}}})
	gid, _ := g["id"].(string)
	if uid == "" || gid == "" {
		t.Fatalf("setup: %v %v", u, g)
	}

	if _, d := scim(t, inst, "GET", "/Users/"+uid, nil); d["externalId"] == nil || d["password"] != nil {
		t.Errorf("switches off: %v", d)
	}
	off := on("get-omits-externalid", "return-password")
	if _, d := scim(t, inst, "GET", "/Users/"+uid, nil); d["externalId"] != nil || d["password"] != "secret" {
		t.Errorf("get-omits-externalid, return-password: %v", d)
	}
	off()

	if _, d := scim(t, inst, "GET", "/Groups/"+gid+"?excludedAttributes=members", nil); d["members"] != nil {
		t.Errorf("excluded members shown: %v", d)
	}
	off = on("members-despite-excluded")
	if _, d := scim(t, inst, "GET", "/Groups/"+gid+"?excludedAttributes=members", nil); d["members"] == nil {
		t.Errorf("members-despite-excluded: %v", d)
	}
	off()

	off = on("unknown-filter-attr-matches-nothing", "count-above-max-refused")
	if st, d := scim(t, inst, "GET", "/Users?filter=nosuch+eq+%221%22", nil); st != 200 || d["totalResults"] != float64(0) {
		t.Errorf("unknown-filter-attr-matches-nothing: %d %v", st, d)
	}
	if st, d := scim(t, inst, "GET", "/Users?count=100000", nil); st != 400 || d["scimType"] != "tooMany" {
		t.Errorf("count-above-max-refused: %d %v", st, d)
	}
	off()
	if st, _ := scim(t, inst, "GET", "/Users?count=100000", nil); st != 200 {
		t.Errorf("count above maxResults: %d, want 200", st)
	}

	off = on("drop-wrong-types")
	bad := dtUser("b")
	bad["displayName"] = 42
	if st, d := scim(t, inst, "POST", "/Users", bad); st != 201 || d["displayName"] != nil {
		t.Errorf("drop-wrong-types: %d %v", st, d)
	}
	off()

	off = on("apply-readonly-groups")
	c := dtUser("c")
	c["groups"] = []any{map[string]any{"value": gid}}
	if st, d := scim(t, inst, "POST", "/Users", c); st != 201 || d["groups"] == nil {
		t.Errorf("apply-readonly-groups: %d %v", st, d)
	}
	e := dtUser("e")
	e["groups"] = []any{map[string]any{"value": gid}}
	scim(t, inst, "POST", "/Bulk", map[string]any{"schemas": []string{provider.BulkRequestURN}, "Operations": []any{
		map[string]any{"method": "POST", "path": "/Users", "bulkId": "e", "data": e},
	}})
	if _, d := scim(t, inst, "GET", "/Groups/"+gid, nil); len(d["members"].([]any)) != 3 {
		t.Errorf("apply-readonly-groups in a bulk POST: members %v", d["members"])
	}
	off()

	patch := func(ops ...map[string]any) map[string]any {
		l := make([]any, len(ops))
		for i, o := range ops {
			l[i] = o
		}
		return map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": l}
	}
	off = on("patch-ignores-remove")
	if st, d := scim(t, inst, "PATCH", "/Users/"+uid, patch(map[string]any{"op": "remove", "path": "externalId"})); st != 200 || d["externalId"] == nil {
		t.Errorf("patch-ignores-remove: %d %v", st, d)
	}
	off()
	off = on("notarget-ignored")
	if st, d := scim(t, inst, "PATCH", "/Users/"+uid, patch(
		map[string]any{"op": "remove", "path": `emails[type eq "nosuch"]`},
		map[string]any{"op": "replace", "path": "displayName", "value": "N"})); st != 200 || d["displayName"] != "N" {
		t.Errorf("notarget-ignored: %d %v", st, d)
	}
	off()
	off = on("patch-half-applies")
	if st, _ := scim(t, inst, "PATCH", "/Users/"+uid, patch(
		map[string]any{"op": "replace", "path": "displayName", "value": "H"},
		map[string]any{"op": "replace", "path": "active", "value": "not a boolean"})); st < 400 {
		t.Errorf("patch-half-applies: the failing PATCH answered %d", st)
	}
	if _, d := scim(t, inst, "GET", "/Users/"+uid, nil); d["displayName"] != "H" {
		t.Errorf("patch-half-applies: the first operation was not kept: %v", d)
	}
	scim(t, inst, "POST", "/Bulk", map[string]any{"schemas": []string{provider.BulkRequestURN}, "Operations": []any{
		map[string]any{"method": "PATCH", "path": "/Users/" + uid, "data": patch(
			map[string]any{"op": "replace", "path": "displayName", "value": "BH"},
			map[string]any{"op": "replace", "path": "active", "value": "not a boolean"})},
	}})
	if _, d := scim(t, inst, "GET", "/Users/"+uid, nil); d["displayName"] != "BH" {
		t.Errorf("patch-half-applies in a bulk PATCH: the first operation was not kept: %v", d)
	}
	off()
	if st, _ := scim(t, inst, "PATCH", "/Users/"+uid, patch(
		map[string]any{"op": "replace", "path": "displayName", "value": "atomic"},
		map[string]any{"op": "replace", "path": "active", "value": "not a boolean"})); st < 400 {
		t.Errorf("the failing PATCH answered %d", st)
	}
	if _, d := scim(t, inst, "GET", "/Users/"+uid, nil); d["displayName"] != "BH" {
		t.Errorf("a failed PATCH half-applied with the switch off: %v", d)
	}

	_, u2 := scim(t, inst, "POST", "/Users", dtUser("d"))
	scim(t, inst, "PATCH", "/Groups/"+gid, patch(map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": u2["id"]}}}))
	off = on("remove-wipes-members")
	scim(t, inst, "PATCH", "/Groups/"+gid, patch(map[string]any{"op": "remove", "path": "members", "value": []any{map[string]any{"value": u2["id"]}}}))
	if _, d := scim(t, inst, "GET", "/Groups/"+gid, nil); d["members"] != nil {
		t.Errorf("remove-wipes-members: %v", d["members"])
	}
	off()

	off = on("keep-group-description")
	if st, d := scim(t, inst, "POST", "/Groups", map[string]any{"displayName": "described", "description": "d"}); st != 201 || d["description"] != "d" {
		t.Errorf("keep-group-description: %d %v", st, d)
	} else if _, d := scim(t, inst, "GET", "/Groups?filter=displayName+eq+%22described%22", nil); fmt.Sprint(d["Resources"]) == "" || d["Resources"].([]any)[0].(map[string]any)["description"] != "d" {
		t.Errorf("keep-group-description: list %v", d)
	}
	off()

	bulk := map[string]any{"schemas": []string{provider.BulkRequestURN}, "failOnErrors": 1, "Operations": []any{
		map[string]any{"method": "DELETE", "path": "/Users/nosuch"},
		map[string]any{"method": "DELETE", "path": "/Users/nosuch2"},
	}}
	if _, d := scim(t, inst, "POST", "/Bulk", bulk); len(d["Operations"].([]any)) != 1 {
		t.Errorf("failOnErrors 1 ran %v", d["Operations"])
	}
	off = on("patch-ignores-remove")
	drop := map[string]any{"schemas": []string{provider.BulkRequestURN}, "Operations": []any{
		map[string]any{"method": "PATCH", "path": "/Users/" + uid, "data": patch(map[string]any{"op": "remove", "path": "displayName"})},
	}}
	if _, d := scim(t, inst, "POST", "/Bulk", drop); fmt.Sprint(d["Operations"].([]any)[0].(map[string]any)["status"]) != "200" {
		t.Errorf("patch-ignores-remove in a bulk PATCH: %v", d)
	}
	if _, d := scim(t, inst, "GET", "/Users/"+uid, nil); d["displayName"] == nil {
		t.Errorf("patch-ignores-remove in a bulk PATCH removed: %v", d)
	}
	off()
	off = on("bulk-ignores-fail-on-errors")
	if _, d := scim(t, inst, "POST", "/Bulk", bulk); len(d["Operations"].([]any)) != 2 {
		t.Errorf("bulk-ignores-fail-on-errors ran %v", d["Operations"])
	}
	off()
}
