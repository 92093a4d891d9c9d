package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/scimconf/scimconf/server/mock"
)

// dataServe is a `scimconf serve --data DIR` process the test can kill.
type dataServe struct {
	cmd    *exec.Cmd
	env    map[string]string
	stderr *bytes.Buffer
}

func startDataServe(t *testing.T, bin, dir string) *dataServe {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &dataServe{cmd: cmd, env: map[string]string{}, stderr: &bytes.Buffer{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	timer := time.AfterFunc(20*time.Second, func() { cmd.Process.Kill() })
	defer timer.Stop()
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		s.env[k] = v
		if k == "DNS_ADDR" {
			break
		}
	}
	if s.env["SCIM_BASE_URL"] == "" || s.env["ADMIN_TOKEN"] == "" {
		t.Fatalf("serve --data did not start: printed %v; stderr:\n%s", s.env, s.stderr)
	}
	go io.Copy(io.Discard, stdout)
	return s
}

// scimCall is one SCIM request; it returns the status and the decoded
// body, or an error when no answer came.
func scimCall(c *http.Client, method, url, token string, body any) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	var out map[string]any
	if len(b) > 0 {
		json.Unmarshal(b, &out)
	}
	return resp.StatusCode, out, nil
}

// crashUser and crashGroup are what the clients were told (2xx) before the
// crash, and what they had asked without an answer when it came.
type crashUser struct {
	id, userName string
	display      string // acknowledged displayName
	pending      string // displayName asked, unanswered ("" for none)
	deleted      bool   // DELETE acknowledged
	deletePend   bool
}

type crashGroup struct {
	id      string
	members map[string]bool // acknowledged membership
	pending string          // member id of an unanswered add or remove
}

