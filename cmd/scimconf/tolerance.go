package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/scimconf/scimconf/catalogue"
	"github.com/scimconf/scimconf/server/mock"
	"github.com/scimconf/scimconf/tolerance"
)

func runTolerance(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("tolerance", `Proves that no rule fails a server for a choice RFC 7643/7644 permits: it builds the rfc
suite once, runs it against the embedded mock with no variant (the baseline, which must
pass), then with each variant switch on alone and with all compatible variants at once
(SCIMCONF_VARIANTS, a fresh embedded mock per run), under --rules rfc and dynatrace, reads
which rules failed from Ginkgo's JSON reports, prints the matrix and writes it as Markdown.

Every failure must be a finding the catalogue declares for the variant (below MUST, with the
sentence: catalogue/variants.go) or a known false failure waiting for harness work
(tolerance/pending.go, shown as such); anything else fails the command.`, stderr)
	var (
		only     = fs.String("variants", "", describe("comma-separated variants to run alone instead of all (the combined rows still use every variant)", "SCIMCONF_TOLERANCE_VARIANTS"))
		noComb   = fs.Bool("no-combined", false, describe("leave out the rows with all compatible variants on", "SCIMCONF_TOLERANCE_NO_COMBINED"))
		parallel = fs.Int("parallel", 2, describe("suite runs at once", "SCIMCONF_TOLERANCE_PARALLEL"))
		timeout  = fs.Duration("timeout", 3*time.Minute, "longest one suite run may take")
		out      = fs.String("out", "reports/out/tolerance.md", describe("where to write the matrix as Markdown (empty: nowhere)", "SCIMCONF_TOLERANCE_OUT"))
		workDir  = fs.String("work-dir", "", describe("keep the suite binary and Ginkgo reports here (default: a temporary directory)", "SCIMCONF_TOLERANCE_DIR"))
	)
	if err := parse(fs, args); err != nil {
		return err
	}
	res, err := tolerance.Run(ctx, tolerance.Options{
		Variants:   mock.ParseVariants(*only),
		NoCombined: *noComb,
		Parallel:   *parallel,
		Timeout:    *timeout,
		WorkDir:    *workDir,
		Log:        stderr,
	})
	if err != nil {
		return err
	}
	tolerance.Print(stdout, res)
	if *out != "" {
		if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(*out, tolerance.Markdown(res), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", *out)
	}
	if !res.OK() {
		return tolerance.ErrIntolerant
	}
	return nil
}

func runVariants(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("variants", `Lists the mock's variant switches (serve --variant, SCIMCONF_VARIANTS): each makes the
mock take one choice RFC 7643/7644 permits, named by the sentence that permits it, and the
findings (rules below MUST) the harness reports for it.`, stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	for _, v := range mock.Variants() {
		fmt.Fprintf(stdout, "%s\n    %s\n    %s: %q\n", v.Name, v.Description, v.Source, v.Permitted)
		if c := mock.VariantConflicts(v.Name); len(c) > 0 {
			fmt.Fprintf(stdout, "    not together with: %v\n", c)
		}
		for _, f := range catalogue.VariantFindings(v.Name) {
			fmt.Fprintf(stdout, "    finding: %s (%s: %q)\n", f.Rule, f.Quote.Source, f.Quote.Text)
		}
	}
	return nil
}
