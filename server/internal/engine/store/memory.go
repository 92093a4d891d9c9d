package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// Memory is the in-memory Store of one account. Build it with NewMemory.
//
// One sync.RWMutex guards everything: reads (Get, List, Members, ...) run in
// parallel, writes are serialised, so a uniqueness check and the insert it
// guards are one atomic step. Documents are deep-copied on the way in and
// on the way out; a caller can never reach stored state.
type Memory struct {
	mu     sync.RWMutex
	set    *schema.Set
	now    func() time.Time
	newID  func() string
	limits Limits
	// enforced and unique are the seams of WithEnforcedLimits and
	// WithUniqueness; nil keeps the defaults.
	enforced func(Limits) Limits
	unique   func(ctx context.Context, rt *schema.ResourceType, a *schema.Attribute) bool
	// commit, when set, makes each change durable before it is applied
	// (WithCommit, commit.go).
	commit func(Change) error

	// cursorKey authenticates cursors (see cursor.go); cursorTimeout, when
	// positive, makes older cursors expire.
	cursorKey     []byte
	cursorTimeout time.Duration

	seq    uint64 // creation sequence, never reused, not even by Reset
	epoch  uint64 // bumped by Reset so that older cursors are refused
	tables map[string]*table
	// all maps every id to its record whatever its type: ids are unique
	// across the account, and a member reference names only an id.
	all map[string]*record
	// groups maps a group id to its members; memberOf maps a member id to
	// the ids of the groups that directly contain it. Both are kept in step.
	groups   map[string]*memberSet
	memberOf map[string]map[string]struct{}
}

// Option configures a Memory.
type Option func(*Memory)

// WithClock sets the clock that stamps meta.created and meta.lastModified.
func WithClock(now func() time.Time) Option {
	return func(m *Memory) {
		if now != nil {
			m.now = now
		}
	}
}

// WithIDGenerator sets the function that makes new resource ids. The
// default makes random (version 4) UUIDs from crypto/rand. A generator that
// repeats itself makes Create fail rather than overwrite a resource.
func WithIDGenerator(newID func() string) Option {
	return func(m *Memory) {
		if newID != nil {
			m.newID = newID
		}
	}
}

// WithLimits sets the account's limits (see SetLimits).
func WithLimits(l Limits) Option { return func(m *Memory) { m.limits = l } }

// WithEnforcedLimits sets f, which sees the account's limits each time one
// is enforced and returns the limits to enforce. It is read at every check,
// never cached, so what f returns may change while the store serves; the
// default enforces the limits as set.
func WithEnforcedLimits(f func(Limits) Limits) Option { return func(m *Memory) { m.enforced = f } }

// WithUniqueness sets f, which decides for each create and update whether
// the values of attribute a of resource type rt must be unique. The store
// indexes every attribute whose uniqueness is "server" or "global" (RFC 7643
// section 2.2) whatever f says; f only decides whether a write that repeats
// an indexed value is refused. The default refuses every repeat.
func WithUniqueness(f func(ctx context.Context, rt *schema.ResourceType, a *schema.Attribute) bool) Option {
	return func(m *Memory) { m.unique = f }
}

// WithCursorTimeout makes cursors older than d expire (400 expiredCursor,
// RFC 9865's cursorTimeout). Zero, the default, keeps them valid until Reset:
// cursors hold no server-side state, so there is nothing to reclaim.
func WithCursorTimeout(d time.Duration) Option { return func(m *Memory) { m.cursorTimeout = d } }

// WithCursorKey sets the key that signs cursors; nil keeps a random one.
// A fixed key makes cursors repeatable (the mock's deterministic mode).
func WithCursorKey(key []byte) Option { return func(m *Memory) { m.cursorKey = key } }

