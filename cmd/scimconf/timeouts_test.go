package main

import (
	"strings"
	"testing"
	"time"

	"github.com/scimconf/scimconf/server/mock"
)

// TestTimeouts: serve's --read-timeout, --write-timeout and --idle-timeout
// (env SCIMCONF_*_TIMEOUT) reach the mock's options, 0 meaning none, and a
// negative duration is refused naming the flag.
func TestTimeouts(t *testing.T) {
	var opts mock.Options
	if err := timeouts(&opts, time.Second, 0, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	if opts.ReadTimeout != time.Second || opts.WriteTimeout >= 0 || opts.IdleTimeout != 3*time.Second {
		t.Fatalf("options %v %v %v, want 1s, none (negative), 3s", opts.ReadTimeout, opts.WriteTimeout, opts.IdleTimeout)
	}
	if err := timeouts(&opts, 0, -time.Second, 0); err == nil || !strings.Contains(err.Error(), "--write-timeout") {
		t.Fatalf("a negative write timeout: %v, want an error naming the flag", err)
	}
	fs := newFlagSet("serve", "", nil)
	d := fs.Duration("read-timeout", mock.DefaultReadTimeout, describe("x", "SCIMCONF_READ_TIMEOUT"))
	t.Setenv("SCIMCONF_READ_TIMEOUT", "45s")
	if err := parse(fs, nil); err != nil || *d != 45*time.Second {
		t.Fatalf("SCIMCONF_READ_TIMEOUT=45s: %v, %v", *d, err)
	}
}
