package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionInfo(t *testing.T) {
	stamped := &debug.BuildInfo{
		Main: debug.Module{Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "0123abcd"},
			{Key: "vcs.modified", Value: "false"},
		},
	}
	dirty := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "true"},
	}}
	installed := &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}
	tests := []struct {
		name                string
		ldVersion, ldCommit string
		bi                  *debug.BuildInfo
		ok                  bool
		wantVer, wantRev    string
	}{
		{"ldflags win", "v0.4.0-3-gabc", "abc", stamped, true, "v0.4.0-3-gabc", "abc"},
		{"go build in a checkout", "dev", "", stamped, true, "dev", "0123abcd"},
		{"go build with changes", "dev", "", dirty, true, "dev", "0123abcd-dirty"},
		{"go install module@version", "dev", "", installed, true, "v1.2.3", "unknown"},
		{"no build information", "dev", "", nil, false, "dev", "unknown"},
		{"empty ldflags version", "", "", nil, false, "dev", "unknown"},
	}
	for _, tt := range tests {
		ver, rev := versionInfo(tt.ldVersion, tt.ldCommit, tt.bi, tt.ok)
		if ver != tt.wantVer || rev != tt.wantRev {
			t.Errorf("%s: versionInfo = %q, %q; want %q, %q", tt.name, ver, rev, tt.wantVer, tt.wantRev)
		}
	}
}

// TestVersionCommand builds the binary the ways a user gets it: with the
// ldflags make sets, and with a plain go build in this checkout, which
// stamps the commit.
func TestVersionCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the binary")
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not in a git checkout (%v): nothing to compare the commit with", err)
	}
	dir := t.TempDir()
	version := func(bin string) string {
		t.Helper()
		var out bytes.Buffer
		cmd := exec.Command(bin, "version")
		cmd.Stdout = &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s version: %v", bin, err)
		}
		return strings.TrimSpace(out.String())
	}

	withFlags := filepath.Join(dir, "with-ldflags")
	build := exec.Command("go", "build", "-o", withFlags,
		"-ldflags", "-X main.version=v9.8.7-test -X main.commit=feedface", ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	if got := version(withFlags); !strings.HasPrefix(got, "scimconf v9.8.7-test commit feedface go") {
		t.Errorf("with ldflags: %q; want version and commit from them", got)
	}

	// A plain go build (-buildvcs=auto, go's default) stamps the commit
	// where the go command finds the repository (not in a git worktree,
	// whose .git is a file): the binary reports what `go version -m` reads.
	plain := filepath.Join(dir, "plain")
	if out, err := exec.Command("go", "build", "-buildvcs=auto", "-o", plain, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	meta, err := exec.Command("go", "version", "-m", plain).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	// Since Go 1.24 the go command also stamps the main module's version
	// from the repository (a pseudo-version such as v0.0.0-2026...-23ec1acf4c00,
	// or the tag), which version reports; "dev" only where it stamped none.
	ver := "dev"
	if m := regexp.MustCompile(`(?m)^\tmod\t\S+\t(\S+)`).FindSubmatch(meta); m != nil && string(m[1]) != "(devel)" {
		ver = string(m[1])
	}
	want := "scimconf " + ver + " commit unknown "
	if m := regexp.MustCompile(`vcs\.revision=([0-9a-f]+)`).FindSubmatch(meta); m != nil {
		if string(m[1]) != strings.TrimSpace(string(head)) {
			t.Fatalf("go stamped %s, HEAD is %s", m[1], head)
		}
		want = "scimconf " + ver + " commit " + string(m[1])
	}
	if got := version(plain); !strings.HasPrefix(got, want) {
		t.Errorf("plain go build: %q; want %q... (build information: %s)", got, want, bytes.TrimSpace(meta))
	}
}

func TestVersionRejectsArguments(t *testing.T) {
	var out, errb bytes.Buffer
	if status := run(context.Background(), []string{"version", "extra"}, &out, &errb); status != 2 {
		t.Errorf("version extra: status %d, want 2 (usage)", status)
	}
}