// NewMemory returns an empty store for the resource types of set.
func NewMemory(set *schema.Set, opts ...Option) *Memory {
	m := &Memory{set: set, now: time.Now, newID: NewUUID}
	for _, o := range opts {
		o(m)
	}
	if len(m.cursorKey) == 0 {
		m.cursorKey = make([]byte, 32)
		_, _ = rand.Read(m.cursorKey) // crypto/rand.Read never fails (Go 1.24+)
	}
	m.reset()
	return m
}

var _ Store = (*Memory)(nil)

// NewUUID returns a random (version 4) UUID in its canonical text form.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[c>>4], hex[c&0x0f])
	}
	return string(out)
}

// FormatTime renders a timestamp as the store puts it in the document that
// filters see (meta.created, meta.lastModified): RFC 3339 in UTC with the
// clock's full precision. Render meta with it too, so that a client
// filtering on a value it was shown gets the answer it expects.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// WeakETag renders a version as meta.version and the ETag show it: W/"<n>".
func WeakETag(version uint64) string { return `W/"` + strconv.FormatUint(version, 10) + `"` }

// record is one stored resource. Its fields change only under the write
// lock; doc is replaced, never changed in place, so a reader holding the
// read lock may use it freely.
type record struct {
	t   *table
	id  string
	seq uint64
	// doc is the stored document (Resource.Doc) plus "id": what filters
	// and sortBy see, as it is, unless they name meta or the membership
	// attribute (evalDoc adds those for the query). One map per resource,
	// not a document and a second view of it, and no meta kept: half the
	// memory of a stored user.
	doc      map[string]any
	created  time.Time
	modified time.Time
	version  uint64
	dead     bool // deleted: still in table.order until compaction
}

// fillMeta sets the "meta" attribute filters and sortBy see (RFC 7643
// section 3.1) in meta, when a query names it.
func (r *record) fillMeta(meta map[string]any) {
	meta["resourceType"] = r.t.rt.Name
	meta["created"] = FormatTime(r.created)
	meta["lastModified"] = FormatTime(r.modified)
	meta["version"] = WeakETag(r.version)
}

func (r *record) snapshot() *Resource {
	d := copyDoc(r.doc)
	delete(d, "id")
	return &Resource{
		Type:         r.t.rt.Name,
		ID:           r.id,
		Doc:          d,
		Created:      r.created,
		LastModified: r.modified,
		Version:      r.version,
	}
}

// touch records a change: a new version and lastModified.
func (r *record) touch(now time.Time) {
	r.version++
	r.modified = now
}

// table holds the resources of one resource type.
type table struct {
	rt      *schema.ResourceType
	isGroup bool
	byID    map[string]*record
	// order holds the records in creation order (ascending seq), deleted
	// ones included until compaction; dead counts those. Sequence numbers
	// only grow, so appending keeps order sorted and cursors can binary
	// search it.
	order  []*record
	dead   int
	unique []*uniqueIndex
	extID  map[string]map[*record]struct{}
}

func (m *Memory) reset() {
	m.epoch++
	m.tables = map[string]*table{}
	m.all = map[string]*record{}
	m.groups = map[string]*memberSet{}
	m.memberOf = map[string]map[string]struct{}{}
	if m.set == nil {
		return
	}
	for _, rt := range m.set.ResourceTypes {
		t := &table{
			rt:      rt,
			isGroup: strings.EqualFold(rt.Name, "Group"),
			byID:    map[string]*record{},
			extID:   map[string]map[*record]struct{}{},
		}
		for _, a := range rt.Core.Attributes {
			if (a.Uniqueness == schema.Server || a.Uniqueness == schema.Global) && !a.MultiValued && a.Type != schema.Complex {
				t.unique = append(t.unique, &uniqueIndex{attr: a, keys: map[string]*record{}})
			}
		}
		m.tables[strings.ToLower(rt.Name)] = t
	}
}

