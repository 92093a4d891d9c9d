// Package scimconf_test keeps ARCHITECTURE.md true: every package of the
// module belongs to one layer, and a layer imports only the layers its line
// in ARCHITECTURE.md allows (as Kubernetes' import restrictions do). It
// reads the imports with `go list`, so it sees what the compiler sees.
package scimconf_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/scimconf/scimconf"

// A layer is a set of packages, named by path prefixes relative to the
// module, and the layers it may import. A package belongs to the layer with
// the longest matching prefix; a layer may always import itself.
type layer struct {
	name     string
	prefixes []string
	may      []string
}

// layers is ARCHITECTURE.md's table. Change both together.
var layers = []layer{
	{"engine", []string{"server/internal/engine"}, nil},
	{"apijson", []string{"server/internal/apijson"}, nil},
	{"dynatrace", []string{"server/internal/dynatrace"}, []string{"engine", "apijson", "dnsmock"}},
	{"catalogue", []string{"catalogue"}, nil},
	{"reportpage", []string{"reportpage"}, nil},
	{"sourcetree", []string{"internal/sourcetree"}, nil},
	{"double", []string{"server/internal/double"}, []string{"engine", "apijson", "dynatrace", "catalogue", "reportpage"}},
	{"violation", []string{"server/internal/violation"}, []string{"engine", "apijson", "dynatrace", "switchset", "answer"}},
	{"durable", []string{"server/internal/durable"}, []string{"engine", "dynatrace"}},
	{"switchset", []string{"server/internal/switchset"}, nil},
	{"answer", []string{"server/internal/answer"}, []string{"engine"}},
	{"variant", []string{"server/internal/variant"}, []string{"engine", "apijson", "dynatrace", "switchset", "answer"}},
	{"assembly", []string{"server/mock", "server/mockclient"}, []string{"engine", "apijson", "dynatrace", "double", "violation", "variant", "durable", "dnsmock", "console"}},
	// The console is a client of the management API: mockclient (server/mock
	// would be a cycle) and the catalogue's rule texts, nothing that holds
	// the mock's state.
	{"console", []string{"server/internal/console"}, []string{"assembly", "catalogue"}},
	{"dnsmock", []string{"dnsmock"}, nil},
	{"mockcontainer", []string{"mockcontainer"}, []string{"assembly"}},
	{"fixtures", []string{"fixtures"}, nil},
	{"suites", []string{"suites"}, []string{"catalogue", "assembly", "reportpage", "fixtures"}},
	{"reports", []string{"reports"}, []string{"catalogue", "reportpage"}},
	{"sensitivity", []string{"sensitivity"}, []string{"catalogue", "assembly", "reports", "sourcetree"}},
	{"tolerance", []string{"tolerance"}, []string{"catalogue", "assembly", "reports", "sourcetree", "sensitivity"}},
	{"bench", []string{"bench"}, nil},
	{"reliability", []string{"reliability"}, []string{"assembly", "suites", "reports", "reportpage", "catalogue"}},
	{"cmd", []string{"cmd"}, []string{"assembly", "dnsmock", "mockcontainer", "suites", "reports", "sensitivity", "tolerance", "bench", "catalogue", "sourcetree", "fixtures"}},
	// This test itself.
	{"root", []string{""}, nil},
}

func layerOf(pkg string) (layer, bool) {
	rel, ok := strings.CutPrefix(pkg, module)
	if !ok {
		return layer{}, false // the standard library or a dependency
	}
	rel = strings.TrimPrefix(rel, "/")
	best, bestLen := layer{}, -1
	for _, l := range layers {
		for _, p := range l.prefixes {
			if (rel == p || p == "" || strings.HasPrefix(rel, p+"/")) && len(p) > bestLen {
				best, bestLen = l, len(p)
			}
		}
	}
	return best, bestLen >= 0
}

type goPackage struct {
	ImportPath string
	Imports    []string
	GoFiles    []string
	Dir        string
}

func listPackages(t *testing.T) []goPackage {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var pkgs []goPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p goPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("reading go list's output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// forbidden returns the imports of the packages that cross a line the
// layer table does not allow, as "pkg (layer) imports dep (layer)".
func forbidden(pkgs []goPackage) []string {
	var out []string
	for _, p := range pkgs {
		from, ok := layerOf(p.ImportPath)
		if !ok {
			continue
		}
		for _, imp := range p.Imports {
			to, ok := layerOf(imp)
			if !ok || to.name == from.name || slices.Contains(from.may, to.name) {
				continue
			}
			out = append(out, fmt.Sprintf("%s (%s) imports %s (%s)", p.ImportPath, from.name, imp, to.name))
		}
	}
	return out
}

func TestLayers(t *testing.T) {
	pkgs := listPackages(t)
	if len(pkgs) < 20 {
		t.Fatalf("go list found %d packages; run the test from the module", len(pkgs))
	}
	for _, p := range pkgs {
		if l, _ := layerOf(p.ImportPath); l.name == "root" && len(p.GoFiles) > 0 {
			t.Errorf("package %s belongs to no layer: add it to ARCHITECTURE.md and to the table in this test", p.ImportPath)
		}
	}
	for _, line := range forbidden(pkgs) {
		t.Errorf("forbidden import (see ARCHITECTURE.md): %s", line)
	}
}

// TestLayersCatchAPlantedImport proves the check can fail: an engine
// package that imported the violation switches would be refused.
func TestLayersCatchAPlantedImport(t *testing.T) {
	planted := []goPackage{{
		ImportPath: module + "/server/internal/engine/store",
		Imports:    []string{"sync", module + "/server/internal/violation", module + "/server/internal/engine/schema"},
	}}
	got := forbidden(planted)
	if len(got) != 1 || !strings.Contains(got[0], "internal/violation (violation)") {
		t.Errorf("a planted engine -> violation import gave %q, want one forbidden import", got)
	}
}

// TestNoSwitchInTheEngine counts the places in the engine that could ask
// for a violation switch: files that import the violation package. The
// target is zero: switches wrap the engine's seams from outside.
func TestNoSwitchInTheEngine(t *testing.T) {
	var n int
	for _, p := range listPackages(t) {
		if l, _ := layerOf(p.ImportPath); l.name != "engine" {
			continue
		}
		for _, imp := range p.Imports {
			if strings.HasSuffix(imp, "/internal/violation") {
				n++
				t.Errorf("engine package %s imports the violation switches", p.ImportPath)
			}
			if strings.HasSuffix(imp, "/internal/variant") {
				n++
				t.Errorf("engine package %s imports the variant switches", p.ImportPath)
			}
		}
	}
	t.Logf("engine packages importing the violation switches: %d", n)
}
