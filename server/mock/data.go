package mock

// Keeping state (Options.DataDir, scimconf serve --data): the wiring of
// package durable into the mock. Everything here is skipped without a data
// directory, where the mock keeps its state in memory only.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/scimconf/scimconf/server/internal/apijson"
	"github.com/scimconf/scimconf/server/internal/durable"
	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// AdminTokenFile is the file in the data directory that keeps the
// management API's token when none is given, so that it survives a
// restart as the SCIM tokens do.
const AdminTokenFile = "admin-token"

// The keys the mock keeps in the database beside the accounts.
const (
	metaDemoAccount = "demo-account"
	metaDemoDomain  = "demo-domain"
)

// openData opens the data directory and settles the admin token: the one
// given, else the one kept in the directory, else a new one kept there.
func (inst *Instance) openData(opts Options) error {
	if opts.Deterministic {
		return errors.New("--deterministic and --data do not go together: a restarted deterministic mock would hand out the ids it gave before the restart again")
	}
	db, err := durable.Open(opts.DataDir)
	if err != nil {
		return err
	}
	inst.data = db
	if inst.AdminToken != "" {
		return nil
	}
	path := filepath.Join(opts.DataDir, AdminTokenFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil && strings.TrimSpace(string(b)) != "":
		inst.AdminToken = strings.TrimSpace(string(b))
		return nil
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("read the admin token: %w", err)
	}
	inst.AdminToken = "admin-" + randomHex(16)
	if err := writeFileSync(path, []byte(inst.AdminToken+"\n")); err != nil {
		return fmt.Errorf("keep the admin token in %s: %w", path, err)
	}
	return nil
}

// writeFileSync writes a file readable by its owner only and syncs it.
func writeFileSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// restoreData puts back what the data directory holds: every account with
// its SCIM store, and the demo account's place. It reports false for a new
// directory, where Start sets up the demo account and the fixtures as
// without one.
func (inst *Instance) restoreData(ctx context.Context, opts Options) (bool, error) {
	fresh, err := inst.data.Fresh()
	if err != nil || fresh {
		return false, err
	}
	states, err := inst.data.Accounts()
	if err != nil {
		return false, err
	}
	group := inst.tenancy.set().ResourceType("Group")
	for _, st := range states {
		a, err := inst.Registry.RestoreAccount(st)
		if err != nil {
			return false, fmt.Errorf("%s: %w", inst.data.Path(), err)
		}
		recs, members, err := inst.data.Resources(st.ID)
		if err != nil {
			return false, err
		}
		mem := inst.tenancy.memory(st.ID)
		if mem == nil {
			return false, fmt.Errorf("account %s has no SCIM store", st.ID)
		}
		if err := mem.Restore(recs, members); err != nil {
			return false, fmt.Errorf("%s: account %s: %w", inst.data.Path(), st.ID, err)
		}
		for _, r := range recs {
			if group != nil && strings.EqualFold(r.Type, group.Name) {
				name, _ := r.Doc["displayName"].(string)
				a.RestoreSCIMGroup(r.ID, name)
			}
		}
		a.DropStalePermissions()
	}
	id, ok, err := inst.data.Meta(metaDemoAccount)
	if err != nil {
		return false, err
	}
	if ok && !opts.NoDemo {
		if _, exists := inst.Registry.Account(id); exists {
			inst.AccountID = id
			inst.Domain = opts.DemoDomain
			if d, ok, _ := inst.data.Meta(metaDemoDomain); ok {
				inst.Domain = d
			}
			inst.SCIMBaseURL = inst.URL + "/idm/public/scim/" + id + "/v2"
			// The demo token's value is not kept (only its hash): the
			// token printed at the first start still works.
			inst.log.Info("state restored", "data", inst.data.Path(), "accounts", len(states),
				"note", "the demo account's SCIM token is the one printed when this data directory was created; its value is not stored")
		}
	}
	return true, nil
}

// saveState writes every account and the demo account's place in one
// transaction; the first call marks the directory set up.
func (inst *Instance) saveState() error {
	if inst.data == nil {
		return nil
	}
	inst.saveMu.Lock()
	defer inst.saveMu.Unlock()
	accts := inst.Registry.Accounts()
	states := make([]account.State, 0, len(accts))
	for _, a := range accts {
		states = append(states, a.State())
	}
	if err := inst.data.SaveAccounts(states); err != nil {
		return err
	}
	if err := inst.data.SetMeta(metaDemoAccount, inst.AccountID); err != nil {
		return err
	}
	if err := inst.data.SetMeta(metaDemoDomain, inst.Domain); err != nil {
		return err
	}
	return inst.data.MarkInitialised()
}

// keepManagementWrites makes every management API write durable before its
// answer: the answer is held back, the account model written, then the
// answer sent; when the write fails the client gets a 500 instead.
// Reads pass straight through (the journal's live stream among them).
func (inst *Instance) keepManagementWrites(next http.Handler) http.Handler {
	if inst.data == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		held := &heldResponse{header: http.Header{}}
		next.ServeHTTP(held, r)
		if held.status == 0 {
			held.status = http.StatusOK
		}
		if held.status < 400 {
			if err := inst.saveState(); err != nil {
				inst.log.Error("management write not kept", "err", err)
				apijson.WriteError(w, http.StatusInternalServerError, "not_kept",
					"the change was made but could not be written to the data directory (%v); it is lost at the next restart", err)
				return
			}
		}
		maps.Copy(w.Header(), held.header)
		w.WriteHeader(held.status)
		w.Write(held.body.Bytes())
	})
}

// heldResponse records an answer instead of sending it.
type heldResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (h *heldResponse) Header() http.Header { return h.header }
func (h *heldResponse) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}
func (h *heldResponse) Write(b []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return h.body.Write(b)
}

// storeOptions are the options an account's SCIM store gets from the data
// directory: its commit function.
func (t *tenancy) storeOptions(accountID string) []store.Option {
	if t.data == nil {
		return nil
	}
	return []store.Option{store.WithCommit(t.data.Committer(accountID))}
}

// forget drops an account's resources from the data directory.
func (t *tenancy) forget(accountID string) {
	if t.data == nil {
		return
	}
	if err := t.data.DeleteAccountData(accountID); err != nil && t.opts.Logger != nil {
		t.opts.Logger.Error("deleting an account's resources from the data directory", "account", accountID, "err", err)
	}
}