// table finds the store's table for rt by name: callers may hold a
// ResourceType from another copy of the same schema set.
func (m *Memory) table(rt *schema.ResourceType) (*table, error) {
	if rt == nil {
		return nil, errors.New("store: no resource type given")
	}
	t := m.tables[strings.ToLower(rt.Name)]
	if t == nil {
		return nil, fmt.Errorf("store: resource type %q is not in the schema set", rt.Name)
	}
	return t, nil
}

// find returns rt's table and the record with id in it, or a SCIM 404.
// The caller holds m.mu.
func (m *Memory) find(rt *schema.ResourceType, id string) (*table, *record, error) {
	t, err := m.table(rt)
	if err != nil {
		return nil, nil, err
	}
	r := t.byID[id]
	if r == nil {
		return nil, nil, notFound(t, id)
	}
	return t, r, nil
}

func ctxErr(ctx context.Context) error {
	if ctx == nil {
		return nil
	}
	return ctx.Err()
}

func notFound(t *table, id string) error {
	return scimerror.NotFound("%s %q not found", t.rt.Name, id)
}

// Create implements Store.
func (m *Memory) Create(ctx context.Context, rt *schema.ResourceType, doc map[string]any, members []Member) (*Resource, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t, err := m.table(rt)
	if err != nil {
		return nil, err
	}
	if err := m.checkCount(t); err != nil {
		return nil, err
	}
	if len(members) > 0 && !t.isGroup {
		return nil, scimerror.BadRequest(scimerror.InvalidValue, "a %s has no members", t.rt.Name)
	}
	d := t.cleanDoc(doc)
	if err := m.checkUnique(ctx, t, d, nil); err != nil {
		return nil, err
	}
	id := ""
	for range 10 {
		if c := m.newID(); c != "" && m.all[c] == nil {
			id = c
			break
		}
	}
	if id == "" {
		return nil, errors.New("store: the id generator gave no unused id in 10 tries")
	}
	// Members are checked (existence, limits) against a fresh overlay
	// before anything is stored, so a refused member leaves no trace.
	var ov *overlay
	if t.isGroup {
		ov = m.newOverlay(id, &memberSet{idx: map[string]*mentry{}})
		for _, mb := range members {
			if err := ov.Add(mb); err != nil {
				return nil, err
			}
		}
	}
	now := m.now().UTC()
	if m.commit != nil {
		c := Change{Op: ChangeCreate, DocChanged: true, Record: Record{Type: t.rt.Name, ID: id, Seq: m.seq + 1, Doc: d, Created: now, LastModified: now, Version: 1}}
		if ov != nil {
			_, c.Added = ov.delta()
		}
		if err := m.apply(c); err != nil {
			return nil, err
		}
	}
	m.seq++
	d["id"] = id
	r := &record{t: t, id: id, seq: m.seq, doc: d, created: now, modified: now, version: 1}
	t.byID[id] = r
	t.order = append(t.order, r)
	m.all[id] = r
	t.index(r)
	if ov != nil {
		m.groups[id] = ov.base
		ov.commit()
	}
	return r.snapshot(), nil
}

func (m *Memory) checkCount(t *table) error {
	max, rule, what := 0, "", ""
	l := m.enforcedLimits()
	switch strings.ToLower(t.rt.Name) {
	case "user":
		max, rule, what = l.MaxUsers, "DT-USER-LIMIT", "users"
	case "group":
		max, rule, what = l.MaxGroups, "DT-GROUP-LIMIT", "groups"
	}
	if max > 0 && len(t.byID) >= max {
		return scimerror.New(http.StatusBadRequest, "", "the account has reached its maximum of %d %s", max, what).WithRule(rule)
	}
	return nil
}

// cleanDoc deep-copies doc and drops what the contract says a stored Doc
// does not hold: the server's id, meta and schemas, and the membership
// attributes, which live in the membership index.
func (t *table) cleanDoc(doc map[string]any) map[string]any {
	d := copyDoc(doc)
	delete(d, "id")
	delete(d, "meta")
	delete(d, "schemas")
	if t.isGroup {
		delete(d, "members")
	} else {
		delete(d, "groups")
	}
	return d
}

