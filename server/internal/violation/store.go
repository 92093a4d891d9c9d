package violation

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// The store's switches: racy-uniqueness, duplicate-group-names,
// deleted-username-reserved, ignore-user-limit, ignore-groups-per-user.
// Two are configuration of the store (StoreOptions: which limits are
// enforced, which attributes must be unique in a write), two a decorator
// of store.Store (Store), and racy-uniqueness needs both.

// StoreOptions returns the options that give a store.Memory the switches
// that break its limits and its uniqueness. Each is read per write, so a
// switch turned on at run time applies to the next request.
func StoreOptions(set *Set) []store.Option {
	return []store.Option{
		store.WithEnforcedLimits(func(l store.Limits) store.Limits {
			if set.On(IgnoreUserLimit) {
				l.MaxUsers = 0
			}
			if set.On(IgnoreGroupsPerUser) {
				l.MaxGroupsPerUser = 0
			}
			return l
		}),
		store.WithUniqueness(func(ctx context.Context, rt *schema.ResourceType, a *schema.Attribute) bool {
			if set.On(DuplicateGroupNames) && strings.EqualFold(rt.Name, "Group") {
				return false
			}
			if ctx == nil {
				return true
			}
			raced, _ := ctx.Value(racedKey{}).(map[string]bool)
			return !raced[a.Name]
		}),
	}
}

// Store wraps st with the switches that a decorator of store.Store applies:
// deleted-username-reserved and the race window of racy-uniqueness. The
// store must have StoreOptions, which read what Store leaves in the
// request's context.
func Store(set *Set, st store.Store) store.Store {
	return &brokenStore{Store: st, set: set, reserved: map[string]bool{}, inFlight: map[string][]*flight{}}
}

// raceWindow is how long racy-uniqueness holds a create back before it
// reaches the store, so that parallel creates of one name overlap.
const raceWindow = 20 * time.Millisecond

// racedKey marks, in a create's context, the attributes whose value
// another create of the same value overlapped with (racy-uniqueness); the
// store's uniqueness check (StoreOptions) lets those through.
type racedKey struct{}

type brokenStore struct {
	store.Store
	set *Set

	mu sync.Mutex
	// reserved holds the folded userNames of Users deleted while
	// deleted-username-reserved was on: they stay taken.
	reserved map[string]bool
	// inFlight holds, by resource type, attribute and value, the creates
	// held back by racy-uniqueness.
	inFlight map[string][]*flight
}

type flight struct{ overlapped bool }

func (s *brokenStore) Create(ctx context.Context, rt *schema.ResourceType, doc map[string]any, members []store.Member) (*store.Resource, error) {
	if isUser(rt) {
		if err := s.checkReserved(doc, nil); err != nil {
			return nil, err
		}
	}
	if s.set.On(RacyUniqueness) {
		keys := uniqueKeys(rt, doc)
		mine := s.enter(keys)
		defer s.leave(keys, mine)
		select {
		case <-time.After(raceWindow):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if raced := s.raced(keys, mine); len(raced) > 0 {
			ctx = context.WithValue(ctx, racedKey{}, raced)
		}
	}
	return s.Store.Create(ctx, rt, doc, members)
}

func (s *brokenStore) Update(ctx context.Context, rt *schema.ResourceType, id string, fn func(cur *store.Resource, members store.Members) (map[string]any, error)) (*store.Resource, error) {
	if !isUser(rt) {
		return s.Store.Update(ctx, rt, id, fn)
	}
	return s.Store.Update(ctx, rt, id, func(cur *store.Resource, ms store.Members) (map[string]any, error) {
		doc, err := fn(cur, ms)
		if err != nil || doc == nil {
			return doc, err
		}
		return doc, s.checkReserved(doc, cur.Doc)
	})
}

func (s *brokenStore) Delete(ctx context.Context, rt *schema.ResourceType, id string) error {
	return s.DeleteIf(ctx, rt, id, nil)
}

func (s *brokenStore) DeleteIf(ctx context.Context, rt *schema.ResourceType, id string, check func(cur *store.Resource) error) error {
	if !isUser(rt) || !s.set.On(DeletedUsernameReserved) {
		return s.Store.DeleteIf(ctx, rt, id, check)
	}
	var name string
	err := s.Store.DeleteIf(ctx, rt, id, func(cur *store.Resource) error {
		if check != nil {
			if err := check(cur); err != nil {
				return err
			}
		}
		name, _ = cur.Doc["userName"].(string)
		return nil
	})
	if err == nil && name != "" {
		s.mu.Lock()
		s.reserved[strings.ToLower(name)] = true
		s.mu.Unlock()
	}
	return err
}

func (s *brokenStore) Reset() {
	s.Store.Reset()
	s.mu.Lock()
	s.reserved = map[string]bool{}
	s.mu.Unlock()
}

// checkReserved refuses a userName a deleted User still holds, as the
// store refuses one a live User holds; cur is the current document of an
// update (its own name is no clash).
func (s *brokenStore) checkReserved(doc, cur map[string]any) error {
	name, _ := doc["userName"].(string)
	if name == "" {
		return nil
	}
	if old, _ := cur["userName"].(string); cur != nil && strings.EqualFold(old, name) {
		return nil
	}
	s.mu.Lock()
	taken := s.reserved[strings.ToLower(name)]
	s.mu.Unlock()
	if taken {
		return scimerror.Conflict("userName %q is already taken by another User; userName must be unique (compared case-insensitively)", name)
	}
	return nil
}

// enter records a create of keys as in flight and marks every create of
// the same key in flight, this one included, as overlapped.
func (s *brokenStore) enter(keys map[string]string) *flight {
	mine := &flight{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		others := s.inFlight[k]
		if len(others) > 0 {
			mine.overlapped = true
			for _, f := range others {
				f.overlapped = true
			}
		}
		s.inFlight[k] = append(others, mine)
	}
	return mine
}

func (s *brokenStore) leave(keys map[string]string, mine *flight) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		fs := s.inFlight[k]
		for i, f := range fs {
			if f == mine {
				fs = append(fs[:i], fs[i+1:]...)
				break
			}
		}
		if len(fs) == 0 {
			delete(s.inFlight, k)
		} else {
			s.inFlight[k] = fs
		}
	}
}

// raced returns the attributes of keys whose create overlapped with
// another of the same value.
func (s *brokenStore) raced(keys map[string]string, mine *flight) map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !mine.overlapped {
		return nil
	}
	out := map[string]bool{}
	for attr := range keys {
		out[attr] = true
	}
	return out
}

// uniqueKeys returns, by attribute name, the in-flight keys of doc's
// values of rt's unique attributes, folded as the store compares them.
func uniqueKeys(rt *schema.ResourceType, doc map[string]any) map[string]string {
	out := map[string]string{}
	for _, a := range rt.Core.Attributes {
		if a.Uniqueness != schema.Server && a.Uniqueness != schema.Global || a.MultiValued || a.Type == schema.Complex {
			continue
		}
		v, ok := doc[a.Name].(string)
		if !ok {
			continue
		}
		if !a.CaseExact {
			v = strings.ToLower(v)
		}
		out[a.Name] = strings.ToLower(rt.Name) + "\x00" + a.Name + "\x00" + v
	}
	return out
}

func isUser(rt *schema.ResourceType) bool { return rt != nil && strings.EqualFold(rt.Name, "User") }
