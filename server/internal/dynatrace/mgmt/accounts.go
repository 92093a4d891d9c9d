package mgmt

import (
	"fmt"
	"net/http"

	"github.com/scimconf/scimconf/server/internal/apijson"
	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
)

// Accounts, domains, SCIM tokens and limits: thin handlers over package
// account.

func (a *api) accountView(r *http.Request, acct *account.Account) Account {
	return Account{
		ID:          acct.ID(),
		Name:        acct.Name(),
		CreatedAt:   acct.CreatedAt(),
		SCIMBaseURL: baseURL(r) + "/idm/public/scim/" + acct.ID() + "/v2",
	}
}

func (a *api) createAccount(w http.ResponseWriter, r *http.Request) {
	var body *struct {
		Name *string `json:"name"`
	}
	if !decode(w, r, &body, false, `{"name":"..."}`) {
		return
	}
	if body == nil || body.Name == nil {
		apijson.WriteError(w, http.StatusBadRequest, "invalid_account_name", `"name" is required: send {"name":"..."}`)
		return
	}
	acct, err := a.reg.CreateAccount(*body.Name)
	if err != nil {
		writeFailure(w, err)
		return
	}
	w.Header().Set("Location", Prefix+"/accounts/"+acct.ID())
	apijson.WriteJSON(w, http.StatusCreated, a.accountView(r, acct))
}

func (a *api) listAccounts(w http.ResponseWriter, r *http.Request) {
	all := a.reg.Accounts()
	out := make([]Account, 0, len(all))
	for _, acct := range all {
		out = append(out, a.accountView(r, acct))
	}
	apijson.WriteJSON(w, http.StatusOK, out)
}

func (a *api) getAccount(w http.ResponseWriter, r *http.Request) {
	if acct, ok := a.account(w, r); ok {
		apijson.WriteJSON(w, http.StatusOK, a.accountView(r, acct))
	}
}

