package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/scimconf/scimconf/server/mock"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", `Starts the mock of Dynatrace's SCIM endpoint, its management API (/mock/v1) and the DNS
mock that domain verification asks, all on loopback. A demo account is created with a
verified domain and a fresh SCIM token. When ready it prints, one per line:
  SCIM_BASE_URL, SCIM_TOKEN, VERIFIED_DOMAIN, ADMIN_URL, ADMIN_TOKEN, CONSOLE_URL, DNS_ADDR
as KEY=value, so scripts can read them (eval, or --env-file). Logs go to stderr.
Stop it with Ctrl-C.

The web console (CONSOLE_URL, by default on the port after --addr's: 8081) shows account
management, the DNS mock, the live request journal, the client report, violation switches
and fault rules in a browser; sign in with ADMIN_TOKEN. --console-addr off turns it off.

--rules rfc makes it a reference SCIM 2.0 server instead: the same engine, schema sets,
management API, journal, faults and DNS mock with Dynatrace's rules off (any non-empty
userName, userName changes applied, tokens without a verified domain).

--violate turns on violation switches: each makes the mock break one behaviour on purpose,
to prove a conformance suite catches it (make sensitivity). They can also be changed at
run time: GET/PUT/DELETE /mock/v1/violations[/{name}]. The switches:
`+violationHelp()+`
--data DIR keeps the state across restarts and crashes, in an SQLite database in DIR:
accounts, domains and their verification, SCIM token hashes and descriptions (never the
values), users, groups, memberships, permissions, limits, and the admin token (in
DIR/admin-token unless --admin-token is given). Every write is on disk before its answer.
The demo account and --fixtures are set up at the first start only; later starts find
them in DIR, and print no SCIM_TOKEN (its value is not stored: the one printed at the
first start still works). The request journal, faults and switches stay in memory.
Without --data everything is in memory and a restart starts empty.

--variant turns on variant switches, the dual of the violations: each makes the mock take
one choice that RFC 7643/7644 permits, and /ServiceProviderConfig says so; no MUST rule
may fail on them (make tolerance). scimconf variants lists each with the RFC sentence that
permits it. The variants:
`+variantHelp(), stderr)
	d := mock.DefaultProviderConfig()
	lim := mock.DefaultLimits()
	var (
		addr       = fs.String("addr", "127.0.0.1:8080", describe("address for SCIM and the management API; port 0 picks a free port", "SCIMCONF_ADDR"))
		dnsAddr    = fs.String("dns-addr", "127.0.0.1:0", describe("address of the embedded DNS mock (UDP and TCP)", "SCIMCONF_DNS_ADDR"))
		sysRes     = fs.Bool("system-resolver", false, describe("verify domains through the system's DNS resolver instead of the embedded DNS mock", "SCIMCONF_SYSTEM_RESOLVER"))
		schemaSet  = fs.String("schema", "dynatrace", describe(`schema set: "dynatrace" (the attributes Dynatrace documents) or "full" (RFC 7643 User, EnterpriseUser, Group)`, "SCIMCONF_SCHEMA"))
		rules      = fs.String("rules", mock.RulesDynatrace, describe(`rules on top of SCIM 2.0: "dynatrace" (Dynatrace's: a userName is an email on a verified domain and never changes, group names unique across LOCAL and SCIM groups, no token without a verified domain) or "rfc" (none: a reference SCIM 2.0 server, RFC 7643/7644 only)`, "SCIMCONF_RULES"))
		adminToken = fs.String("admin-token", "", describe("bearer token of the management API; empty generates one", "SCIMCONF_ADMIN_TOKEN"))
		domain     = fs.String("demo-domain", "example.com", describe("verified domain of the demo account", "SCIMCONF_DEMO_DOMAIN"))
		maxUsers   = fs.Int("max-users", lim.MaxUsers, describe("users per account (DT-USER-LIMIT)", "SCIMCONF_MAX_USERS"))
		maxGroups  = fs.Int("max-groups", lim.MaxGroups, describe("groups per account, LOCAL and SCIM (DT-GROUP-LIMIT)", "SCIMCONF_MAX_GROUPS"))
		perUser    = fs.Int("max-groups-per-user", lim.MaxGroupsPerUser, describe("groups one user may belong to (DT-GROUP-PER-USER)", "SCIMCONF_MAX_GROUPS_PER_USER"))
		perms      = fs.Int("max-permissions-per-group", lim.MaxPermissionsPerGroup, describe("permissions per group", "SCIMCONF_MAX_PERMISSIONS_PER_GROUP"))
		maxResults = fs.Int("max-results", d.MaxResults, describe("most resources in one list response (filter.maxResults)", "SCIMCONF_MAX_RESULTS"))
		bulkOps    = fs.Int("bulk-max-operations", d.BulkMaxOperations, describe("most operations in one bulk request", "SCIMCONF_BULK_MAX_OPERATIONS"))
		bulkBytes  = fs.Int("bulk-max-payload", d.BulkMaxPayloadSize, describe("largest bulk request body in bytes (413 beyond)", "SCIMCONF_BULK_MAX_PAYLOAD"))
		noContent  = fs.Bool("patch-no-content", false, describe("answer PATCH with 204 instead of 200 and the resource", "SCIMCONF_PATCH_NO_CONTENT"))
		strict     = fs.Bool("strict", false, describe("refuse the IdP dialects RFC 7644 does not define (capitalised ops, \"False\" strings, dotted keys, ...) with a 400 naming each, instead of accepting them and naming them in the X-Scimconf-Quirks header", "SCIMCONF_STRICT"))
		logLevel   = fs.String("log-level", "info", describe("debug, info, warn or error", "SCIMCONF_LOG_LEVEL"))
		logJSON    = fs.Bool("log-json", false, describe("log JSON lines instead of text", "SCIMCONF_LOG_JSON"))
		envFile    = fs.String("env-file", "", describe("also write the KEY=value lines to this file", "SCIMCONF_ENV_FILE"))
		faultsFile = fs.String("faults", "", describe(`JSON file of fault rules in force from the start and after each reset: {"faults":[{"match":{...},"action":{...}}]} (README: The mock as a test double)`, "SCIMCONF_FAULTS"))
		fixtures   = fs.String("fixtures", "", describe("a fixture file, or a directory of *.json fixtures, loaded into the demo account at start and after each reset (e.g. fixtures/demo.json)", "SCIMCONF_FIXTURES"))
		determ     = fs.Bool("deterministic", false, describe("a clock that starts at 2026-01-01 and ids and tokens drawn from --seed, so that two runs given the same calls answer the same bytes (not for anything secret)", "SCIMCONF_DETERMINISTIC"))
		seed       = fs.Uint64("seed", 0, describe("seed of --deterministic and of the faults' probabilities; 0 without --deterministic picks one", "SCIMCONF_SEED"))
		journalCap = fs.Int("journal-size", mock.DefaultJournalSize, describe("exchanges the request journal keeps (the oldest go first)", "SCIMCONF_JOURNAL_SIZE"))
		journalMem = fs.Int64("journal-max-bytes", mock.DefaultJournalMaxBytes, describe("bytes the request journal's entries may hold together, bodies and headers counted (the oldest go first)", "SCIMCONF_JOURNAL_MAX_BYTES"))
		readTO     = fs.Duration("read-timeout", mock.DefaultReadTimeout, describe("longest a request may take to arrive, headers and body (a client slower than that is cut); 0 for none", "SCIMCONF_READ_TIMEOUT"))
		writeTO    = fs.Duration("write-timeout", mock.DefaultWriteTimeout, describe("longest from a request's headers to the end of its answer (the journal's live stream excepted); 0 for none", "SCIMCONF_WRITE_TIMEOUT"))
		idleTO     = fs.Duration("idle-timeout", mock.DefaultIdleTimeout, describe("longest a kept-alive connection may wait for its next request; 0 for none", "SCIMCONF_IDLE_TIMEOUT"))
		dataDir    = fs.String("data", "", describe("directory that keeps the whole state across restarts (an SQLite database, created when missing); empty keeps it in memory only", "SCIMCONF_DATA"))
		consoleAt  = fs.String("console-addr", "", describe(`address of the web console; empty: the host of --addr and the port after its port (127.0.0.1:8081 by default; a free port when --addr's port is 0); "off": no console`, "SCIMCONF_CONSOLE_ADDR"))
		violate    = fs.String("violate", "", describe("comma-separated violation switches to turn on (listed above); never on a mock others rely on", "SCIMCONF_VIOLATE"))
		variants   = fs.String("variant", "", describe("comma-separated variant switches to turn on (listed above): permitted choices, e.g. eq-only-filters,no-etags", "SCIMCONF_VARIANTS"))
	)
	if err := parse(fs, args); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level %q: use debug, info, warn or error", *logLevel)
	}
	hopts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(stderr, hopts)
	if *logJSON {
		h = slog.NewJSONHandler(stderr, hopts)
	}
	log := slog.New(h)

	opts := mock.Options{
		Addr: *addr, DNSAddr: *dnsAddr, Schema: *schemaSet, Rules: *rules, AdminToken: *adminToken, DemoDomain: *domain,
		Limits:   mock.Limits{MaxUsers: *maxUsers, MaxGroups: *maxGroups, MaxGroupsPerUser: *perUser, MaxPermissionsPerGroup: *perms},
		Provider: mock.ProviderConfig{MaxResults: *maxResults, BulkMaxOperations: *bulkOps, BulkMaxPayloadSize: *bulkBytes, PatchNoContent: *noContent},
		Logger:   log,
		Strict:   *strict,
		// Violations: switches named in --violate (an unknown name fails Start).
		Violations: mock.ParseSwitches(*violate),
		// Variants: permitted choices named in --variant (an unknown name
		// or two that conflict fail Start).
		Variants: mock.ParseVariants(*variants),
	}
	if err := opts.Limits.Validate(); err != nil {
		return err
	}
	if err := testDouble(&opts, *faultsFile, *fixtures, *determ, *seed, *journalCap); err != nil {
		return err
	}
	if err := journalMaxBytes(&opts, *journalMem); err != nil {
		return err
	}
	if err := timeouts(&opts, *readTO, *writeTO, *idleTO); err != nil {
		return err
	}
	// Keeping state (--data): see the help above.
	opts.DataDir = *dataDir
	if *sysRes {
		opts.Resolver = systemResolver{}
	}
	ca, err := consoleAddr(*addr, *consoleAt)
	if err != nil {
		return err
	}
	opts.ConsoleAddr = ca
	inst, err := mock.Start(ctx, opts)
	if err != nil {
		return err
	}
	lines := strings.Join(inst.Env(), "\n") + "\n"
	fmt.Fprint(stdout, lines)
	if *envFile != "" {
		if err := os.WriteFile(*envFile, []byte(lines), 0o600); err != nil {
			return errors.Join(fmt.Errorf("write --env-file: %w", err), closeMock(inst))
		}
	}
	log.Info("mock ready", "scim", inst.SCIMBaseURL, "admin", inst.AdminURL, "dns", inst.DNSAddr, "schema", *schemaSet, "rules", *rules)
	if inst.ConsoleURL != "" {
		log.Info("console ready: open it in a browser and sign in with ADMIN_TOKEN", "url", inst.ConsoleURL)
	}
	<-ctx.Done()
	log.Info("shutting down")
	return closeMock(inst)
}

