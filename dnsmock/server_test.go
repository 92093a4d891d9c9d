package dnsmock_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/scimconf/scimconf/dnsmock"
)

// start runs a server on a loopback ephemeral port until the test ends.
func start(tb testing.TB) *dnsmock.Server {
	tb.Helper()
	s := dnsmock.New()
	if err := s.Start(context.Background(), "127.0.0.1:0"); err != nil {
		tb.Fatalf("Start: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

func mustSet(tb testing.TB, s *dnsmock.Server, name string, values ...string) {
	tb.Helper()
	if err := s.SetTXT(name, values...); err != nil {
		tb.Fatalf("SetTXT(%q): %v", name, err)
	}
}

func query(name string, qtype uint16) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	return m
}

// exchange sends q over network ("udp" or "tcp") and returns the answer.
func exchange(tb testing.TB, network, addr string, q *dns.Msg) *dns.Msg {
	tb.Helper()
	c := &dns.Client{Net: network, Timeout: 5 * time.Second}
	r, _, err := c.Exchange(q, addr)
	if err != nil {
		tb.Fatalf("%s exchange with %s: %v", network, addr, err)
	}
	return r
}

// txtStrings returns the character-strings of each TXT RR of the answer.
func txtStrings(tb testing.TB, m *dns.Msg) [][]string {
	tb.Helper()
	var out [][]string
	for _, rr := range m.Answer {
		t, ok := rr.(*dns.TXT)
		if !ok {
			tb.Fatalf("answer holds %s, want only TXT", rr)
		}
		out = append(out, t.Txt)
	}
	return out
}

var networks = []string{"udp", "tcp"}

func TestAnswers(t *testing.T) {
	s := start(t)
	mustSet(t, s, "_dt-verify.Example.COM", "token-1", "token-2")
	mustSet(t, s, "other.test.", "x")

	both := [][]string{{"token-1"}, {"token-2"}}
	tests := []struct {
		name  string
		qname string
		qtype uint16
		rcode int
		want  [][]string
	}{
		{"TXT", "_dt-verify.example.com.", dns.TypeTXT, dns.RcodeSuccess, both},
		{"TXT any case", "_DT-Verify.EXAMPLE.com.", dns.TypeTXT, dns.RcodeSuccess, both},
		{"ANY", "_dt-verify.example.com.", dns.TypeANY, dns.RcodeSuccess, both},
		{"A is NODATA", "_dt-verify.example.com.", dns.TypeA, dns.RcodeSuccess, nil},
		{"AAAA is NODATA", "other.test.", dns.TypeAAAA, dns.RcodeSuccess, nil},
		{"empty non-terminal is NODATA", "example.com.", dns.TypeTXT, dns.RcodeSuccess, nil},
		{"TLD above records is NODATA", "com.", dns.TypeTXT, dns.RcodeSuccess, nil},
		{"unknown below a record", "x._dt-verify.example.com.", dns.TypeTXT, dns.RcodeNameError, nil},
		{"unknown sibling", "missing.example.com.", dns.TypeTXT, dns.RcodeNameError, nil},
		{"unknown", "nope.invalid.", dns.TypeTXT, dns.RcodeNameError, nil},
	}
	for _, network := range networks {
		for _, tt := range tests {
			t.Run(network+"/"+tt.name, func(t *testing.T) {
				q := query(tt.qname, tt.qtype)
				r := exchange(t, network, s.Addr(), q)
				if got, want := dns.RcodeToString[r.Rcode], dns.RcodeToString[tt.rcode]; got != want {
					t.Fatalf("rcode = %s, want %s", got, want)
				}
				if !r.Authoritative {
					t.Error("AA not set")
				}
				if r.Id != q.Id || len(r.Question) != 1 || r.Question[0] != q.Question[0] {
					t.Errorf("reply id %d question %v, want id %d question %v", r.Id, r.Question, q.Id, q.Question)
				}
				if got := txtStrings(t, r); !slices.EqualFunc(got, tt.want, slices.Equal) {
					t.Errorf("TXT = %q, want %q", got, tt.want)
				}
				for _, rr := range r.Answer {
					if h := rr.Header(); h.Ttl != dnsmock.TTL || h.Name != tt.qname {
						t.Errorf("RR header %v, want name %s TTL %d", h, tt.qname, dnsmock.TTL)
					}
				}
			})
		}
	}
}

func TestNamesAreCaseInsensitiveWithOrWithoutDot(t *testing.T) {
	s := dnsmock.New()
	mustSet(t, s, "Example.COM", "a")
	for _, name := range []string{"example.com", "example.com.", "EXAMPLE.COM.", "eXaMpLe.cOm"} {
		if got := s.TXT(name); !slices.Equal(got, []string{"a"}) {
			t.Errorf("TXT(%q) = %q, want [a]", name, got)
		}
	}
	mustSet(t, s, "example.com.", "b", "c", "b")
	if got, want := s.Records(), map[string][]string{"example.com.": {"b", "c"}}; !equalRecords(got, want) {
		t.Errorf("Records() = %q, want %q (one name, duplicates dropped)", got, want)
	}
	if !s.DeleteTXT("EXAMPLE.com.") {
		t.Error("DeleteTXT of an existing name = false")
	}
	if s.DeleteTXT("example.com") {
		t.Error("DeleteTXT of a deleted name = true")
	}
	if got := s.TXT("example.com"); got != nil {
		t.Errorf("TXT after delete = %q, want nil", got)
	}
}

func equalRecords(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !slices.Equal(v, w) {
			return false
		}
	}
	return true
}

func TestRecordsIsASnapshot(t *testing.T) {
	s := dnsmock.New()
	mustSet(t, s, "a.test", "1")
	snap := s.Records()
	snap["a.test."][0] = "changed"
	snap["b.test."] = []string{"2"}
	vals := s.TXT("a.test")
	vals[0] = "changed too"
	if got, want := s.Records(), map[string][]string{"a.test.": {"1"}}; !equalRecords(got, want) {
		t.Errorf("Records() = %q after changing copies, want %q", got, want)
	}
	s.Reset()
	if got := s.Records(); len(got) != 0 {
		t.Errorf("Records() after Reset = %q, want empty", got)
	}
}

func TestSetTXTRefused(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   error
		detail string
	}{
		{"", []string{"v"}, dnsmock.ErrInvalidName, "empty"},
		{".", []string{"v"}, dnsmock.ErrInvalidName, "root"},
		{"a..example.com", []string{"v"}, dnsmock.ErrInvalidName, "empty label at offset 2"},
		{".example.com", []string{"v"}, dnsmock.ErrInvalidName, "empty label at offset 0"},
		{"exa mple.com", []string{"v"}, dnsmock.ErrInvalidName, `offset 3 holds " "`},
		{"*.example.com", []string{"v"}, dnsmock.ErrInvalidName, `offset 0 holds "*"`},
		{"bücher.example", []string{"v"}, dnsmock.ErrInvalidName, "xn--"},
		{strings.Repeat("a", 64) + ".com", []string{"v"}, dnsmock.ErrInvalidName, "at most 63"},
		{strings.Repeat("abcdefghi.", 26), []string{"v"}, dnsmock.ErrInvalidName, "at most 253"},
		{"example.com", nil, dnsmock.ErrNoValues, "at least one value"},
		{"example.com", []string{strings.Repeat("x", 70000)}, dnsmock.ErrRecordTooLarge, "at most 65535"},
		{"example.com", slices.Repeat([]string{""}, 1), nil, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%.20q", tt.name), func(t *testing.T) {
			s := dnsmock.New()
			mustSet(t, s, "keep.test", "k")
			err := s.SetTXT(tt.name, tt.values...)
			if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Fatalf("SetTXT(%.30q, %d values) = %v, want %v", tt.name, len(tt.values), err, tt.want)
			}
			if err == nil {
				return
			}
			if !strings.Contains(err.Error(), tt.detail) {
				t.Errorf("error %q does not say %q", err, tt.detail)
			}
			if got := s.Records(); len(got) != 1 {
				t.Errorf("Records() after a refused SetTXT = %q, want only keep.test.", got)
			}
		})
	}
}

