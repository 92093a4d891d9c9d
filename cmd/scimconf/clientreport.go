package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"
)

func runClientReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("client-report", `Grades the client that talked to a running mock, from the mock's journal: Dynatrace's
rules it met or broke, the RFC shape of its requests, and its behaviour after 409, 429
and failed exchanges (GET /mock/v1/client-report). Writes Markdown (default), HTML or
JSON to stdout or --out. Exits 1 when the client broke a rule. The filters select the
exchanges to grade, e.g. --account ID or --since TIME for one connector run.`, stderr)
	jf := addJournalFlags(fs)
	format := fs.String("format", "md", "md, html or json")
	out := fs.String("out", "", "write the report to this file instead of stdout")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch *format {
	case "md", "html", "json":
	default:
		return fmt.Errorf("--format %q: use md, html or json", *format)
	}
	f, err := jf.filter()
	if err != nil {
		return err
	}
	c, err := jf.client(60 * time.Second)
	if err != nil {
		return err
	}
	get := func(format string) ([]byte, error) { return c.ClientReport(ctx, f, format) }
	verdict, err := get("json")
	if err != nil {
		return err
	}
	var rep struct {
		Passed bool `json:"passed"`
		Broken int  `json:"broken"`
	}
	if err := json.Unmarshal(verdict, &rep); err != nil {
		return fmt.Errorf("reading the report: %w", err)
	}
	body := verdict
	if *format != "json" {
		if body, err = get(*format); err != nil {
			return err
		}
	}
	if *out != "" {
		if err := os.WriteFile(*out, body, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "scimconf client-report: wrote %s\n", *out)
	} else if _, err := stdout.Write(body); err != nil {
		return err
	}
	if !rep.Passed {
		return fmt.Errorf("the client broke %d rule(s)", rep.Broken)
	}
	return nil
}
