package account

import (
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"time"
)

// State is everything an account holds, in a form that can be written
// down and read back (State, RestoreAccount): how a mock keeps its
// accounts across restarts. Tokens appear as their SHA-256 only, as they
// are kept (rule DT-TOKEN-ONCE). The SCIM groups are not in it: they live
// in the SCIM store, and RestoreSCIMGroup gives the account their names
// back once the store is filled.
type State struct {
	ID        string                  `json:"id"`
	Name      string                  `json:"name"`
	CreatedAt time.Time               `json:"createdAt"`
	Seq       uint64                  `json:"seq"`     // creation order among the accounts
	ItemSeq   uint64                  `json:"itemSeq"` // creation order of domains, tokens and groups
	Limits    Limits                  `json:"limits"`
	Domains   []DomainState           `json:"domains"`
	Tokens    []TokenState            `json:"tokens"`
	Groups    []LocalGroupState       `json:"localGroups"`
	Perms     map[string][]Permission `json:"permissions"` // by group id, LOCAL or SCIM
}

// DomainState is a domain and its place in the creation order.
type DomainState struct {
	Domain
	Seq uint64 `json:"seq"`
}

// TokenState is a token as it is kept: never its value.
type TokenState struct {
	TokenInfo
	SHA256 string `json:"sha256"` // hex
	Seq    uint64 `json:"seq"`
}

// LocalGroupState is a LOCAL group and its place in the creation order.
type LocalGroupState struct {
	Group
	Seq uint64 `json:"seq"`
}

// State returns what the account holds now, read under its lock.
func (a *Account) State() State {
	a.mu.RLock()
	defer a.mu.RUnlock()
	st := State{ID: a.id, Name: a.name, CreatedAt: a.createdAt, Seq: a.seq, ItemSeq: a.itemSeq, Limits: a.limits,
		Perms: make(map[string][]Permission, len(a.permissions))}
	for _, d := range a.domains {
		st.Domains = append(st.Domains, DomainState{Domain: d.snapshot(), Seq: d.seq})
	}
	slices.SortFunc(st.Domains, func(x, y DomainState) int { return cmpUint(x.Seq, y.Seq) })
	for _, e := range a.tokens {
		st.Tokens = append(st.Tokens, TokenState{TokenInfo: e.info(), SHA256: hex.EncodeToString(e.hash[:]), Seq: e.seq})
	}
	slices.SortFunc(st.Tokens, func(x, y TokenState) int { return cmpUint(x.Seq, y.Seq) })
	for _, g := range a.groups {
		st.Groups = append(st.Groups, LocalGroupState{Group: g.g, Seq: g.seq})
	}
	slices.SortFunc(st.Groups, func(x, y LocalGroupState) int { return cmpUint(x.Seq, y.Seq) })
	for id, ps := range a.permissions {
		st.Perms[id] = slices.Clone(ps)
	}
	return st
}

// RestoreAccount puts back an account from its State, with its id, tokens
// (which authenticate again at once), domains, LOCAL groups, permissions
// and limits. WithAccountCreated's function is called as for
// CreateAccount. Permissions of SCIM groups are kept; once the SCIM store
// is filled and RestoreSCIMGroup called for each of its groups,
// DropStalePermissions drops those of groups that no longer exist. An id
// or token already in the registry is an error and changes nothing.
func (r *Registry) RestoreAccount(st State) (*Account, error) {
	if st.ID == "" {
		return nil, fmt.Errorf("account: restore: the state has no account id")
	}
	a := &Account{
		reg:         r,
		id:          st.ID,
		name:        st.Name,
		createdAt:   st.CreatedAt,
		limits:      st.Limits.orDefaults(),
		itemSeq:     st.ItemSeq,
		domains:     make(map[string]*domain),
		tokens:      make(map[string]*tokenEntry),
		groups:      make(map[string]*localGroup),
		names:       make(map[string]string),
		scimGroups:  make(map[string]string),
		scimNames:   make(map[string]int),
		permissions: make(map[string][]Permission),
	}
	for _, d := range st.Domains {
		dc := &domain{d: d.Domain, seq: d.Seq}
		dc.d = dc.snapshot()
		a.domains[d.Name] = dc
		if d.Status == DomainVerified {
			a.verified.Add(1)
		}
	}
	hashes := make(map[[32]byte]*tokenEntry, len(st.Tokens))
	for _, t := range st.Tokens {
		raw, err := hex.DecodeString(t.SHA256)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("account: restore %s: token %q has no valid SHA-256", st.ID, t.ID)
		}
		e := &tokenEntry{account: a, id: t.ID, createdAt: t.CreatedAt, seq: t.Seq, description: t.Description}
		copy(e.hash[:], raw)
		if t.LastUsedAt != nil {
			lu := *t.LastUsedAt
			e.lastUsed.Store(&lu)
		}
		a.tokens[t.ID] = e
		hashes[e.hash] = e
	}
	for _, g := range st.Groups {
		a.groups[g.ID] = &localGroup{g: g.Group, seq: g.Seq}
		a.names[foldKey(g.Name)] = g.ID
	}
	for id, ps := range st.Perms {
		a.permissions[id] = slices.Clone(ps)
	}
	if r.onCreated != nil {
		r.onCreated(a)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.accounts[st.ID]; dup {
		return nil, fmt.Errorf("account: restore: the id %q is already in use", st.ID)
	}
	for h := range hashes {
		if _, dup := r.tokens[h]; dup {
			return nil, fmt.Errorf("account: restore %s: a token is already in use by another account", st.ID)
		}
	}
	maps.Copy(r.tokens, hashes)
	r.seq = max(r.seq, st.Seq)
	a.seq = st.Seq
	if a.seq == 0 {
		r.seq++
		a.seq = r.seq
	}
	r.accounts[st.ID] = a
	return a, nil
}

// RestoreSCIMGroup gives the account back the name of a SCIM group that a
// restored SCIM store holds, without judging it again: the group rule
// judged it when the group was written.
func (a *Account) RestoreSCIMGroup(id, name string) {
	key := foldKey(name)
	a.mu.Lock()
	defer a.mu.Unlock()
	if old, ok := a.scimGroups[id]; ok {
		a.dropSCIMNameLocked(old)
	}
	a.scimGroups[id] = key
	a.scimNames[key]++
}

// DropStalePermissions drops the permissions of every group that is
// neither a LOCAL group nor a SCIM group of the account: after a restore,
// those of SCIM groups deleted since the account was last written down.
func (a *Account) DropStalePermissions() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for id := range a.permissions {
		if a.groups[id] == nil && !a.isSCIMLocked(id) {
			delete(a.permissions, id)
		}
	}
}
