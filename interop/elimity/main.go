// Command elimity serves github.com/elimity-com/scim on loopback as an interop
// target of scimconf: the glue a user of that library writes after reading its
// README (a ServiceProviderConfig, the library's own User and Group schemas and
// the enterprise extension, one ResourceHandler per resource type) with the
// in-memory handler of the library's "Simple In Memory Example"
// (resource_handler_test.go), made safe for concurrent requests, plus a bearer
// token check in front. Nothing here is shaped to please the harness.
//
// Usage: elimity [-addr 127.0.0.1:0] [-token T]   (env PORT, SCIM_TOKEN)
// It prints SCIM_BASE_URL=... and SCIM_TOKEN=... on stdout once it listens.
package main

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:"+envOr("PORT", "0"), "listen address")
	token := flag.String("token", os.Getenv("SCIM_TOKEN"), "bearer token (default: random)")
	flag.Parse()
	if *token == "" {
		*token = randomHex(16)
	}

	config := &scim.ServiceProviderConfig{
		DocumentationURI: optional.NewString("https://github.com/elimity-com/scim"),
		AuthenticationSchemes: []scim.AuthenticationScheme{{
			Type:        scim.AuthenticationTypeOauthBearerToken,
			Name:        "OAuth Bearer Token",
			Description: "Authentication scheme using the OAuth Bearer Token Standard",
			Primary:     true,
		}},
		SupportFiltering: true,
		SupportPatch:     true,
	}
	resourceTypes := []scim.ResourceType{
		{
			ID:          optional.NewString("User"),
			Name:        "User",
			Endpoint:    "/Users",
			Description: optional.NewString("User Account"),
			Schema:      schema.CoreUserSchema(),
			SchemaExtensions: []scim.SchemaExtension{
				{Schema: schema.ExtensionEnterpriseUser()},
			},
			Handler: newMemoryHandler(),
		},
		{
			ID:          optional.NewString("Group"),
			Name:        "Group",
			Endpoint:    "/Groups",
			Description: optional.NewString("Group"),
			Schema:      schema.CoreGroupSchema(),
			Handler:     newMemoryHandler(),
		},
	}
	server, err := scim.NewServer(&scim.ServerArgs{ServiceProviderConfig: config, ResourceTypes: resourceTypes})
	if err != nil {
		log.Fatal(err)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("SCIM_BASE_URL=http://%s/v2\nSCIM_TOKEN=%s\n", ln.Addr(), *token)
	log.Fatal(http.Serve(ln, bearer(*token, server)))
}

// bearer lets through requests that carry the token (RFC 6750 section 2.1)
// and answers 401 otherwise, as RFC 7644 section 3.12 lists for
// "Authorization failure".
func bearer(token string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			w.Header().Set("Content-Type", "application/scim+json")
			w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"Authorization failure"}`)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type record struct {
	attributes   scim.ResourceAttributes
	created      time.Time
	lastModified time.Time
	version      int
}

// memoryHandler is the README's "Simple In Memory Example" with a mutex,
// unguessable ids, filtering through the validator the library hands over
// (the example ignores the filter, which would answer every query with every
// resource), and meta kept per resource.
type memoryHandler struct {
	mu   sync.Mutex
	data map[string]*record
}

func newMemoryHandler() *memoryHandler { return &memoryHandler{data: map[string]*record{}} }

func (h *memoryHandler) resource(id string, rec *record) scim.Resource {
	created, modified := rec.created, rec.lastModified
	return scim.Resource{
		ID:         id,
		ExternalID: externalID(rec.attributes),
		Attributes: rec.attributes,
		Meta: scim.Meta{
			Created:      &created,
			LastModified: &modified,
			Version:      fmt.Sprintf("W/\"%d\"", rec.version),
		},
	}
}

func (h *memoryHandler) Create(r *http.Request, attributes scim.ResourceAttributes) (scim.Resource, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	id := randomHex(8)
	now := time.Now().UTC()
	rec := &record{attributes: attributes, created: now, lastModified: now, version: 1}
	h.data[id] = rec
	return h.resource(id, rec), nil
}

func (h *memoryHandler) Get(r *http.Request, id string) (scim.Resource, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	rec, ok := h.data[id]
	if !ok {
		return scim.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	return h.resource(id, rec), nil
}

func (h *memoryHandler) GetAll(r *http.Request, params scim.ListRequestParams) (scim.Page, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ids := make([]string, 0, len(h.data))
	for id, rec := range h.data {
		if params.FilterValidator != nil {
			// The validator sees what a client would see: id and meta too.
			candidate := map[string]interface{}{"id": id, "meta": map[string]interface{}{
				"created":      rec.created.Format(time.RFC3339),
				"lastModified": rec.lastModified.Format(time.RFC3339),
			}}
			for k, v := range rec.attributes {
				candidate[k] = v
			}
			if err := params.FilterValidator.PassesFilter(candidate); err != nil {
				continue
			}
		}
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return h.data[ids[i]].created.Before(h.data[ids[j]].created) })
	page := scim.Page{TotalResults: len(ids), Resources: []scim.Resource{}}
	for i, id := range ids {
		if i+1 < params.StartIndex {
			continue
		}
		if len(page.Resources) >= params.Count {
			break
		}
		page.Resources = append(page.Resources, h.resource(id, h.data[id]))
	}
	return page, nil
}

func (h *memoryHandler) Replace(r *http.Request, id string, attributes scim.ResourceAttributes) (scim.Resource, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	rec, ok := h.data[id]
	if !ok {
		return scim.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	rec.attributes = attributes
	rec.lastModified = time.Now().UTC()
	rec.version++
	return h.resource(id, rec), nil
}

func (h *memoryHandler) Delete(r *http.Request, id string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.data[id]; !ok {
		return scimerrors.ScimErrorResourceNotFound(id)
	}
	delete(h.data, id)
	return nil
}

// Patch applies operations the way the README's in-memory example does: the
// path names a top-level attribute, a path-less add/replace merges its value.
func (h *memoryHandler) Patch(r *http.Request, id string, operations []scim.PatchOperation) (scim.Resource, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	rec, ok := h.data[id]
	if !ok {
		return scim.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	for _, op := range operations {
		switch strings.ToLower(op.Op) {
		case scim.PatchOperationAdd, scim.PatchOperationReplace:
			if op.Path != nil {
				rec.attributes[op.Path.String()] = op.Value
				continue
			}
			if values, ok := op.Value.(map[string]interface{}); ok {
				for k, v := range values {
					rec.attributes[k] = v
				}
			}
		case scim.PatchOperationRemove:
			if op.Path != nil {
				delete(rec.attributes, op.Path.String())
			}
		}
	}
	rec.lastModified = time.Now().UTC()
	rec.version++
	return h.resource(id, rec), nil
}

func externalID(attributes scim.ResourceAttributes) optional.String {
	if s, ok := attributes["externalId"].(string); ok {
		return optional.NewString(s)
	}
	return optional.String{}
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
