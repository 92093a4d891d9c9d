package store

import (
	"net/http"

	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// memberSet is one group's members: a map for O(1) Has/Add/Remove and the
// insertion order for List. Remove marks the entry dead and leaves it in
// order until dead entries are half of it; compaction then costs as much as
// the removals that caused it, so every operation is O(1) amortised,
// whatever the group's size.
type memberSet struct {
	idx   map[string]*mentry
	order []*mentry
	dead  int
}

type mentry struct {
	m    Member
	dead bool
}

func (s *memberSet) has(id string) bool { return s.idx[id] != nil }

func (s *memberSet) len() int { return len(s.idx) }

// add appends m; the caller has checked it is not a member yet.
func (s *memberSet) add(m Member) {
	e := &mentry{m: m}
	s.idx[m.Value] = e
	s.order = append(s.order, e)
}

func (s *memberSet) remove(id string) bool {
	e := s.idx[id]
	if e == nil {
		return false
	}
	delete(s.idx, id)
	e.dead = true
	s.dead++
	if s.dead > 32 && s.dead*2 > len(s.order) {
		live := make([]*mentry, 0, len(s.idx))
		for _, x := range s.order {
			if !x.dead {
				live = append(live, x)
			}
		}
		s.order, s.dead = live, 0
	}
	return true
}

func (s *memberSet) list() []Member {
	out := make([]Member, 0, len(s.idx))
	for _, e := range s.order {
		if !e.dead {
			out = append(out, e.m)
		}
	}
	return out
}

// overlay is the Members an Update (or a Create) works on: changes are
// recorded beside the group's memberSet and applied by commit, so an update
// function that fails leaves the membership untouched.
//
// Invariants: when not cleared, added holds only ids that are not in base
// and removed only ids that are; after Clear, removed is empty and added
// may hold ids of base (members re-added after the clear, which keep their
// place in the order).
type overlay struct {
	m        *Memory
	group    string
	base     *memberSet
	cleared  bool
	removed  map[string]struct{}
	added    map[string]*mentry
	addOrder []*mentry
}

func (m *Memory) newOverlay(group string, base *memberSet) *overlay {
	if base == nil {
		base = &memberSet{idx: map[string]*mentry{}}
		m.groups[group] = base
	}
	return &overlay{m: m, group: group, base: base, removed: map[string]struct{}{}, added: map[string]*mentry{}}
}

func (o *overlay) Has(id string) bool {
	if o.added[id] != nil {
		return true
	}
	if o.cleared {
		return false
	}
	if _, gone := o.removed[id]; gone {
		return false
	}
	return o.base.has(id)
}

func (o *overlay) Add(mb Member) error {
	id := mb.Value
	if id == "" {
		return scimerror.BadRequest(scimerror.InvalidValue, "members: a member needs a value, the id of a User or Group")
	}
	if id == o.group {
		return scimerror.BadRequest(scimerror.InvalidValue, "members: group %q cannot be a member of itself", id)
	}
	if o.Has(id) {
		return nil
	}
	r := o.m.all[id]
	if r == nil {
		return scimerror.BadRequest(scimerror.InvalidValue, "members: no User or Group has the id %q", id)
	}
	if max := o.m.enforcedLimits().MaxGroupsPerUser; max > 0 {
		n := len(o.m.memberOf[id])
		if !o.base.has(id) {
			n++
		}
		if n > max {
			return scimerror.New(http.StatusBadRequest, "",
				"members: %s %q cannot join another group: it is a direct member of %d groups, the account's maximum of groups per user",
				r.t.rt.Name, id, len(o.m.memberOf[id])).WithRule("DT-GROUP-PER-USER")
		}
	}
	if _, gone := o.removed[id]; gone {
		delete(o.removed, id) // back to its old place
		return nil
	}
	e := &mentry{m: Member{Value: id, Type: r.t.rt.Name}}
	o.added[id] = e
	o.addOrder = append(o.addOrder, e)
	return nil
}

func (o *overlay) Remove(id string) bool {
	if e := o.added[id]; e != nil {
		e.dead = true
		delete(o.added, id)
		return true
	}
	if o.cleared {
		return false
	}
	if _, gone := o.removed[id]; gone || !o.base.has(id) {
		return false
	}
	o.removed[id] = struct{}{}
	return true
}

func (o *overlay) Clear() {
	o.cleared = true
	o.removed = map[string]struct{}{}
	o.added = map[string]*mentry{}
	o.addOrder = nil
}

func (o *overlay) Len() int {
	if o.cleared {
		return len(o.added)
	}
	return o.base.len() - len(o.removed) + len(o.added)
}

func (o *overlay) List() []Member {
	out := make([]Member, 0, o.Len())
	for _, e := range o.base.order {
		if e.dead {
			continue
		}
		if o.cleared {
			if o.added[e.m.Value] == nil {
				continue
			}
		} else if _, gone := o.removed[e.m.Value]; gone {
			continue
		}
		out = append(out, e.m)
	}
	for _, e := range o.addOrder {
		if !e.dead && !(o.cleared && o.base.has(e.m.Value)) {
			out = append(out, e.m)
		}
	}
	return out
}

// changed reports whether commit would change the membership.
func (o *overlay) changed() bool {
	if !o.cleared {
		return len(o.removed) > 0 || len(o.added) > 0
	}
	if len(o.added) != o.base.len() {
		return true
	}
	for id := range o.added {
		if !o.base.has(id) {
			return true
		}
	}
	return false
}

// commit applies the overlay to the group and to the reverse index.
func (o *overlay) commit() {
	if o.cleared {
		var gone []string
		for _, e := range o.base.order {
			if !e.dead && o.added[e.m.Value] == nil {
				gone = append(gone, e.m.Value)
			}
		}
		for _, id := range gone {
			o.base.remove(id)
			o.m.leave(id, o.group)
		}
	} else {
		for id := range o.removed {
			o.base.remove(id)
			o.m.leave(id, o.group)
		}
	}
	for _, e := range o.addOrder {
		if e.dead || o.base.has(e.m.Value) {
			continue
		}
		o.base.add(e.m)
		o.m.join(e.m.Value, o.group)
	}
}

// noMembers is the Members of a resource that has none (a User): it holds
// nothing and refuses additions.
type noMembers struct{ typ string }

func (noMembers) Has(string) bool    { return false }
func (noMembers) Remove(string) bool { return false }
func (noMembers) Clear()             {}
func (noMembers) Len() int           { return 0 }
func (noMembers) List() []Member     { return []Member{} }
func (n noMembers) Add(Member) error {
	return scimerror.BadRequest(scimerror.InvalidValue, "members: a %s has no members", n.typ)
}