func TestLongAndBinaryValues(t *testing.T) {
	s := start(t)
	values := []string{
		strings.Repeat("a", 255),
		strings.Repeat("b", 256),
		strings.Repeat("0123456789", 100),
		`quote " and back\slash \065 \\`,
		"\x00\x01\x1f\x7f\x80\xff binary",
		"",
		"ünïcödé",
	}
	mustSet(t, s, "long.test", values...)

	r := exchange(t, "tcp", s.Addr(), query("long.test.", dns.TypeTXT))
	got := txtStrings(t, r)
	if len(got) != len(values) {
		t.Fatalf("%d TXT RRs, want %d", len(got), len(values))
	}
	for i, v := range values {
		if want := max(1, (len(v)+254)/255); len(got[i]) != want {
			t.Errorf("value %d (%d bytes) in %d character-strings, want %d", i, len(v), len(got[i]), want)
		}
	}
	res := &dnsmock.Resolver{Addr: s.Addr(), Timeout: 5 * time.Second}
	back, err := res.LookupTXT(context.Background(), "LONG.test")
	if err != nil {
		t.Fatalf("LookupTXT: %v", err)
	}
	if !slices.Equal(back, values) {
		t.Errorf("LookupTXT = %q, want %q", back, values)
	}
}

func TestUDPTruncatesAndResolverFallsBackToTCP(t *testing.T) {
	s := start(t)
	var values []string
	for i := range 10 {
		values = append(values, fmt.Sprintf("%02d-%s", i, strings.Repeat("v", 200)))
	}
	mustSet(t, s, "big.test", values...)

	plain := exchange(t, "udp", s.Addr(), query("big.test.", dns.TypeTXT))
	edns := query("big.test.", dns.TypeTXT)
	edns.SetEdns0(4096, false)
	withEDNS := exchange(t, "udp", s.Addr(), edns)
	for name, r := range map[string]*dns.Msg{"no EDNS": plain, "EDNS 4096": withEDNS} {
		if !r.Truncated || len(r.Answer) >= len(values) {
			t.Errorf("UDP %s: TC=%v with %d answers, want TC with fewer than %d", name, r.Truncated, len(r.Answer), len(values))
		}
	}
	if opt := withEDNS.IsEdns0(); opt == nil {
		t.Error("UDP answer to an EDNS query has no OPT")
	}
	if r := exchange(t, "tcp", s.Addr(), query("big.test.", dns.TypeTXT)); r.Truncated || len(r.Answer) != len(values) {
		t.Errorf("TCP: TC=%v with %d answers, want all %d", r.Truncated, len(r.Answer), len(values))
	}
	res := &dnsmock.Resolver{Addr: s.Addr(), Timeout: 5 * time.Second}
	got, err := res.LookupTXT(context.Background(), "big.test")
	if err != nil || !slices.Equal(got, values) {
		t.Errorf("LookupTXT = %d values, %v; want all %d", len(got), err, len(values))
	}
}

