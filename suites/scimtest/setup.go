package scimtest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"

	"github.com/scimconf/scimconf/catalogue"
)

// Labels that are not rule IDs.
const (
	// ReadOnlyLabel marks a spec that changes nothing on the target; with
	// READ_ONLY=true only these run.
	ReadOnlyLabel = "read-only"
	// AdminLabel marks a spec that needs the management API (ADMIN_URL).
	AdminLabel = "admin"
)

// Setup registers the nodes every profile suite needs and returns the
// target, filled in before the first spec runs. Every profile package
// calls it at init and they all get the same target, with the nodes
// registered once: a binary that links several profiles runs them in one
// suite (Ginkgo's RunSpecs runs once per process). Process 1 starts the
// target (the embedded mock when SCIM_BASE_URL is empty) and hands its
// coordinates to the other parallel processes, so one mock serves them all;
// each spec's HTTP transcript, cleanup included, goes into its report; specs
// without the read-only label are skipped under READ_ONLY; the last
// process to finish reports and removes leftovers.
func Setup() *Target {
	setupOnce.Do(func() { shared = register() })
	return shared
}

var (
	setupOnce sync.Once
	shared    *Target
)

func register() *Target {
	t := &Target{}
	ginkgo.SynchronizedBeforeSuite(func(ctx ginkgo.SpecContext) []byte {
		started, err := Start(ctx, configuration())
		gomega.Expect(err).NotTo(gomega.HaveOccurred())
		*t = *started
		b, err := json.Marshal(handoff{Config: started.Config, EmbeddedMock: started.OnEmbeddedMock()})
		gomega.Expect(err).NotTo(gomega.HaveOccurred())
		return append([]byte(started.RunID+"\n"), b...)
	}, func(ctx ginkgo.SpecContext, data []byte) {
		if t.Client != nil {
			return // process 1: already set up
		}
		runID, cfgJSON, _ := strings.Cut(string(data), "\n")
		var h handoff
		gomega.Expect(json.Unmarshal([]byte(cfgJSON), &h)).To(gomega.Succeed())
		t.Config, t.RunID, t.embeddedMock = h.Config, runID, h.EmbeddedMock
		t.Client = NewClient(t.BaseURL, t.Token)
		caps, err := readCapabilities(ctx, t.Client)
		gomega.Expect(err).NotTo(gomega.HaveOccurred())
		t.Caps = caps
	})
	ginkgo.SynchronizedAfterSuite(func() {}, func(ctx ginkgo.SpecContext) {
		if t.Client == nil || t.ReadOnly {
			return
		}
		if left := t.Leftovers(ctx); len(left) > 0 {
			ginkgo.AddReportEntry("leftovers", strings.Join(left, "\n"))
			fmt.Fprintf(ginkgo.GinkgoWriter, "removed %d leftover resources of run %s:\n%s\n", len(left), t.RunID, strings.Join(left, "\n"))
		}
		t.Close()
	})
	ginkgo.BeforeEach(func() {
		// Registered first, so it runs last: after the spec's own
		// DeferCleanup deletions, whose exchanges belong to this spec.
		ginkgo.DeferCleanup(Flush)
		labels := ginkgo.CurrentSpecReport().Labels()
		if t.ReadOnly && !slices.Contains(labels, ReadOnlyLabel) {
			ginkgo.Skip("READ_ONLY is set and this spec creates or changes resources")
		}
		if slices.Contains(labels, AdminLabel) && !t.HasAdmin() {
			ginkgo.Skip("needs the management API: set ADMIN_URL and ADMIN_TOKEN")
		}
	})
	return t
}

// handoff is what process 1 hands the other parallel processes: the
// target's coordinates, and whether it is the embedded mock (whose
// handle, Target.Embedded, exists on process 1 only).
type handoff struct {
	Config       Config
	EmbeddedMock bool
}

// Configure sets the configuration the suites' setup uses instead of the
// environment (FromEnv): the scimconf binary runs the suites in its own
// process and passes what its flags say. Call it before the suites run.
func Configure(cfg Config) {
	configMu.Lock()
	defer configMu.Unlock()
	configured = &cfg
}

var (
	configMu   sync.Mutex
	configured *Config
)

func configuration() Config {
	configMu.Lock()
	defer configMu.Unlock()
	if configured != nil {
		return *configured
	}
	return FromEnv()
}

// CheckCatalogue fails t when a spec of the suite names a label that is
// neither a rule of one of profiles nor a known tag, or when a rule of
// profiles has no spec. It previews the suite (nothing runs), so call it
// from its own test function in the suite package.
func CheckCatalogue(t *testing.T, description string, profiles ...catalogue.Profile) {
	t.Helper()
	report := ginkgo.PreviewSpecs(description)
	covered := map[string]bool{}
	for _, spec := range report.SpecReports {
		if spec.LeafNodeType != types.NodeTypeIt {
			continue
		}
		ids := 0
		for _, l := range spec.Labels() {
			if l == ReadOnlyLabel || l == AdminLabel || l == "Serial" {
				// Ginkgo labels a Serial spec "Serial" (the set-up charge, setupfail.go).
				continue
			}
			r, ok := catalogue.ByID(l)
			if !ok || !slices.Contains(profiles, r.Profile) {
				t.Errorf("spec %q names label %q, which is no rule of profile %v (see catalogue)", spec.FullText(), l, profiles)
				continue
			}
			covered[l] = true
			ids++
		}
		if ids == 0 {
			t.Errorf("spec %q names no rule: label it with the rule IDs it checks", spec.FullText())
		}
	}
	for _, r := range catalogue.All() {
		if slices.Contains(profiles, r.Profile) && !covered[r.ID] {
			t.Errorf("rule %s (%s) has no spec in this suite", r.ID, r.Summary)
		}
	}
}

// Ctx returns a context for helpers called outside a spec node.
func Ctx() context.Context { return context.Background() }
