package dynatrace

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// Helpers shared by the dynatrace specs. Names come from T.UniqueName, which
// stays unique across parallel processes.

// email returns a fresh address on domain (the first verified domain when
// domain is "").
func email(domain string) string {
	if domain == "" {
		domain = T.Domain()
	}
	return T.UniqueName() + "@" + domain
}

// newUser is T.NewUser with a userName unique across parallel processes.
func newUser(kv ...any) map[string]any {
	return T.NewUser(append([]any{"userName", email("")}, kv...)...)
}

// newGroup is T.NewGroup with a displayName unique across parallel processes.
func newGroup(kv ...any) map[string]any {
	return T.NewGroup(append([]any{"displayName", T.UniqueName()}, kv...)...)
}

// create POSTs doc with c to endpoint, expects 201 with an id, removes the
// resource at the end of the spec and returns the answer.
func create(ctx context.Context, c *scimtest.Client, endpoint string, doc map[string]any) *scimtest.Response {
	r := c.Post(ctx, endpoint, doc)
	ExpectWithOffset(1, r).To(scimtest.HaveStatus(201), "creating a %s resource for the spec", endpoint)
	id := r.Str("id")
	ExpectWithOffset(1, id).NotTo(BeEmpty(), "a created resource has an id: %s", r)
	DeferCleanup(func(ctx context.Context) { c.Delete(ctx, endpoint+"/"+id) })
	return r
}

// createdID is create's id.
func createdID(ctx context.Context, c *scimtest.Client, endpoint string, doc map[string]any) string {
	return create(ctx, c, endpoint, doc).Str("id")
}

// cleanupIfCreated removes what a refused request may have created anyway,
// so that a failing spec leaves nothing behind.
func cleanupIfCreated(c *scimtest.Client, endpoint string, r *scimtest.Response) {
	if id := r.Str("id"); r.Status == 201 && id != "" {
		DeferCleanup(func(ctx context.Context) { c.Delete(ctx, endpoint+"/"+id) })
	}
}

// quote renders s as a SCIM filter string literal (JSON's rules).
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// filter GETs endpoint with a filter and expects 200.
func filter(ctx context.Context, c *scimtest.Client, endpoint, f string) *scimtest.Response {
	r := c.Get(ctx, endpoint+scimtest.Query("filter", f))
	ExpectWithOffset(1, r).To(scimtest.HaveStatus(200), "filtering %s by %s", endpoint, f)
	return r
}

// patch builds a PatchOp body from operations.
func patch(ops ...map[string]any) map[string]any {
	list := make([]any, len(ops))
	for i, op := range ops {
		list[i] = op
	}
	return map[string]any{"schemas": []any{scimtest.PatchURN}, "Operations": list}
}

// op builds one PATCH operation; path "" leaves it out.
func op(name, path string, value any) map[string]any {
	o := map[string]any{"op": name}
	if path != "" {
		o["path"] = path
	}
	if value != nil {
		o["value"] = value
	}
	return o
}

// memberValues builds a members value array of user ids.
func memberValues(ids ...string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = map[string]any{"value": id}
	}
	return out
}

// expectPatched checks a PATCH answer: 200 with the resource, or 204.
func expectPatched(r *scimtest.Response, what string) {
	ExpectWithOffset(1, r).To(scimtest.HaveStatus(200, 204), "%s: PATCH answers 200 with the resource or 204", what)
}

// members returns the member ids of group id, sorted; it asks for members
// explicitly when the plain GET leaves them out.
func members(ctx context.Context, c *scimtest.Client, id string) []string {
	r := c.Get(ctx, "/Groups/"+id)
	ExpectWithOffset(1, r).To(scimtest.HaveStatus(200), "reading the group's members")
	if scimtest.Path(r.JSON, "members") == nil {
		r = c.Get(ctx, "/Groups/"+id+scimtest.Query("attributes", "members"))
		ExpectWithOffset(1, r).To(scimtest.HaveStatus(200), "reading the group's members")
	}
	arr, _ := scimtest.Path(r.JSON, "members").([]any)
	out := []string{}
	for _, m := range arr {
		if v, ok := scimtest.Path(m, "value").(string); ok {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

func sorted(ids ...string) []string {
	out := append([]string{}, ids...)
	slices.Sort(out)
	return out
}

// adminGroup finds the group named name in the management API's view of
// account path ("/accounts/<id>"), nil when it is not there.
func adminGroup(ctx context.Context, path, name string) map[string]any {
	r := T.Admin().Get(ctx, path+"/groups")
	ExpectWithOffset(1, r).To(scimtest.HaveStatus(200), "listing the account's groups in account management")
	for _, g := range r.JSONArray() {
		if n, _ := g["name"].(string); strings.EqualFold(n, name) {
			return g
		}
	}
	return nil
}

// demoPath is the demo account's management path.
func demoPath() string { return T.Account().Path }

// describe renders a value for failure messages.
func describe(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
