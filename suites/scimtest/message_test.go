package scimtest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/onsi/gomega"

	"github.com/scimconf/scimconf/suites/scimtest"
)

// TestPlainMessage: Gomega's own wording (types, struct and map dumps)
// never reaches a failure message; what was expected, what came back
// and the spec's words (with the exchange) do (issue 13 item 4).
func TestPlainMessage(t *testing.T) {
	const exchange = "> GET http://x/Users/1\n< 200 OK\n< {\"id\":\"1\"}"
	for _, c := range []struct {
		name   string
		assert func(g gomega.Gomega)
		want   []string
	}{
		{"status", func(g gomega.Gomega) { g.Expect(400).To(gomega.Equal(201), "POST /Users creates:\n%s", exchange) },
			[]string{"POST /Users creates:\nexpected it to equal 201; got 400\n\n" + exchange}},
		{"bool with words", func(g gomega.Gomega) {
			g.Expect(false).To(gomega.BeTrue(), "schemas lists the User schema:\n%s", exchange)
		},
			[]string{"schemas lists the User schema:\n\n" + exchange}},
		{"empty", func(g gomega.Gomega) { g.Expect("").NotTo(gomega.BeEmpty(), "the created resource has an id") },
			[]string{"the created resource has an id\nexpected it not to be empty; got \"\""}},
		{"map", func(g gomega.Gomega) {
			g.Expect(map[string]any{"id": "1", "displayName": "x"}).NotTo(gomega.HaveKey("displayName"), "displayName is cleared")
		}, []string{"expected it not to have key displayName; got a JSON object with displayName, id"}},
		{"list", func(g gomega.Gomega) { g.Expect([]string{"a", "b"}).To(gomega.ConsistOf("a"), "members") },
			[]string{`expected it to consist of ["a"]; got ["a", "b"] (the extra elements were ["b"])`}},
		{"error", func(g gomega.Gomega) {
			g.Expect(errors.New("parsing time \"x\"")).NotTo(gomega.HaveOccurred(), "a dateTime")
		},
			[]string{"a dateTime\nunexpected error: parsing time \"x\""}},
		{"nil", func(g gomega.Gomega) { g.Expect(nil).To(gomega.Equal(true), "active") },
			[]string{"active\nexpected it to equal true; got nothing (null or absent)"}},
		{"long strings whole", func(g gomega.Gomega) {
			g.Expect("a long string that differs somewhere in the middle of it all, really").To(gomega.Equal("a long string that differs somewhere in the muddle of it all, really"))
		}, []string{"expected it to equal a long string that differs somewhere in the muddle of it all, really; got a long string that differs somewhere in the middle of it all, really"}},
	} {
		var msg string
		g := gomega.NewGomega(func(m string, _ ...int) { msg = m })
		c.assert(g)
		got := scimtest.PlainMessage(msg)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: PlainMessage(%q) =\n%s\nwant it to hold\n%s", c.name, msg, got, w)
			}
		}
		for _, internal := range []string{"<int>", "<string>", "<bool>", "<map[", "Expected\n", "{s:", "| 0x"} {
			if strings.Contains(got, internal) {
				t.Errorf("%s: %q leaks %q", c.name, got, internal)
			}
		}
	}
	if own := "expected HTTP status 201, got 400\n\n" + exchange; scimtest.PlainMessage(own) != own {
		t.Errorf("a message of our own matchers is changed: %q", scimtest.PlainMessage(own))
	}
}