func TestRcodes(t *testing.T) {
	s := start(t)
	mustSet(t, s, "example.com", "v")
	notify := new(dns.Msg)
	notify.SetNotify("example.com.")
	update := new(dns.Msg)
	update.SetUpdate("example.com.")
	status := query("example.com.", dns.TypeTXT)
	status.Opcode = dns.OpcodeStatus
	noQuestion := query("example.com.", dns.TypeTXT)
	noQuestion.Question = nil
	twoQuestions := query("example.com.", dns.TypeTXT)
	twoQuestions.Question = append(twoQuestions.Question, dns.Question{Name: "other.test.", Qtype: dns.TypeTXT, Qclass: dns.ClassINET})
	chaos := query("version.bind.", dns.TypeTXT)
	chaos.Question[0].Qclass = dns.ClassCHAOS
	badVersion := query("example.com.", dns.TypeTXT)
	badVersion.SetEdns0(1232, false)
	badVersion.IsEdns0().SetVersion(1)
	anyClass := query("example.com.", dns.TypeTXT)
	anyClass.Question[0].Qclass = dns.ClassANY

	tests := []struct {
		name  string
		q     *dns.Msg
		rcode int
	}{
		{"no question", noQuestion, dns.RcodeFormatError},
		{"two questions", twoQuestions, dns.RcodeFormatError},
		{"NOTIFY", notify, dns.RcodeNotImplemented},
		{"UPDATE", update, dns.RcodeNotImplemented},
		{"STATUS", status, dns.RcodeNotImplemented},
		{"class CHAOS", chaos, dns.RcodeRefused},
		{"EDNS version 1", badVersion, dns.RcodeBadVers},
		{"class ANY", anyClass, dns.RcodeSuccess},
	}
	for _, network := range networks {
		for _, tt := range tests {
			t.Run(network+"/"+tt.name, func(t *testing.T) {
				r := exchange(t, network, s.Addr(), tt.q)
				if r.Rcode != tt.rcode {
					t.Errorf("rcode = %s, want %s", dns.RcodeToString[r.Rcode], dns.RcodeToString[tt.rcode])
				}
				if r.Id != tt.q.Id || !r.Response {
					t.Errorf("reply id %d QR %v, want id %d QR set", r.Id, r.Response, tt.q.Id)
				}
			})
		}
	}
}

