package account_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// fakeSCIM stands in for the SCIM store: its own lock and its own
// uniqueness of SCIM names, with a claim on the account around each create,
// as the SCIM side takes one.
type fakeSCIM struct {
	mu    sync.Mutex
	acct  *account.Account
	names map[string]string // lower-case name -> id
	ids   map[string]bool
	seq   int
}

func newFakeSCIM(a *account.Account) *fakeSCIM {
	return &fakeSCIM{acct: a, names: map[string]string{}, ids: map[string]bool{}}
}

func (s *fakeSCIM) create(name string) (string, error) {
	c, err := s.acct.ClaimSCIMGroup(name)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(name)
	if _, ok := s.names[key]; ok {
		c.Release()
		return "", account.ErrGroupNameTaken
	}
	s.seq++
	id := fmt.Sprintf("scim-%d", s.seq)
	s.names[key], s.ids[id] = id, true
	c.Commit(id)
	return id, nil
}

func (s *fakeSCIM) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ids)
}

func TestCreateLocalGroup(t *testing.T) {
	e := newEnv(t)
	a := e.account(t)
	newFakeSCIM(a)
	g, err := a.CreateLocalGroup("Admins", "people who administer")
	if err != nil {
		t.Fatal(err)
	}
	if !uuidRE.MatchString(g.ID) || g.Name != "Admins" || g.Description != "people who administer" ||
		g.Type != account.GroupLocal || !g.CreatedAt.Equal(t0) || !g.UpdatedAt.Equal(t0) {
		t.Errorf("CreateLocalGroup = %+v", g)
	}
	if got, ok := a.LocalGroup(g.ID); !ok || got != g {
		t.Errorf("LocalGroup(%s) = %+v, %v", g.ID, got, ok)
	}

	tests := []struct {
		name, desc string
		wantErr    error
	}{
		{name: "admins", wantErr: account.ErrGroupNameTaken},
		{name: "ADMINS", wantErr: account.ErrGroupNameTaken},
		{name: "Admins2"},
		{name: "Ärzte"},
		{name: "äRZTE", wantErr: account.ErrGroupNameTaken},
		{name: "\u212Aelvin"}, // KELVIN SIGN
		{name: "kelvin", wantErr: account.ErrGroupNameTaken},
		{name: "", wantErr: account.ErrInvalidGroupName},
		{name: "   ", wantErr: account.ErrInvalidGroupName},
		{name: " padded", wantErr: account.ErrInvalidGroupName},
		{name: "tab\there", wantErr: account.ErrInvalidGroupName},
		{name: strings.Repeat("g", account.MaxNameLen+1), wantErr: account.ErrInvalidGroupName},
		{name: "\xfe", wantErr: account.ErrInvalidGroupName},
		{name: "ok", desc: strings.Repeat("d", account.MaxNameLen+1), wantErr: account.ErrInvalidDescription},
	}
	for _, tt := range tests {
		if _, err := a.CreateLocalGroup(tt.name, tt.desc); !errors.Is(err, tt.wantErr) {
			t.Errorf("CreateLocalGroup(%.20q) error = %v, want %v", tt.name, err, tt.wantErr)
		}
	}
	var names []string
	for _, g := range a.LocalGroups() {
		names = append(names, g.Name)
	}
	if want := "[Admins Admins2 Ärzte \u212Aelvin]"; fmt.Sprint(names) != want {
		t.Errorf("LocalGroups() = %v, want %s (creation order)", names, want)
	}
}

