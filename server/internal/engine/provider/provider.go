// Package provider owns one account's SCIM service provider as plain Go:
// create, get, replace, patch, delete, list, search and bulk (RFC 7644
// section 3), tying together the schema (normalisation, required
// attributes), the store (persistence, uniqueness, membership, paging), the
// filter and patch engines, and projection. It renders resources with their
// "schemas", "id" and "meta" and answers in *scimerror.Error.
//
// It knows no HTTP: package server maps requests to these calls and results
// to responses, and nothing here reads a header. Account-level rules (for
// Dynatrace: verified domains, a userName that cannot change) plug in
// through Policy.
package provider

import (
	"context"
	"strconv"
	"strings"

	"github.com/scimconf/scimconf/server/internal/engine/projection"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// URNs of RFC 7644's messages.
const (
	ListResponseURN  = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	SearchRequestURN = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	BulkRequestURN   = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	BulkResponseURN  = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
)

// Config holds what the service provider declares in
// /ServiceProviderConfig and then enforces.
type Config struct {
	// MaxResults caps the number of resources in one list response
	// (filter.maxResults).
	MaxResults int
	// BulkMaxOperations and BulkMaxPayloadSize are bulk.maxOperations and
	// bulk.maxPayloadSize.
	BulkMaxOperations  int
	BulkMaxPayloadSize int
	// Limits bound the strings and the multi-valued attributes of one
	// request (not advertised: /ServiceProviderConfig has no field for
	// them; the README lists them). Zero fields mean no limit.
	Limits schema.Limits
	// PatchNoContent makes PATCH answer 204 with no body instead of 200
	// with the resource (RFC 7644 section 3.5.2 allows both).
	PatchNoContent bool
}

// DefaultConfig is the configuration `scimconf serve` starts with.
func DefaultConfig() Config {
	return Config{MaxResults: 1000, BulkMaxOperations: 1000, BulkMaxPayloadSize: 1 << 20, Limits: DefaultLimits}
}

// DefaultLimits are the limits `scimconf serve` starts with: strings of
// 64 KiB (far above any attribute an IdP sends: a photo is a URL, not its
// bytes), userName and displayName of 1 KiB, and 100,000 values of one
// attribute in one request: a PUT carries a group's whole member list, and
// an account may hold more users than Dynatrace's default 10,000 (the body
// cap bounds the request anyway).
var DefaultLimits = schema.Limits{MaxString: 64 << 10, MaxName: 1 << 10, MaxValues: 100000}

// Change says what a write would do, for a Policy to inspect.
type Change struct {
	// Op is "create", "replace" or "patch".
	Op   string
	Type *schema.ResourceType
	// Body is the resource as the client sent it, before normalisation
	// (nil for patch); a policy may look at what the schema drops, such as
	// readOnly attributes. Admit must not change it.
	Body map[string]any
	// Current is the stored document (nil for create); Next is the
	// document about to be stored, which Admit may change in place.
	Current, Next map[string]any
}

// Policy adds an account's rules to every write. Admit runs after the
// request has been normalised and checked against the schema and before
// the store commits, under the store's lock for updates; an error refuses
// the write and nothing changes.
type Policy interface {
	Admit(ctx context.Context, c *Change) error
}

// PolicyFunc adapts a function to Policy.
type PolicyFunc func(ctx context.Context, c *Change) error

// Admit calls f.
func (f PolicyFunc) Admit(ctx context.Context, c *Change) error { return f(ctx, c) }

// Provider is one account's SCIM service provider. Its fields are set once
// before use; its methods are safe for concurrent use.
type Provider struct {
	Set    *schema.Set
	Store  store.Store
	Config Config
	Policy Policy // may be nil
	// Required checks that a document about to be stored has the
	// attributes its schema marks required (RFC 7643 section 2.2); nil
	// means rt.CheckRequired. It runs on every create, replace and patch,
	// so an account's rules can relax or extend the schema's own.
	Required func(rt *schema.ResourceType, doc map[string]any) error
}

// New returns a provider over st serving set with cfg.
func New(set *schema.Set, st store.Store, cfg Config) *Provider {
	return &Provider{Set: set, Store: st, Config: cfg}
}

// ResourceType returns the resource type served at endpoint ("Users",
// "/Groups"), or a SCIM 404.
func (p *Provider) ResourceType(endpoint string) (*schema.ResourceType, error) {
	e := "/" + strings.TrimPrefix(endpoint, "/")
	for _, rt := range p.Set.ResourceTypes {
		if strings.EqualFold(rt.Endpoint, e) {
			return rt, nil
		}
	}
	return nil, scimerror.NotFound("no resource type is served at %s", e)
}

// ETag is the weak entity tag of a resource version (RFC 7644 section 3.14).
func ETag(version uint64) string { return `W/"` + strconv.FormatUint(version, 10) + `"` }

// Preconditions carries a request's If-Match and If-None-Match values.
type Preconditions struct {
	IfMatch     string
	IfNoneMatch string
}

// matches reports whether an If-Match / If-None-Match header value names
// etag: "*" or a comma-separated list of entity tags. Weak and strong forms
// of the same tag compare equal (weak comparison, RFC 7232 section 2.3.2).
func matches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == strings.TrimPrefix(etag, "W/") {
			return true
		}
	}
	return false
}

