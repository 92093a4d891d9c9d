package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"strings"
	"testing"
)

// TestFlagsFromEnv checks the environment's values for flags: well-formed
// ones set the flag (the command line still wins), malformed ones are an
// error naming the variable and the form expected.
func TestFlagsFromEnv(t *testing.T) {
	newFS := func() (*flag.FlagSet, *int, *bool, *uint64, *string) {
		fs := newFlagSet("test", "a test", io.Discard)
		n := fs.Int("max-users", 5, describe("users", "SCIMCONF_TEST_MAX_USERS"))
		b := fs.Bool("strict", false, describe("strict", "SCIMCONF_TEST_STRICT"))
		u := fs.Uint64("seed", 0, describe("seed", "SCIMCONF_TEST_SEED"))
		s := fs.String("url", "http://default", describe("url", "SCIMCONF_TEST_URL"))
		fs.Int("plain", 1, "a flag without a variable")
		return fs, n, b, u, s
	}
	cases := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr []string // parts of the error; none: no error
		check   func(n int, b bool, u uint64, s string) bool
	}{
		{name: "nothing set keeps the defaults",
			check: func(n int, b bool, u uint64, s string) bool { return n == 5 && !b && u == 0 && s == "http://default" }},
		{name: "well-formed values",
			env:   map[string]string{"SCIMCONF_TEST_MAX_USERS": "7", "SCIMCONF_TEST_STRICT": "true", "SCIMCONF_TEST_SEED": "42", "SCIMCONF_TEST_URL": "http://env"},
			check: func(n int, b bool, u uint64, s string) bool { return n == 7 && b && u == 42 && s == "http://env" }},
		{name: "an empty value is unset",
			env:   map[string]string{"SCIMCONF_TEST_MAX_USERS": "", "SCIMCONF_TEST_URL": ""},
			check: func(n int, b bool, u uint64, s string) bool { return n == 5 && s == "http://default" }},
		{name: "the command line wins",
			env:   map[string]string{"SCIMCONF_TEST_MAX_USERS": "7", "SCIMCONF_TEST_STRICT": "1"},
			args:  []string{"--max-users", "9", "--strict=false"},
			check: func(n int, b bool, u uint64, s string) bool { return n == 9 && !b }},
		{name: "not an integer",
			env:     map[string]string{"SCIMCONF_TEST_MAX_USERS": "abc"},
			wantErr: []string{"SCIMCONF_TEST_MAX_USERS", `"abc"`, "an integer", "--max-users"}},
		{name: "not a boolean",
			env:     map[string]string{"SCIMCONF_TEST_STRICT": "yes"},
			wantErr: []string{"SCIMCONF_TEST_STRICT", `"yes"`, "true or false", "--strict"}},
		{name: "a negative seed",
			env:     map[string]string{"SCIMCONF_TEST_SEED": "-1"},
			wantErr: []string{"SCIMCONF_TEST_SEED", "non-negative integer"}},
		{name: "every malformed variable is named",
			env:     map[string]string{"SCIMCONF_TEST_MAX_USERS": "1.5", "SCIMCONF_TEST_STRICT": "on"},
			wantErr: []string{"SCIMCONF_TEST_MAX_USERS", "SCIMCONF_TEST_STRICT"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"SCIMCONF_TEST_MAX_USERS", "SCIMCONF_TEST_STRICT", "SCIMCONF_TEST_SEED", "SCIMCONF_TEST_URL"} {
				v, ok := tc.env[k]
				if !ok {
					t.Setenv(k, "")
					os.Unsetenv(k)
					continue
				}
				t.Setenv(k, v)
			}
			fs, n, b, u, s := newFS()
			err := parse(fs, tc.args)
			if len(tc.wantErr) > 0 {
				if err == nil {
					t.Fatal("no error")
				}
				for _, part := range tc.wantErr {
					if !strings.Contains(err.Error(), part) {
						t.Errorf("the error %q does not say %q", err, part)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(*n, *b, *u, *s) {
				t.Errorf("got max-users=%d strict=%v seed=%d url=%q", *n, *b, *u, *s)
			}
		})
	}
}

// TestMalformedEnvFailsTheCommand runs a real command with a malformed
// variable: it exits 1 and says which variable is wrong.
func TestMalformedEnvFailsTheCommand(t *testing.T) {
	t.Setenv("SCIMCONF_MAX_USERS", "abc")
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithCancel(t.Context())
	cancel() // serve must not start
	if code := run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "SCIMCONF_MAX_USERS") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

// TestPackageDocListsEveryCommand keeps the package doc true to the
// command table.
func TestPackageDocListsEveryCommand(t *testing.T) {
	b, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	doc, _, _ := strings.Cut(string(b), "package main")
	for _, c := range commands() {
		if !strings.Contains(doc, "//   - "+c.name+": ") {
			t.Errorf("the package doc does not list the command %q", c.name)
		}
	}
}
