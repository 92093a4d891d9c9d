package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/mock"
)

// TestJournalMaxBytes: serve's --journal-max-bytes (env
// SCIMCONF_JOURNAL_MAX_BYTES) reaches the mock's journal, and a budget
// below one byte is refused.
func TestJournalMaxBytes(t *testing.T) {
	var opts mock.Options
	if err := journalMaxBytes(&opts, 1<<20); err != nil || opts.JournalMaxBytes != 1<<20 {
		t.Fatalf("journalMaxBytes: %v, options %+v", err, opts)
	}
	if err := journalMaxBytes(&mock.Options{}, 0); err == nil || !strings.Contains(err.Error(), "--journal-max-bytes") {
		t.Fatalf("journalMaxBytes(0) = %v, want an error naming the flag", err)
	}
	inst, err := mock.Start(t.Context(), mock.Options{JournalMaxBytes: 12345})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	if got := inst.Journal.MaxBytes(); got != 12345 {
		t.Fatalf("the journal's budget is %d, want 12345", got)
	}
	def, err := mock.Start(t.Context(), mock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer def.Close()
	if got := def.Journal.MaxBytes(); got != mock.DefaultJournalMaxBytes {
		t.Fatalf("the default journal's budget is %d, want %d", got, mock.DefaultJournalMaxBytes)
	}

	for _, tc := range []struct {
		env  string
		args []string
		want string
	}{
		{"abc", nil, "SCIMCONF_JOURNAL_MAX_BYTES"},
		{"", []string{"--journal-max-bytes", "0"}, "--journal-max-bytes 0"},
	} {
		t.Setenv("SCIMCONF_JOURNAL_MAX_BYTES", tc.env)
		var stdout, stderr bytes.Buffer
		ctx, cancel := context.WithCancel(t.Context())
		cancel() // serve must not start
		if code := run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, tc.args...), &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("env %q args %q: exit %d, stderr %q, want exit 1 naming %s", tc.env, tc.args, code, stderr.String(), tc.want)
		}
	}
}
