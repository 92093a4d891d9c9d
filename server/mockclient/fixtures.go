package mockclient

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
)

// LoadFixtures loads a fixture set (the JSON of fixtures/demo.json's shape:
// {"users":[...], "groups":[...]}) into an account through the provider, so
// the account's rules apply (POST /accounts/{id}/fixtures). It returns the
// ids the new resources got, as the endpoint reports them.
func (c *Client) LoadFixtures(ctx context.Context, accountID string, set json.RawMessage) (json.RawMessage, error) {
	var out json.RawMessage
	err := c.do(ctx, http.MethodPost, "/accounts/"+url.PathEscape(accountID)+"/fixtures", set, &out)
	return out, err
}