// TestGroupUniqueAcrossTypes covers DT-GROUP-UNIQUE in both directions.
func TestGroupUniqueAcrossTypes(t *testing.T) {
	e := newEnv(t)
	a := e.account(t)
	scim := newFakeSCIM(a)
	if _, err := scim.create("Engineering"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateLocalGroup("engineering", ""); !errors.Is(err, account.ErrGroupNameTaken) {
		t.Errorf("LOCAL group named like a SCIM group: error = %v, want ErrGroupNameTaken", err)
	}
	local, err := a.CreateLocalGroup("Sales", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"Sales", "SALES", "sales"} {
		if !a.LocalGroupNameTaken(n) {
			t.Errorf("LocalGroupNameTaken(%q) = false", n)
		}
	}
	if a.LocalGroupNameTaken("engineering") || a.LocalGroupNameTaken("Sale") {
		t.Error("LocalGroupNameTaken is true for a name no LOCAL group has")
	}
	if _, err := scim.create("SALES"); !errors.Is(err, account.ErrGroupNameTaken) {
		t.Errorf("SCIM group named like a LOCAL group: error = %v", err)
	}
	// Renaming into a SCIM name is refused; the old name stays taken.
	if _, err := a.UpdateLocalGroup(local.ID, "ENGINEERING", ""); !errors.Is(err, account.ErrGroupNameTaken) {
		t.Errorf("rename to a SCIM name: error = %v", err)
	}
	if !a.LocalGroupNameTaken("sales") || a.LocalGroupNameTaken("engineering") {
		t.Error("a refused rename changed the name index")
	}
}

// TestGroupNameTextSameOnBothSides: the names account management refuses
// for a LOCAL group, SCIM cannot create or rename a group to either, so
// that no two groups of the account read the same.
func TestGroupNameTextSameOnBothSides(t *testing.T) {
	e := newEnv(t)
	a := e.account(t)
	ok, err := a.ClaimSCIMGroup("Local Admins")
	if err != nil {
		t.Fatal(err)
	}
	ok.Commit("g1")
	for _, name := range []string{"", "   ", "\t", "Local Admins ", " Local Admins", "Admins\x00", strings.Repeat("x", account.MaxNameLen+1)} {
		if _, err := a.CreateLocalGroup(name, ""); !errors.Is(err, account.ErrInvalidGroupName) {
			t.Errorf("CreateLocalGroup(%q): error = %v, want ErrInvalidGroupName", name, err)
		}
		if c, err := a.ClaimSCIMGroup(name); !errors.Is(err, account.ErrInvalidGroupName) {
			c.Release()
			t.Errorf("ClaimSCIMGroup(%q): error = %v, want ErrInvalidGroupName", name, err)
		}
		if c, err := a.ClaimSCIMRename("g1", name); !errors.Is(err, account.ErrInvalidGroupName) {
			c.Release()
			t.Errorf("ClaimSCIMRename(%q): error = %v, want ErrInvalidGroupName", name, err)
		}
	}
}

func TestUpdateLocalGroup(t *testing.T) {
	e := newEnv(t)
	a := e.account(t)
	scim := newFakeSCIM(a)
	g, _ := a.CreateLocalGroup("Ops", "")
	other, _ := a.CreateLocalGroup("Dev", "")
	scimID, _ := scim.create("Okta Admins")

	e.clock.add(time.Minute)
	tests := []struct {
		id, name string
		wantErr  error
	}{
		{id: g.ID, name: "OPS"}, // case change only
		{id: g.ID, name: "dev", wantErr: account.ErrGroupNameTaken}, // another LOCAL group
		{id: g.ID, name: "Operations"},
		{id: g.ID, name: "ops"}, // the old name is free again
		{id: scimID, name: "x", wantErr: account.ErrGroupLocked},
		{id: "no-such-id", name: "x", wantErr: account.ErrGroupNotFound},
		{id: g.ID, name: "", wantErr: account.ErrInvalidGroupName},
	}
	for _, tt := range tests {
		got, err := a.UpdateLocalGroup(tt.id, tt.name, "d")
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("UpdateLocalGroup(%s, %q) error = %v, want %v", tt.id, tt.name, err, tt.wantErr)
			continue
		}
		if err == nil && (got.Name != tt.name || got.Description != "d" || !got.UpdatedAt.Equal(t0.Add(time.Minute)) || !got.CreatedAt.Equal(t0)) {
			t.Errorf("UpdateLocalGroup(%q) = %+v", tt.name, got)
		}
	}
	if a.LocalGroupNameTaken("Operations") || a.LocalGroupNameTaken("OPS") != true {
		t.Errorf("name index after renames: Operations %v, ops %v", a.LocalGroupNameTaken("Operations"), a.LocalGroupNameTaken("ops"))
	}
	if got, _ := a.LocalGroup(other.ID); got.Name != "Dev" {
		t.Errorf("other group changed: %+v", got)
	}
}

