package faults_test

import (
	"testing"

	"github.com/scimconf/scimconf/server/internal/double/faults"
)

// FuzzParseHeader: any header value parses to a valid action or an error,
// never a panic.
func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{"status=429; retry-after=2", "reset", "truncate, latency=10ms", "latency=1e308", "status=-1", "detail==;=", ";;,,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		a, err := faults.ParseHeader(v)
		if err != nil {
			return
		}
		r := faults.Rule{Action: a}
		if err := r.Validate(); err != nil {
			t.Fatalf("ParseHeader(%q) = %+v, which does not validate: %v", v, a, err)
		}
	})
}

// FuzzParse: any faults file is rules or an error.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"faults":[{"match":{"nth":3},"action":{"status":429,"retryAfter":2}}]}`, `[{"action":{"latency":"1s"}}]`, `[{"action":{"latency":1e300}}]`, `{`, `null`, `[null]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rules, err := faults.Parse(data)
		if err != nil {
			return
		}
		for _, r := range rules {
			if err := r.Validate(); err != nil {
				t.Fatalf("Parse returned an invalid rule %+v: %v", r, err)
			}
		}
	})
}
