package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/scimconf/scimconf/server/account"
	"github.com/scimconf/scimconf/server/mock"
	"github.com/scimconf/scimconf/server/provider"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", `Starts the mock of Dynatrace's SCIM endpoint, its management API (/mock/v1) and the DNS
mock that domain verification asks, all on loopback. A demo account is created with a
verified domain and a fresh SCIM token. When ready it prints, one per line:
  SCIM_BASE_URL, SCIM_TOKEN, VERIFIED_DOMAIN, ADMIN_URL, ADMIN_TOKEN, DNS_ADDR
as KEY=value, so scripts can read them (eval, or --env-file). Logs go to stderr.
Stop it with Ctrl-C.`, stderr)
	d := provider.DefaultConfig()
	lim := account.DefaultLimits()
	var (
		addr       = fs.String("addr", env("SCIMCONF_ADDR", "127.0.0.1:8080"), describe("address for SCIM and the management API; port 0 picks a free port", "SCIMCONF_ADDR"))
		dnsAddr    = fs.String("dns-addr", env("SCIMCONF_DNS_ADDR", "127.0.0.1:0"), describe("address of the embedded DNS mock (UDP and TCP)", "SCIMCONF_DNS_ADDR"))
		sysRes     = fs.Bool("system-resolver", envBool("SCIMCONF_SYSTEM_RESOLVER", false), describe("verify domains through the system's DNS resolver instead of the embedded DNS mock", "SCIMCONF_SYSTEM_RESOLVER"))
		schemaSet  = fs.String("schema", env("SCIMCONF_SCHEMA", "dynatrace"), describe(`schema set: "dynatrace" (the attributes Dynatrace documents) or "full" (RFC 7643 User, EnterpriseUser, Group)`, "SCIMCONF_SCHEMA"))
		adminToken = fs.String("admin-token", env("SCIMCONF_ADMIN_TOKEN", ""), describe("bearer token of the management API; empty generates one", "SCIMCONF_ADMIN_TOKEN"))
		domain     = fs.String("demo-domain", env("SCIMCONF_DEMO_DOMAIN", "example.com"), describe("verified domain of the demo account", "SCIMCONF_DEMO_DOMAIN"))
		maxUsers   = fs.Int("max-users", envInt("SCIMCONF_MAX_USERS", lim.MaxUsers), describe("users per account (DT-USER-LIMIT)", "SCIMCONF_MAX_USERS"))
		maxGroups  = fs.Int("max-groups", envInt("SCIMCONF_MAX_GROUPS", lim.MaxGroups), describe("groups per account, LOCAL and SCIM (DT-GROUP-LIMIT)", "SCIMCONF_MAX_GROUPS"))
		perUser    = fs.Int("max-groups-per-user", envInt("SCIMCONF_MAX_GROUPS_PER_USER", lim.MaxGroupsPerUser), describe("groups one user may belong to (DT-GROUP-PER-USER)", "SCIMCONF_MAX_GROUPS_PER_USER"))
		perms      = fs.Int("max-permissions-per-group", envInt("SCIMCONF_MAX_PERMISSIONS_PER_GROUP", lim.MaxPermissionsPerGroup), describe("permissions per group", "SCIMCONF_MAX_PERMISSIONS_PER_GROUP"))
		maxResults = fs.Int("max-results", envInt("SCIMCONF_MAX_RESULTS", d.MaxResults), describe("most resources in one list response (filter.maxResults)", "SCIMCONF_MAX_RESULTS"))
		bulkOps    = fs.Int("bulk-max-operations", envInt("SCIMCONF_BULK_MAX_OPERATIONS", d.BulkMaxOperations), describe("most operations in one bulk request", "SCIMCONF_BULK_MAX_OPERATIONS"))
		bulkBytes  = fs.Int("bulk-max-payload", envInt("SCIMCONF_BULK_MAX_PAYLOAD", d.BulkMaxPayloadSize), describe("largest bulk request body in bytes (413 beyond)", "SCIMCONF_BULK_MAX_PAYLOAD"))
		noContent  = fs.Bool("patch-no-content", envBool("SCIMCONF_PATCH_NO_CONTENT", false), describe("answer PATCH with 204 instead of 200 and the resource", "SCIMCONF_PATCH_NO_CONTENT"))
		logLevel   = fs.String("log-level", env("SCIMCONF_LOG_LEVEL", "info"), describe("debug, info, warn or error", "SCIMCONF_LOG_LEVEL"))
		logJSON    = fs.Bool("log-json", envBool("SCIMCONF_LOG_JSON", false), describe("log JSON lines instead of text", "SCIMCONF_LOG_JSON"))
		envFile    = fs.String("env-file", env("SCIMCONF_ENV_FILE", ""), describe("also write the KEY=value lines to this file", "SCIMCONF_ENV_FILE"))
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
		Addr: *addr, DNSAddr: *dnsAddr, Schema: *schemaSet, AdminToken: *adminToken, DemoDomain: *domain,
		Limits:   account.Limits{MaxUsers: *maxUsers, MaxGroups: *maxGroups, MaxGroupsPerUser: *perUser, MaxPermissionsPerGroup: *perms},
		Provider: provider.Config{MaxResults: *maxResults, BulkMaxOperations: *bulkOps, BulkMaxPayloadSize: *bulkBytes, PatchNoContent: *noContent},
		Logger:   log,
	}
	if err := opts.Limits.Validate(); err != nil {
		return err
	}
	if *sysRes {
		opts.Resolver = systemResolver{}
	}
	inst, err := mock.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer inst.Close()
	lines := strings.Join(inst.Env(), "\n") + "\n"
	fmt.Fprint(stdout, lines)
	if *envFile != "" {
		if err := os.WriteFile(*envFile, []byte(lines), 0o600); err != nil {
			return fmt.Errorf("write --env-file: %w", err)
		}
	}
	log.Info("mock ready", "scim", inst.SCIMBaseURL, "admin", inst.AdminURL, "dns", inst.DNSAddr, "schema", *schemaSet)
	<-ctx.Done()
	log.Info("shutting down")
	return nil
}
