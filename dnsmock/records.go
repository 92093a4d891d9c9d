package dnsmock

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/miekg/dns"
)

// TTL is the time to live, in seconds, of every TXT record the server returns.
// It is short so that a caching resolver in between lets a changed record
// through within a minute.
const TTL = 60

// Errors returned when a record set is refused. Each returned error wraps one
// of them and says which name or value is at fault and why.
var (
	// ErrInvalidName: the name is not a domain name the server can hold records for.
	ErrInvalidName = errors.New("dnsmock: invalid domain name")
	// ErrNoValues: a record set needs at least one value.
	ErrNoValues = errors.New("dnsmock: no TXT values")
	// ErrRecordTooLarge: the record set would not fit in one DNS message,
	// even over TCP.
	ErrRecordTooLarge = errors.New("dnsmock: TXT record set too large")
)

// maxCharString is the longest character-string a TXT RR can carry (its
// length is one octet, RFC 1035 section 3.3).
const maxCharString = 255

// recordSet is what one owner name holds. It is never changed once stored,
// so a query can use it after the read lock is released.
type recordSet struct {
	values []string   // as given, in order, without duplicates
	txt    [][]string // per value: its character-strings in miekg/dns presentation form
}

// canonicalName returns name as the table keys it: lower case, fully
// qualified. It accepts only names made of letters, digits, '-' and '_'
// (service labels such as _dnsauth), which every verification record uses;
// anything else is much more likely a typo than an intent, so it is refused
// with the reason.
func canonicalName(name string) (string, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %q: %s", ErrInvalidName, name, fmt.Sprintf(format, args...))
	}
	n := strings.TrimSuffix(name, ".")
	switch {
	case name == "":
		return "", bad("the name is empty")
	case n == "":
		return "", bad("the root cannot hold records here; give a domain such as example.com")
	case len(n) > 253:
		return "", bad("the name is %d characters long; a domain name holds at most 253", len(n))
	}
	off := 0
	for label := range strings.SplitSeq(n, ".") {
		if label == "" {
			return "", bad("empty label at offset %d", off)
		}
		if len(label) > 63 {
			return "", bad("label %q is %d characters long; a label holds at most 63", label, len(label))
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
				continue
			}
			if c >= 0x80 {
				return "", bad("offset %d is not ASCII; give an internationalised name in its xn-- form", off+i)
			}
			return "", bad("offset %d holds %q; a label may hold letters, digits, '-' and '_'", off+i, string(c))
		}
		off += len(label) + 1
	}
	return strings.ToLower(n) + ".", nil
}

// newRecordSet prepares values for name (canonical) and checks that an
// answer holding all of them fits in one DNS message.
func newRecordSet(name string, values []string) (*recordSet, error) {
	if len(values) == 0 {
		return nil, fmt.Errorf("%w for %s: give at least one value (an empty string is a valid value)", ErrNoValues, name)
	}
	// Worst case on the wire: header, question, an OPT RR, and each answer
	// RR with a compressed owner name (2), type, class, TTL and rdlength (10)
	// and its character-strings, each with a length octet. Counted while
	// de-duplicating, so a set too large is refused as soon as it is known to
	// be: a PUT of many values costs time linear in their number.
	size := 12 + (len(name) + 1) + 4 + 11
	rs := &recordSet{}
	seen := make(map[string]struct{}, len(values))
	for _, v := range values {
		// An RRset holds no duplicate RRs (RFC 2181 section 5).
		if _, dup := seen[v]; dup {
			continue
		}
		seen[v] = struct{}{}
		size += 2 + 10 + len(v) + max(1, (len(v)+maxCharString-1)/maxCharString)
		if size > dns.MaxMsgSize {
			return nil, fmt.Errorf("%w for %s: the answer would not fit in one DNS message, which holds at most %d bytes",
				ErrRecordTooLarge, name, dns.MaxMsgSize)
		}
		rs.values = append(rs.values, v)
		rs.txt = append(rs.txt, characterStrings(v))
	}
	return rs, nil
}