// Get implements Store.
func (m *Memory) Get(ctx context.Context, rt *schema.ResourceType, id string) (*Resource, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	_, r, err := m.find(rt, id)
	if err != nil {
		return nil, err
	}
	return r.snapshot(), nil
}

// Update implements Store. A nil document from fn leaves the document as it
// is (a membership-only change).
func (m *Memory) Update(ctx context.Context, rt *schema.ResourceType, id string, fn func(cur *Resource, members Members) (map[string]any, error)) (*Resource, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if fn == nil {
		return nil, errors.New("store: Update needs an update function")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t, r, err := m.find(rt, id)
	if err != nil {
		return nil, err
	}
	var ov *overlay
	var mem Members = noMembers{t.rt.Name}
	if t.isGroup {
		ov = m.newOverlay(id, m.groups[id])
		mem = ov
	}
	newDoc, err := fn(r.snapshot(), mem)
	if err != nil {
		return nil, err
	}
	docChanged := false
	var d map[string]any
	if newDoc != nil {
		d = t.cleanDoc(newDoc)
		d["id"] = r.id
		docChanged = !equalValue(d, r.doc)
	}
	if docChanged {
		if err := m.checkUnique(ctx, t, d, r); err != nil {
			return nil, err
		}
	}
	memChanged := ov != nil && ov.changed()
	if !docChanged && !memChanged {
		return r.snapshot(), nil
	}
	now := m.now().UTC()
	if m.commit != nil {
		c := Change{Op: ChangeUpdate, DocChanged: docChanged, Record: Record{Type: t.rt.Name, ID: r.id, Seq: r.seq, Doc: r.doc, Created: r.created, LastModified: now, Version: r.version + 1}}
		if docChanged {
			c.Record.Doc = d
		}
		if memChanged {
			c.Removed, c.Added = ov.delta()
		}
		if err := m.apply(c); err != nil {
			return nil, err
		}
	}
	if docChanged {
		t.unindex(r)
		r.doc = d
		t.index(r)
	}
	if memChanged {
		ov.commit()
	}
	r.touch(now)
	return r.snapshot(), nil
}

// Delete implements Store.
func (m *Memory) Delete(ctx context.Context, rt *schema.ResourceType, id string) error {
	return m.DeleteIf(ctx, rt, id, nil)
}

// DeleteIf implements Store.
func (m *Memory) DeleteIf(ctx context.Context, rt *schema.ResourceType, id string, check func(cur *Resource) error) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t, r, err := m.find(rt, id)
	if err != nil {
		return err
	}
	if check != nil {
		if err := check(r.snapshot()); err != nil {
			return err
		}
	}
	now := m.now().UTC()
	if m.commit != nil {
		c := Change{Op: ChangeDelete, Record: Record{Type: t.rt.Name, ID: id}}
		for gid := range m.memberOf[id] {
			if g := m.all[gid]; g != nil {
				c.Touched = append(c.Touched, Touch{ID: gid, Version: g.version + 1, LastModified: now})
			}
		}
		if err := m.apply(c); err != nil {
			return err
		}
	}
	// Leave every group that holds the resource: each is changed.
	for gid := range m.memberOf[id] {
		if ms := m.groups[gid]; ms != nil {
			ms.remove(id)
		}
		if g := m.all[gid]; g != nil {
			g.touch(now)
		}
	}
	delete(m.memberOf, id)
	// A deleted group's members are no longer in it.
	if ms := m.groups[id]; ms != nil {
		for _, e := range ms.order {
			if !e.dead {
				m.leave(e.m.Value, id)
			}
		}
		delete(m.groups, id)
	}
	t.unindex(r)
	delete(t.byID, id)
	delete(m.all, id)
	r.dead = true
	t.dead++
	if t.dead > 32 && t.dead*2 > len(t.order) {
		live := make([]*record, 0, len(t.byID))
		for _, x := range t.order {
			if !x.dead {
				live = append(live, x)
			}
		}
		t.order, t.dead = live, 0
	}
	return nil
}

