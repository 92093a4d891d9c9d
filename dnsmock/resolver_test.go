package dnsmock_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/scimconf/scimconf/dnsmock"
)

// Both resolvers fit the shape the account registry takes.
var (
	_ interface {
		LookupTXT(context.Context, string) ([]string, error)
	} = (*dnsmock.Resolver)(nil)
	_ interface {
		LookupTXT(context.Context, string) ([]string, error)
	} = net.DefaultResolver
)

// serveRcode runs a DNS server that answers every query with rcode.
func serveRcode(t *testing.T, rcode int) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, NotifyStartedFunc: func() { close(started) },
		Handler: dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
			m := new(dns.Msg)
			m.SetRcode(r, rcode)
			w.WriteMsg(m)
		})}
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

// silent returns the address of a UDP socket that never answers.
func silent(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc.LocalAddr().String()
}

func TestResolver(t *testing.T) {
	s := start(t)
	mustSet(t, s, "_dt.example.com", "one", "two")

	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name      string
		addr      string
		ctx       context.Context
		lookup    string
		want      []string
		noRecord  bool   // IsNoRecord and errors.Is ErrNoRecord
		timeout   bool   // DNSError.IsTimeout
		wrapsCtx  error  // errors.Is(err, wrapsCtx)
		errSaying string // the error message holds this
	}{
		{name: "found", addr: s.Addr(), lookup: "_dt.example.com", want: []string{"one", "two"}},
		{name: "found, any case and dot", addr: s.Addr(), lookup: "_DT.Example.Com.", want: []string{"one", "two"}},
		{name: "NXDOMAIN", addr: s.Addr(), lookup: "nope.example.com", noRecord: true, errSaying: "NXDOMAIN"},
		{name: "NODATA", addr: s.Addr(), lookup: "example.com", noRecord: true, errSaying: "NODATA"},
		{name: "SERVFAIL", addr: serveRcode(t, dns.RcodeServerFailure), lookup: "x.test", errSaying: "SERVFAIL"},
		{name: "REFUSED", addr: serveRcode(t, dns.RcodeRefused), lookup: "x.test", errSaying: "REFUSED"},
		{name: "no answer", addr: silent(t), lookup: "x.test", timeout: true, errSaying: "timeout"},
		{name: "canceled", addr: silent(t), ctx: canceled, lookup: "x.test", wrapsCtx: context.Canceled},
		{name: "no address", addr: "", lookup: "x.test", errSaying: "Addr is empty"},
		{name: "bad name", addr: s.Addr(), lookup: "", errSaying: "not a valid domain name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			r := &dnsmock.Resolver{Addr: tt.addr, Timeout: 200 * time.Millisecond}
			got, err := r.LookupTXT(ctx, tt.lookup)
			if tt.want != nil {
				if err != nil || !slices.Equal(got, tt.want) {
					t.Fatalf("LookupTXT = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("LookupTXT = %q, nil; want an error", got)
			}
			var de *net.DNSError
			if !errors.As(err, &de) {
				t.Fatalf("error %T %v is not a *net.DNSError", err, err)
			}
			if gotNR := dnsmock.IsNoRecord(err); gotNR != tt.noRecord || errors.Is(err, dnsmock.ErrNoRecord) != tt.noRecord || de.IsNotFound != tt.noRecord {
				t.Errorf("error %v: IsNoRecord %v, IsNotFound %v; want %v", err, gotNR, de.IsNotFound, tt.noRecord)
			}
			if de.IsTimeout != tt.timeout {
				t.Errorf("error %v: IsTimeout %v, want %v", err, de.IsTimeout, tt.timeout)
			}
			if tt.wrapsCtx != nil && !errors.Is(err, tt.wrapsCtx) {
				t.Errorf("error %v does not wrap %v", err, tt.wrapsCtx)
			}
			if !strings.Contains(err.Error(), tt.errSaying) {
				t.Errorf("error %q does not say %q", err, tt.errSaying)
			}
		})
	}
}

func TestResolverStopsWhenContextIsCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := &dnsmock.Resolver{Addr: silent(t), Timeout: time.Hour}
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err := r.LookupTXT(ctx, "x.test")
	if !errors.Is(err, context.Canceled) || dnsmock.IsNoRecord(err) {
		t.Errorf("LookupTXT after cancel = %v, want a context.Canceled that is not ErrNoRecord", err)
	}
}

func TestIsNoRecord(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("boom"), false},
		{dnsmock.ErrNoRecord, true},
		{&net.DNSError{Err: "no such host", IsNotFound: true}, true},
		{&net.DNSError{Err: "i/o timeout", IsTimeout: true}, false},
	}
	for _, tt := range tests {
		if got := dnsmock.IsNoRecord(tt.err); got != tt.want {
			t.Errorf("IsNoRecord(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
