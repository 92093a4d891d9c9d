package mgmt_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/dynatrace/mgmt"
	"github.com/scimconf/scimconf/server/internal/violation"
	"github.com/scimconf/scimconf/server/mock"
)

func TestViolationsAPI(t *testing.T) {
	inst, c := start(t)
	ctx := t.Context()
	name := "scim-groups-shown-local"

	list := must(c.Violations(ctx))(t)
	if len(list) != len(violation.Known()) {
		t.Fatalf("GET /violations lists %d switches, want %d", len(list), len(violation.Known()))
	}
	for _, v := range list {
		if v.On || v.Description == "" {
			t.Errorf("switch %+v: want off with a description", v)
		}
	}

	tests := []struct {
		desc string
		do   func() (mgmt.Violation, error)
		want bool
	}{
		{"enable", func() (mgmt.Violation, error) { return c.EnableViolation(ctx, name) }, true},
		{"enable again", func() (mgmt.Violation, error) { return c.EnableViolation(ctx, name) }, true},
		{"disable", func() (mgmt.Violation, error) { return c.DisableViolation(ctx, name) }, false},
		{"disable again", func() (mgmt.Violation, error) { return c.DisableViolation(ctx, name) }, false},
	}
	for _, tc := range tests {
		got := must(tc.do())(t)
		if got.Name != name || got.On != tc.want {
			t.Errorf("%s: got %+v, want %s on=%v", tc.desc, got, name, tc.want)
		}
		if sw, _ := violation.Lookup(name); inst.Violations.On(sw) != tc.want {
			t.Errorf("%s: the mock's set has %s on=%v", tc.desc, name, inst.Violations.On(sw))
		}
	}

	_, err := c.EnableViolation(ctx, "no-such-switch")
	wantAPIError(t, err, http.StatusNotFound, "unknown_violation", "")
	if !strings.Contains(err.Error(), name) {
		t.Errorf("the refusal does not list the known switches: %v", err)
	}
	_, err = c.DisableViolation(ctx, "no-such-switch")
	wantAPIError(t, err, http.StatusNotFound, "unknown_violation", "")

	status, _, _ := send(t, http.MethodGet, inst.AdminURL+"/violations", "", nil)
	if status != http.StatusUnauthorized {
		t.Errorf("GET /violations without the admin token = %d, want 401", status)
	}
}

// TestViolationAppliesAtRunTime turns a switch of this package on and off
// on a running mock and sees the behaviour follow.
func TestViolationAppliesAtRunTime(t *testing.T) {
	inst, c := start(t)
	ctx := t.Context()
	status, _, body := send(t, http.MethodPost, inst.SCIMBaseURL+"/Groups", inst.SCIMToken,
		strings.NewReader(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"run-time"}`))
	if status != http.StatusCreated {
		t.Fatalf("creating a SCIM group: %d %s", status, body)
	}
	typeOf := func() string {
		groups := must(c.Groups(ctx, inst.AccountID))(t)
		i := slices.IndexFunc(groups, func(g mgmt.Group) bool { return g.Name == "run-time" })
		if i < 0 {
			t.Fatalf("the SCIM group is not listed: %+v", groups)
		}
		return groups[i].Type
	}
	for _, on := range []bool{false, true, false} {
		if on {
			must(c.EnableViolation(ctx, "scim-groups-shown-local"))(t)
		} else {
			must(c.DisableViolation(ctx, "scim-groups-shown-local"))(t)
		}
		want := mgmt.GroupSCIM
		if on {
			want = mgmt.GroupLocal
		}
		if got := typeOf(); got != want {
			t.Errorf("switch on=%v: type %q, want %q", on, got, want)
		}
	}
}

func TestStartRefusesUnknownViolation(t *testing.T) {
	inst, err := mock.Start(t.Context(), mock.Options{Violations: []string{"ignore-if-match", "nope"}})
	if err == nil {
		inst.Close()
		t.Fatal("mock.Start accepted an unknown switch")
	}
	if !strings.Contains(err.Error(), "ignore-if-match") {
		t.Errorf("the error does not list the switches: %v", err)
	}
	inst, err = mock.Start(t.Context(), mock.Options{Violations: []string{"ignore-if-match"}})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	if got := inst.Violations.Enabled(); !slices.Equal(got, []string{"ignore-if-match"}) {
		t.Errorf("Enabled() = %v", got)
	}
}
