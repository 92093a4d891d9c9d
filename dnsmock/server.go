package dnsmock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// ErrStarted is returned by [Server.Start] on a server that is already running.
var ErrStarted = errors.New("dnsmock: server already started")

// ednsUDPSize is the UDP payload the server offers and honours at most: the
// DNS flag day 2020 value, which avoids IP fragmentation.
const ednsUDPSize = 1232

// Server is a DNS server that answers TXT queries from its record table (see
// the package doc for every answer it gives). The zero value is not usable;
// call [New]. Its methods are safe for concurrent use.
type Server struct {
	// Log, when set before Start, gets one debug line per query and per
	// message that could not be decoded.
	Log *slog.Logger

	mu   sync.RWMutex
	sets map[string]*recordSet // canonical name -> records
	ents map[string]int        // canonical ancestors of those names -> how many names lie below

	run      sync.Mutex // serialises Start and Close
	addr     string
	udp, tcp *dns.Server
	udpDone  chan error
	tcpDone  chan error
}

// New returns a server with no records, not yet listening.
func New() *Server {
	return &Server{
		sets: make(map[string]*recordSet),
		ents: make(map[string]int),
	}
}

// Start listens on addr ("host:port") over UDP and TCP on the same port and
// returns once both are serving. With port 0 the system picks a UDP port and
// TCP takes the same one, retrying with another port a few times if TCP finds
// it taken. An empty addr means "127.0.0.1:0". ctx bounds only the start-up;
// call [Server.Close] to stop. A closed server can be started again, keeping
// its records.
func (s *Server) Start(ctx context.Context, addr string) error {
	s.run.Lock()
	defer s.run.Unlock()
	if s.udp != nil {
		return fmt.Errorf("%w on %s", ErrStarted, s.addr)
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	pc, ln, err := listenSamePort(ctx, addr)
	if err != nil {
		return err
	}
	udp, tcp := s.dnsServer(), s.dnsServer()
	udp.PacketConn = pc
	// Queries carrying EDNS options can exceed 512 bytes; a smaller read
	// buffer would cut them and answer FORMERR.
	udp.UDPSize = dns.DefaultMsgSize
	tcp.Listener = ln
	// miekg/dns closes a TCP connection after 128 queries by default; a
	// client that keeps one open (a benchmark, a forwarding resolver) would
	// see EOF for no reason it could act on. The idle timeout still applies.
	tcp.MaxTCPQueries = -1

	udpDone, err := activate(udp)
	if err != nil {
		pc.Close()
		ln.Close()
		return fmt.Errorf("dnsmock: serve udp %s: %w", pc.LocalAddr(), err)
	}
	tcpDone, err := activate(tcp)
	if err != nil {
		ln.Close()
		udp.Shutdown()
		<-udpDone
		return fmt.Errorf("dnsmock: serve tcp %s: %w", ln.Addr(), err)
	}
	s.addr = pc.LocalAddr().String()
	s.udp, s.tcp, s.udpDone, s.tcpDone = udp, tcp, udpDone, tcpDone
	return nil
}

// Addr returns the "host:port" the server listens on (the same for UDP and
// TCP), or "" when it is not running.
func (s *Server) Addr() string {
	s.run.Lock()
	defer s.run.Unlock()
	if s.udp == nil {
		return ""
	}
	return s.addr
}

// Close stops both listeners and waits until every query in flight has been
// answered. It returns any error a listener failed with while serving. Closing
// a server that is not running does nothing.
func (s *Server) Close() error {
	s.run.Lock()
	defer s.run.Unlock()
	if s.udp == nil {
		return nil
	}
	var errs []error
	for _, l := range []struct {
		srv  *dns.Server
		done chan error
		net  string
	}{{s.udp, s.udpDone, "udp"}, {s.tcp, s.tcpDone, "tcp"}} {
		// Shutdown waits for the handlers; the serving goroutine then returns.
		if err := l.srv.Shutdown(); err != nil {
			errs = append(errs, fmt.Errorf("dnsmock: shut down %s %s: %w", l.net, s.addr, err))
		}
		if err := <-l.done; err != nil {
			errs = append(errs, fmt.Errorf("dnsmock: serve %s %s: %w", l.net, s.addr, err))
		}
	}
	s.udp, s.tcp, s.udpDone, s.tcpDone, s.addr = nil, nil, nil, nil, ""
	return errors.Join(errs...)
}

func (s *Server) dnsServer() *dns.Server {
	srv := &dns.Server{Handler: s, MsgAcceptFunc: acceptQuery}
	if log := s.Log; log != nil {
		srv.MsgInvalidFunc = func(m []byte, err error) {
			log.Debug("dns message not decoded", "bytes", len(m), "err", err)
		}
	}
	return srv
}

// activate runs srv on the listener it holds and returns once it serves, or
// with the error it stopped with before that. The returned channel gets what
// ActivateAndServe returns.
func activate(srv *dns.Server) (chan error, error) {
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	done := make(chan error, 1)
	go func() { done <- srv.ActivateAndServe() }()
	select {
	case <-started:
		return done, nil
	case err := <-done:
		if err == nil {
			err = errors.New("stopped before serving")
		}
		return nil, err
	}
}

// listenSamePort opens UDP on addr, then TCP on the address UDP got.
func listenSamePort(ctx context.Context, addr string) (net.PacketConn, net.Listener, error) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("dnsmock: listen address %q: %w", addr, err)
	}
	attempts := 1
	if port == "" || port == "0" {
		// Another process may own the TCP side of the UDP port we were
		// given; another ephemeral port is as good.
		attempts = 8
	}
	var lc net.ListenConfig
	var lastErr error
	for range attempts {
		pc, err := lc.ListenPacket(ctx, "udp", addr)
		if err != nil {
			return nil, nil, fmt.Errorf("dnsmock: listen udp %s: %w", addr, err)
		}
		ln, err := lc.Listen(ctx, "tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln, nil
		}
		pc.Close()
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, nil, fmt.Errorf("dnsmock: listen tcp on the udp port of %s: %w", addr, lastErr)
}

