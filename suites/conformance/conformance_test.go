package conformance

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/scimconf/scimconf/catalogue"
)

func spec(container, text string, state types.SpecState, attempts int, labels ...string) types.SpecReport {
	return types.SpecReport{
		ContainerHierarchyTexts: []string{container},
		LeafNodeType:            types.NodeTypeIt,
		LeafNodeText:            text,
		LeafNodeLabels:          labels,
		State:                   state,
		NumAttempts:             attempts,
	}
}

func TestLabelFilter(t *testing.T) {
	f, err := LabelFilter([]catalogue.Profile{catalogue.RFC}, "!admin")
	if err != nil {
		t.Fatal(err)
	}
	match, err := types.ParseLabelFilter(f)
	if err != nil {
		t.Fatalf("%q does not parse: %v", f, err)
	}
	for _, tt := range []struct {
		labels []string
		want   bool
	}{
		{[]string{"RFC-CREATE"}, true},
		{[]string{"RFC-CREATE", "admin"}, false},
		{[]string{"DT-USER-EMAIL"}, false},
		{[]string{"IDP-ENTRA-TEST-CONNECTION"}, false},
		{[]string{"RFC-CREATEX"}, false},
	} {
		if got := match(tt.labels); got != tt.want {
			t.Errorf("labels %v: %t, want %t", tt.labels, got, tt.want)
		}
	}
	if _, err := LabelFilter([]catalogue.Profile{catalogue.RFC}, "RFC-CREATE &&"); err == nil {
		t.Error("a broken label filter was accepted")
	}
}

func TestSplit(t *testing.T) {
	r := types.Report{SuiteDescription: "scimconf conformance", SpecReports: []types.SpecReport{
		{LeafNodeType: types.NodeTypeSynchronizedBeforeSuite, State: types.SpecStatePassed},
		spec("Create", "answers 201", types.SpecStatePassed, 1, "RFC-CREATE"),
		spec("Users", "refuses a bad email", types.SpecStateFailed, 1, "DT-USER-EMAIL"),
		spec("IdP", "replays Okta", types.SpecStateSkipped, 0, "IDP-ENTRA-TEST-CONNECTION"),
		spec("Bulk", "runs", types.SpecStateSkipped, 1, "RFC-BULK"),
	}}
	got := Split(r, []catalogue.Profile{catalogue.RFC, catalogue.Dynatrace})
	if len(got) != 2 || got[0].SuiteDescription != "rfc" || got[1].SuiteDescription != "dynatrace" {
		t.Fatalf("split into %d reports: %+v", len(got), got)
	}
	if n := len(got[0].SpecReports); n != 3 { // setup, Create, Bulk
		t.Errorf("rfc report holds %d specs, want 3 (the setup node, two specs)", n)
	}
	if n := len(got[1].SpecReports); n != 1 {
		t.Errorf("dynatrace report holds %d specs, want 1", n)
	}
}

// syncBuffer is a bytes.Buffer safe for the heartbeat's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestProgress: a line per finished group with its counts, a line per
// failure, and a line naming a spec that runs longer than Quiet.
func TestProgress(t *testing.T) {
	var out syncBuffer
	p := newProgress(Options{Progress: &out, Profiles: []catalogue.Profile{catalogue.RFC}, Quiet: time.Second})
	var before types.Report
	before.PreRunStats.SpecsThatWillRun = 3
	p.start(before)
	stop := p.heartbeat(context.Background())
	p.after(spec("Create", "a", types.SpecStatePassed, 1, "RFC-CREATE"))
	p.after(spec("Create", "b", types.SpecStateFailed, 1, "RFC-CREATE"))
	slow := spec("Get", "c", types.SpecStatePassed, 1, "RFC-GET")
	p.before(slow)
	time.Sleep(2500 * time.Millisecond)
	p.after(slow)
	stop()
	p.flush()
	got := out.String()
	for _, want := range []string{
		"3 specs to run",
		"FAIL Create b",
		"[2/3] rfc · Create: 1 passed, 1 failed",
		"still running",
		"Get c",
		"[3/3] rfc · Get: 1 passed",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("progress lacks %q:\n%s", want, got)
		}
	}
}
