package store

import (
	"context"
	"strings"
	"sync"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// KeepDeletedNames wraps st so that, while on reports true, a deleted
// resource is gone for every operation and every query (st removes it) but
// its name stays taken: a deleted User's userName and a deleted Group's
// displayName make a later create or rename with that name a 409
// uniqueness, as a server that keeps deleted resources in its uniqueness
// index does. RFC 7644 section 3.6 permits keeping them ("Service providers
// MAY choose not to permanently delete the resource") and asks against the
// conflict ("In addition, the service provider SHOULD NOT consider the
// deleted resource in conflict calculation."): the variant
// deleted-kept-reserved and the violation switch deleted-names-reserved
// both turn this on.
func KeepDeletedNames(st Store, on func() bool) Store {
	return &keptStore{Store: st, on: on, reserved: map[string]bool{}}
}

type keptStore struct {
	Store
	on func() bool

	mu sync.Mutex
	// reserved holds "<type>\x00<folded name>" of the resources deleted
	// while the variant was on.
	reserved map[string]bool
}

// nameAttr is the attribute whose value a deleted resource keeps taken.
func nameAttr(rt *schema.ResourceType) string {
	switch {
	case rt == nil:
		return ""
	case strings.EqualFold(rt.Name, "User"):
		return "userName"
	case strings.EqualFold(rt.Name, "Group"):
		return "displayName"
	}
	return ""
}

func (s *keptStore) key(rt *schema.ResourceType, doc map[string]any) string {
	attr := nameAttr(rt)
	if attr == "" || doc == nil {
		return ""
	}
	v, _ := doc[attr].(string)
	if v == "" {
		return ""
	}
	return strings.ToLower(rt.Name) + "\x00" + strings.ToLower(v)
}

// check refuses doc when its name is one a deleted resource keeps; cur is
// the current document of an update (its own name is no clash).
func (s *keptStore) check(rt *schema.ResourceType, doc, cur map[string]any) error {
	k := s.key(rt, doc)
	if k == "" || (cur != nil && k == s.key(rt, cur)) {
		return nil
	}
	s.mu.Lock()
	taken := s.reserved[k]
	s.mu.Unlock()
	if taken {
		return scimerror.Conflict("%s %q is still held by a deleted %s: this server keeps deleted resources, and their names stay taken", nameAttr(rt), doc[nameAttr(rt)], rt.Name)
	}
	return nil
}

func (s *keptStore) Create(ctx context.Context, rt *schema.ResourceType, doc map[string]any, members []Member) (*Resource, error) {
	if err := s.check(rt, doc, nil); err != nil {
		return nil, err
	}
	return s.Store.Create(ctx, rt, doc, members)
}

func (s *keptStore) Update(ctx context.Context, rt *schema.ResourceType, id string, fn func(cur *Resource, members Members) (map[string]any, error)) (*Resource, error) {
	return s.Store.Update(ctx, rt, id, func(cur *Resource, ms Members) (map[string]any, error) {
		doc, err := fn(cur, ms)
		if err != nil || doc == nil {
			return doc, err
		}
		return doc, s.check(rt, doc, cur.Doc)
	})
}

func (s *keptStore) Delete(ctx context.Context, rt *schema.ResourceType, id string) error {
	return s.DeleteIf(ctx, rt, id, nil)
}

func (s *keptStore) DeleteIf(ctx context.Context, rt *schema.ResourceType, id string, check func(cur *Resource) error) error {
	if !s.on() {
		return s.Store.DeleteIf(ctx, rt, id, check)
	}
	var k string
	err := s.Store.DeleteIf(ctx, rt, id, func(cur *Resource) error {
		if check != nil {
			if err := check(cur); err != nil {
				return err
			}
		}
		k = s.key(rt, cur.Doc)
		return nil
	})
	if err == nil && k != "" {
		s.mu.Lock()
		s.reserved[k] = true
		s.mu.Unlock()
	}
	return err
}

func (s *keptStore) Reset() {
	s.Store.Reset()
	s.mu.Lock()
	s.reserved = map[string]bool{}
	s.mu.Unlock()
}
