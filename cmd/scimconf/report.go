package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/scimconf/scimconf/catalogue"
	"github.com/scimconf/scimconf/reports"
)

// errMustFailed is runReport's error when the verdict fails: a MUST rule
// failed (or a SHOULD rule with --strict-should), or a suite could not
// vouch for its results. The summary is already printed; the exit status
// is 1.
var errMustFailed = errors.New("the conformance verdict is FAIL")

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", `Arguments: [name=]report.json ...

Renders the Ginkgo JSON reports of conformance runs (go tool ginkgo --json-report=...)
into <out>/report.md (a summary for CI and pull requests) and <out>/report.html (one
self-contained page: rule matrix, and every failure with its HTTP transcript), prints the
totals per profile and the verdict, and sets the exit status from the verdict.

Each argument is one target's report; name=path names the target, otherwise the
target is the file's directory name. Several targets render side by side, one
status column per server; files given the same name are one run.
Flags may come before or after the files.

Exit status:
  0  every MUST rule passed (failed SHOULD rules are warnings, failed MAY rules notes)
  1  a MUST rule failed, or a SHOULD rule with --strict-should, or a suite could not
     vouch for its results (its setup or cleanup failed, it was interrupted or did not
     run, a spec naming no known rule failed, no rule was checked at all)
  2  usage error, or a report file that cannot be read`, stderr)
	var (
		out    = fs.String("out", "", describe("directory for report.md and report.html; empty means the directory of the first report file", "SCIMCONF_REPORT_OUT"))
		strict = fs.Bool("strict-should", false, describe("a failed SHOULD rule fails the verdict (exit 1) instead of warning", "SCIMCONF_STRICT_SHOULD"))
		title  = fs.String("title", "", describe(`title of the pages (default "SCIM conformance report")`, "SCIMCONF_REPORT_TITLE"))
	)
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "no report file given")
		fs.Usage()
		return errUsage
	}
	// "Proved by": the violation switch of the mock that makes each
	// rule's specs fail, from the catalogue (make sensitivity checks it).
	opts := reports.Options{Title: *title, StrictShould: *strict, Switches: catalogue.SwitchesByRule()}
	runs, err := reports.Load(files...)
	if err != nil {
		fmt.Fprintf(stderr, "scimconf report: %v\n", err)
		return errUsage
	}
	dir := *out
	if dir == "" {
		first := files[0]
		if _, path, ok := strings.Cut(first, "="); ok {
			if _, statErr := os.Stat(first); statErr != nil {
				first = path
			}
		}
		dir = filepath.Dir(first)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	paths, err := renderReports(dir, runs, opts, false)
	if err != nil {
		return err
	}
	if err := reports.Text(stdout, runs); err != nil {
		return err
	}
	code, summary := reports.Verdict(runs, opts)
	fmt.Fprintf(stdout, "\n%s\n\nwrote %s\n", summary, strings.Join(paths, " and "))
	if code != 0 {
		return errMustFailed
	}
	return nil
}

// parseInterleaved parses flags wherever they stand among the file
// arguments ("report a.json --out x" as well as "report --out x a.json"),
// which the flag package alone stops at the first file for. "--" ends the
// flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return files, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(files, rest...), nil
		}
		files = append(files, rest[0])
		args = rest[1:]
	}
}
