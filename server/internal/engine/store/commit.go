package store

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// The commit seam: a Memory can hand every change, whole and before it is
// applied, to a function that makes it durable (WithCommit), and can be
// filled again from what that function kept (Restore). The store stays the
// working set and the read path (its indexes answer every lookup); the
// function sees each change under the store's write lock, in the order the
// changes are applied, and a change it refuses is not applied at all, so
// what it kept and what the store holds never disagree.

// ChangeOp says what a Change does.
type ChangeOp int

// The operations a Change carries.
const (
	ChangeCreate ChangeOp = iota + 1 // Record is new; Added are its first members
	ChangeUpdate                     // Record replaces the stored one; Added and Removed change its members
	ChangeDelete                     // Record.ID goes, with every membership it takes part in; Touched are the groups it left
	ChangeReset                      // every resource goes
)

// Record is a stored resource as a durable copy keeps it: Resource plus the
// creation sequence that orders listings and cursors.
type Record struct {
	Type         string
	ID           string
	Seq          uint64
	Doc          map[string]any // without id, meta, schemas, members and groups
	Created      time.Time
	LastModified time.Time
	Version      uint64
}

// Touch is a group whose version and lastModified changed because a member
// was deleted.
type Touch struct {
	ID           string
	Version      uint64
	LastModified time.Time
}

// MemberRow is one membership in a durable copy: Member is a direct member
// of Group. Restore takes a group's rows in the order the members were
// added.
type MemberRow struct {
	Group  string
	Member string
}

// Change is one write, as it will be applied. Doc and the slices belong to
// the receiver only for the call: copy what is kept.
type Change struct {
	Op     ChangeOp
	Record Record // ChangeCreate, ChangeUpdate: the resource after the change; ChangeDelete: Type and ID
	// DocChanged is false when an update changed only the membership
	// (Record.Doc is then the unchanged document).
	DocChanged bool
	Added      []string // member ids appended to the group, in order
	Removed    []string // member ids that leave the group
	Touched    []Touch
}

// WithCommit sets commit, which receives every change under the store's
// write lock before the change is applied; when it returns an error the
// change is not applied and the write fails with that error. Changes reach
// commit in the order they are applied.
func WithCommit(commit func(Change) error) Option { return func(m *Memory) { m.commit = commit } }

// apply hands c to the commit function, if any; m.mu is held. Its error
// says the write failed for want of durability, not for its content.
func (m *Memory) apply(c Change) error {
	if m.commit == nil {
		return nil
	}
	if err := m.commit(c); err != nil {
		return fmt.Errorf("store: the change was not applied: it could not be made durable: %w", err)
	}
	return nil
}

// Records returns every resource, in creation order, and every
// membership, each group's in the order its members were added: what
// Restore takes back.
func (m *Memory) Records() ([]Record, []MemberRow) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var recs []Record
	for _, t := range m.tables {
		for _, r := range t.order {
			if r.dead {
				continue
			}
			d := copyDoc(r.doc)
			delete(d, "id")
			recs = append(recs, Record{Type: t.rt.Name, ID: r.id, Seq: r.seq, Doc: d, Created: r.created, LastModified: r.modified, Version: r.version})
		}
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Seq < recs[j].Seq })
	var rows []MemberRow
	for _, r := range recs {
		if ms := m.groups[r.ID]; ms != nil {
			for _, e := range ms.order {
				if !e.dead {
					rows = append(rows, MemberRow{Group: r.ID, Member: e.m.Value})
				}
			}
		}
	}
	return recs, rows
}

// Restore replaces everything the store holds with recs and members, as
// Records returned them or a durable copy kept them, without calling the
// commit function: it is how a store is filled again after a restart.
// Uniqueness and limits are not checked again (they held when the
// resources were written); a record of an unknown type, a repeated id, or
// a membership naming an unknown group or member is an error and leaves
// the store empty.
func (m *Memory) Restore(recs []Record, members []MemberRow) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	err := m.restore(recs, members)
	if err != nil {
		m.reset()
	}
	return err
}

func (m *Memory) restore(recs []Record, members []MemberRow) error {
	m.reset()
	sorted := append([]Record(nil), recs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Seq < sorted[j].Seq })
	for _, rc := range sorted {
		t := m.tables[strings.ToLower(rc.Type)]
		if t == nil {
			return fmt.Errorf("store: restore: resource %q has type %q, which the schema set does not hold", rc.ID, rc.Type)
		}
		if rc.ID == "" || m.all[rc.ID] != nil {
			return fmt.Errorf("store: restore: the id %q is empty or repeated", rc.ID)
		}
		d := t.cleanDoc(rc.Doc)
		d["id"] = rc.ID
		r := &record{t: t, id: rc.ID, seq: rc.Seq, doc: d, created: rc.Created.UTC(), modified: rc.LastModified.UTC(), version: rc.Version}
		t.byID[rc.ID] = r
		t.order = append(t.order, r)
		m.all[rc.ID] = r
		t.index(r)
		if t.isGroup {
			m.groups[rc.ID] = &memberSet{idx: map[string]*mentry{}}
		}
		m.seq = max(m.seq, rc.Seq)
	}
	for _, row := range members {
		ms := m.groups[row.Group]
		r := m.all[row.Member]
		if ms == nil || r == nil {
			return fmt.Errorf("store: restore: membership of %q in %q names a resource that is not there", row.Member, row.Group)
		}
		if ms.has(row.Member) {
			continue
		}
		ms.add(Member{Value: row.Member, Type: r.t.rt.Name})
		m.join(row.Member, row.Group)
	}
	return nil
}

// delta is what commit will change in the membership: the ids that leave
// and the ids appended, in commit's order.
func (o *overlay) delta() (removed, added []string) {
	if o.cleared {
		for _, e := range o.base.order {
			if !e.dead && o.added[e.m.Value] == nil {
				removed = append(removed, e.m.Value)
			}
		}
	} else {
		for id := range o.removed {
			removed = append(removed, id)
		}
	}
	for _, e := range o.addOrder {
		if e.dead || o.base.has(e.m.Value) {
			continue
		}
		added = append(added, e.m.Value)
	}
	return removed, added
}
