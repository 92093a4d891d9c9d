package violation

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"github.com/scimconf/scimconf/server/internal/apijson"
	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// The management API's switches (scim-groups-shown-local,
// unlocked-scim-groups, disabled-shown-active) and the account model's
// that show there (show-token-values, token-description-frozen, the delete
// of keep-deleted-token) are a middleware around the management API's
// routes (Management): a broken proxy in front of a correct API, which
// rewrites answers or does what the API refuses.

// ManagementDeps is what Management works on.
type ManagementDeps struct {
	Registry *account.Registry
	Tokens   *Tokens
	// Store returns an account's SCIM store, nil if it has none; Group is
	// the stores' Group resource type.
	Store func(accountID string) store.Store
	Group *schema.ResourceType
}

// Management returns the middleware of the management API's switches. It
// belongs inside the API's authentication: it acts on what reaches the
// routes.
func Management(set *Set, d ManagementDeps) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		m := &management{set: set, d: d, next: next}
		return http.HandlerFunc(m.serve)
	}
}

type management struct {
	set  *Set
	d    ManagementDeps
	next http.Handler
}

func (m *management) serve(w http.ResponseWriter, r *http.Request) {
	_, rest, ok := strings.Cut(r.URL.Path, "/accounts/")
	if !ok {
		m.next.ServeHTTP(w, r)
		return
	}
	parts := strings.Split(rest, "/")
	if len(parts) < 2 || len(parts) > 3 {
		m.next.ServeHTTP(w, r)
		return
	}
	acct, kind, item := parts[0], parts[1], ""
	if len(parts) == 3 {
		item = parts[2]
	}
	switch kind {
	case "scim-tokens":
		m.tokens(w, r, acct, item)
	case "groups":
		m.groups(w, r, acct, item)
	case "users":
		rec := m.capture(r)
		if m.set.On(DisabledShownActive) {
			rec.SetBody(bytes.ReplaceAll(rec.Body.Bytes(), []byte(`"status":"DISABLED"`), []byte(`"status":"ACTIVE"`)))
		}
		rec.Flush(w)
	default:
		m.next.ServeHTTP(w, r)
	}
}

// tokens: show-token-values, token-description-frozen and the delete of
// keep-deleted-token.
func (m *management) tokens(w http.ResponseWriter, r *http.Request, acct, id string) {
	var rec *response
	switch {
	case r.Method == http.MethodPost && id == "":
		rec = m.capture(r)
		var created struct{ ID, Token string }
		if rec.Status == http.StatusCreated && json.Unmarshal(rec.Body.Bytes(), &created) == nil && created.Token != "" {
			m.d.Tokens.generated(acct, created.ID, created.Token)
		}
		rec.Flush(w)
		return
	case r.Method == http.MethodDelete && id != "":
		m.d.Tokens.deleting(acct, id)
		m.next.ServeHTTP(w, r)
		return
	case r.Method == http.MethodPatch && id != "" && m.set.On(TokenDescriptionFrozen):
		rec = m.frozenDescription(r)
	case r.Method == http.MethodGet || r.Method == http.MethodPatch:
		rec = m.capture(r)
	default:
		m.next.ServeHTTP(w, r)
		return
	}
	if rec.Status == http.StatusOK {
		rec.SetBody(m.showValues(acct, rec.Body.Bytes()))
	}
	rec.Flush(w)
}

// frozenDescription answers an edit of a token's description as the API
// does, then puts the old description back: success, but nothing changed.
func (m *management) frozenDescription(r *http.Request) *response {
	before := m.capture(m.internal(r, http.MethodGet, nil))
	var old struct{ Description string }
	if before.Status != http.StatusOK || json.Unmarshal(before.Body.Bytes(), &old) != nil {
		return m.capture(r)
	}
	rec := m.capture(r)
	if rec.Status != http.StatusOK {
		return rec
	}
	body, _ := json.Marshal(map[string]string{"description": old.Description})
	return m.capture(m.internal(r, http.MethodPatch, body))
}

