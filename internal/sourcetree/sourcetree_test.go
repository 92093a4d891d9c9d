package sourcetree

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRoot(t *testing.T) {
	root, err := Root(".")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "suites", "RULES.md")); err != nil {
		t.Errorf("Root = %s, which holds no suites: %v", root, err)
	}

	// A nested module of another name is passed by.
	nested := t.TempDir()
	if err := os.WriteFile(filepath.Join(nested, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Root(nested); err == nil {
		t.Error("Root found a checkout above a temporary directory of another module")
	}
}