// qrBit is the QR flag in dns.Header.Bits (miekg/dns does not export it).
const qrBit = 1 << 15

// acceptQuery replaces dns.DefaultMsgAcceptFunc, which lets NOTIFY through;
// this server implements QUERY only. The other limits are the default's.
func acceptQuery(h dns.Header) dns.MsgAcceptAction {
	switch opcode := int(h.Bits>>11) & 0xF; {
	case h.Bits&qrBit != 0:
		return dns.MsgIgnore // never answer a response: no loops, no reflection
	case opcode != dns.OpcodeQuery:
		return dns.MsgRejectNotImplemented
	case h.Qdcount != 1, h.Ancount > 1, h.Nscount > 1, h.Arcount > 2:
		return dns.MsgReject
	}
	return dns.MsgAccept
}

// ServeDNS answers one query; it makes *Server a dns.Handler, so the server
// can also be mounted in another miekg/dns server.
func (s *Server) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	m := s.answer(req, w.LocalAddr().Network() == "tcp")
	// The client is gone if this fails; there is no one left to tell.
	_ = w.WriteMsg(m)
	if log := s.Log; log != nil {
		args := []any{"transport", w.LocalAddr().Network(), "client", w.RemoteAddr().String(),
			"rcode", dns.RcodeToString[m.Rcode], "answers", len(m.Answer), "truncated", m.Truncated}
		if len(req.Question) > 0 {
			q := req.Question[0]
			args = append(args, "name", q.Name, "type", dns.Type(q.Qtype).String())
		}
		log.Debug("dns query", args...)
	}
}

func (s *Server) answer(req *dns.Msg, tcp bool) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(req)
	switch {
	case req.Opcode != dns.OpcodeQuery:
		m.Rcode = dns.RcodeNotImplemented
		return m
	case len(req.Question) != 1:
		m.Rcode = dns.RcodeFormatError
		return m
	}
	size := dns.MinMsgSize
	if opt := req.IsEdns0(); opt != nil {
		m.SetEdns0(ednsUDPSize, false)
		if opt.Version() != 0 {
			m.Rcode = dns.RcodeBadVers
			return m
		}
		size = max(size, min(int(opt.UDPSize()), ednsUDPSize))
	}
	if tcp {
		size = dns.MaxMsgSize
	}
	q := req.Question[0]
	if q.Qclass != dns.ClassINET && q.Qclass != dns.ClassANY {
		m.Rcode = dns.RcodeRefused
		return m
	}
	m.Authoritative = true
	key := strings.ToLower(q.Name)
	s.mu.RLock()
	rs, ent := s.sets[key], s.ents[key] > 0
	s.mu.RUnlock()
	switch {
	case rs == nil && !ent:
		m.Rcode = dns.RcodeNameError
	case rs != nil && (q.Qtype == dns.TypeTXT || q.Qtype == dns.TypeANY):
		m.Answer = make([]dns.RR, len(rs.txt))
		for i, txt := range rs.txt {
			// The owner name is the question's, byte for byte, so it
			// compresses to a pointer and keeps the query's 0x20 casing.
			m.Answer[i] = &dns.TXT{
				Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: TTL},
				Txt: txt,
			}
		}
	}
	m.Compress = true
	m.Truncate(size)
	return m
}