// mustAnswer checks the server still answers on both transports.
func mustAnswer(t *testing.T, s *dnsmock.Server) {
	t.Helper()
	for _, network := range networks {
		r := exchange(t, network, s.Addr(), query("alive.test.", dns.TypeTXT))
		if got := txtStrings(t, r); r.Rcode != dns.RcodeSuccess || !slices.EqualFunc(got, [][]string{{"yes"}}, slices.Equal) {
			t.Errorf("%s after malformed input: rcode %s TXT %q, want NOERROR [[yes]]", network, dns.RcodeToString[r.Rcode], got)
		}
	}
}

func TestMalformedUDP(t *testing.T) {
	s := start(t)
	mustSet(t, s, "alive.test", "yes")
	valid, err := query("alive.test.", dns.TypeTXT).Pack()
	if err != nil {
		t.Fatal(err)
	}
	response := slices.Clone(valid)
	response[2] |= 0x80 // QR: a response, which must be ignored
	headerOnly := slices.Clone(valid[:12])
	pointerLoop := append(slices.Clone(valid[:12]), 0xC0, 0x0C, 0, 16, 0, 1) // name points at itself
	rnd := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 300)
	for i := range random {
		random[i] = byte(rnd.UintN(256))
	}
	huge := make([]byte, 8000)
	copy(huge, valid)

	conn, err := net.Dial("udp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, p := range [][]byte{{}, {0x12}, valid[:5], headerOnly, pointerLoop, random, response, huge, valid[:len(valid)-3]} {
		if _, err := conn.Write(p); err != nil {
			t.Fatalf("write %d bytes: %v", len(p), err)
		}
	}
	mustAnswer(t, s)
}

func TestMalformedTCP(t *testing.T) {
	s := start(t)
	mustSet(t, s, "alive.test", "yes")
	valid, err := query("alive.test.", dns.TypeTXT).Pack()
	if err != nil {
		t.Fatal(err)
	}
	frame := func(length int, body []byte) []byte {
		return append(binary.BigEndian.AppendUint16(nil, uint16(length)), body...)
	}
	headerOnly := valid[:12]
	// A query header (QR clear, one question) and then bytes that are no name.
	garbage := append([]byte{0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}, strings.Repeat("\xff", 28)...)
	tests := []struct {
		name    string
		send    []byte
		formerr bool // the header decodes, so the server answers FORMERR
	}{
		{"one byte", []byte{0}, false},
		{"zero length", frame(0, nil), false},
		{"short header", frame(5, valid[:5]), false},
		{"length beyond the data", frame(0xFFFF, valid), false},
		{"garbage after a query header", frame(len(garbage), garbage), true},
		{"header without its question", frame(len(headerOnly), headerOnly), true},
		{"cut question", frame(len(valid)-3, valid[:len(valid)-3]), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", s.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.Write(tt.send); err != nil {
				t.Fatal(err)
			}
			if !tt.formerr {
				return // and close mid-message
			}
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			var n uint16
			if err := binary.Read(conn, binary.BigEndian, &n); err != nil {
				t.Fatalf("reading the reply: %v", err)
			}
			buf := make([]byte, n)
			if _, err := io.ReadFull(conn, buf); err != nil {
				t.Fatalf("reading the reply: %v", err)
			}
			var r dns.Msg
			if err := r.Unpack(buf); err != nil || r.Rcode != dns.RcodeFormatError {
				t.Errorf("reply rcode %s (unpack: %v), want FORMERR", dns.RcodeToString[r.Rcode], err)
			}
		})
	}
	// A connection that sent half a message and stays open must not hold
	// the others up.
	idle, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	if _, err := idle.Write(frame(100, valid[:10])); err != nil {
		t.Fatal(err)
	}
	mustAnswer(t, s)
}