// TestCrashKeepsAcknowledgedWrites is issue #18's crash test: clients
// create, patch, delete users and change group members concurrently
// against `serve --data DIR`; the process is killed with SIGKILL in the
// middle of it and started again on DIR; every write answered 2xx must be
// there, nothing half-applied (both sides of each membership agree), and
// the SCIM token printed at the first start must still open the account.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	first := startDataServe(t, bin, dir)
	base, token := first.env["SCIM_BASE_URL"], first.env["SCIM_TOKEN"]
	adminToken := first.env["ADMIN_TOKEN"]

	const workers = 8
	var (
		acked    atomic.Int64
		stop     atomic.Bool
		wg       sync.WaitGroup
		mu       sync.Mutex
		users    []*crashUser
		groups   []*crashGroup
		firstErr = make(chan error, workers)
	)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each worker owns its resources, so the order of its own
			// requests is the order of their effects.
			g := &crashGroup{members: map[string]bool{}}
			var mine []*crashUser
			fail := func(what string, code int, body map[string]any) {
				select {
				case firstErr <- fmt.Errorf("worker %d: %s: %d %v", w, what, code, body):
				default:
				}
				stop.Store(true)
			}
			code, body, err := scimCall(client, "POST", base+"/Groups", token, map[string]any{
				"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": fmt.Sprintf("crash group %d", w)})
			if err != nil {
				return
			}
			if code != 201 {
				fail("create group", code, body)
				return
			}
			acked.Add(1)
			g.id, _ = body["id"].(string)
			mu.Lock()
			groups = append(groups, g)
			mu.Unlock()
			for i := 0; !stop.Load(); i++ {
				switch {
				case i%5 == 0 || len(mine) < 3: // create a user
					name := fmt.Sprintf("crash-%d-%d@example.com", w, i)
					code, body, err := scimCall(client, "POST", base+"/Users", token, map[string]any{
						"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": name,
						"name": map[string]any{"givenName": "C", "familyName": "K"}, "active": true, "displayName": "v0"})
					if err != nil {
						return
					}
					if code != 201 {
						fail("create user", code, body)
						return
					}
					acked.Add(1)
					u := &crashUser{userName: name, display: "v0"}
					u.id, _ = body["id"].(string)
					mine = append(mine, u)
					mu.Lock()
					users = append(users, u)
					mu.Unlock()
				case i%5 == 1 || i%5 == 2: // add or remove a member
					u := mine[i%len(mine)]
					if u.deleted {
						continue
					}
					op := map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": u.id}}}
					if g.members[u.id] {
						op = map[string]any{"op": "remove", "path": fmt.Sprintf("members[value eq %q]", u.id)}
					}
					mu.Lock()
					g.pending = u.id
					mu.Unlock()
					code, body, err := scimCall(client, "PATCH", base+"/Groups/"+g.id, token, map[string]any{
						"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": []any{op}})
					if err != nil {
						return
					}
					if code != 200 && code != 204 {
						fail("patch members", code, body)
						return
					}
					acked.Add(1)
					mu.Lock()
					g.members[u.id] = !g.members[u.id]
					if !g.members[u.id] {
						delete(g.members, u.id)
					}
					g.pending = ""
					mu.Unlock()
				case i%5 == 3: // rename a user
					u := mine[i%len(mine)]
					if u.deleted {
						continue
					}
					v := fmt.Sprintf("v%d", i)
					mu.Lock()
					u.pending = v
					mu.Unlock()
					code, body, err := scimCall(client, "PATCH", base+"/Users/"+u.id, token, map[string]any{
						"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
						"Operations": []any{map[string]any{"op": "replace", "path": "displayName", "value": v}}})
					if err != nil {
						return
					}
					if code != 200 && code != 204 {
						fail("patch user", code, body)
						return
					}
					acked.Add(1)
					mu.Lock()
					u.display, u.pending = v, ""
					mu.Unlock()
				case i%5 == 4 && i%15 == 4: // delete a user that is in no group of ours
					u := mine[(i/5)%len(mine)]
					if u.deleted || g.members[u.id] {
						continue
					}
					mu.Lock()
					u.deletePend = true
					mu.Unlock()
					code, body, err := scimCall(client, "DELETE", base+"/Users/"+u.id, token, nil)
					if err != nil {
						return
					}
					if code != 204 {
						fail("delete user", code, body)
						return
					}
					acked.Add(1)
					mu.Lock()
					u.deleted, u.deletePend = true, false
					mu.Unlock()
				}
			}
		}()
	}
	// A token generated through the management API before the crash.
	time.Sleep(1500 * time.Millisecond)
	req, _ := http.NewRequest("POST", first.env["ADMIN_URL"]+"/accounts/"+accountOf(base)+"/scim-tokens", strings.NewReader(`{"description":"made before the crash"}`))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	var generated string
	if resp, err := client.Do(req); err == nil {
		var tok map[string]any
		json.NewDecoder(resp.Body).Decode(&tok)
		resp.Body.Close()
		generated, _ = tok["token"].(string)
		if resp.StatusCode != 201 && resp.StatusCode != 200 || generated == "" {
			t.Fatalf("generate a token: %d %v", resp.StatusCode, tok)
		}
	} else {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.cmd.Wait()
	stop.Store(true)
	wg.Wait()
	select {
	case err := <-firstErr:
		t.Fatalf("a write was refused before the crash: %v", err)
	default:
	}
	n := acked.Load()
	if n < 50 {
		t.Fatalf("only %d writes were acknowledged before the crash; the test proves little", n)
	}

	second := startDataServe(t, bin, dir)
	// Port 0 picks another port; the account is the same.
	if accountOf(second.env["SCIM_BASE_URL"]) != accountOf(base) {
		t.Fatalf("after the restart the demo account's SCIM base URL is %q, was %q", second.env["SCIM_BASE_URL"], base)
	}
	base = second.env["SCIM_BASE_URL"]
	if second.env["ADMIN_TOKEN"] != adminToken {
		t.Errorf("after the restart the admin token is %q, was %q", second.env["ADMIN_TOKEN"], adminToken)
	}
	if _, ok := second.env["SCIM_TOKEN"]; ok {
		t.Errorf("after the restart serve printed SCIM_TOKEN=%q; its value is not stored, so it must print none", second.env["SCIM_TOKEN"])
	}
	for _, tok := range []string{token, generated} {
		if code, body, err := scimCall(client, "GET", base+"/Users?count=1", tok, nil); err != nil || code != 200 {
			t.Fatalf("a SCIM token from before the crash no longer opens the account: %d %v %v", code, body, err)
		}
	}

	for _, u := range users {
		code, body, err := scimCall(client, "GET", base+"/Users/"+u.id, token, nil)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case u.deleted:
			if code != 404 {
				t.Errorf("user %s: its DELETE was acknowledged, yet GET gives %d", u.userName, code)
			}
		case code == 404 && u.deletePend:
		case code != 200:
			t.Errorf("user %s (%s): acknowledged, yet GET gives %d %v", u.userName, u.id, code, body)
		default:
			if body["userName"] != u.userName {
				t.Errorf("user %s: userName is %v", u.id, body["userName"])
			}
			if d := body["displayName"]; d != u.display && (u.pending == "" || d != u.pending) {
				t.Errorf("user %s: displayName %v, acknowledged %q (pending %q)", u.userName, d, u.display, u.pending)
			}
		}
	}
	// Memberships: what was acknowledged, give or take the one change in
	// flight, and the same from both sides.
	memberOf := map[string][]string{}
	for _, g := range groups {
		code, body, err := scimCall(client, "GET", base+"/Groups/"+g.id, token, nil)
		if err != nil || code != 200 {
			t.Fatalf("group %s: acknowledged, yet GET gives %d %v %v", g.id, code, body, err)
		}
		got := map[string]bool{}
		ms, _ := body["members"].([]any)
		for _, m := range ms {
			id, _ := m.(map[string]any)["value"].(string)
			got[id] = true
			memberOf[id] = append(memberOf[id], g.id)
		}
		for id := range got {
			if !g.members[id] && id != g.pending {
				t.Errorf("group %s holds %s, which was never acknowledged as a member", g.id, id)
			}
		}
		for id := range g.members {
			if !got[id] && id != g.pending {
				t.Errorf("group %s lost the acknowledged member %s", g.id, id)
			}
		}
	}
	for _, u := range users {
		code, body, err := scimCall(client, "GET", base+"/Users/"+u.id+"?attributes=groups", token, nil)
		if err != nil || code == 404 {
			continue
		}
		var gids []string
		gs, _ := body["groups"].([]any)
		for _, g := range gs {
			id, _ := g.(map[string]any)["value"].(string)
			gids = append(gids, id)
		}
		want := memberOf[u.id]
		slices.Sort(gids)
		slices.Sort(want)
		if !slices.Equal(gids, want) {
			t.Errorf("user %s: groups %v, but the groups list it in %v", u.userName, gids, want)
		}
	}
	if !t.Failed() {
		t.Logf("%d writes acknowledged before SIGKILL; after the restart %d users and %d groups checked, none lost", n, len(users), len(groups))
	}
}

