package store

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/scimconf/scimconf/server/internal/engine/filter"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
)

// List implements Store.
//
// Query planning: a filter that is, or has as one operand of a top-level
// "and" chain, "attr eq literal" on an indexed attribute (id, externalId,
// or an attribute with server or global uniqueness) takes its candidates
// from that index and evaluates the whole filter on them only; any other
// filter is evaluated on every resource of the type.
//
// The document a filter or sortBy sees is the stored document plus "id"
// and "meta" (resourceType, created, lastModified, version), plus a
// Group's "members" or a User's "groups" when the query names them.
//
// Order: creation order, or SortBy (RFC 7644 section 3.4.2.3) with ties in
// creation order and resources without a value last when ascending, first
// when descending.
//
// Paging: index paging (RFC 7644 section 3.4.2.4) unless q.Cursor is set,
// then cursor paging (RFC 9865). A cursor names the position after (or
// before) the last (or first) resource of the page it came from, by sort
// value and creation sequence, not by offset: pages stay free of gaps and
// duplicates when resources are created or deleted between requests.
// Cursors carry no server-side state; they are authenticated, bound to the
// query (resource type, filter, sortBy, sortOrder) and refused after Reset.
func (m *Memory) List(ctx context.Context, rt *schema.ResourceType, q Query) (*Page, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if q.SortBy != nil && (q.SortBy.Attr == nil || q.SortBy.Extension && q.SortBy.Schema == nil) {
		return nil, errors.New("store: Query.SortBy is not a resolved attribute path")
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	t, err := m.table(rt)
	if err != nil {
		return nil, err
	}
	var pos *cursorPos
	var qh [8]byte
	if q.Cursor != nil {
		qh = queryHash(t, q)
		if *q.Cursor != "" {
			if pos, err = m.decodeCursor(*q.Cursor, qh); err != nil {
				return nil, err
			}
		}
	}

	o := &ordered{desc: q.Descending}
	if q.SortBy != nil {
		o.sortBy = q.SortBy
		o.leaf = sortLeaf(q.SortBy)
	}
	total := 0
	if q.Filter == nil && q.SortBy == nil {
		// Creation order over everything: the table's own order serves,
		// deleted entries and all (the pagers skip them).
		o.recs, total = t.order, len(t.byID)
	} else {
		m.collect(t, q, o)
		total = len(o.recs)
	}

	if q.Cursor == nil {
		p := o.indexPage(q, total)
		m.fillMembership(t, q, p.Resources)
		return p, nil
	}
	page := o.cursorPage(pos, q.Count)
	page.TotalResults = total
	m.fillMembership(t, q, page.Resources)
	if page.next != nil {
		page.NextCursor = m.encodeCursor(page.next, qh)
	}
	if page.prev != nil {
		page.PrevCursor = m.encodeCursor(page.prev, qh)
	}
	return &page.Page, nil
}

// fillMembership reads the membership of a page's resources when q asks
// for it, under the read lock List holds: a resource deleted once List has
// returned still renders as it was, with the members it had.
func (m *Memory) fillMembership(t *table, q Query, page []*Resource) {
	if !q.WithMembership {
		return
	}
	for _, res := range page {
		ms := &Membership{}
		if t.isGroup {
			ms.Members = m.membersOf(res.ID)
		} else {
			for _, gid := range m.groupsOf(res.ID) {
				g := GroupRef{ID: gid}
				if r := m.all[gid]; r != nil {
					g.Display, _ = r.doc["displayName"].(string)
				}
				ms.Groups = append(ms.Groups, g)
			}
		}
		res.Membership = ms
	}
}

// membershipAttr is the name of the attribute that the membership index
// supplies for t: a Group's members, a User's groups.
func (t *table) membershipAttr() string {
	if t.isGroup {
		return "members"
	}
	return "groups"
}

// collect fills o with the resources that match q's filter, in creation
// order, then sorts them when q asks for it.
func (m *Memory) collect(t *table, q Query, o *ordered) {
	ma := t.membershipAttr()
	withMembers := (q.Filter != nil && q.Filter.Uses(ma)) ||
		(q.SortBy != nil && !q.SortBy.Extension && q.SortBy.Schema != schema.Common && strings.EqualFold(q.SortBy.Attr.Name, ma))
	ev := &evalView{
		withMembers: withMembers,
		withMeta: (q.Filter != nil && q.Filter.Uses("meta")) ||
			(q.SortBy != nil && !q.SortBy.Extension && strings.EqualFold(q.SortBy.Attr.Name, "meta")),
	}

	var cands []*record
	if q.Filter != nil {
		if c, ok := t.plan(q.Filter.Expr()); ok {
			cands = c
			sort.Slice(cands, func(i, j int) bool { return cands[i].seq < cands[j].seq })
		}
	}
	if cands == nil {
		cands = t.order
	}
	for _, r := range cands {
		if r.dead {
			continue
		}
		doc := ev.doc(m, r)
		if q.Filter != nil && !q.Filter.Match(doc) {
			continue
		}
		o.recs = append(o.recs, r)
		if o.sortBy != nil {
			o.keys = append(o.keys, sortValue(o.sortBy, doc))
		}
	}
	if o.sortBy != nil {
		sort.Sort(o)
	}
}

// evalView makes the documents one query's filter and sortBy see: the
// stored one, with meta and the membership attribute added when the query
// names them. Those are made per query, not kept, so that only queries
// that name them pay, and one map serves every resource of the query:
// Filter.Match keeps nothing of a document and sortValue keeps only
// scalars, so the map can be filled again for the next resource.
type evalView struct {
	withMembers, withMeta bool
	v, meta               map[string]any
}

func (ev *evalView) doc(m *Memory, r *record) map[string]any {
	if !ev.withMembers && !ev.withMeta {
		return r.doc
	}
	var ms []any
	if ev.withMembers {
		ms = m.membership(r)
	}
	if ms == nil && !ev.withMeta {
		return r.doc // unassigned attributes are absent
	}
	if ev.v == nil {
		ev.v = make(map[string]any, len(r.doc)+2)
	}
	clear(ev.v)
	for k, x := range r.doc {
		ev.v[k] = x
	}
	if ev.withMeta {
		if ev.meta == nil {
			ev.meta = make(map[string]any, 4)
		}
		r.fillMeta(ev.meta)
		ev.v["meta"] = ev.meta
	}
	if ms != nil {
		ev.v[r.t.membershipAttr()] = ms
	}
	return ev.v
}

// membership is r's membership attribute as filters see it: a Group's
// members, a User's groups; nil when it has none.
func (m *Memory) membership(r *record) []any {
	var ms []any
	if r.t.isGroup {
		if set := m.groups[r.id]; set != nil && set.len() > 0 {
			ms = make([]any, 0, set.len())
			for _, e := range set.order {
				if !e.dead {
					ms = append(ms, map[string]any{"value": e.m.Value, "type": e.m.Type})
				}
			}
		}
	} else if gs := m.groupsOf(r.id); len(gs) > 0 {
		ms = make([]any, len(gs))
		for i, g := range gs {
			ms[i] = map[string]any{"value": g, "type": "direct"}
		}
	}
	return ms
}

// plan returns the candidates an index gives for e, and false when no
// index applies and every resource must be scanned.
func (t *table) plan(e filter.Expr) ([]*record, bool) {
	switch x := e.(type) {
	case *filter.LogicalExpr:
		if !strings.EqualFold(x.Op, "and") {
			return nil, false
		}
		l, lok := t.plan(x.Left)
		r, rok := t.plan(x.Right)
		switch {
		case lok && rok:
			if len(r) < len(l) {
				return r, true
			}
			return l, true
		case lok:
			return l, true
		case rok:
			return r, true
		}
		return nil, false
	case *filter.AttrExpr:
		if x.Op != filter.Eq || x.Path.Sub != "" {
			return nil, false
		}
		s, ok := x.Value.(string)
		if !ok {
			return nil, false
		}
		ref, err := t.rt.Resolve(x.Path.URN, x.Path.Name, "")
		if err != nil || ref.Extension {
			return nil, false
		}
		if ref.Schema == schema.Common {
			switch ref.Attr.Name {
			case "id":
				if r := t.byID[s]; r != nil {
					return []*record{r}, true
				}
				return []*record{}, true
			case "externalId":
				set := t.extID[s]
				out := make([]*record, 0, len(set))
				for r := range set {
					out = append(out, r)
				}
				return out, true
			}
			return nil, false
		}
		for _, u := range t.unique {
			if u.attr != ref.Attr || (u.attr.Type != schema.String && u.attr.Type != schema.Reference) {
				continue
			}
			k, ok := indexKey(u.attr, s)
			if !ok {
				return nil, false
			}
			if r := u.keys[k]; r != nil {
				return []*record{r}, true
			}
			return []*record{}, true
		}
	}
	return nil, false
}

// sortKey is the value a resource sorts by; missing means it has none.
type sortKey struct {
	v       any
	missing bool
}

// sortValue extracts the value RFC 7644 section 3.4.2.3 sorts by: the
// attribute's value; for a multi-valued attribute the primary value, else
// the first; with a sub-attribute, that value's sub-attribute.
func sortValue(ref *schema.AttrRef, doc map[string]any) sortKey {
	v := ref.Get(doc)
	if ref.Attr.MultiValued {
		arr, _ := v.([]any)
		v = nil
		for _, e := range arr {
			if em, ok := e.(map[string]any); ok && em["primary"] == true {
				v = e
				break
			}
		}
		if v == nil && len(arr) > 0 {
			v = arr[0]
		}
	}
	sub := ref.Sub
	if sub == nil && ref.Attr.Type == schema.Complex {
		// A complex attribute named without a sub-attribute stands for its
		// "value", as in filters.
		sub = ref.Attr.Sub("value")
	}
	if sub != nil {
		em, _ := v.(map[string]any)
		v = em[sub.Name]
	}
	switch x := v.(type) {
	case string, bool, int64, float64:
		return sortKey{v: x}
	case int:
		return sortKey{v: int64(x)}
	}
	return sortKey{missing: true}
}

// sortLeaf is the attribute whose values sortValue returns.
func sortLeaf(ref *schema.AttrRef) *schema.Attribute {
	if ref.Sub == nil && ref.Attr.Type == schema.Complex {
		if v := ref.Attr.Sub("value"); v != nil {
			return v
		}
	}
	return ref.Leaf()
}

// ordered is a listing's resources in their final order. recs may hold
// deleted records (the table's own order is used as is when nothing is
// filtered or sorted); the pagers skip them.
type ordered struct {
	recs   []*record
	keys   []sortKey // parallel to recs when sortBy is set
	sortBy *schema.AttrRef
	leaf   *schema.Attribute
	desc   bool
}

func (o *ordered) Len() int { return len(o.recs) }
func (o *ordered) Less(i, j int) bool {
	return o.compare(o.keys[i], o.recs[i].seq, o.keys[j], o.recs[j].seq) < 0
}
func (o *ordered) Swap(i, j int) {
	o.recs[i], o.recs[j] = o.recs[j], o.recs[i]
	o.keys[i], o.keys[j] = o.keys[j], o.keys[i]
}

// compare orders two resources given their sort keys and sequences. It is
// a total order (sequences are unique), which cursor positions rely on.
func (o *ordered) compare(ka sortKey, sa uint64, kb sortKey, sb uint64) int {
	if o.sortBy != nil {
		c := 0
		switch {
		case ka.missing && !kb.missing:
			c = 1 // unassigned last when ascending...
		case !ka.missing && kb.missing:
			c = -1
		case !ka.missing:
			if r, ok := filter.Compare(o.leaf, ka.v, kb.v); ok {
				c = r
			}
		}
		if c != 0 {
			if o.desc {
				c = -c // ...and first when descending
			}
			return c
		}
	}
	switch {
	case sa < sb:
		return -1
	case sa > sb:
		return 1
	}
	return 0
}

// cmpPos compares resource i with a cursor position's key.
func (o *ordered) cmpPos(i int, p *cursorPos) int {
	var k sortKey
	if o.keys != nil {
		k = o.keys[i]
	}
	return o.compare(k, o.recs[i].seq, p.key, p.seq)
}

func (o *ordered) indexPage(q Query, total int) *Page {
	start := q.StartIndex
	if start < 1 {
		start = 1
	}
	p := &Page{TotalResults: total, StartIndex: start, Resources: []*Resource{}}
	if q.Count == 0 || start > total {
		return p
	}
	skip := start - 1
	for _, r := range o.recs {
		if r.dead {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		if q.Count > 0 && len(p.Resources) >= q.Count {
			break
		}
		p.Resources = append(p.Resources, r.snapshot())
	}
	return p
}

type cursorResult struct {
	Page
	next, prev *cursorPos
}

// cursorPage cuts the page at pos (nil: the first page) and works out the
// positions of the next and previous pages.
func (o *ordered) cursorPage(pos *cursorPos, count int) cursorResult {
	n := len(o.recs)
	res := cursorResult{Page: Page{Resources: []*Resource{}}}
	var lo, hi int
	if pos == nil || !pos.back {
		x := 0
		if pos != nil && !pos.edge {
			x = sort.Search(n, func(i int) bool { return o.cmpPos(i, pos) > 0 })
		}
		i := x
		for i < n && (count < 0 || len(res.Resources) < count) {
			if r := o.recs[i]; !r.dead {
				res.Resources = append(res.Resources, r.snapshot())
			}
			i++
		}
		lo, hi = x, i
	} else {
		x := n
		if !pos.edge {
			x = sort.Search(n, func(i int) bool { return o.cmpPos(i, pos) >= 0 })
		}
		i := x
		var back []*record
		for i > 0 && (count < 0 || len(back) < count) {
			i--
			if r := o.recs[i]; !r.dead {
				back = append(back, r)
			}
		}
		for j := len(back) - 1; j >= 0; j-- {
			res.Resources = append(res.Resources, back[j].snapshot())
		}
		lo, hi = i, x
	}
	// Skip any deleted trailing entries so the last page says so: a
	// nextCursor is given only when a resource follows.
	if f := o.firstLive(hi); f < n {
		if l := o.lastLive(hi); l >= 0 {
			res.next = o.posOf(l, false)
		} else {
			res.next = &cursorPos{edge: true}
		}
	}
	if l := o.lastLive(lo); l >= 0 {
		if f := o.firstLive(lo); f < n {
			res.prev = o.posOf(f, true)
		} else {
			res.prev = &cursorPos{back: true, edge: true}
		}
	}
	return res
}

// firstLive returns the index of the first live resource at or after i,
// or len(recs).
func (o *ordered) firstLive(i int) int {
	for i < len(o.recs) && o.recs[i].dead {
		i++
	}
	return i
}

// lastLive returns the index of the last live resource before i, or -1.
func (o *ordered) lastLive(i int) int {
	i--
	for i >= 0 && o.recs[i].dead {
		i--
	}
	return i
}

// posOf is the position just after (or, back, just before) resource i.
func (o *ordered) posOf(i int, back bool) *cursorPos {
	p := &cursorPos{back: back, seq: o.recs[i].seq}
	if o.keys != nil {
		p.key = o.keys[i]
	}
	return p
}
