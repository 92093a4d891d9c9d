// Package sourcetree finds the scimconf source tree: the conformance suites
// run as `go test` and `ginkgo build` of suites/, so the commands that run
// them (conformance, sensitivity) need the checkout they come from.
package sourcetree

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// modulePath is the module line of scimconf's go.mod.
const modulePath = "module github.com/scimconf/scimconf\n"

// Root walks up from dir ("" is the working directory) to the directory
// whose go.mod declares the scimconf module. A go.mod of another module on
// the way (a nested module, a project that vendors scimconf) is passed by.
func Root(dir string) (string, error) {
	if dir == "" {
		dir = "."
	}
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && strings.Contains(string(b), modulePath) {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("not inside a scimconf checkout (no go.mod of github.com/scimconf/scimconf in %s or above): the suites run from the source tree; cd into it, or use make", dir)
		}
		d = parent
	}
}