// consoleAddr is where the console listens: flag as given, none for "off",
// and for "" the host of the mock's address with the next port (a free one
// when the mock's port is 0, so that parallel mocks never collide).
func consoleAddr(addr, flag string) (string, error) {
	switch flag {
	case "off":
		return "", nil
	case "":
	default:
		if _, _, err := net.SplitHostPort(flag); err != nil {
			return "", fmt.Errorf("--console-addr %q: give host:port (127.0.0.1:8081), :0 for a free port, or off", flag)
		}
		return flag, nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--addr %q: give host:port (127.0.0.1:8080)", addr)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65534 {
		return "", fmt.Errorf("--addr %q: the console takes the port after it; give --console-addr host:port or off", addr)
	}
	if n != 0 {
		n++
	}
	return net.JoinHostPort(host, strconv.Itoa(n)), nil
}

// closeMock stops the mock, saying so when it did not stop cleanly.
func closeMock(inst *mock.Instance) error {
	if err := inst.Close(); err != nil {
		return fmt.Errorf("stopping the mock: %w", err)
	}
	return nil
}

// journalMaxBytes applies --journal-max-bytes to opts.
func journalMaxBytes(opts *mock.Options, n int64) error {
	if n < 1 {
		return fmt.Errorf("--journal-max-bytes %d: give the journal at least 1 byte (it always keeps the newest exchange)", n)
	}
	opts.JournalMaxBytes = n
	return nil
}

// timeouts applies --read-timeout, --write-timeout and --idle-timeout to
// opts: 0 on the command line is no timeout (a negative Options value).
func timeouts(opts *mock.Options, read, write, idle time.Duration) error {
	for _, t := range []struct {
		flag string
		d    time.Duration
		dst  *time.Duration
	}{{"read-timeout", read, &opts.ReadTimeout}, {"write-timeout", write, &opts.WriteTimeout}, {"idle-timeout", idle, &opts.IdleTimeout}} {
		switch {
		case t.d < 0:
			return fmt.Errorf("--%s %v: give a duration such as 30s, or 0 for none", t.flag, t.d)
		case t.d == 0:
			*t.dst = -1
		default:
			*t.dst = t.d
		}
	}
	return nil
}