// checkIfMatch refuses a write whose If-Match names another version
// (412, RFC 7644 section 3.14).
func (pc Preconditions) checkIfMatch(version uint64) error {
	if pc.IfMatch == "" || matches(pc.IfMatch, ETag(version)) {
		return nil
	}
	return scimerror.New(412, "", "If-Match %s does not match the current version %s; read the resource again and retry", pc.IfMatch, ETag(version))
}

// NotModified is returned by Get when If-None-Match matches: the HTTP layer
// answers 304.
type NotModified struct{ ETag string }

func (e *NotModified) Error() string { return "not modified: " + e.ETag }

// Result is one rendered resource and its entity tag.
type Result struct {
	Doc     map[string]any
	ETag    string
	Created bool // a new resource: the HTTP layer answers 201 with Location
	// Location is meta.location.
	Location string
}

// render builds the response document of res: its attributes plus schemas,
// id, meta and, for Groups, members, for Users, groups; then applies proj.
func (p *Provider) render(ctx context.Context, rt *schema.ResourceType, res *store.Resource, base string, proj *projection.Projection) (*Result, error) {
	var err error
	if proj == nil {
		// The default returns still drop "never" and "request" attributes.
		if proj, err = projection.New(rt, nil, nil); err != nil {
			return nil, err
		}
	}
	doc := make(map[string]any, len(res.Doc)+4)
	for k, v := range res.Doc {
		doc[k] = v
	}
	loc := base + rt.Endpoint + "/" + res.ID
	doc["schemas"] = rt.SchemaURNs(res.Doc)
	doc["id"] = res.ID
	doc["meta"] = map[string]any{
		"resourceType": rt.Name,
		"created":      store.FormatTime(res.Created),
		"lastModified": store.FormatTime(res.LastModified),
		"location":     loc,
		"version":      ETag(res.Version),
	}
	if rt.Core.Attr("members") != nil && proj.Includes("members") {
		var ms []store.Member
		if res.Membership != nil {
			ms = res.Membership.Members // read with the resource (a List page)
		} else if ms, err = p.Store.Members(ctx, res.ID); err != nil {
			return nil, err
		}
		if len(ms) > 0 {
			out := make([]any, len(ms))
			for i, m := range ms {
				ref := base + "/" + m.Type + "s/" + m.Value
				// RFC 7643 section 4.2 lists "display" among members'
				// sub-attributes, and section 8.4's Group shows the
				// member's displayName there ("display": "Babs Jensen"
				// for the User of section 8.2); a User without one shows
				// its userName, as Entra ID and Okta show a member.
				if m.Display != "" {
					out[i] = map[string]any{"value": m.Value, "type": m.Type, "$ref": ref, "display": m.Display}
				} else {
					out[i] = map[string]any{"value": m.Value, "type": m.Type, "$ref": ref}
				}
			}
			doc["members"] = out
		}
	}
	if rt.Core.Attr("groups") != nil && proj.Includes("groups") {
		var gs []store.GroupRef
		if res.Membership != nil {
			gs = res.Membership.Groups // read with the resource (a List page)
		} else {
			ids, err := p.Store.GroupsOf(ctx, res.ID)
			if err != nil {
				return nil, err
			}
			grt := p.Set.ResourceType("Group")
			for _, id := range ids {
				g := store.GroupRef{ID: id}
				if grt != nil {
					if gr, err := p.Store.Get(ctx, grt, id); err == nil {
						g.Display, _ = gr.Doc["displayName"].(string)
					}
				}
				gs = append(gs, g)
			}
		}
		if len(gs) > 0 {
			out := make([]any, 0, len(gs))
			for _, g := range gs {
				ref := map[string]any{"value": g.ID, "$ref": base + "/Groups/" + g.ID, "type": "direct"}
				if g.Display != "" {
					ref["display"] = g.Display
				}
				out = append(out, ref)
			}
			doc["groups"] = out
		}
	}
	return &Result{Doc: proj.Apply(doc), ETag: ETag(res.Version), Location: loc}, nil
}

// checkRequired runs p.Required, or the schema's own check.
func (p *Provider) checkRequired(rt *schema.ResourceType, doc map[string]any) error {
	if p.Required != nil {
		return p.Required(rt, doc)
	}
	return rt.CheckRequired(doc)
}

func badValue(format string, args ...any) error {
	return scimerror.BadRequest(scimerror.InvalidValue, format, args...)
}
