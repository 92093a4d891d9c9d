package main

import (
	"context"
	"fmt"
	"github.com/scimconf/scimconf/server/mock"
	"io"
	"strings"
	"time"

	"github.com/scimconf/scimconf/catalogue"
	"github.com/scimconf/scimconf/sensitivity"
)

func runSensitivity(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("sensitivity", `Proves every rule of the catalogue both ways: the suites pass on the embedded mock, and
fail on the mock with the rule's violation switch on. It builds the suite binaries once,
runs them with no switch (the baseline, which must pass), then once per switch
(SCIMCONF_VIOLATE=<switch>, a fresh embedded mock per run, with each schema set), reads
which rules failed from Ginkgo's JSON reports, and prints the kill matrix.

It fails when the baseline fails, when a switch is caught by no spec, when a switch does
not fail a rule it proves (catalogue/switches.go), when it fails a rule it is not
declared for, or when a rule has no switch.

CI runs a sample that changes with the commit: --sample 8 --seed $(git rev-parse HEAD).`, stderr)
	var (
		sample   = fs.Int("sample", 0, describe("run only this many switches, drawn with --seed (0: all)", "SCIMCONF_SENSITIVITY_SAMPLE"))
		seed     = fs.String("seed", "", describe("seed of the sample, e.g. the commit hash", "SCIMCONF_SENSITIVITY_SEED"))
		only     = fs.String("switches", "", describe("comma-separated switches to run instead of all", "SCIMCONF_SENSITIVITY_SWITCHES"))
		parallel = fs.Int("parallel", 2, describe("switches run at once", "SCIMCONF_SENSITIVITY_PARALLEL"))
		timeout  = fs.Duration("timeout", 3*time.Minute, "longest one suite run may take")
		workDir  = fs.String("work-dir", "", describe("keep the suite binaries and Ginkgo reports here (default: a temporary directory)", "SCIMCONF_SENSITIVITY_DIR"))
		list     = fs.Bool("list", false, "list the switches and the rules each proves, and exit")
		variants = fs.String("variants", "", describe("comma-separated variant switches on in every run, the baseline included (scimconf variants), e.g. eq-only-filters: which rules are still killed when the server permits only that much", "SCIMCONF_SENSITIVITY_VARIANTS"))
	)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *list {
		for _, s := range mock.Switches() {
			proves, cross := catalogue.Expected(s.Name)
			fmt.Fprintf(stdout, "%-38s proves %v, may also fail %v\n    %s\n", s.Name, proves, cross, s.Description)
		}
		return nil
	}
	names := mock.ParseSwitches(*only)
	for _, n := range names {
		if _, ok := mock.LookupSwitch(n); !ok {
			return mock.UnknownSwitch(n)
		}
	}
	for _, n := range mock.ParseVariants(*variants) {
		if _, ok := mock.LookupVariant(n); !ok {
			return mock.UnknownVariant(n)
		}
	}
	res, err := sensitivity.Run(ctx, sensitivity.Options{
		Switches: names,
		Sample:   *sample,
		Seed:     *seed,
		Parallel: *parallel,
		Timeout:  *timeout,
		WorkDir:  *workDir,
		Log:      stderr,
		Variants: mock.ParseVariants(*variants),
	})
	if err != nil {
		return err
	}
	sensitivity.Print(stdout, res)
	if !res.OK() {
		return sensitivity.ErrNotProved
	}
	return nil
}

// violationHelp lists the mock's violation switches for serve --help.
func violationHelp() string {
	var b strings.Builder
	for _, s := range mock.Switches() {
		fmt.Fprintf(&b, "  %-36s %s\n", s.Name, s.Description)
	}
	return strings.TrimRight(b.String(), "\n")
}

// variantHelp lists the mock's variant switches for serve --help.
func variantHelp() string {
	var b strings.Builder
	for _, v := range mock.Variants() {
		fmt.Fprintf(&b, "  %-36s %s\n", v.Name, v.Description)
	}
	return strings.TrimRight(b.String(), "\n")
}
