package scimtest

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/onsi/ginkgo/v2"
)

// Schema URNs the suites send.
const (
	UserURN     = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupURN    = "urn:ietf:params:scim:schemas:core:2.0:Group"
	PatchURN    = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	ListURN     = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	SearchURN   = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	BulkReqURN  = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	BulkRespURN = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
)

var seq atomic.Int64

// Name returns a name unique to this run and call: "scimconf-<runid>-<n>".
// Every resource a suite creates carries one, so runs on a shared tenant
// never collide and leftovers can be found by prefix.
func (t *Target) Name() string {
	// The run id is shared by parallel processes; the process number keeps
	// their counters apart.
	return fmt.Sprintf("%s-%d-%d", t.Prefix(), ginkgo.GinkgoParallelProcess(), seq.Add(1))
}

// Prefix is what every name of this run starts with.
func (t *Target) Prefix() string { return "scimconf-" + t.RunID }

// NewUser returns a minimal valid User: a unique userName that is an email
// on the first verified domain, name.givenName, name.familyName and
// active - only attributes every target must support. Pairs of
// (dotted path, value) override or add attributes; a nil value removes one.
func (t *Target) NewUser(kv ...any) map[string]any {
	u := map[string]any{
		"schemas":  []any{UserURN},
		"userName": t.Name() + "@" + t.Domain(),
		"name":     map[string]any{"givenName": "Ada", "familyName": "Lovelace"},
		"active":   true,
	}
	set(u, kv...)
	return u
}

// NewGroup returns a minimal Group with a unique displayName.
func (t *Target) NewGroup(kv ...any) map[string]any {
	g := map[string]any{"schemas": []any{GroupURN}, "displayName": t.Name()}
	set(g, kv...)
	return g
}

func set(doc map[string]any, kv ...any) {
	for i := 0; i+1 < len(kv); i += 2 {
		path := kv[i].(string)
		parts := strings.Split(path, ".")
		m := doc
		for _, p := range parts[:len(parts)-1] {
			sub, ok := m[p].(map[string]any)
			if !ok {
				sub = map[string]any{}
				m[p] = sub
			}
			m = sub
		}
		if kv[i+1] == nil {
			delete(m, parts[len(parts)-1])
		} else {
			m[parts[len(parts)-1]] = kv[i+1]
		}
	}
}

// Create POSTs doc to endpoint ("/Users", "/Groups") and, when the target
// answers 201 with an id, registers the resource's deletion with
// DeferCleanup. Call it from a spec or setup node's own goroutine.
func (t *Target) Create(ctx context.Context, endpoint string, doc map[string]any) *Response {
	r := t.Client.Post(ctx, endpoint, doc)
	if id := r.Str("id"); r.Status == 201 && id != "" {
		t.CleanupLater(endpoint + "/" + id)
	}
	return r
}

// CleanupLater registers the deletion of path (e.g. "/Users/<id>") at the
// end of the current spec; a 404 then is fine (the spec deleted it).
func (t *Target) CleanupLater(path string) {
	ginkgo.DeferCleanup(func(ctx context.Context) {
		t.Client.Delete(ctx, path)
	})
}

// Leftovers finds and deletes what this run created and did not remove;
// it returns what it found, as "endpoint/id name" lines, for the suite
// report. It walks the whole listing with paging and matches the run
// prefix client-side, so it needs no filter operator at all (a server
// offering only eq would decline the `sw` a prefix match needs).
func (t *Target) Leftovers(ctx context.Context) []string {
	var found []string
	for _, probe := range []struct{ endpoint, attr string }{{"/Users", "userName"}, {"/Groups", "displayName"}} {
		all, _ := t.WalkAll(ctx, probe.endpoint, "attributes", probe.attr)
		for _, res := range all {
			id, _ := res["id"].(string)
			name, _ := lookup(res, probe.attr).(string)
			if id == "" || !strings.HasPrefix(name, t.Prefix()) {
				continue
			}
			found = append(found, probe.endpoint+"/"+id+" "+name)
			t.Client.Delete(ctx, probe.endpoint+"/"+id)
		}
	}
	return found
}