func (m *Memory) join(member, group string) {
	s := m.memberOf[member]
	if s == nil {
		s = map[string]struct{}{}
		m.memberOf[member] = s
	}
	s[group] = struct{}{}
}

func (m *Memory) leave(member, group string) {
	if s := m.memberOf[member]; s != nil {
		delete(s, group)
		if len(s) == 0 {
			delete(m.memberOf, member)
		}
	}
}

// Members implements Store.
func (m *Memory) Members(ctx context.Context, groupID string) ([]Member, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	list := m.membersOf(groupID)
	if list == nil {
		return nil, scimerror.NotFound("Group %q not found", groupID)
	}
	return list, nil
}

// membersOf is Members under the read lock; nil when groupID is no group.
func (m *Memory) membersOf(groupID string) []Member {
	ms := m.groups[groupID]
	if ms == nil {
		return nil
	}
	list := ms.list()
	// One index lookup per member, under the read lock already held: the
	// name is the member's current one, never a copy that a rename leaves
	// stale.
	for i := range list {
		if r := m.all[list[i].Value]; r != nil {
			list[i].Display = displayOf(r.doc)
		}
	}
	return list
}

// displayOf is a member's members.display: its displayName, else its
// userName (a User without displayName), else "".
func displayOf(doc map[string]any) string {
	if s, ok := doc["displayName"].(string); ok && s != "" {
		return s
	}
	s, _ := doc["userName"].(string)
	return s
}

// GroupsOf implements Store. The ids come in the groups' creation order.
func (m *Memory) GroupsOf(ctx context.Context, id string) ([]string, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.all[id] == nil {
		return nil, scimerror.NotFound("no resource with id %q", id)
	}
	return m.groupsOf(id), nil
}

func (m *Memory) groupsOf(id string) []string {
	set := m.memberOf[id]
	if len(set) == 0 {
		return []string{}
	}
	recs := make([]*record, 0, len(set))
	for gid := range set {
		if g := m.all[gid]; g != nil {
			recs = append(recs, g)
		}
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].seq < recs[j].seq })
	out := make([]string, len(recs))
	for i, g := range recs {
		out[i] = g.id
	}
	return out
}

// Count implements Store. It is 0 for a resource type the store does not
// hold.
func (m *Memory) Count(ctx context.Context, rt *schema.ResourceType) int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	t, err := m.table(rt)
	if err != nil {
		return 0
	}
	return len(t.byID)
}

// SetLimits implements Store. Lowering a limit below what the account
// already holds removes nothing; it only refuses further growth.
func (m *Memory) SetLimits(l Limits) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.limits = l
}

// enforcedLimits are the limits a check enforces (WithEnforcedLimits).
// m.mu is held.
func (m *Memory) enforcedLimits() Limits {
	if m.enforced != nil {
		return m.enforced(m.limits)
	}
	return m.limits
}

// checkUnique returns a 409 uniqueness when doc repeats a value held by a
// record other than self in an attribute that must be unique
// (WithUniqueness). m.mu is held.
func (m *Memory) checkUnique(ctx context.Context, t *table, doc map[string]any, self *record) error {
	if m.unique == nil {
		return t.checkUnique(doc, self, nil)
	}
	return t.checkUnique(doc, self, func(a *schema.Attribute) bool { return m.unique(ctx, t.rt, a) })
}

// Limits returns the account's current limits.
func (m *Memory) Limits() Limits {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.limits
}

// Reset implements Store. Cursors issued before the reset are refused
// afterwards (400 expiredCursor).
//
// With WithCommit, a reset the commit function refuses leaves the store as
// it was (Reset has no error to return; the next write meets the same
// failure and reports it).
func (m *Memory) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.apply(Change{Op: ChangeReset}) != nil {
		return
	}
	m.reset()
}
