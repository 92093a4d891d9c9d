//go:build !scimconf_nocontainer

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/scimconf/scimconf/mockcontainer"
)

// envFlag collects repeated --env KEY=value flags.
type envFlag map[string]string

func (e envFlag) String() string { return "" }

func (e envFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("%q: want KEY=value", s)
	}
	e[k] = v
	return nil
}

// fromLog are the variables a target may print as KEY=value lines (the
// mock does); they fill only those not already set.
var fromLog = []string{"SCIM_BASE_URL", "SCIM_TOKEN", "VERIFIED_DOMAIN", "ADMIN_URL", "ADMIN_TOKEN"}

func runContainerRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("container-run", `Starts the SCIM server under test from an image through testcontainers-go, waits until it
answers HTTP on its port, runs the command after "--" with SCIM_BASE_URL (the mapped port on
this host + --path) and SCIM_TOKEN in its environment, then writes the container's log to
--report-dir/target.log and removes the container. It exits non-zero when the command does.
  scimconf container-run --image org/server:tag --port 8080 --path /scim/v2 --token T -- make conformance
With no --token the target must print a SCIM_TOKEN=... line (scimconf's mock does, with
SCIM_BASE_URL, VERIFIED_DOMAIN, ADMIN_URL and ADMIN_TOKEN, which are passed on as well).
The engine is found as testcontainers-go finds it; set TESTCONTAINERS_RYUK_DISABLED=true
where no image registry is reachable.`, stderr)
	cenv := envFlag{}
	var (
		image    = fs.String("image", "", describe("image of the server under test, e.g. org/server:tag", "TARGET_IMAGE"))
		port     = fs.Int("port", 8080, describe("port the server listens on inside the container", "TARGET_PORT"))
		path     = fs.String("path", "", describe("path of the SCIM base URL; default: the printed SCIM_BASE_URL's, else /scim/v2", "TARGET_PATH"))
		token    = fs.String("token", "", describe("bearer token of the server under test; empty: read SCIM_TOKEN= from its log", "TOKEN"))
		waitPath = fs.String("wait-path", "/", describe("path polled until the server answers HTTP (any status)", "TARGET_WAIT_PATH"))
		timeout  = fs.Duration("startup-timeout", 2*time.Minute, "how long to wait for the server to be ready")
		report   = fs.String("report-dir", "reports/out", describe("directory the container's log is written to (target.log)", "REPORT_DIR"))
	)
	fs.Var(cenv, "env", "KEY=value for the container's environment (repeatable)")
	if err := fromEnv(fs); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	command := fs.Args()
	switch {
	case *image == "":
		fmt.Fprintln(stderr, "--image is required")
		fs.Usage()
		return errUsage
	case len(command) == 0:
		fmt.Fprintln(stderr, `give the command to run after "--"`)
		fs.Usage()
		return errUsage
	case *port < 1 || *port > 65535:
		return fmt.Errorf("--port %d: want 1-65535", *port)
	case *path != "" && !strings.HasPrefix(*path, "/"):
		return fmt.Errorf("--path %q: want a path starting with /", *path)
	}
	cport := strconv.Itoa(*port) + "/tcp"

	// Ready means: answers HTTP on the port at all (any status: a SCIM
	// server may answer 401 or 404 there); the mapped port alone can be
	// open before the server is (Docker's proxy accepts connections).
	strategies := []wait.Strategy{
		wait.ForHTTP(*waitPath).WithPort(cport).WithStatusCodeMatcher(func(int) bool { return true }),
	}
	if *token == "" {
		strategies = append(strategies, wait.ForLog("SCIM_TOKEN="))
	}
	start := time.Now()
	ctr, err := testcontainers.Run(ctx, *image,
		testcontainers.WithExposedPorts(cport),
		testcontainers.WithEnv(cenv),
		testcontainers.WithWaitStrategyAndDeadline(*timeout, strategies...),
	)
	// Whatever happens next, keep the target's log and remove it; with a
	// fresh context, since ctx may be cancelled by then.
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if ctr != nil {
			if err := writeLog(cctx, ctr, filepath.Join(*report, "target.log")); err != nil {
				fmt.Fprintf(stderr, "scimconf container-run: %v\n", err)
			}
		}
		if err := testcontainers.TerminateContainer(ctr, testcontainers.StopContext(cctx)); err != nil {
			fmt.Fprintf(stderr, "scimconf container-run: remove the container: %v\n", err)
		}
	}()
	if err != nil {
		hint := ""
		if *token == "" {
			hint = " (no --token given: the server must print a SCIM_TOKEN= line, else give TOKEN=...)"
		}
		return fmt.Errorf("start %s: %w%s; its log is in %s", *image, err, hint, filepath.Join(*report, "target.log"))
	}
	hostport, err := ctr.PortEndpoint(ctx, cport, "")
	if err != nil {
		return fmt.Errorf("mapped address of %s: %w", cport, err)
	}
	vars, err := targetEnv(ctx, ctr, hostport, *path, *token)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "scimconf container-run: %s ready in %s; SCIM_BASE_URL=%s\n",
		*image, time.Since(start).Round(time.Millisecond), vars["SCIM_BASE_URL"])

	cmd := exec.CommandContext(ctx, command[0], command[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	cmd.Env = os.Environ()
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", strings.Join(command, " "), err)
	}
	return nil
}

// targetEnv works out the variables the command gets. SCIM_BASE_URL and
// SCIM_TOKEN name this container: from the flags, else from the KEY=value
// lines of its log. VERIFIED_DOMAIN, ADMIN_URL and ADMIN_TOKEN come from the
// log only where the environment does not set them. Printed URLs name the
// listener inside the container and are moved to the mapped port.
func targetEnv(ctx context.Context, ctr *testcontainers.DockerContainer, hostport, path, token string) (map[string]string, error) {
	printed := map[string]string{}
	rc, logErr := ctr.Logs(ctx)
	if logErr == nil {
		printed = mockcontainer.ParseEnv(rc)
		rc.Close() // read to the end: nothing left to lose
	}
	vars := map[string]string{}
	for _, k := range fromLog {
		v := printed[k]
		if v == "" || (k != "SCIM_BASE_URL" && k != "SCIM_TOKEN" && os.Getenv(k) != "") {
			continue
		}
		if strings.HasSuffix(k, "_URL") {
			u, err := mockcontainer.RewriteHost(v, hostport)
			if err != nil {
				return nil, fmt.Errorf("the server printed %s=%s: %w", k, v, err)
			}
			v = u
		}
		vars[k] = v
	}
	switch {
	case path != "":
		vars["SCIM_BASE_URL"] = "http://" + hostport + path
	case vars["SCIM_BASE_URL"] == "":
		vars["SCIM_BASE_URL"] = "http://" + hostport + "/scim/v2"
	}
	if token != "" {
		vars["SCIM_TOKEN"] = token
	}
	if vars["SCIM_TOKEN"] == "" {
		if logErr != nil {
			return nil, fmt.Errorf("no --token given and the server's log could not be read for a SCIM_TOKEN= line (%v): give TOKEN=...", logErr)
		}
		return nil, errors.New("no --token given and the server printed no SCIM_TOKEN= line: give TOKEN=...")
	}
	return vars, nil
}

// writeLog writes what the container printed (stdout and stderr) to path.
func writeLog(ctx context.Context, ctr *testcontainers.DockerContainer, path string) error {
	rc, err := ctr.Logs(ctx)
	if err != nil {
		return fmt.Errorf("read the container's log: %w", err)
	}
	defer rc.Close()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
