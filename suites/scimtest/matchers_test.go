package scimtest_test

import (
	"strings"
	"testing"

	"github.com/scimconf/scimconf/catalogue"
	"github.com/scimconf/scimconf/suites/scimtest"
)

// TestRuleHeaderQuotes: a failure names each rule with the first sentence
// it quotes (issue 13: the quotes in each failure message), on the rule's
// own line, cut short.
func TestRuleHeaderQuotes(t *testing.T) {
	h := scimtest.RuleHeader([]string{"RFC-CREATE", "read-only", "RFC-ETAG"})
	lines := strings.Split(strings.TrimSuffix(h, "\n\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one line per rule, got %q", h)
	}
	for i, id := range []string{"RFC-CREATE", "RFC-ETAG"} {
		r, _ := catalogue.ByID(id)
		q := r.Quotes[0]
		if !strings.HasPrefix(lines[i], "rule "+id+" (") {
			t.Errorf("line %d = %q, want the rule header of %s", i, lines[i], id)
		}
		if !strings.Contains(lines[i], q.Source+": \"") {
			t.Errorf("line %d = %q lacks the quote's source %q", i, lines[i], q.Source)
		}
		head := []rune(q.Text)[:40]
		if !strings.Contains(lines[i], string(head)) {
			t.Errorf("line %d = %q lacks the quote %q", i, lines[i], q.Text)
		}
	}
	// RFC-ETAG's first quote is long: shown cut short.
	if !strings.Contains(lines[1], "…\"") || len([]rune(lines[1])) > 400 {
		t.Errorf("a long quote is not cut short: %q", lines[1])
	}
}
