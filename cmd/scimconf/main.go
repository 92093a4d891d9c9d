// Command scimconf is the conformance harness's one binary. Its commands
// (see commands; "scimconf help" lists them):
//
//   - serve: start the mock SCIM server, its management API and DNS mock
//   - conformance: run the conformance suites against a SCIM server and
//     write the reports
//   - sensitivity: run the suites once per violation switch of the mock
//     and print the kill matrix
//   - tolerance: run the rfc suite once per variant switch of the mock and
//     prove no rule fails a permitted choice
//   - variants: list the mock's variant switches and their RFC sentences
//   - report: turn Ginkgo JSON reports into report.md and report.html,
//     with a verdict
//   - dns: run the DNS mock alone
//   - bench: load figures for the mock or any SCIM server
//   - container-run: start a SCIM server from an image, run a command
//     against it, keep its log, remove it
//   - journal: follow a running mock's request journal
//   - client-report: grade the client that talked to a running mock
//   - admin: call a running mock's management API
//   - version: print the version and the commit
//
// Every flag can also be set through the environment variable its help
// names; a value the flag does not take is an error. This package parses
// flags and wires; the work is done in the packages it calls.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "start the mock SCIM server, management API and DNS mock", runServe},
		{"conformance", "run the conformance suites against a SCIM server and write the reports", runConformance},
		{"sensitivity", "prove every rule: run the suites once per violation switch of the mock and print the kill matrix", runSensitivity},
		{"tolerance", "prove no rule fails a permitted choice: run the rfc suite once per variant switch of the mock", runTolerance},
		{"variants", "list the mock's variant switches, each with the RFC sentence that permits it", runVariants},
		{"report", "turn Ginkgo JSON reports into report.md and report.html, with a verdict", runReport},
		{"dns", "run the DNS mock alone", runDNS},
		{"bench", "load figures for the mock or any SCIM server", runBench},
		{"container-run", "start a SCIM server from an image, run a command against it, keep its log, remove it", runContainerRun},
		{"journal", "follow a running mock's request journal (one line per SCIM exchange; --json)", runJournal},
		{"client-report", "grade the client that talked to a running mock, from its journal (md, html, json)", runClientReport},
		{"admin", "call a running mock's management API (domains, tokens, ...)", runAdmin},
		{"version", "print the version and the commit it was built from", runVersion},
	}
}

func usage(w io.Writer) {
	fmt.Fprintf(w, `scimconf - a conformance harness for SCIM 2.0 servers, with a mock of Dynatrace's SCIM endpoint

Usage:
  scimconf <command> [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, `
Run "scimconf <command> --help" for a command's flags.
`)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes a command line and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, args[1:], stdout, stderr)
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.Is(err, errUsage):
				return 2
			}
			var ee *exitError
			if errors.As(err, &ee) {
				fmt.Fprintf(stderr, "scimconf %s: %v\n", c.name, ee.err)
				return ee.code
			}
			fmt.Fprintf(stderr, "scimconf %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "scimconf: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// errUsage marks an error already reported with the command's usage.
var errUsage = errors.New("usage")

// exitError is an error with its own exit status.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// configErr is a configuration error (exit status 2): the command could
// not start its work, and the message says what to change.
func configErr(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// newFlagSet returns a flag set whose usage text starts with the
// command's synopsis and explains each flag with its environment variable.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("scimconf "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: scimconf %s [flags]\n\n%s\n\nFlags (each also read from the environment variable shown):\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse sets the flags from their environment variables (fromEnv), then
// parses args, reporting usage errors once.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fromEnv(fs); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return nil
}

// describe is a flag's usage text naming its environment variable; the
// name is also how fromEnv finds the variable of the flag.
func describe(text, envName string) string {
	return strings.TrimSpace(text) + " (env " + envName + ")"
}

// envOfUsage finds the variable describe named in a flag's usage.
var envOfUsage = regexp.MustCompile(`\(env ([A-Z][A-Z0-9_]*)\)$`)

// fromEnv sets each flag whose usage names an environment variable
// (describe) from that variable when it is set and not empty; flags on
// the command line then override it. A value the flag does not take is an
// error naming the variable and the form expected, not a silent default.
func fromEnv(fs *flag.FlagSet) error {
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		m := envOfUsage.FindStringSubmatch(f.Usage)
		if m == nil {
			return
		}
		v, ok := os.LookupEnv(m[1])
		if !ok || v == "" {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			errs = append(errs, fmt.Errorf("environment variable %s=%q: want %s (it sets --%s)", m[1], v, expectedForm(f.Value), f.Name))
		}
	})
	return errors.Join(errs...)
}

// expectedForm says in words what a flag's value looks like.
func expectedForm(v flag.Value) string {
	g, ok := v.(flag.Getter)
	if !ok {
		return "a valid value"
	}
	switch g.Get().(type) {
	case bool:
		return "a boolean: true or false (or 1, 0, t, f)"
	case int, int64:
		return "an integer"
	case uint, uint64:
		return "a non-negative integer"
	case float64:
		return "a number"
	case time.Duration:
		return "a duration such as 30s or 2m"
	}
	return "a valid value"
}
