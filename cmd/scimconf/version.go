package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version and commit are set at build time by make build, make image and
// make dist:
//
//	-ldflags "-X main.version=$(git describe --tags --always --dirty) -X main.commit=$(git rev-parse HEAD)"
//
// A binary built without them (go build, go install) takes both from the
// build information the go command records (versionInfo).
var (
	version = "dev"
	commit  = ""
)

// versionInfo works out the version and the commit this binary was built
// from: the values set with -ldflags first, then the module version go
// install records (v1.2.3) and the vcs.revision go build stamps in a
// checkout ("-dirty" when vcs.modified says the tree had changes), else
// "dev" and "unknown".
func versionInfo(ldVersion, ldCommit string, bi *debug.BuildInfo, ok bool) (ver, rev string) {
	ver, rev = ldVersion, ldCommit
	if ok && bi != nil {
		if (ver == "" || ver == "dev") && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			ver = bi.Main.Version
		}
		if rev == "" {
			var modified bool
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					modified = s.Value == "true"
				}
			}
			if rev != "" && modified {
				rev += "-dirty"
			}
		}
	}
	if ver == "" {
		ver = "dev"
	}
	if rev == "" {
		rev = "unknown"
	}
	return ver, rev
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", `Prints the version and the commit this binary was built from, the Go version and the
platform, e.g.
  scimconf v0.4.0 commit 847da16e2f1c... go1.26.0 linux/amd64
Release binaries (make dist) carry git describe's version; a go build in a checkout
reports "dev" and the commit it was built from.`, stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	bi, ok := debug.ReadBuildInfo()
	ver, rev := versionInfo(version, commit, bi, ok)
	fmt.Fprintf(stdout, "scimconf %s commit %s %s %s/%s\n", ver, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