func TestConcurrentQueriesWhileRecordsChange(t *testing.T) {
	s := start(t)
	mustSet(t, s, "stable.test", "v1")
	res := &dnsmock.Resolver{Addr: s.Addr(), Timeout: 10 * time.Second}

	stop := make(chan struct{})
	var writer sync.WaitGroup
	writer.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			err := s.SetTXT("stable.test", []string{"v1", "v2"}[i%2])
			if i%2 == 0 {
				err = errors.Join(err, s.SetTXT("flap.test", "here"))
			} else {
				s.DeleteTXT("flap.test")
			}
			if err = errors.Join(err, s.SetTXT(fmt.Sprintf("n%d.churn.test", i%100), "c")); err != nil {
				t.Errorf("SetTXT while serving: %v", err)
				return
			}
			_ = s.Records()
		}
	})

	var readers sync.WaitGroup
	for g := range 50 {
		readers.Go(func() {
			for i := range 20 {
				ctx := context.Background()
				if (g+i)%4 == 0 {
					c := &dns.Client{Net: "tcp", Timeout: 10 * time.Second}
					r, _, err := c.Exchange(query("stable.test.", dns.TypeTXT), s.Addr())
					if err != nil {
						t.Errorf("TCP stable.test: %v", err)
						continue
					}
					if got := fmt.Sprint(r.Answer); len(r.Answer) != 1 || !strings.HasSuffix(got, `"v1"]`) && !strings.HasSuffix(got, `"v2"]`) {
						t.Errorf("TCP stable.test = %v, want one TXT v1 or v2", r.Answer)
					}
					continue
				}
				got, err := res.LookupTXT(ctx, "stable.test")
				if err != nil || len(got) != 1 || (got[0] != "v1" && got[0] != "v2") {
					t.Errorf("stable.test = %q, %v; want [v1] or [v2]", got, err)
				}
				got, err = res.LookupTXT(ctx, "flap.test")
				if err != nil && !dnsmock.IsNoRecord(err) || err == nil && !slices.Equal(got, []string{"here"}) {
					t.Errorf("flap.test = %q, %v; want [here] or no record", got, err)
				}
			}
		})
	}
	readers.Wait()
	close(stop)
	writer.Wait()
}

func TestStartAndClose(t *testing.T) {
	s := dnsmock.New()
	if got := s.Addr(); got != "" {
		t.Errorf("Addr before Start = %q, want empty", got)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close before Start = %v, want nil", err)
	}
	mustSet(t, s, "kept.test", "v")
	if err := s.Start(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	addr := s.Addr()
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "127.0.0.1" || port == "0" {
		t.Errorf("Addr = %q, want 127.0.0.1 and a bound port", addr)
	}
	for _, network := range networks {
		if r := exchange(t, network, addr, query("kept.test.", dns.TypeTXT)); len(r.Answer) != 1 {
			t.Errorf("%s on %s: %d answers, want 1", network, addr, len(r.Answer))
		}
	}
	if err := s.Start(context.Background(), "127.0.0.1:0"); !errors.Is(err, dnsmock.ErrStarted) {
		t.Errorf("second Start = %v, want ErrStarted", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if got := s.Addr(); got != "" {
		t.Errorf("Addr after Close = %q, want empty", got)
	}
	if conn, err := net.Dial("tcp", addr); err == nil {
		conn.Close()
		t.Errorf("TCP %s still accepts after Close", addr)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	// Started again, it keeps its records.
	if err := s.Start(context.Background(), "127.0.0.1:0"); err != nil {
		t.Fatalf("Start after Close: %v", err)
	}
	defer s.Close()
	if r := exchange(t, "udp", s.Addr(), query("kept.test.", dns.TypeTXT)); len(r.Answer) != 1 {
		t.Errorf("after restart: %d answers, want 1", len(r.Answer))
	}
}

func TestStartRefusesTakenOrBadAddress(t *testing.T) {
	udpTaken, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udpTaken.Close()
	tcpTaken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tcpTaken.Close()

	tests := []struct {
		addr string
		want string
	}{
		{udpTaken.LocalAddr().String(), "listen udp"},
		{tcpTaken.Addr().String(), "listen tcp"},
		{"no-port", "listen address"},
	}
	for _, tt := range tests {
		s := dnsmock.New()
		err := s.Start(context.Background(), tt.addr)
		if err == nil {
			s.Close()
			t.Errorf("Start(%q) = nil, want an error", tt.addr)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Start(%q) = %v, want it to say %q", tt.addr, err, tt.want)
		}
		if s.Addr() != "" {
			t.Errorf("Addr after a failed Start = %q, want empty", s.Addr())
		}
	}
}
