package dynatrace

import (
	"errors"
	"net/http"

	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
	"github.com/scimconf/scimconf/server/internal/engine/scimhttp"
)

// AuthError is the SCIM answer to a token account.Registry.Authenticate
// refused. A valid token of an account whose last verified domain was
// deleted (account.ErrSCIMNeedsDomain) gets 403 with a detail that names
// the missing verified domain and the way out, for every SCIM request of
// the account, until a domain is verified again (rule DT-DOMAIN-REQUIRED;
// the seed: "SCIM is configured for the account and domain scopes. At
// least one domain ownership verification is required for the account").
// 403, not 401: the token is right, the account does not let it in now
// (RFC 7644 section 3.12: "Operation is not permitted based on the
// supplied authorization"). Anything else is scimhttp.ErrUnauthorized
// (401, no hint of why).
func AuthError(err error) error {
	if errors.Is(err, account.ErrSCIMNeedsDomain) {
		return scimerror.New(http.StatusForbidden, "", "%s", err.Error()).WithRule("DT-DOMAIN-REQUIRED")
	}
	return scimhttp.ErrUnauthorized
}
