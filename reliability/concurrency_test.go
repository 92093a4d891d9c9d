package reliability_test

import (
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/scimconf/scimconf/server/mock"
)

// The concurrency promises over sockets, against the whole assembly (run
// with -race: make reliability does). The same promises are unit-tested
// where they are kept: store.TestParallelCreatesOfOneUserName,
// account.TestTokenCapConcurrent and mgmt.TestConcurrentTokenCap,
// provider.TestListWhileDeleting, dynatrace.TestGroupsRace; and the rfc
// suite's Concurrency specs hold any SCIM server to the first of them.

// atOnce runs n copies of f released together and waits for them all.
func atOnce(n int, f func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}

// TestRacingCreatesOfOneUserName: 50 creates of one userName at once give
// exactly one 201; the others are 409 uniqueness; one User exists after.
func TestRacingCreatesOfOneUserName(t *testing.T) {
	inst, _ := start(t, mock.Options{})
	const n = 50
	body := mustJSON(userDoc(inst, "racer"))
	answers := make([]answer, n)
	errs := make([]error, n)
	atOnce(n, func(i int) {
		answers[i], errs[i] = send("POST", inst.SCIMBaseURL+"/Users", body,
			"Authorization", "Bearer "+inst.SCIMToken, "Content-Type", "application/scim+json")
	})
	created := 0
	for i, a := range answers {
		switch {
		case errs[i] != nil:
			t.Errorf("create %d: %v", i, errs[i])
		case a.status == http.StatusCreated:
			created++
		case a.status != http.StatusConflict || a.json()["scimType"] != "uniqueness":
			t.Errorf("create %d: %s, want 201 or 409 uniqueness", i, a)
		}
	}
	if created != 1 {
		t.Fatalf("%d of %d racing creates of one userName got 201, want exactly 1", created, n)
	}
	list := scim(t, inst, "GET", "/Users?filter="+queryEscape(`userName eq "racer@`+inst.Domain+`"`), "").json()
	if list["totalResults"] != float64(1) {
		t.Fatalf("%v Users hold the raced userName, want 1", list["totalResults"])
	}
}

