package dnsmock

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// ErrNoRecord is wrapped by [Resolver.LookupTXT] when the name does not exist
// (NXDOMAIN) or holds no TXT record (NODATA): the answer a domain
// verification retries on, as opposed to a network failure.
var ErrNoRecord = errors.New("no such TXT record")

// DefaultTimeout is the time a [Resolver] with no Timeout waits for each
// exchange.
const DefaultTimeout = 2 * time.Second

// Resolver asks one DNS server directly for TXT records, over UDP and again
// over TCP when the answer comes back truncated. Its LookupTXT has the shape
// of (*net.Resolver).LookupTXT, so the account registry takes either; point
// it at a [Server] to verify domains against the mock, or at any other server.
// It sets RD, so a recursive resolver works too. Safe for concurrent use.
type Resolver struct {
	Addr    string        // "host:port" of the server to ask
	Timeout time.Duration // for each exchange (UDP, then TCP if truncated); 0 means DefaultTimeout
}

// LookupTXT returns name's TXT records, each record's character-strings
// joined into one string, as (*net.Resolver).LookupTXT does. Every error is a
// *net.DNSError, as from *net.Resolver: when the server says the name or the
// record does not exist, IsNotFound is set and the error wraps
// [ErrNoRecord]; when the context ends, it wraps the context's error; for
// other failures (timeout, refused, SERVFAIL) IsNotFound is false. Use
// [IsNoRecord] to tell the cases apart for either resolver.
func (r *Resolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	fail := func(reason string, wrapped error) *net.DNSError {
		return &net.DNSError{Err: reason, Name: name, Server: r.Addr, UnwrapErr: wrapped}
	}
	if r.Addr == "" {
		return nil, fail("dnsmock: Resolver.Addr is empty; give the server's host:port", nil)
	}
	fqdn := dns.Fqdn(name)
	if _, ok := dns.IsDomainName(fqdn); !ok || name == "" {
		return nil, fail("not a valid domain name", nil)
	}
	q := new(dns.Msg)
	q.SetQuestion(fqdn, dns.TypeTXT)
	q.SetEdns0(ednsUDPSize, false)

	resp, err := r.exchange(ctx, "udp", q)
	if err == nil && resp.Truncated {
		resp, err = r.exchange(ctx, "tcp", q)
	}
	if err != nil {
		e := fail(err.Error(), nil)
		if ctxErr := ctx.Err(); ctxErr != nil {
			e.Err, e.UnwrapErr = ctxErr.Error(), ctxErr
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			e.IsTimeout, e.IsTemporary = true, true
		}
		return nil, e
	}
	switch resp.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		e := fail(ErrNoRecord.Error()+" (NXDOMAIN)", ErrNoRecord)
		e.IsNotFound = true
		return nil, e
	default:
		e := fail("server answered "+dns.RcodeToString[resp.Rcode], nil)
		e.IsTemporary = resp.Rcode == dns.RcodeServerFailure
		return nil, e
	}
	if len(resp.Question) != 1 || !strings.EqualFold(resp.Question[0].Name, fqdn) {
		return nil, fail("server answered another question", nil)
	}
	var out []string
	for _, rr := range resp.Answer {
		// CNAMEs a recursive resolver follows come with the TXT records of
		// their target; those are the name's records too.
		if t, ok := rr.(*dns.TXT); ok {
			var b strings.Builder
			for _, s := range t.Txt {
				b.WriteString(unescapeCharString(s))
			}
			out = append(out, b.String())
		}
	}
	if len(out) == 0 {
		e := fail(ErrNoRecord.Error()+" (NODATA)", ErrNoRecord)
		e.IsNotFound = true
		return nil, e
	}
	return out, nil
}

// exchange sends q over network and reads the answer. miekg/dns honours only
// a context's deadline, so a cancellation closes the connection to end the
// wait.
func (r *Resolver) exchange(ctx context.Context, network string, q *dns.Msg) (*dns.Msg, error) {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	c := &dns.Client{Net: network, Timeout: timeout}
	conn, err := c.DialContext(ctx, r.Addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	resp, _, err := c.ExchangeWithConnContext(ctx, q, conn)
	return resp, err
}

// IsNoRecord reports whether err, from [Resolver.LookupTXT] or
// (*net.Resolver).LookupTXT, says the TXT record does not exist, rather than
// that the lookup failed.
func IsNoRecord(err error) bool {
	if errors.Is(err, ErrNoRecord) {
		return true
	}
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}
