package mock

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestOddBodiesUnderEverySwitch: a violation switch breaks one rule on
// purpose, and a variant switch makes one permitted choice, never break
// the server. Under each switch and each variant, JSON bodies that are not
// objects, or objects with null where a list belongs, sent to every
// endpoint that takes a body, get an answer: a handler that panics drops
// the connection instead (net/http recovers it), which is what this test
// catches. (accept-any-schemas once did, on a body of null.)
func TestOddBodiesUnderEverySwitch(t *testing.T) {
	bodies := []string{`null`, `[]`, `"x"`, `1`, `{}`, `{"schemas":null}`, `{"schemas":[null]}`,
		`{"Operations":null}`, `{"Operations":[null]}`, `{"members":null}`, `{"emails":[null]}`}
	var runs []Options
	for _, sw := range SwitchNames() {
		runs = append(runs, Options{Violations: []string{sw}})
	}
	for _, v := range VariantNames() {
		runs = append(runs, Options{Variants: []string{v}})
	}
	for _, opts := range runs {
		t.Run(strings.Join(append(opts.Violations, opts.Variants...), ","), func(t *testing.T) {
			inst, err := Start(context.Background(), opts)
			if err != nil {
				t.Fatalf("start: %v", err)
			}
			defer inst.Close()
			send := func(method, path, body string) (int, error) {
				req, err := http.NewRequest(method, inst.SCIMBaseURL+path, strings.NewReader(body))
				if err != nil {
					return 0, err
				}
				req.Header.Set("Authorization", "Bearer "+inst.SCIMToken)
				req.Header.Set("Content-Type", "application/scim+json")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					return 0, err
				}
				defer res.Body.Close()
				_, err = io.Copy(io.Discard, res.Body)
				return res.StatusCode, err
			}
			for _, b := range bodies {
				for _, target := range [][2]string{
					{"POST", "/Users"}, {"POST", "/Groups"}, {"PUT", "/Users/x"}, {"PUT", "/Groups/x"},
					{"PATCH", "/Users/x"}, {"PATCH", "/Groups/x"}, {"POST", "/Bulk"},
					{"POST", "/.search"}, {"POST", "/Users/.search"},
				} {
					if _, err := send(target[0], target[1], b); err != nil {
						t.Errorf("%s %s with body %s: no answer (%v): a handler panicked", target[0], target[1], b, err)
					}
				}
			}
		})
	}
}
