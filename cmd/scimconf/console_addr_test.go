package main

import "testing"

// The console listens next to the mock unless told otherwise.
func TestConsoleAddr(t *testing.T) {
	for _, tc := range []struct{ addr, flag, want string }{
		{"127.0.0.1:8080", "", "127.0.0.1:8081"},
		{"0.0.0.0:8080", "", "0.0.0.0:8081"},
		{"127.0.0.1:0", "", "127.0.0.1:0"},
		{"[::1]:9000", "", "[::1]:9001"},
		{"127.0.0.1:8080", "off", ""},
		{"127.0.0.1:8080", "127.0.0.1:9999", "127.0.0.1:9999"},
		{"127.0.0.1:8080", ":0", ":0"},
	} {
		got, err := consoleAddr(tc.addr, tc.flag)
		if err != nil || got != tc.want {
			t.Errorf("consoleAddr(%q, %q) = %q, %v; want %q", tc.addr, tc.flag, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ addr, flag string }{{"127.0.0.1:8080", "8081"}, {"127.0.0.1:65535", ""}, {"nohost", ""}} {
		if got, err := consoleAddr(tc.addr, tc.flag); err == nil {
			t.Errorf("consoleAddr(%q, %q) = %q, want an error", tc.addr, tc.flag, got)
		}
	}
}

// `serve --console-addr off` prints no CONSOLE_URL; by default it prints one.
func TestServeConsoleURL(t *testing.T) {
	if env := serveInProcess(t); env["CONSOLE_URL"] == "" {
		t.Error("serve printed no CONSOLE_URL")
	}
	if env := serveInProcess(t, "--console-addr", "off"); env["CONSOLE_URL"] != "" {
		t.Errorf("serve --console-addr off printed CONSOLE_URL=%s", env["CONSOLE_URL"])
	}
}