// characterStrings splits v into character-strings of at most 255 bytes and
// writes each in the presentation form miekg/dns packs (it reads '\\' as an
// escape), so any byte of v reaches the wire unchanged.
func characterStrings(v string) []string {
	if v == "" {
		return []string{""}
	}
	out := make([]string, 0, (len(v)+maxCharString-1)/maxCharString)
	for len(v) > 0 {
		n := min(len(v), maxCharString)
		out = append(out, escapeCharString(v[:n]))
		v = v[n:]
	}
	return out
}

// escapeCharString escapes raw bytes the way miekg/dns writes an unpacked
// character-string: '"' and '\\' with a backslash, unprintable bytes as \DDD.
func escapeCharString(raw string) string {
	clean := true
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c == '"' || c == '\\' || c < ' ' || c > '~' {
			clean = false
			break
		}
	}
	if clean {
		return raw
	}
	var b strings.Builder
	b.Grow(len(raw) * 2)
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c > '~':
			b.WriteByte('\\')
			s := strconv.Itoa(int(c))
			b.WriteString(strings.Repeat("0", 3-len(s)))
			b.WriteString(s)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// unescapeCharString reverses the presentation form miekg/dns gives an
// unpacked character-string, so callers get the bytes that were on the wire.
func unescapeCharString(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b = append(b, c)
			continue
		}
		i++
		if i+2 < len(s) && isDigit(s[i]) && isDigit(s[i+1]) && isDigit(s[i+2]) {
			b = append(b, byte(int(s[i]-'0')*100+int(s[i+1]-'0')*10+int(s[i+2]-'0')))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// SetTXT replaces the TXT record set of name with one TXT RR per value, in
// the order given; a repeated value is kept once. name is case-insensitive,
// with or without the trailing dot. It returns an error wrapping
// [ErrInvalidName], [ErrNoValues] or [ErrRecordTooLarge] and changes nothing
// when the record set is refused. Safe for concurrent use, also while the
// server answers queries: a query sees either the old or the new set.
func (s *Server) SetTXT(name string, values ...string) error {
	_, _, err := s.setTXT(name, values)
	return err
}

// setTXT is SetTXT, returning what it stored (which the caller must not change).
func (s *Server) setTXT(name string, values []string) (string, *recordSet, error) {
	key, err := canonicalName(name)
	if err != nil {
		return "", nil, err
	}
	rs, err := newRecordSet(key, values)
	if err != nil {
		return "", nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sets[key]; !ok {
		for _, a := range ancestors(key) {
			s.ents[a]++
		}
	}
	s.sets[key] = rs
	return key, rs, nil
}

// DeleteTXT removes the TXT record set of name and reports whether there was
// one. Safe for concurrent use.
func (s *Server) DeleteTXT(name string) bool {
	key, err := canonicalName(name)
	if err != nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sets[key]; !ok {
		return false
	}
	delete(s.sets, key)
	for _, a := range ancestors(key) {
		if s.ents[a]--; s.ents[a] <= 0 {
			delete(s.ents, a)
		}
	}
	return true
}

// TXT returns a copy of the values of name's TXT record set, or nil when name
// has none (or is not a valid name).
func (s *Server) TXT(name string) []string {
	key, err := canonicalName(name)
	if err != nil {
		return nil
	}
	s.mu.RLock()
	rs := s.sets[key]
	s.mu.RUnlock()
	if rs == nil {
		return nil
	}
	return slices.Clone(rs.values)
}

// Records returns a snapshot of every record set, keyed by canonical name
// (lower case, fully qualified). The caller may change it freely.
func (s *Server) Records() map[string][]string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string][]string, len(s.sets))
	for name, rs := range s.sets {
		out[name] = slices.Clone(rs.values)
	}
	return out
}

// Reset removes every record set.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.sets)
	clear(s.ents)
}

// ancestors lists the proper ancestors of a canonical name, short of the
// root: "a.b.c." gives "b.c." and "c.".
func ancestors(name string) []string {
	var out []string
	for i := 0; i < len(name)-1; i++ {
		if name[i] == '.' {
			out = append(out, name[i+1:])
		}
	}
	return out
}
