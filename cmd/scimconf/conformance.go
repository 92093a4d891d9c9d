package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/scimconf/scimconf/internal/sourcetree"
)

func runConformance(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("conformance", `Runs the conformance suites (Ginkgo, from this source tree) against a SCIM server and
writes junit.xml, report.json, report.md and report.html to --out. With no --target the
suites start the embedded mock in-process. Needs Go and a checkout of scimconf: run it
from inside the checkout. Exit status: 0 when every MUST rule passes, 1 otherwise.`, stderr)
	var (
		target     = fs.String("target", "", describe("SCIM base URL of the server under test; empty: the embedded mock", "SCIM_BASE_URL"))
		token      = fs.String("token", "", describe("bearer token for the target", "SCIM_TOKEN"))
		verified   = fs.String("verified-domain", "", describe("domain(s) verified in the target account, comma-separated", "VERIFIED_DOMAIN"))
		unverified = fs.String("unverified-domain", "", describe("a domain NOT verified in the target account", "UNVERIFIED_DOMAIN"))
		adminURL   = fs.String("admin-url", "", describe("the mock-compatible management API (/mock/v1); specs that need it are skipped without it", "ADMIN_URL"))
		adminToken = fs.String("admin-token", "", describe("bearer token of the management API", "ADMIN_TOKEN"))
		profile    = fs.String("profile", "rfc,dynatrace,idp", describe("profiles to run, comma-separated: rfc, dynatrace, idp", "PROFILE"))
		readOnly   = fs.Bool("read-only", false, describe("run only specs that change nothing on the target", "READ_ONLY"))
		schemaSet  = fs.String("schema", "dynatrace", describe("schema set of the embedded mock: dynatrace or full", "SCIMCONF_SCHEMA"))
		rules      = fs.String("rules", "dynatrace", describe("rules of the embedded mock: dynatrace or rfc (a plain SCIM 2.0 server)", "SCIMCONF_RULES"))
		out        = fs.String("out", "reports/out", describe("report directory", "REPORT_DIR"))
		procs      = fs.Int("procs", 0, describe("parallel processes; 0 lets Ginkgo choose", "PROCS"))
		name       = fs.String("name", "", describe("the target's name in the reports; default: its host", "TARGET_LABEL"))
		label      = fs.String("label-filter", "", describe("Ginkgo label filter, e.g. RFC-CREATE || DT-USER-EMAIL", "LABEL_FILTER"))
	)
	if err := parse(fs, args); err != nil {
		return err
	}
	root, err := sourcetree.Root("")
	if err != nil {
		return err
	}
	var suites []string
	for _, p := range strings.Split(*profile, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		dir := filepath.Join(root, "suites", p)
		if _, err := os.Stat(dir); err != nil {
			return fmt.Errorf("--profile %q: no suite at suites/%s (profiles: rfc, dynatrace, idp)", p, p)
		}
		suites = append(suites, "./suites/"+p)
	}
	if len(suites) == 0 {
		return fmt.Errorf("--profile names no suite")
	}
	if *target != "" && *token == "" {
		return fmt.Errorf("--target is set but --token is empty: give the target's bearer token")
	}
	outDir, err := filepath.Abs(*out)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	gargs := []string{"tool", "ginkgo", "--keep-going", "--json-report=report.json", "--junit-report=junit.xml", "--output-dir=" + outDir}
	if *procs > 0 {
		gargs = append(gargs, fmt.Sprintf("--procs=%d", *procs))
	} else {
		gargs = append(gargs, "-p")
	}
	if *label != "" {
		gargs = append(gargs, "--label-filter="+*label)
	}
	gargs = append(gargs, suites...)
	cmd := exec.CommandContext(ctx, "go", gargs...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, stdout, stderr
	cmd.Env = append(os.Environ(),
		"SCIM_BASE_URL="+*target, "SCIM_TOKEN="+*token,
		"VERIFIED_DOMAIN="+*verified, "UNVERIFIED_DOMAIN="+*unverified,
		"ADMIN_URL="+*adminURL, "ADMIN_TOKEN="+*adminToken,
		fmt.Sprintf("READ_ONLY=%t", *readOnly), "SCIMCONF_SCHEMA="+*schemaSet, "SCIMCONF_RULES="+*rules,
	)
	fmt.Fprintf(stderr, "running %s against %s\n", strings.Join(suites, " "), orEmbedded(*target))
	runErr := cmd.Run()
	reportPath := filepath.Join(outDir, "report.json")
	if _, err := os.Stat(reportPath); err != nil {
		if runErr != nil {
			return fmt.Errorf("the suites did not run: %w", runErr)
		}
		return fmt.Errorf("no report at %s", reportPath)
	}
	// The verdict comes from the report (MUST rules), not from Ginkgo's
	// exit status, which counts SHOULD failures too.
	return runReport(ctx, []string{"--out", outDir, runName(*name, *target) + "=" + reportPath}, stdout, stderr)
}

func orEmbedded(target string) string {
	if target == "" {
		return "the embedded mock"
	}
	return target
}

// runName names a run in the reports: the given name, the target's host,
// or "embedded-mock".
func runName(name, target string) string {
	if name = strings.NewReplacer("/", "_", "\\", "_", "=", "_").Replace(name); name != "" {
		return name
	}
	if u, err := url.Parse(target); err == nil && u.Host != "" {
		return u.Host
	}
	return "embedded-mock"
}