// showValues adds the value of every token generated under
// show-token-values to a token or a list of tokens.
func (m *management) showValues(acct string, body []byte) []byte {
	show := func(raw json.RawMessage) json.RawMessage {
		var t struct{ ID string }
		if json.Unmarshal(raw, &t) != nil {
			return raw
		}
		v := m.d.Tokens.shownValue(acct, t.ID)
		raw = bytes.TrimSpace(raw)
		if v == "" || len(raw) < 2 || raw[len(raw)-1] != '}' {
			return raw
		}
		q, _ := json.Marshal(v)
		return append(append(append(raw[:len(raw)-1:len(raw)-1], `,"token":`...), q...), '}')
	}
	var list []json.RawMessage
	if json.Unmarshal(body, &list) == nil {
		for i, raw := range list {
			list[i] = show(raw)
		}
		return encode(list)
	}
	var one json.RawMessage
	if json.Unmarshal(body, &one) == nil {
		return encode(show(one))
	}
	return body
}

// groups: scim-groups-shown-local and unlocked-scim-groups.
func (m *management) groups(w http.ResponseWriter, r *http.Request, acct, id string) {
	var rec *response
	if id != "" && (r.Method == http.MethodPatch || r.Method == http.MethodDelete) && m.set.On(UnlockedSCIMGroups) {
		rec = m.unlocked(r, acct, id)
	}
	if rec == nil {
		rec = m.capture(r)
	}
	if m.set.On(SCIMGroupsShownLocal) {
		rec.SetBody(bytes.ReplaceAll(rec.Body.Bytes(), []byte(`"type":"SCIM"`), []byte(`"type":"LOCAL"`)))
	}
	rec.Flush(w)
}

// unlocked renames or deletes a SCIM group in its store, which account
// management refuses (DT-GROUP-LOCKED). It returns nil to let the API
// answer: for a group that is not a SCIM group, and for a PATCH that does
// not set a name.
func (m *management) unlocked(r *http.Request, acctID, id string) *response {
	acct, ok := m.d.Registry.Account(acctID)
	if !ok || !acct.IsSCIMGroup(id) || m.d.Store == nil || m.d.Group == nil {
		return nil
	}
	st := m.d.Store(acctID)
	if st == nil {
		return nil
	}
	if r.Method == http.MethodDelete {
		rec := newResponse()
		if err := st.Delete(r.Context(), m.d.Group, id); err != nil {
			apijson.WriteError(rec, http.StatusInternalServerError, "internal", "%v", err)
		} else {
			rec.WriteHeader(http.StatusNoContent)
		}
		return rec
	}
	body, err := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	var patch map[string]json.RawMessage
	if err != nil || json.Unmarshal(body, &patch) != nil {
		return nil
	}
	var name string
	for k, v := range patch {
		if k != "name" && k != "description" {
			return nil // the API refuses unknown fields
		}
		if k == "name" && json.Unmarshal(v, &name) != nil {
			return nil
		}
	}
	if _, set := patch["name"]; !set || string(bytes.TrimSpace(patch["name"])) == "null" {
		return nil
	}
	_, err = st.Update(r.Context(), m.d.Group, id, func(cur *store.Resource, _ store.Members) (map[string]any, error) {
		cur.Doc["displayName"] = name
		return cur.Doc, nil
	})
	if err != nil {
		rec := newResponse()
		apijson.WriteError(rec, http.StatusInternalServerError, "internal", "%v", err)
		return rec
	}
	return m.capture(m.internal(r, http.MethodGet, nil))
}

// internal is a request of the same caller to the same path with another
// method and body.
func (m *management) internal(r *http.Request, method string, body []byte) *http.Request {
	c := r.Clone(r.Context())
	c.Method = method
	c.Body = io.NopCloser(bytes.NewReader(body))
	c.ContentLength = int64(len(body))
	return c
}

func (m *management) capture(r *http.Request) *response {
	rec := newResponse()
	m.next.ServeHTTP(rec, r)
	return rec
}

func encode(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return nil
	}
	return b.Bytes()
}