// TestDeleteLocalGroup covers DT-GROUP-LOCKED for delete, and that a deleted
// group's name and permissions go with it.
func TestDeleteLocalGroup(t *testing.T) {
	e := newEnv(t)
	a := e.account(t)
	scim := newFakeSCIM(a)
	g, _ := a.CreateLocalGroup("Ops", "")
	if err := a.SetPermissions(g.ID, []account.Permission{{Name: "tenant-viewer", Scope: "abc12345", ScopeType: account.ScopeTenant}}); err != nil {
		t.Fatal(err)
	}
	scimID, _ := scim.create("Okta")
	tests := []struct {
		id      string
		wantErr error
	}{
		{scimID, account.ErrGroupLocked},
		{g.ID, nil},
		{g.ID, account.ErrGroupNotFound},
		{"", account.ErrGroupNotFound},
	}
	for _, tt := range tests {
		if err := a.DeleteLocalGroup(tt.id); !errors.Is(err, tt.wantErr) {
			t.Errorf("DeleteLocalGroup(%q) error = %v, want %v", tt.id, err, tt.wantErr)
		}
	}
	if a.LocalGroupNameTaken("ops") || a.Permissions(g.ID) != nil || a.LocalGroupCount() != 0 {
		t.Error("a deleted group left its name, permissions or count behind")
	}
	if _, err := a.CreateLocalGroup("ops", ""); err != nil {
		t.Errorf("re-create after delete: %v", err)
	}
}

// TestGroupLimit covers DT-GROUP-LIMIT for LOCAL groups: LOCAL and SCIM
// groups count together.
func TestGroupLimit(t *testing.T) {
	e := newEnv(t)
	a := e.account(t)
	scim := newFakeSCIM(a)
	l := account.DefaultLimits()
	l.MaxGroups = 3
	if err := a.SetLimits(l); err != nil {
		t.Fatal(err)
	}
	if _, err := scim.create("s1"); err != nil {
		t.Fatal(err)
	}
	for i, wantErr := range []error{nil, nil, account.ErrGroupLimit, account.ErrGroupLimit} {
		_, err := a.CreateLocalGroup(fmt.Sprint("g", i), "")
		if !errors.Is(err, wantErr) {
			t.Errorf("group %d: error = %v, want %v", i, err, wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "maxGroups is 3") {
			t.Errorf("error %q does not name the limit", err)
		}
	}
	if a.LocalGroupNameTaken("g2") {
		t.Error("a group refused by the limit kept its name reserved")
	}
}

func TestPermissions(t *testing.T) {
	e := newEnv(t)
	a := e.account(t)
	scim := newFakeSCIM(a)
	local, _ := a.CreateLocalGroup("Ops", "")
	scimID, _ := scim.create("Okta")
	viewer := account.Permission{Name: "tenant-viewer", Scope: "abc12345", ScopeType: account.ScopeTenant}
	acct := account.Permission{Name: "account-viewer", Scope: a.ID(), ScopeType: account.ScopeAccount}
	mz := account.Permission{Name: "tenant-viewer", Scope: "abc12345:-123456789", ScopeType: account.ScopeManagementZone}

	tests := []struct {
		name    string
		group   string
		perms   []account.Permission
		want    []account.Permission
		wantErr error
	}{
		{name: "local", group: local.ID, perms: []account.Permission{viewer, acct, mz}, want: []account.Permission{viewer, acct, mz}},
		{name: "scim group can get permissions", group: scimID, perms: []account.Permission{viewer}, want: []account.Permission{viewer}},
		{name: "duplicates dropped", group: local.ID, perms: []account.Permission{viewer, viewer, acct}, want: []account.Permission{viewer, acct}},
		{name: "empty clears", group: local.ID, perms: nil, want: nil},
		{name: "unknown group", group: "nope", perms: []account.Permission{viewer}, wantErr: account.ErrGroupNotFound},
		{name: "no name", group: local.ID, perms: []account.Permission{{Scope: "x", ScopeType: account.ScopeTenant}}, wantErr: account.ErrInvalidPermission},
		{name: "bad name", group: local.ID, perms: []account.Permission{{Name: "Tenant Viewer", Scope: "x", ScopeType: account.ScopeTenant}}, wantErr: account.ErrInvalidPermission},
		{name: "no scope", group: local.ID, perms: []account.Permission{{Name: "tenant-viewer", ScopeType: account.ScopeTenant}}, wantErr: account.ErrInvalidPermission},
		{name: "bad scope type", group: local.ID, perms: []account.Permission{{Name: "tenant-viewer", Scope: "x", ScopeType: "TENANT"}}, wantErr: account.ErrInvalidPermission},
		{name: "other account", group: local.ID, perms: []account.Permission{{Name: "account-viewer", Scope: "other", ScopeType: account.ScopeAccount}}, wantErr: account.ErrInvalidPermission},
		{name: "bad mz scope", group: local.ID, perms: []account.Permission{{Name: "tenant-viewer", Scope: "abc12345", ScopeType: account.ScopeManagementZone}}, wantErr: account.ErrInvalidPermission},
		{name: "space in scope", group: local.ID, perms: []account.Permission{{Name: "tenant-viewer", Scope: "a b", ScopeType: account.ScopeTenant}}, wantErr: account.ErrInvalidPermission},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := a.Permissions(tt.group)
			err := a.SetPermissions(tt.group, tt.perms)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("SetPermissions error = %v, want %v", err, tt.wantErr)
			}
			got := a.Permissions(tt.group)
			if err != nil {
				if fmt.Sprint(got) != fmt.Sprint(before) {
					t.Errorf("a refused SetPermissions changed them: %v -> %v", before, got)
				}
				return
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Permissions = %v, want %v", got, tt.want)
			}
		})
	}
	a.DeletePermissions(scimID)
	if got := a.Permissions(scimID); got != nil {
		t.Errorf("Permissions after DeletePermissions = %v", got)
	}
}