// TestRacingTokenGeneration: 30 token generations at once in an account
// holding one token: exactly nine succeed (the cap is 10, DT-TOKEN-CAP),
// the rest are refused, and the account lists 10 tokens.
func TestRacingTokenGeneration(t *testing.T) {
	inst, mc := start(t, mock.Options{})
	const n = 30
	var okCount, capCount atomic.Int32
	atOnce(n, func(i int) {
		a, err := send("POST", inst.AdminURL+"/accounts/"+inst.AccountID+"/scim-tokens", fmt.Sprintf(`{"description":"racer %d"}`, i),
			"Authorization", "Bearer "+inst.AdminToken, "Content-Type", "application/json")
		switch {
		case err != nil:
			t.Errorf("generate %d: %v", i, err)
		case a.status == http.StatusCreated:
			okCount.Add(1)
		case a.status >= 400 && a.status < 500 && a.json()["rule"] == "DT-TOKEN-CAP":
			capCount.Add(1)
		default:
			t.Errorf("generate %d: %s, want 201 or a DT-TOKEN-CAP refusal", i, a)
		}
	})
	tokens, err := mc.Tokens(t.Context(), inst.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if okCount.Load() != 9 || capCount.Load() != n-9 || len(tokens) != 10 {
		t.Fatalf("%d generated, %d refused, %d listed; want 9, %d, 10", okCount.Load(), capCount.Load(), len(tokens), n-9)
	}
}

// TestRacingETagUpdates: 20 PUTs at once, each with the ETag read before
// (If-Match): exactly one wins, the others are 412; the stored version is
// the winner's.
func TestRacingETagUpdates(t *testing.T) {
	inst, _ := start(t, mock.Options{})
	id := created(t, inst, "/Users", userDoc(inst, "etag"))
	got := scim(t, inst, "GET", "/Users/"+id, "")
	etag := got.header.Get("ETag")
	if etag == "" {
		t.Fatalf("GET: no ETag: %s", got)
	}
	const n = 20
	answers := make([]answer, n)
	atOnce(n, func(i int) {
		doc := userDoc(inst, "etag")
		doc["displayName"] = fmt.Sprint("writer ", i)
		var err error
		answers[i], err = send("PUT", inst.SCIMBaseURL+"/Users/"+id, mustJSON(doc),
			"Authorization", "Bearer "+inst.SCIMToken, "Content-Type", "application/scim+json", "If-Match", etag)
		if err != nil {
			t.Errorf("PUT %d: %v", i, err)
		}
	})
	winner := -1
	for i, a := range answers {
		switch {
		case a.status == http.StatusOK:
			if winner >= 0 {
				t.Errorf("PUTs %d and %d both won with If-Match %s", winner, i, etag)
			}
			winner = i
		case a.status != http.StatusPreconditionFailed:
			t.Errorf("PUT %d: %s, want 200 or 412", i, a)
		}
	}
	if winner < 0 {
		t.Fatal("no PUT won")
	}
	after := scim(t, inst, "GET", "/Users/"+id, "")
	if after.json()["displayName"] != fmt.Sprint("writer ", winner) || after.header.Get("ETag") != answers[winner].header.Get("ETag") {
		t.Fatalf("stored %v with ETag %s, want the winner's (writer %d, %s)", after.json()["displayName"], after.header.Get("ETag"), winner, answers[winner].header.Get("ETag"))
	}
}

// TestListWhileDeleting: clients list and filter Users and Groups while
// another deletes them: no page is ever an error, and each page's
// totalResults agrees with the Resources it returns (the whole result
// fits one page).
func TestListWhileDeleting(t *testing.T) {
	inst, _ := start(t, mock.Options{})
	const rounds, perRound = 5, 40
	var pages atomic.Int32
	for round := range rounds {
		var users, groups []string
		for i := range perRound {
			u := created(t, inst, "/Users", userDoc(inst, fmt.Sprintf("lwd-%d-%d", round, i)))
			users = append(users, u)
			groups = append(groups, created(t, inst, "/Groups", map[string]any{"displayName": fmt.Sprintf("lwd-%d-%d", round, i), "members": []any{map[string]any{"value": u}}}))
		}
		done := make(chan struct{})
		var wg sync.WaitGroup
		for _, q := range []string{"/Users?count=1000", "/Groups?count=1000", "/Users?count=1000&filter=" + queryEscape(`userName sw "lwd-`+fmt.Sprint(round)+`"`), "/Groups?count=1000&filter=" + queryEscape(`displayName sw "lwd"`)} {
			wg.Go(func() {
				for {
					select {
					case <-done:
						return
					default:
					}
					a, err := send("GET", inst.SCIMBaseURL+q, "", "Authorization", "Bearer "+inst.SCIMToken)
					if err != nil {
						t.Errorf("GET %s: %v", q, err)
						return
					}
					pages.Add(1)
					m := a.json()
					res, _ := m["Resources"].([]any)
					if a.status != http.StatusOK || m["totalResults"] != float64(len(res)) {
						t.Errorf("GET %s while deleting: %d, totalResults %v with %d Resources: %.300s", q, a.status, m["totalResults"], len(res), a.body)
						return
					}
				}
			})
		}
		for i := range perRound {
			for _, p := range []string{"/Users/" + users[i], "/Groups/" + groups[i]} {
				if a := scim(t, inst, "DELETE", p, ""); a.status != http.StatusNoContent {
					t.Fatalf("DELETE %s: %s", p, a)
				}
			}
		}
		close(done)
		wg.Wait()
	}
	figure(t, "pages listed while deleting", "%d, none an error, totals consistent", pages.Load())
}

// TestMembersFromBothSides: clients change memberships from the Groups'
// side (PATCH add and remove of members, groups created with members and
// deleted) while another deletes Users that are members (the Users' side:
// a deleted User leaves every group). At the end every User's groups and
// every Group's members agree both ways, and no deleted User is a member.
func TestMembersFromBothSides(t *testing.T) {
	inst, _ := start(t, mock.Options{})
	const nUsers, nGroups, doomed = 12, 6, 4
	var users, groups []string
	for i := range nUsers {
		users = append(users, created(t, inst, "/Users", userDoc(inst, fmt.Sprint("both-", i))))
	}
	for i := range nGroups {
		groups = append(groups, created(t, inst, "/Groups", groupDoc(fmt.Sprint("both-", i))))
	}
	patch := func(op string, user string) string {
		return mustJSON(map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{map[string]any{"op": op, "path": "members", "value": []any{map[string]any{"value": user}}}}})
	}
	auth := []string{"Authorization", "Bearer " + inst.SCIMToken, "Content-Type", "application/scim+json"}
	var mu sync.Mutex
	live := map[string]bool{}
	var deletable []string // groups the workers created, which they delete
	for _, g := range groups {
		live[g] = true
	}
	atOnce(6, func(w int) {
		for i := range 40 {
			switch w {
			case 0, 1, 2: // PATCH add and remove, the Groups' side
				g, u := groups[(w+i)%nGroups], users[(w*5+i)%nUsers]
				op := "add"
				if i%3 == 2 {
					op = "remove"
				}
				a, err := send("PATCH", inst.SCIMBaseURL+"/Groups/"+g, patch(op, u), auth...)
				// A member deleted meanwhile is refused (400) or its
				// removal finds nothing; never a 5xx.
				if err != nil || a.status >= 500 || (a.status >= 300 && a.status != http.StatusBadRequest) {
					t.Errorf("PATCH %s %s: %v %v", op, g, a, err)
				}
			case 3, 4: // a group created with members, another deleted
				doc := map[string]any{"displayName": fmt.Sprintf("both-new-%d-%d", w, i),
					"members": []any{map[string]any{"value": users[i%(nUsers-doomed)]}, map[string]any{"value": users[nUsers-1-i%doomed]}}}
				a, err := send("POST", inst.SCIMBaseURL+"/Groups", mustJSON(doc), auth...)
				if err != nil || a.status >= 500 {
					t.Errorf("POST group: %v %v", a, err)
					continue
				}
				if a.status == http.StatusCreated {
					mu.Lock()
					live[a.json()["id"].(string)] = true
					deletable = append(deletable, a.json()["id"].(string))
					mu.Unlock()
				}
				if i%4 == 0 {
					mu.Lock()
					if len(deletable) == 0 {
						mu.Unlock()
						continue
					}
					victim := deletable[0]
					deletable = deletable[1:]
					delete(live, victim)
					mu.Unlock()
					if a, err := send("DELETE", inst.SCIMBaseURL+"/Groups/"+victim, "", auth...); err != nil || a.status != http.StatusNoContent {
						t.Errorf("DELETE group: %v %v", a, err)
					}
				}
			case 5: // the Users' side: members deleted
				if i%10 == 0 && i/10 < doomed {
					u := users[nUsers-1-i/10]
					if a, err := send("DELETE", inst.SCIMBaseURL+"/Users/"+u, "", auth...); err != nil || a.status != http.StatusNoContent {
						t.Errorf("DELETE user: %v %v", a, err)
					}
				}
			}
		}
	})
	fromGroups := map[string][]string{}
	for g := range live {
		a := scim(t, inst, "GET", "/Groups/"+g, "")
		if a.status != http.StatusOK {
			t.Fatalf("GET group %s: %s", g, a)
		}
		members, _ := a.json()["members"].([]any)
		for _, x := range members {
			u := x.(map[string]any)["value"].(string)
			fromGroups[u] = append(fromGroups[u], g)
		}
	}
	for i, u := range users {
		a := scim(t, inst, "GET", "/Users/"+u, "")
		if i >= nUsers-doomed {
			if a.status != http.StatusNotFound || len(fromGroups[u]) > 0 {
				t.Errorf("deleted user %s: %d, still a member of %v", u, a.status, fromGroups[u])
			}
			continue
		}
		var fromUser []string
		gs, _ := a.json()["groups"].([]any)
		for _, x := range gs {
			fromUser = append(fromUser, x.(map[string]any)["value"].(string))
		}
		sort.Strings(fromUser)
		sort.Strings(fromGroups[u])
		if fmt.Sprint(fromUser) != fmt.Sprint(fromGroups[u]) {
			t.Errorf("user %s: groups %v, but the groups that hold it are %v", u, fromUser, fromGroups[u])
		}
	}
}
