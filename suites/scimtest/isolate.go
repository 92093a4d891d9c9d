package scimtest

// Isolating a spec's fixtures from everything else on the target with only
// what every filtering server supports (issue 19): an exact `eq` on a value
// created for this spec, or, when even that is declined, a walk of the
// whole listing with paging, matched client-side. A spec that scopes its
// queries with `sw` or `co` would fail on a server that offers only `eq`
// before the behaviour under test is reached.

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/onsi/ginkgo/v2"
)

// Isolate returns the filter `attr eq "value"` for a spec whose fixtures
// share value in attr (e.g. externalId, which need not be unique), after
// checking that the target accepts it on endpoint. A target that declines
// it with 400 invalidFilter ("The specified filter syntax was invalid ...
// or the specified attribute and filter comparison combination is not
// supported", RFC 7644 section 3.12, Table 9) skips the spec: its fixtures
// cannot be told apart from other resources, which is no failure of the
// rule under test. Any other answer is left to the spec to judge.
func (t *Target) Isolate(ctx context.Context, endpoint, attr, value string) string {
	filter, ok := t.TryIsolate(ctx, endpoint, attr, value)
	if !ok {
		ginkgo.Skip(fmt.Sprintf("the server declines eq on %s (400 invalidFilter): cannot isolate this spec's fixtures", attr))
	}
	return filter
}

// TryIsolate is Isolate for a spec that can fall back to walking the
// listing (WalkAll): ok is false when the target declines the filter.
func (t *Target) TryIsolate(ctx context.Context, endpoint, attr, value string) (filter string, ok bool) {
	filter = EqFilter(attr, value)
	if declined(t.Client.Get(ctx, endpoint+Query("filter", filter, "count", "1"))) {
		noteDeclined(filter)
		return filter, false
	}
	return filter, true
}

// KeepsUnique reports whether r refuses a create as a conflict with an
// existing resource (RFC 7644 section 3.3: 409 uniqueness).
func KeepsUnique(r *Response) bool {
	return r.Status == http.StatusConflict && r.Str("scimType") == "uniqueness"
}

// declined reports whether r refuses a filter as unsupported.
func declined(r *Response) bool {
	return r.Status == 400 && r.Str("scimType") == "invalidFilter"
}

// WalkAll lists every resource of endpoint by index paging, without a
// filter, and returns them in the order served; kv adds query parameters
// (e.g. "attributes", "id,userName"). It stops at totalResults, at an
// empty page, or after a generous number of pages, and returns the last
// response for the caller to judge when the walk could not start.
func (t *Target) WalkAll(ctx context.Context, endpoint string, kv ...string) ([]map[string]any, *Response) {
	var all []map[string]any
	var r *Response
	start := 1
	for range 10000 {
		r = t.Client.Get(ctx, endpoint+Query(append([]string{"startIndex", strconv.Itoa(start), "count", "100"}, kv...)...))
		if r.Status != 200 {
			return all, r
		}
		res := r.Resources()
		all = append(all, res...)
		start += len(res)
		if len(res) == 0 || (r.Int("totalResults") >= 0 && start > r.Int("totalResults")) {
			return all, r
		}
	}
	return all, r
}

// MustCreateSharing is MustCreate for a fixture resource that carries the
// value Isolate filters on in attr, shared with the other resources of the
// spec's fixture. RFC 7643 section 3.1 does not make externalId unique,
// but a server may refuse a create that "conflicts with existing resources"
// with 409 uniqueness (RFC 7644 section 3.3), and some keep externalId
// unique: the spec is then skipped, as its fixture cannot be isolated with
// eq, rather than failed.
func (t *Target) MustCreateSharing(ctx context.Context, endpoint, attr string, doc map[string]any) *Response {
	r := t.Create(ctx, endpoint, doc)
	if KeepsUnique(r) {
		ginkgo.Skip(fmt.Sprintf("the server keeps %s unique (409 uniqueness for a second resource sharing one): cannot isolate this spec's fixtures with eq", attr))
	}
	t.ExpectCreated(r, endpoint)
	return r
}
