package dnsmock_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/scimconf/scimconf/dnsmock"
)

// benchQuery measures one query and its answer over one reused connection.
func benchQuery(b *testing.B, network string) {
	s := start(b)
	mustSet(b, s, "_dt.example.com", "dynatrace-verification=0123456789abcdef")
	c := &dns.Client{Net: network, Timeout: 5 * time.Second}
	conn, err := c.Dial(s.Addr())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	q := query("_dt.example.com.", dns.TypeTXT)
	for b.Loop() {
		r, _, err := c.ExchangeWithConn(q, conn)
		if err != nil || len(r.Answer) != 1 {
			b.Fatalf("answer %v, %v", r, err)
		}
	}
}

func BenchmarkQueryUDP(b *testing.B) { benchQuery(b, "udp") }
func BenchmarkQueryTCP(b *testing.B) { benchQuery(b, "tcp") }

// BenchmarkQueryUDPParallel is many clients at once, each on its own socket.
func BenchmarkQueryUDPParallel(b *testing.B) {
	s := start(b)
	mustSet(b, s, "_dt.example.com", "dynatrace-verification=0123456789abcdef")
	b.RunParallel(func(pb *testing.PB) {
		c := &dns.Client{Net: "udp", Timeout: 5 * time.Second}
		conn, err := c.Dial(s.Addr())
		if err != nil {
			b.Error(err)
			return
		}
		defer conn.Close()
		q := query("_dt.example.com.", dns.TypeTXT)
		for pb.Next() {
			if r, _, err := c.ExchangeWithConn(q, conn); err != nil || len(r.Answer) != 1 {
				b.Errorf("answer %v, %v", r, err)
				return
			}
		}
	})
}

// FuzzTXTRoundTrip: any value that SetTXT takes comes back unchanged through
// DNS and the Resolver (escaping, splitting at 255 bytes, joining).
func FuzzTXTRoundTrip(f *testing.F) {
	for _, seed := range []string{"", "plain", `a"b\c`, "\\065", "\x00\xff", strings.Repeat("z", 256), strings.Repeat("\\", 600)} {
		f.Add(seed)
	}
	s := start(f)
	r := &dnsmock.Resolver{Addr: s.Addr(), Timeout: 5 * time.Second}
	f.Fuzz(func(t *testing.T, v string) {
		if err := s.SetTXT("fuzz.test", v); err != nil {
			if errors.Is(err, dnsmock.ErrRecordTooLarge) {
				return
			}
			t.Fatalf("SetTXT(%q): %v", v, err)
		}
		got, err := r.LookupTXT(context.Background(), "fuzz.test")
		if err != nil || !slices.Equal(got, []string{v}) {
			t.Fatalf("LookupTXT = %q, %v; want [%q]", got, err, v)
		}
	})
}

// FuzzSetTXTName: any name is refused with ErrInvalidName or stored under
// its lower-case fully qualified form, never a panic.
func FuzzSetTXTName(f *testing.F) {
	for _, seed := range []string{"example.com", "Example.COM.", "", ".", "a..b", "_dt.x-y.test", "b\xc3\xbccher.de", "a.b.c.d.e.f"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		s := dnsmock.New()
		err := s.SetTXT(name, "v")
		if err != nil {
			if !errors.Is(err, dnsmock.ErrInvalidName) {
				t.Fatalf("SetTXT(%q) = %v, want nil or ErrInvalidName", name, err)
			}
			return
		}
		key := strings.ToLower(strings.TrimSuffix(name, ".")) + "."
		if got := s.Records(); len(got) != 1 || !slices.Equal(got[key], []string{"v"}) {
			t.Fatalf("Records() after SetTXT(%q) = %q, want key %q", name, got, key)
		}
		if _, ok := dns.IsDomainName(key); !ok {
			t.Fatalf("accepted %q, which miekg/dns does not take as a domain name", name)
		}
		if !s.DeleteTXT(strings.ToUpper(name)) {
			t.Fatalf("DeleteTXT(%q) found nothing", strings.ToUpper(name))
		}
	})
}

// manyValues is n values of which distinct are different, each repeated in
// turn (v0, v1, ..., v{distinct-1}, v0, ...): the shape of a large PUT whose
// record set still fits in one DNS message once de-duplicated.
func manyValues(n, distinct int) []string {
	values := make([]string, n)
	for i := range values {
		values[i] = "v" + strconv.Itoa(i%distinct)
	}
	return values
}

// BenchmarkSetTXTManyValues is SetTXT with 10,000 values, 2,000 of them
// distinct: de-duplication must be linear in the number of values.
func BenchmarkSetTXTManyValues(b *testing.B) {
	s := dnsmock.New()
	values := manyValues(10000, 2000)
	for b.Loop() {
		if err := s.SetTXT("_dt.example.com", values...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSetTXTManyDistinctValues is SetTXT with 10,000 distinct values,
// an answer too large for a DNS message: the refusal must come in linear time.
func BenchmarkSetTXTManyDistinctValues(b *testing.B) {
	s := dnsmock.New()
	values := manyValues(10000, 10000)
	for b.Loop() {
		if err := s.SetTXT("_dt.example.com", values...); !errors.Is(err, dnsmock.ErrRecordTooLarge) {
			b.Fatalf("SetTXT = %v, want ErrRecordTooLarge", err)
		}
	}
}
