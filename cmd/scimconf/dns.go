package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/scimconf/scimconf/dnsmock"
)

// systemResolver verifies domains through the machine's resolver.
type systemResolver struct{}

func (systemResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	return net.DefaultResolver.LookupTXT(ctx, name)
}

// txtFlags collects repeated --txt name=value flags.
type txtFlags map[string][]string

func (t txtFlags) String() string { return "" }

func (t txtFlags) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return fmt.Errorf("want name=value, got %q", s)
	}
	t[name] = append(t[name], value)
	return nil
}

func runDNS(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("dns", `Runs the DNS mock alone: it answers TXT queries over UDP and TCP for the records given
with --txt (NXDOMAIN for any other name) until stopped with Ctrl-C. Records can also be
managed through a running "scimconf serve" at /mock/v1/dns/txt/{name}.`, stderr)
	addr := fs.String("addr", "127.0.0.1:5300", describe("address to listen on (UDP and TCP); port 0 picks a free port", "SCIMCONF_DNS_ADDR"))
	records := txtFlags{}
	fs.Var(records, "txt", "a TXT record as name=value; repeat for more values or names")
	if err := parse(fs, args); err != nil {
		return err
	}
	return dnsmock.Run(ctx, *addr, records, slog.New(slog.NewTextHandler(stderr, nil)))
}
