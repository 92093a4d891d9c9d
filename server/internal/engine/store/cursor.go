package store

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// RFC 9865's error types for cursor paging (400 responses).
const (
	InvalidCursor = "invalidCursor"
	ExpiredCursor = "expiredCursor"
)

// cursorPos is a position between two resources of a listing: just after
// the resource with key (key, seq), or, when back, just before it; with
// edge, the start (forward) or the end (back) of the listing. The resource
// need not exist any more: positions compare by key, so deletions and
// insertions between pages neither skip nor repeat anything.
type cursorPos struct {
	back bool
	edge bool
	seq  uint64
	key  sortKey
}

// Wire form, before base64url (whose alphabet is in RFC 3986's unreserved
// set, as RFC 9865 asks):
//
//	version(1) flags(1) epoch(uvarint) issued(varint, Unix seconds)
//	query(8) seq(uvarint) value(tag byte + data)  mac(16)
//
// The MAC is HMAC-SHA256 under a key only this store knows, so a cursor
// cannot be forged or altered; query is a hash of the query the cursor
// belongs to.
const (
	cursorVersion = 1
	macLen        = 16
	maxCursorLen  = 1 << 16

	flagBack    = 1
	flagEdge    = 2
	flagMissing = 4
)

func (m *Memory) encodeCursor(p *cursorPos, qh [8]byte) string {
	b := []byte{cursorVersion, 0}
	if p.back {
		b[1] |= flagBack
	}
	if p.edge {
		b[1] |= flagEdge
	}
	if p.key.missing {
		b[1] |= flagMissing
	}
	b = binary.AppendUvarint(b, m.epoch)
	b = binary.AppendVarint(b, m.now().Unix())
	b = append(b, qh[:]...)
	b = binary.AppendUvarint(b, p.seq)
	switch v := p.key.v.(type) {
	case string:
		b = append(b, 's')
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	case bool:
		b = append(b, 'b', 0)
		if v {
			b[len(b)-1] = 1
		}
	case int64:
		b = append(b, 'i')
		b = binary.AppendVarint(b, v)
	case float64:
		b = append(b, 'f')
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(v))
	default:
		b = append(b, '-')
	}
	b = append(b, m.mac(b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (m *Memory) mac(b []byte) []byte {
	h := hmac.New(sha256.New, m.cursorKey)
	h.Write(b)
	return h.Sum(nil)[:macLen]
}

func invalidCursor(format string, args ...any) error {
	return scimerror.BadRequest(InvalidCursor, "cursor: "+format+"; send the nextCursor or previousCursor of an earlier page unchanged, or an empty cursor for the first page", args...)
}

// decodeCursor checks and decodes a cursor the store issued for the query
// whose hash is qh.
func (m *Memory) decodeCursor(s string, qh [8]byte) (*cursorPos, error) {
	if len(s) > maxCursorLen {
		return nil, invalidCursor("the value is %d characters long, longer than any cursor this server issues", len(s))
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) < macLen+2 {
		return nil, invalidCursor("%q is not a cursor this server issued", clip(s))
	}
	body, sum := raw[:len(raw)-macLen], raw[len(raw)-macLen:]
	if !hmac.Equal(sum, m.mac(body)) {
		return nil, invalidCursor("%q was not issued by this server or has been altered", clip(s))
	}
	d := decoder{b: body}
	if v := d.byte(); v != cursorVersion {
		return nil, invalidCursor("unknown cursor version %d", v)
	}
	flags := d.byte()
	epoch := d.uvarint()
	issued := d.varint()
	var got [8]byte
	copy(got[:], d.take(8))
	p := &cursorPos{back: flags&flagBack != 0, edge: flags&flagEdge != 0}
	p.key.missing = flags&flagMissing != 0
	p.seq = d.uvarint()
	switch d.byte() {
	case 's':
		n := d.uvarint()
		if n > uint64(len(d.b)) {
			d.bad = true
			break
		}
		p.key.v = string(d.take(int(n)))
	case 'b':
		p.key.v = d.byte() == 1
	case 'i':
		p.key.v = d.varint()
	case 'f':
		if x := d.take(8); len(x) == 8 {
			p.key.v = math.Float64frombits(binary.BigEndian.Uint64(x))
		}
	case '-':
	default:
		d.bad = true
	}
	if d.bad || len(d.b) != 0 {
		// Cannot happen for a cursor that passed the MAC check, unless the
		// wire form changed without a version bump.
		return nil, invalidCursor("the cursor is malformed")
	}
	if got != qh {
		return nil, invalidCursor("the cursor belongs to a different query: repeat the filter, sortBy and sortOrder of the request that returned it")
	}
	if epoch != m.epoch {
		return nil, scimerror.BadRequest(ExpiredCursor, "cursor: the account's resources were reset after the cursor was issued; start again with an empty cursor")
	}
	if m.cursorTimeout > 0 && m.now().Sub(time.Unix(issued, 0)) > m.cursorTimeout {
		return nil, scimerror.BadRequest(ExpiredCursor, "cursor: the cursor is older than the cursor timeout of %d seconds; start again with an empty cursor", int(m.cursorTimeout/time.Second))
	}
	return p, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// decoder reads the cursor's wire form; any overrun sets bad instead of
// panicking.
type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) byte() byte {
	if len(d.b) < 1 {
		d.bad = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) take(n int) []byte {
	if n < 0 || len(d.b) < n {
		d.bad = true
		d.b = nil
		return nil
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

func (d *decoder) uvarint() uint64 { return readVarint(d, binary.Uvarint) }

func (d *decoder) varint() int64 { return readVarint(d, binary.Varint) }

// readVarint reads one varint with read (binary.Uvarint or binary.Varint):
// both report a short or overlong one as n <= 0.
func readVarint[T uint64 | int64](d *decoder, read func([]byte) (T, int)) T {
	v, n := read(d.b)
	if n <= 0 {
		d.bad = true
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

// queryHash binds a cursor to its query: RFC 9865 asks clients to repeat
// every query parameter but the cursor (and count, which may change freely
// here), and a cursor used with another filter or order would otherwise
// resume at a meaningless position.
func queryHash(t *table, q Query) [8]byte {
	var b strings.Builder
	b.WriteString(strings.ToLower(t.rt.Name))
	b.WriteByte(0)
	if q.Filter != nil {
		b.WriteString(q.Filter.String())
	}
	b.WriteByte(0)
	if q.SortBy != nil && q.SortBy.Attr != nil {
		b.WriteString(strings.ToLower(q.SortBy.String()))
		b.WriteByte(0)
		b.WriteString(strconv.FormatBool(q.Descending))
	}
	sum := sha256.Sum256([]byte(b.String()))
	var out [8]byte
	copy(out[:], sum[:8])
	return out
}
