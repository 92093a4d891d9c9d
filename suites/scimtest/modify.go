package scimtest

// Changing resources and reading the result: creating fixtures
// (MustCreate), building PATCH requests, reading a resource back after a
// PATCH whatever the target answered (200 with the resource or 204),
// pulling ids and member values out of documents, and a matcher for
// "refused cleanly".

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/onsi/gomega"
	"github.com/onsi/gomega/types"
)

// PatchOperation is one operation of a PatchOp request (RFC 7644 section
// 3.5.2); an empty path or a nil value is left out, as a path-less add or
// a remove without value has them.
func PatchOperation(op, path string, value any) map[string]any {
	o := map[string]any{"op": op}
	if path != "" {
		o["path"] = path
	}
	if value != nil {
		o["value"] = value
	}
	return o
}

// PatchRequest is a PatchOp request body with the given operations.
func PatchRequest(ops ...map[string]any) map[string]any {
	list := make([]any, len(ops))
	for i, o := range ops {
		list[i] = o
	}
	return map[string]any{"schemas": []any{PatchURN}, "Operations": list}
}

// PatchAndRead sends a PATCH to path (e.g. "/Users/<id>", optionally with a
// query such as "?attributes=displayName") and returns the PATCH response
// and the resource as the target now has it: RFC 7644 section 3.5.2 lets
// the target answer 200 with the resource or 204 without a body, so the
// resource is always read back with a GET of path without its query (the
// persisted state is what counts). It fails the spec when the PATCH is not
// answered 200 or 204.
func (t *Target) PatchAndRead(ctx context.Context, path string, body any) (patch *Response, now *Response) {
	patch = t.Client.Patch(ctx, path, body)
	gomega.ExpectWithOffset(1, patch).To(HaveStatus(http.StatusOK, http.StatusNoContent),
		"a PATCH that the target accepts answers 200 with the resource or 204 (RFC 7644 section 3.5.2)")
	base, _, _ := strings.Cut(path, "?")
	now = t.Client.Get(ctx, base)
	gomega.ExpectWithOffset(1, now).To(HaveStatus(http.StatusOK), "GET after a PATCH")
	return patch, now
}

// MustCreate is Create for a spec's fixture: unless the target answers 201
// with an id, the spec could not set up (ExpectCreated). It returns the
// created resource as the target answered it.
func (t *Target) MustCreate(ctx context.Context, endpoint string, doc map[string]any) *Response {
	r := t.Create(ctx, endpoint, doc)
	t.ExpectCreated(r, endpoint)
	return r
}

// ResourceIDs lists the "id" of each resource.
func ResourceIDs(resources []map[string]any) []string {
	out := make([]string, 0, len(resources))
	for _, r := range resources {
		id, _ := r["id"].(string)
		out = append(out, id)
	}
	return out
}

// ValuesOf returns the values of multi-valued attribute attr of doc
// ("emails", "members", "groups") as objects; names compare
// case-insensitively.
func ValuesOf(doc map[string]any, attr string) []map[string]any {
	arr, _ := lookup(doc, attr).([]any)
	out := make([]map[string]any, 0, len(arr))
	for _, e := range arr {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// ValueStrings returns the "value" sub-attribute of every value of
// multi-valued attribute attr of doc, sorted: the member ids of a Group's
// "members", the group ids of a User's "groups", the addresses of
// "emails".
func ValueStrings(doc map[string]any, attr string) []string {
	var out []string
	for _, v := range ValuesOf(doc, attr) {
		if s, ok := lookup(v, "value").(string); ok {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// Sorted returns a sorted copy of s, for comparing sets of ids.
func Sorted(s ...string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// HaveKey reports whether doc has attribute name (case-insensitively, as
// SCIM attribute names compare).
func HaveKey(doc map[string]any, name string) bool {
	for k := range doc {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// BeRefusedCleanly succeeds when a *Response refuses a request the target
// declares it does not support: a 4xx or 501 whose body is a SCIM error
// (RFC 7644 section 3.12). It is what "fails cleanly" means for a feature
// declared unsupported in /ServiceProviderConfig.
func BeRefusedCleanly() types.GomegaMatcher { return &refusedMatcher{} }

type refusedMatcher struct{ why string }

func (m *refusedMatcher) Match(actual any) (bool, error) {
	r, ok := actual.(*Response)
	if !ok {
		return false, fmt.Errorf("BeRefusedCleanly expects a *scimtest.Response, got %T", actual)
	}
	if r.Status == http.StatusNotImplemented {
		// Reuse the 4xx error checks on a copy with a 4xx status.
		c := *r
		c.Status = http.StatusBadRequest
		if body, ok := lookup(r.JSON, "status").(string); ok && body == "501" {
			c.JSON = cloneWithStatus(r.JSON, "400")
		}
		r = &c
	}
	em := &errorMatcher{}
	ok, err := em.Match(r)
	m.why = em.why
	return ok, err
}

func cloneWithStatus(m map[string]any, status string) map[string]any {
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	for k := range c {
		if strings.EqualFold(k, "status") {
			c[k] = status
		}
	}
	return c
}

func (m *refusedMatcher) FailureMessage(actual any) string {
	return fmt.Sprintf("expected a clean refusal (a 4xx or 501 with a SCIM error body): %s\n\n%s", m.why, actual)
}

func (m *refusedMatcher) NegatedFailureMessage(actual any) string {
	return fmt.Sprintf("expected no refusal\n\n%s", actual)
}
