package mockcontainer_test

import (
	"strings"
	"testing"

	"github.com/testcontainers/testcontainers-go"

	"github.com/scimconf/scimconf/mockcontainer"
)

func TestParseEnv(t *testing.T) {
	tests := []struct {
		name string
		log  string
		want map[string]string
	}{
		{
			name: "serve's lines among log lines",
			log: "SCIM_BASE_URL=http://[::]:8080/idm/public/scim/a1/v2\nSCIM_TOKEN=dt0s01.X.Y\n" +
				"time=2026-11-27T06:23:39Z level=INFO msg=\"mock ready\" scim=http://x\nADMIN_TOKEN=admin-1\n",
			want: map[string]string{
				"SCIM_BASE_URL": "http://[::]:8080/idm/public/scim/a1/v2",
				"SCIM_TOKEN":    "dt0s01.X.Y",
				"ADMIN_TOKEN":   "admin-1",
			},
		},
		{
			name: "value keeps its own equals signs",
			log:  "TOKEN=a=b==\n",
			want: map[string]string{"TOKEN": "a=b=="},
		},
		{
			name: "later line wins, CRLF and blanks ignored",
			log:  "SCIM_TOKEN=old\r\n\r\nSCIM_TOKEN=new\r\n",
			want: map[string]string{"SCIM_TOKEN": "new"},
		},
		{
			name: "not a variable name",
			log:  "lower=x\n1ABC=y\n=z\nA-B=w\nmsg: KEY=v\n",
			want: map[string]string{},
		},
		{name: "empty", log: "", want: map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mockcontainer.ParseEnv(strings.NewReader(tt.log))
			if len(got) != len(tt.want) {
				t.Fatalf("ParseEnv = %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("ParseEnv[%s] = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestRewriteHost(t *testing.T) {
	tests := []struct {
		url, hostport string
		want          string
		wantErr       bool
	}{
		{"http://0.0.0.0:8080/idm/public/scim/a1/v2", "localhost:32768", "http://localhost:32768/idm/public/scim/a1/v2", false},
		{"http://[::]:8080/mock/v1", "127.0.0.1:1", "http://127.0.0.1:1/mock/v1", false},
		{"http://[::]:8080/mock/v1", "[::1]:40000", "http://[::1]:40000/mock/v1", false},
		{"http://0.0.0.0:8080", "localhost:5", "http://localhost:5", false},
		{"/relative/path", "localhost:5", "", true},
		{"http://0.0.0.0:8080/x", "no-port", "", true},
		{"http://%zz", "localhost:5", "", true},
	}
	for _, tt := range tests {
		got, err := mockcontainer.RewriteHost(tt.url, tt.hostport)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("RewriteHost(%q, %q) = %q, %v; want %q, error %t", tt.url, tt.hostport, got, err, tt.want, tt.wantErr)
		}
	}
}

// Terminate is safe where no container runs: on a nil *Container and on
// one Run never filled, as `defer c.Terminate(ctx)` before Run's error
// check needs.
func TestTerminateWithoutContainer(t *testing.T) {
	var c *mockcontainer.Container
	if err := c.Terminate(t.Context()); err != nil {
		t.Errorf("nil Container: Terminate = %v", err)
	}
	if err := (&mockcontainer.Container{}).Terminate(t.Context()); err != nil {
		t.Errorf("empty Container: Terminate = %v", err)
	}
	if err := testcontainers.TerminateContainer(c); err != nil {
		t.Errorf("testcontainers.TerminateContainer(nil module container) = %v", err)
	}
}

// The options are testcontainers-go customizers: those that shape the
// request act on it, and a bad one stops Run before any engine is asked
// (this test needs none).
func TestOptionsAreCustomizers(t *testing.T) {
	req := &testcontainers.GenericContainerRequest{}
	for _, o := range []testcontainers.ContainerCustomizer{
		mockcontainer.WithSchema("full"),
		mockcontainer.WithRules("rfc"),
		mockcontainer.WithAdminToken("adm"),
		mockcontainer.WithLimits(mockcontainer.Limits{MaxUsers: 5}),
		mockcontainer.WithArgs("--patch-no-content"),
		mockcontainer.WithViolations("ignore-if-match"),
		mockcontainer.WithFixtures([]byte(`{"users":[]}`)),
	} {
		if err := o.Customize(req); err != nil {
			t.Fatalf("Customize: %v", err)
		}
	}
	want := map[string]string{"SCIMCONF_SCHEMA": "full", "SCIMCONF_RULES": "rfc", "SCIMCONF_ADMIN_TOKEN": "adm", "SCIMCONF_MAX_USERS": "5"}
	for k, v := range want {
		if req.Env[k] != v {
			t.Errorf("Env[%s] = %q, want %q (all: %v)", k, req.Env[k], v, req.Env)
		}
	}
	if got := strings.Join(req.Cmd, " "); got != "serve --patch-no-content" {
		t.Errorf("Cmd = %q, want serve with the flag appended", got)
	}

	_, err := mockcontainer.Run(t.Context(), "scimconf/never-pulled:none", mockcontainer.WithLimits(mockcontainer.Limits{MaxGroups: -1}))
	if err == nil || !strings.Contains(err.Error(), "SCIMCONF_MAX_GROUPS is -1") {
		t.Errorf("Run with a negative limit: %v; want the limit named", err)
	}
}