func (a *api) deleteAccount(w http.ResponseWriter, r *http.Request) {
	if err := a.reg.DeleteAccount(r.PathValue("id")); err != nil {
		writeFailure(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func domainView(d account.Domain) Domain {
	return Domain{
		Domain:     d.Name,
		Status:     string(d.Status),
		TXTName:    d.TXTName,
		TXTValue:   d.TXTValue,
		CreatedAt:  d.CreatedAt,
		VerifiedAt: d.VerifiedAt,
		LastCheck:  d.LastCheck,
		Reason:     d.Reason,
	}
}

func (a *api) addDomain(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	var body *struct {
		Domain *string `json:"domain"`
	}
	if !decode(w, r, &body, false, `{"domain":"example.com"}`) {
		return
	}
	if body == nil || body.Domain == nil {
		apijson.WriteError(w, http.StatusBadRequest, "invalid_domain", `"domain" is required: send {"domain":"example.com"}`)
		return
	}
	d, err := acct.AddDomain(*body.Domain)
	if err != nil {
		writeFailure(w, err)
		return
	}
	w.Header().Set("Location", Prefix+"/accounts/"+acct.ID()+"/domains/"+d.Name)
	apijson.WriteJSON(w, http.StatusCreated, domainView(d))
}

func (a *api) listDomains(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	all := acct.Domains()
	out := make([]Domain, 0, len(all))
	for _, d := range all {
		out = append(out, domainView(d))
	}
	apijson.WriteJSON(w, http.StatusOK, out)
}

func (a *api) getDomain(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	name := r.PathValue("domain")
	d, found := acct.Domain(name)
	if !found {
		writeFailure(w, fmt.Errorf("%w: %s", account.ErrDomainNotFound, name))
		return
	}
	apijson.WriteJSON(w, http.StatusOK, domainView(d))
}

// verifyDomain answers 200 whatever DNS said: a record not (yet) found
// leaves the domain PENDING with a reason, and the caller may retry while
// DNS propagates (rule DT-DOMAIN-TXT).
func (a *api) verifyDomain(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	d, err := acct.VerifyDomain(r.Context(), r.PathValue("domain"))
	if err != nil {
		writeFailure(w, err)
		return
	}
	apijson.WriteJSON(w, http.StatusOK, domainView(d))
}

func (a *api) deleteDomain(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	if err := acct.DeleteDomain(r.PathValue("domain")); err != nil {
		writeFailure(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func tokenView(t account.TokenInfo) Token {
	return Token{ID: t.ID, Description: t.Description, CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt}
}

func (a *api) createToken(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	var body *struct {
		Description *string `json:"description"`
	}
	if !decode(w, r, &body, true, `{"description":"..."} or nothing`) {
		return
	}
	desc := ""
	if body != nil && body.Description != nil {
		desc = *body.Description
	}
	info, value, err := acct.GenerateToken(desc)
	if err != nil {
		writeFailure(w, err)
		return
	}
	w.Header().Set("Location", Prefix+"/accounts/"+acct.ID()+"/scim-tokens/"+info.ID)
	apijson.WriteJSON(w, http.StatusCreated, NewToken{ID: info.ID, Token: value, Description: info.Description, CreatedAt: info.CreatedAt})
}

func (a *api) listTokens(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	all := acct.Tokens()
	out := make([]Token, 0, len(all))
	for _, t := range all {
		out = append(out, tokenView(t))
	}
	apijson.WriteJSON(w, http.StatusOK, out)
}

func (a *api) getToken(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	id := r.PathValue("tokenId")
	t, found := acct.Token(id)
	if !found {
		writeFailure(w, fmt.Errorf("%w: the account has no token with id %q", account.ErrTokenNotFound, id))
		return
	}
	apijson.WriteJSON(w, http.StatusOK, tokenView(t))
}

// updateToken edits a token's description (rule DT-TOKEN-DESC); null or ""
// clears it, an absent field leaves it as it is.
func (a *api) updateToken(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	id := r.PathValue("tokenId")
	var body *struct {
		Description optString `json:"description"`
	}
	if !decode(w, r, &body, false, `{"description":"..."}`) {
		return
	}
	cur, found := acct.Token(id)
	if !found {
		writeFailure(w, fmt.Errorf("%w: the account has no token with id %q", account.ErrTokenNotFound, id))
		return
	}
	if body == nil || !body.Description.set {
		apijson.WriteJSON(w, http.StatusOK, tokenView(cur))
		return
	}
	t, err := acct.UpdateTokenDescription(id, body.Description.value)
	if err != nil {
		writeFailure(w, err)
		return
	}
	apijson.WriteJSON(w, http.StatusOK, tokenView(t))
}

func (a *api) deleteToken(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	if err := acct.DeleteToken(r.PathValue("tokenId")); err != nil {
		writeFailure(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) getLimits(w http.ResponseWriter, r *http.Request) {
	if acct, ok := a.account(w, r); ok {
		apijson.WriteJSON(w, http.StatusOK, Limits(acct.Limits()))
	}
}

// setLimits replaces every limit at once: a missing field is an error, not
// a default, so that a typo cannot silently reset a limit.
func (a *api) setLimits(w http.ResponseWriter, r *http.Request) {
	acct, ok := a.account(w, r)
	if !ok {
		return
	}
	const shape = `{"maxUsers":n,"maxGroups":n,"maxGroupsPerUser":n,"maxPermissionsPerGroup":n}`
	var body *struct {
		MaxUsers               *int `json:"maxUsers"`
		MaxGroups              *int `json:"maxGroups"`
		MaxGroupsPerUser       *int `json:"maxGroupsPerUser"`
		MaxPermissionsPerGroup *int `json:"maxPermissionsPerGroup"`
	}
	if !decode(w, r, &body, false, shape) {
		return
	}
	if body == nil {
		apijson.WriteError(w, http.StatusBadRequest, "invalid_limits", "the body must be the object %s", shape)
		return
	}
	for _, f := range []struct {
		name string
		v    *int
	}{
		{"maxUsers", body.MaxUsers},
		{"maxGroups", body.MaxGroups},
		{"maxGroupsPerUser", body.MaxGroupsPerUser},
		{"maxPermissionsPerGroup", body.MaxPermissionsPerGroup},
	} {
		if f.v == nil {
			apijson.WriteError(w, http.StatusBadRequest, "invalid_limits",
				"%q is missing; PUT replaces every limit, so send all four: %s", f.name, shape)
			return
		}
	}
	l := account.Limits{
		MaxUsers:               *body.MaxUsers,
		MaxGroups:              *body.MaxGroups,
		MaxGroupsPerUser:       *body.MaxGroupsPerUser,
		MaxPermissionsPerGroup: *body.MaxPermissionsPerGroup,
	}
	if err := acct.SetLimits(l); err != nil {
		writeFailure(w, err)
		return
	}
	apijson.WriteJSON(w, http.StatusOK, Limits(acct.Limits()))
}
