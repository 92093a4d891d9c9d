// Package store owns the resources of one account: Users and Groups as
// canonical documents (see package schema), their versions and timestamps,
// group membership kept in both directions, the uniqueness of attributes the
// schema marks unique, the account's resource limits, and listing (filter,
// sort, index and cursor paging).
//
// It does not render SCIM responses (no meta.location, no projection) and
// knows nothing of HTTP; package server's handlers and the provider do that.
package store

import (
	"context"
	"time"

	"github.com/scimconf/scimconf/server/internal/engine/filter"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
)

// Resource is one stored resource. Doc is the canonical document without
// id, meta and schemas, without a Group's members and without a User's
// groups (both come from the membership index). A Resource returned by the
// store is a snapshot: callers must not change it.
type Resource struct {
	Type         string // resource type name: "User" or "Group"
	ID           string
	Doc          map[string]any
	Created      time.Time
	LastModified time.Time
	// Version increases with every change of the resource, membership
	// changes of a group included. Its weak ETag is W/"<Version>".
	Version uint64
	// Membership is set by List when the query asks for it
	// (Query.WithMembership), nil otherwise: read under the same lock as
	// the resource, so a page renders from one consistent view even when
	// a resource it holds is deleted before it is rendered.
	Membership *Membership
}

// Membership is a resource's membership as one read of the store saw it.
type Membership struct {
	Members []Member   // a Group's members, in the order added, Display filled
	Groups  []GroupRef // a User's direct groups, in the groups' creation order
}

// GroupRef is one group a resource is a direct member of.
type GroupRef struct {
	ID      string
	Display string // the group's displayName, "" when it has none
}

// Member is one member of a group.
type Member struct {
	Value string // id of the member resource
	Type  string // "User" or "Group"
	// Display is the member's "human-readable name, primarily used for
	// display purposes" (RFC 7643 section 8.7.1, members.display): its
	// displayName, or a User's userName when it has none. Store.Members
	// fills it from the member as it is now; Add ignores it.
	Display string
}

// Members is a group's membership inside an Update: changes made through it
// are applied when the update function returns nil and discarded otherwise.
// Every method costs O(1) (List costs O(members)), whatever the group's size.
type Members interface {
	Has(id string) bool
	// Add adds a member; adding an existing member is a no-op. It returns a
	// 400 invalidValue when no resource with that id exists, and a 400
	// naming the limit when the member would exceed the groups-per-user
	// limit (rule DT-GROUP-PER-USER).
	Add(m Member) error
	// Remove removes a member and reports whether it was one.
	Remove(id string) bool
	// Clear removes every member.
	Clear()
	Len() int
	// List returns the members in the order they were added.
	List() []Member
}

// Limits caps what an account may hold. Zero means no limit.
type Limits struct {
	MaxUsers         int // rule DT-USER-LIMIT
	MaxGroups        int // rule DT-GROUP-LIMIT
	MaxGroupsPerUser int // rule DT-GROUP-PER-USER: direct groups of one member
}

// Query selects, orders and pages a listing (RFC 7644 section 3.4.2).
type Query struct {
	Filter *filter.Filter // nil selects everything
	// SortBy orders the result; nil keeps the stable default order
	// (creation order). Multi-valued attributes sort by their primary
	// value, else their first.
	SortBy     *schema.AttrRef
	Descending bool
	// StartIndex is 1-based; values below 1 are taken as 1.
	StartIndex int
	// Count is the page size; negative means "not given" (all results);
	// 0 returns no resources but the totalResults.
	Count int
	// Cursor selects cursor paging (RFC 9865) when non-nil; "" asks for the
	// first page.
	Cursor *string
	// WithMembership fills each returned Resource's Membership.
	WithMembership bool
}

// Page is one page of a listing.
type Page struct {
	Resources    []*Resource
	TotalResults int
	StartIndex   int    // for index paging
	NextCursor   string // for cursor paging; empty on the last page
	PrevCursor   string
}

// Store holds one account's resources. Every method is safe for concurrent
// use. Errors meant for the client are *scimerror.Error: 404 for an unknown
// id, 409 uniqueness, 400 for limits (with Rule set) and bad cursors.
type Store interface {
	// Create stores doc as a new resource of type rt with the given
	// members (Groups only) and returns it with its new id.
	Create(ctx context.Context, rt *schema.ResourceType, doc map[string]any, members []Member) (*Resource, error)
	Get(ctx context.Context, rt *schema.ResourceType, id string) (*Resource, error)
	// Update calls fn with a copy of the current resource and its
	// membership; fn returns the new document (or an error, and nothing
	// changes). It runs under the store's write lock, so a precondition
	// (If-Match) checked inside fn holds when the change is made. The
	// version is bumped only when the document or the membership changed.
	Update(ctx context.Context, rt *schema.ResourceType, id string, fn func(cur *Resource, members Members) (map[string]any, error)) (*Resource, error)
	// Delete removes a resource and every membership it takes part in.
	Delete(ctx context.Context, rt *schema.ResourceType, id string) error
	// DeleteIf is Delete when check, called under the write lock with the
	// current resource, returns nil (an If-Match precondition that holds
	// when the resource goes); check's error is returned and nothing
	// changes otherwise.
	DeleteIf(ctx context.Context, rt *schema.ResourceType, id string, check func(cur *Resource) error) error
	List(ctx context.Context, rt *schema.ResourceType, q Query) (*Page, error)
	// Members lists a group's members in the order they were added.
	Members(ctx context.Context, groupID string) ([]Member, error)
	// GroupsOf lists the ids of the groups that directly contain id.
	GroupsOf(ctx context.Context, id string) ([]string, error)
	// Count returns how many resources of type rt exist.
	Count(ctx context.Context, rt *schema.ResourceType) int
	SetLimits(l Limits)
	// Reset removes every resource.
	Reset()
}
