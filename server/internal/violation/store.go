package violation

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
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
	// deleted-username-reserved is the store's own KeepDeletedNames (also
	// the variant deleted-kept-reserved): a User's userName and a Group's
	// displayName stay taken after their DELETE.
	kept := store.KeepDeletedNames(st, func() bool { return set.On(DeletedUsernameReserved) })
	return &brokenStore{Store: kept, set: set, inFlight: map[string][]*flight{}}
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
	// inFlight holds, by resource type, attribute and value, the creates
	// held back by racy-uniqueness.
	inFlight map[string][]*flight
}

type flight struct{ overlapped bool }

func (s *brokenStore) Create(ctx context.Context, rt *schema.ResourceType, doc map[string]any, members []store.Member) (*store.Resource, error) {
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