func TestPermissionsCap(t *testing.T) {
	e := newEnv(t)
	a := e.account(t)
	g, _ := a.CreateLocalGroup("Ops", "")
	l := account.DefaultLimits()
	l.MaxPermissionsPerGroup = 3
	if err := a.SetLimits(l); err != nil {
		t.Fatal(err)
	}
	perms := func(n int) []account.Permission {
		var out []account.Permission
		for i := range n {
			out = append(out, account.Permission{Name: "tenant-viewer", Scope: fmt.Sprint("env", i), ScopeType: account.ScopeTenant})
		}
		return out
	}
	tests := []struct {
		perms   []account.Permission
		wantErr error
	}{
		{perms(3), nil},
		{perms(4), account.ErrPermissionLimit},
		{append(perms(3), perms(3)...), nil}, // 3 distinct
	}
	for i, tt := range tests {
		err := a.SetPermissions(g.ID, tt.perms)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("case %d: error = %v, want %v", i, err, tt.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "maxPermissionsPerGroup is 3") {
			t.Errorf("error %q does not name the limit", err)
		}
	}
	// The default cap holds 1000 and refuses 1001.
	a.SetLimits(account.DefaultLimits())
	if err := a.SetPermissions(g.ID, perms(1000)); err != nil {
		t.Errorf("1000 permissions: %v", err)
	}
	if err := a.SetPermissions(g.ID, perms(1001)); !errors.Is(err, account.ErrPermissionLimit) {
		t.Errorf("1001 permissions: error = %v", err)
	}
}

// TestGroupNamesConcurrent: parallel creates of one name, in any case and on
// either side, give exactly one group, and the two locks never deadlock.
func TestGroupNamesConcurrent(t *testing.T) {
	e := newEnv(t)
	a := e.account(t)
	scim := newFakeSCIM(a)
	const names = 50
	var wins [names]atomic.Int64
	var wg sync.WaitGroup
	for i := range names {
		for j := range 6 {
			wg.Go(func() {
				name := fmt.Sprintf("group-%d", i)
				if j%2 == 1 {
					name = strings.ToUpper(name)
				}
				var err error
				if j < 3 {
					_, err = a.CreateLocalGroup(name, "")
				} else {
					_, err = scim.create(name)
				}
				switch {
				case err == nil:
					wins[i].Add(1)
				case !errors.Is(err, account.ErrGroupNameTaken):
					t.Errorf("create %s: %v", name, err)
				}
			})
		}
	}
	wg.Wait()
	for i := range names {
		if n := wins[i].Load(); n != 1 {
			t.Errorf("group-%d was created %d times", i, n)
		}
	}
	if got := a.LocalGroupCount() + scim.count(); got != names {
		t.Errorf("%d groups in all, want %d", got, names)
	}
}

// TestRenameConcurrent: parallel renames of groups into one name give it to
// exactly one group, and the index ends up matching the groups.
func TestRenameConcurrent(t *testing.T) {
	e := newEnv(t)
	a := e.account(t)
	var ids []string
	for i := range 8 {
		g, _ := a.CreateLocalGroup(fmt.Sprint("g", i), "")
		ids = append(ids, g.ID)
	}
	var wins atomic.Int64
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			if _, err := a.UpdateLocalGroup(id, "Target", ""); err == nil {
				wins.Add(1)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("%d renames to one name succeeded, want 1", wins.Load())
	}
	for _, g := range a.LocalGroups() {
		if !a.LocalGroupNameTaken(g.Name) {
			t.Errorf("name %q of a group is not in the index", g.Name)
		}
	}
	old := 0
	for i := range 8 {
		if a.LocalGroupNameTaken(fmt.Sprint("g", i)) {
			old++
		}
	}
	if old != 7 {
		t.Errorf("%d old names still taken, want 7 (the renamed group's old name is free)", old)
	}
}
