package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/scimconf/scimconf/catalogue"
	"github.com/scimconf/scimconf/reports"
	"github.com/scimconf/scimconf/server/mock"
	"github.com/scimconf/scimconf/suites/conformance"
	"github.com/scimconf/scimconf/suites/scimtest"
)

const conformanceHelp = `Runs the conformance suites compiled into this binary against a SCIM server, in this
process (no Go toolchain, no checkout needed), and writes junit.xml, report.json,
report.md and report.html to --out.

  scimconf conformance --target https://scim.example.com/scim/v2 --token-file token.txt
  SCIM_TOKEN=... scimconf conformance --target https://scim.example.com/scim/v2
  scimconf conformance            # against the embedded mock, every profile

The token: --token-file, or the environment variable SCIM_TOKEN. --token works too, but
the process list and the shell history show it.

Before any spec runs, one GET /ServiceProviderConfig and one GET /Users?count=1 check the
URL and the token: an unreachable host, a TLS problem, a refused token or a URL that does
not answer SCIM stops the run with one line that says what to fix (exit status 2).

Profiles (--profile, comma-separated):
  rfc        RFC 7643/7644 (and 9865 cursors): what any SCIM 2.0 server must do, adapted
             to what its /ServiceProviderConfig and /Schemas declare. The default against
             a --target.
  dynatrace  Dynatrace's SCIM rules (email userNames on verified domains, required names,
             tokens, domains, limits); needs --verified-domain, and --admin-url for the
             rules that need account management (skipped without it, and counted as
             "not run" beside the verdict).
  idp        the request sequences Microsoft Entra ID and Okta send (recorded fixtures,
             with their non-RFC dialects); tells which IdP dialects the server handles.
  With no --target the suites start the embedded mock and run all three.

Progress goes to stderr: a line per spec group with its counts, a line per failure,
and a line when a spec runs long. --github-output (on by itself when GITHUB_ACTIONS=true)
adds ::error lines per failed MUST rule; report.md is appended to $GITHUB_STEP_SUMMARY
when that is set.

Exit status:
  0  conformant: every MUST rule that ran passed, in every profile
  1  not conformant: a MUST rule failed (or a SHOULD rule with --strict-should), or the
     suites could not vouch for their results (setup failed, interrupted, nothing checked)
  2  configuration error: bad flags, or the preflight check above failed`

