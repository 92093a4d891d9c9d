package dnsmock_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/scimconf/scimconf/dnsmock"
)

// addrHandler passes on the "addr" of the first log record that has one.
type addrHandler struct {
	slog.Handler
	addr chan string
}

func (addrHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h addrHandler) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "addr" {
			select {
			case h.addr <- a.Value.String():
			default:
			}
			return false
		}
		return true
	})
	return nil
}

func TestRun(t *testing.T) {
	h := addrHandler{Handler: slog.DiscardHandler, addr: make(chan string, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- dnsmock.Run(ctx, "127.0.0.1:0", map[string][]string{"_dt.example.com": {"token"}}, slog.New(h))
	}()
	var addr string
	select {
	case addr = <-h.addr:
	case err := <-done:
		t.Fatalf("Run returned %v before serving", err)
	}
	r := &dnsmock.Resolver{Addr: addr, Timeout: 5 * time.Second}
	if got, err := r.LookupTXT(context.Background(), "_dt.example.com"); err != nil || !slices.Equal(got, []string{"token"}) {
		t.Errorf("LookupTXT from Run's server = %q, %v; want [token]", got, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after cancel = %v, want nil", err)
	}
}

func TestRunRefusesBadRecords(t *testing.T) {
	err := dnsmock.Run(context.Background(), "127.0.0.1:0", map[string][]string{"ok.test": {"v"}, "bad..test": {"v"}}, nil)
	if !errors.Is(err, dnsmock.ErrInvalidName) {
		t.Errorf("Run with a bad name = %v, want ErrInvalidName", err)
	}
}