// accountOf is the account id in a SCIM base URL.
func accountOf(base string) string {
	rest, _ := strings.CutSuffix(base, "/v2")
	return rest[strings.LastIndex(rest, "/")+1:]
}

// TestAdminExportImport moves the demo account's users and groups from a
// mock in memory into one with a data directory with `admin export` and
// `admin import`.
func TestAdminExportImport(t *testing.T) {
	ctx := t.Context()
	from, err := mock.Start(ctx, mock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer from.Close()
	client := &http.Client{Timeout: 10 * time.Second}
	for i := range 3 {
		code, body, err := scimCall(client, "POST", from.SCIMBaseURL+"/Users", from.SCIMToken, map[string]any{
			"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": fmt.Sprintf("moved%d@example.com", i),
			"name": map[string]any{"givenName": "M", "familyName": "V"}, "active": true})
		if err != nil || code != 201 {
			t.Fatalf("POST /Users: %d %v %v", code, body, err)
		}
	}
	var exported bytes.Buffer
	if err := runAdmin(ctx, []string{"--url", from.AdminURL, "--token", from.AdminToken, "export"}, &exported, io.Discard); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(file, exported.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	to, err := mock.Start(ctx, mock.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer to.Close()
	if err := runAdmin(ctx, []string{"--url", to.AdminURL, "--token", to.AdminToken, "import", file}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	code, body, err := scimCall(client, "GET", to.SCIMBaseURL+`/Users?filter=userName%20sw%20%22moved%22`, to.SCIMToken, nil)
	if err != nil || code != 200 || body["totalResults"] != 3.0 {
		t.Fatalf("after import: %d %v %v, want 3 users", code, body, err)
	}
	if err := runAdmin(ctx, []string{"--url", to.AdminURL, "--token", to.AdminToken, "import", filepath.Join(t.TempDir(), "missing.json")}, io.Discard, io.Discard); err == nil {
		t.Error("import of a missing file succeeded")
	}
}