func runConformance(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("conformance", conformanceHelp, stderr)
	var (
		target     = fs.String("target", "", describe("SCIM base URL of the server under test (where /Users follows); empty: the embedded mock", "SCIM_BASE_URL"))
		tokenFile  = fs.String("token-file", "", describe("file holding the target's bearer token (surrounding white space is dropped); without it the token comes from SCIM_TOKEN", "SCIM_TOKEN_FILE"))
		token      = fs.String("token", "", "the target's bearer token; avoid it, the process list shows it: use SCIM_TOKEN or --token-file")
		verified   = fs.String("verified-domain", "", describe("domain(s) verified in the target account, comma-separated (dynatrace profile); default example.com", "VERIFIED_DOMAIN"))
		unverified = fs.String("unverified-domain", "", describe("a domain NOT verified in the target account (dynatrace profile)", "UNVERIFIED_DOMAIN"))
		adminURL   = fs.String("admin-url", "", describe("the mock-compatible management API (/mock/v1); specs that need it are skipped without it", "ADMIN_URL"))
		adminFile  = fs.String("admin-token-file", "", describe("file holding the management API's bearer token; without it the token comes from ADMIN_TOKEN", "ADMIN_TOKEN_FILE"))
		adminToken = fs.String("admin-token", "", "bearer token of the management API; avoid it, the process list shows it: use ADMIN_TOKEN or --admin-token-file")
		profile    = fs.String("profile", "", describe("profiles to run, comma-separated: rfc, dynatrace, idp (see above); default rfc against a --target, all three against the embedded mock", "PROFILE"))
		readOnly   = fs.Bool("read-only", false, describe("run only specs that change nothing on the target", "READ_ONLY"))
		schemaSet  = fs.String("schema", "dynatrace", describe("schema set of the embedded mock: dynatrace or full (ignored with --target)", "SCIMCONF_SCHEMA"))
		rules      = fs.String("rules", "dynatrace", describe("rules of the embedded mock: dynatrace or rfc, a plain SCIM 2.0 server (ignored with --target)", "SCIMCONF_RULES"))
		violate    = fs.String("violate", "", describe("violation switches the embedded mock starts with, comma-separated (scimconf serve --help lists them; ignored with --target)", "SCIMCONF_VIOLATE"))
		variants   = fs.String("variant", "", describe("variant switches the embedded mock starts with, comma-separated (scimconf variants; ignored with --target)", "SCIMCONF_VARIANTS"))
		out        = fs.String("out", "reports/out", describe("report directory", "REPORT_DIR"))
		name       = fs.String("name", "", describe("the target's name in the reports; default: its host", "TARGET_LABEL"))
		label      = fs.String("label-filter", "", describe("Ginkgo label filter over rule IDs and tags, e.g. 'RFC-CREATE || DT-USER-EMAIL' or '!admin'", "LABEL_FILTER"))
		strict     = fs.Bool("strict-should", false, describe("a failed SHOULD rule fails the verdict (exit 1) instead of warning", "SCIMCONF_STRICT_SHOULD"))
		ghOutput   = fs.Bool("github-output", os.Getenv("GITHUB_ACTIONS") == "true", describe("print GitHub workflow commands (::error per failed MUST rule); on by itself when GITHUB_ACTIONS=true", "SCIMCONF_GITHUB_OUTPUT"))
		noColor    = fs.Bool("no-color", os.Getenv("NO_COLOR") != "", describe("no colour in the progress lines (there is none when stderr is not a terminal)", "SCIMCONF_NO_COLOR"))
		verbose    = fs.Bool("verbose", false, describe("also print Ginkgo's own output (every failure in full) to stderr", "SCIMCONF_VERBOSE"))
	)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg := scimtest.Config{
		BaseURL:          strings.TrimRight(*target, "/"),
		VerifiedDomains:  fieldsOf(*verified),
		UnverifiedDomain: *unverified,
		AdminURL:         strings.TrimRight(*adminURL, "/"),
		ReadOnly:         *readOnly,
		Schema:           strings.ToLower(*schemaSet),
		Rules:            strings.ToLower(*rules),
		Violations:       mock.ParseSwitches(*violate),
		Variants:         mock.ParseVariants(*variants),
	}
	var err error
	if cfg.Token, err = secret(args, "token", *token, *tokenFile, "SCIM_TOKEN", stderr); err != nil {
		return configErr("%v", err)
	}
	if cfg.AdminToken, err = secret(args, "admin-token", *adminToken, *adminFile, "ADMIN_TOKEN", stderr); err != nil {
		return configErr("%v", err)
	}
	profiles, err := profilesOf(*profile, cfg.BaseURL != "")
	if err != nil {
		return configErr("%v", err)
	}
	if _, err := conformance.LabelFilter(profiles, *label); err != nil {
		return configErr("--label-filter: %v", err)
	}
	if cfg.BaseURL == "" {
		// The embedded mock: a value it would refuse is a flag error here,
		// not a failed suite setup.
		if !slices.Contains([]string{"dynatrace", "full"}, cfg.Schema) {
			return configErr("--schema %q: the embedded mock's schema sets are dynatrace and full", cfg.Schema)
		}
		if !slices.Contains([]string{mock.RulesDynatrace, mock.RulesRFC}, cfg.Rules) {
			return configErr("--rules %q: the embedded mock's rules are %s and %s", cfg.Rules, mock.RulesDynatrace, mock.RulesRFC)
		}
		for _, n := range cfg.Violations {
			if _, ok := mock.LookupSwitch(n); !ok {
				return configErr("--violate: %v", mock.UnknownSwitch(n))
			}
		}
		for _, n := range cfg.Variants {
			if _, ok := mock.LookupVariant(n); !ok {
				return configErr("--variant: %v", mock.UnknownVariant(n))
			}
		}
	}
	if cfg.BaseURL != "" {
		if cfg.Token == "" {
			return configErr("--target is set but no token was given: put it in a file (--token-file) or in the environment variable SCIM_TOKEN")
		}
		if cfg.AdminURL != "" && cfg.AdminToken == "" {
			return configErr("--admin-url is set but no admin token was given: use --admin-token-file or ADMIN_TOKEN")
		}
		if slices.Contains(profiles, catalogue.Dynatrace) && len(cfg.VerifiedDomains) == 0 {
			fmt.Fprintln(stderr, "note: no --verified-domain: the dynatrace specs create users on example.com, which your account must have verified")
		}
		warn, err := scimtest.Preflight(ctx, cfg.BaseURL, cfg.Token)
		if err != nil {
			return configErr("%v", err)
		}
		if warn != "" {
			fmt.Fprintln(stderr, "warning: "+warn)
		}
	}
	outDir, err := filepath.Abs(*out)
	if err != nil {
		return configErr("--out: %v", err)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return configErr("--out: %v", err)
	}

	color := !*noColor && isTerminal(stderr)
	fmt.Fprintf(stderr, "running %s against %s\n", joinProfiles(profiles), orEmbedded(cfg.BaseURL))
	opts := conformance.Options{Config: cfg, Profiles: profiles, LabelFilter: *label, Progress: stderr, Color: color}
	if *verbose {
		opts.GinkgoOutput = stderr
	}
	res, err := conformance.Run(ctx, opts)
	if err != nil {
		return err
	}
	reportPath := filepath.Join(outDir, "report.json")
	if err := writeJSON(reportPath, res.Reports); err != nil {
		return err
	}
	ropts := reports.Options{StrictShould: *strict, Switches: catalogue.SwitchesByRule()}
	runs, err := reports.Load(runName(*name, cfg.BaseURL) + "=" + reportPath)
	if err != nil {
		return err
	}
	paths, err := renderReports(outDir, runs, ropts, true)
	if err != nil {
		return err
	}
	if err := reports.Text(stdout, runs); err != nil {
		return err
	}
	code, summary := reports.Verdict(runs, ropts)
	if *ghOutput {
		if err := reports.GitHubAnnotations(stdout, runs, ropts); err != nil {
			return err
		}
	}
	if err := stepSummary(filepath.Join(outDir, "report.md")); err != nil {
		fmt.Fprintf(stderr, "warning: GITHUB_STEP_SUMMARY: %v\n", err)
	}
	fmt.Fprintf(stdout, "\n%s\n\nran %d specs in %s; wrote %s\n", summary, res.Specs, res.Took.Round(10*time.Millisecond), strings.Join(paths, ", "))
	if code != 0 {
		return errMustFailed
	}
	return nil
}

// renderReports writes report.md, report.html and, with junit, junit.xml
// into dir and returns their paths.
func renderReports(dir string, runs []reports.Run, opts reports.Options, junit bool) ([]string, error) {
	type file struct {
		name   string
		render func(io.Writer, []reports.Run, reports.Options) error
	}
	files := []file{{"report.md", reports.Markdown}, {"report.html", reports.HTML}}
	if junit {
		files = append(files, file{"junit.xml", reports.JUnit})
	}
	var paths []string
	for _, f := range files {
		var b bytes.Buffer
		if err := f.render(&b, runs, opts); err != nil {
			return nil, fmt.Errorf("render %s: %w", f.name, err)
		}
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// stepSummary appends the Markdown report to $GITHUB_STEP_SUMMARY, the
// job summary of a GitHub Actions step, when that is set.
func stepSummary(mdPath string) error {
	dst := os.Getenv("GITHUB_STEP_SUMMARY")
	if dst == "" {
		return nil
	}
	md, err := os.ReadFile(mdPath)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(md, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeJSON(path string, reps []types.Report) error {
	b, err := json.Marshal(reps)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// secret returns a token: from file when given, else from the flag (with
// a warning that the process list shows it), else from the environment
// variable env.
func secret(args []string, flagName, flagValue, file, env string, stderr io.Writer) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("--%s-file: %v", flagName, err)
		}
		v := strings.TrimSpace(string(b))
		if v == "" {
			return "", fmt.Errorf("--%s-file %s is empty", flagName, file)
		}
		return v, nil
	}
	if flagValue != "" {
		if onCommandLine(args, flagName) {
			fmt.Fprintf(stderr, "warning: --%s shows the token to anyone who can list processes; use %s or --%s-file\n", flagName, env, flagName)
		}
		return flagValue, nil
	}
	return strings.TrimSpace(os.Getenv(env)), nil
}

// onCommandLine reports whether args set flag name (-name, --name,
// -name=..., --name=...).
func onCommandLine(args []string, name string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		a = strings.TrimLeft(a, "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// profilesOf parses --profile; empty means rfc against a foreign target
// and every profile against the embedded mock.
func profilesOf(s string, foreign bool) ([]catalogue.Profile, error) {
	if strings.TrimSpace(s) == "" {
		if foreign {
			return []catalogue.Profile{catalogue.RFC}, nil
		}
		return catalogue.Profiles(), nil
	}
	var out []catalogue.Profile
	for _, p := range fieldsOf(s) {
		i := slices.IndexFunc(catalogue.Profiles(), func(q catalogue.Profile) bool { return strings.EqualFold(string(q), p) })
		if i < 0 {
			return nil, fmt.Errorf("--profile %q: no such profile (profiles: %s)", p, joinProfiles(catalogue.Profiles()))
		}
		if q := catalogue.Profiles()[i]; !slices.Contains(out, q) {
			out = append(out, q)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("--profile names no profile")
	}
	return out, nil
}

func joinProfiles(ps []catalogue.Profile) string {
	var s []string
	for _, p := range ps {
		s = append(s, string(p))
	}
	return strings.Join(s, ", ")
}

func fieldsOf(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

// isTerminal reports whether w is a character device (a terminal), so
// colour and redraws make sense.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
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
