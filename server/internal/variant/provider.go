package variant

import (
	"context"
	"strings"

	"github.com/scimconf/scimconf/server/internal/engine/provider"
)

// Policy wraps an account's policy (nil for none) with the variant that
// the provider's Policy seam carries: server-assigned-values, a default
// displayName for a User created without one or replaced by a PUT that
// omits it (RFC 7644
// section 3.5.1: "the service provider MAY assign a default value to the
// final resource representation"; section 3.3: "the server is free to
// alter and/or ignore POSTed content").
func Policy(set *Set, inner provider.Policy) provider.Policy {
	return &policy{set: set, inner: inner}
}

type policy struct {
	set   *Set
	inner provider.Policy
}

func (p *policy) Admit(ctx context.Context, c *provider.Change) error {
	if p.inner != nil {
		if err := p.inner.Admit(ctx, c); err != nil {
			return err
		}
	}
	if !p.set.On(ServerAssignedValues) || (c.Op != "create" && c.Op != "replace") || c.Type == nil || c.Type.Name != "User" {
		return nil
	}
	if c.Type.Core.Attr("displayName") == nil {
		return nil
	}
	if d, _ := c.Next["displayName"].(string); d != "" {
		return nil
	}
	if c.Op == "replace" && hasKey(c.Body, "displayName") {
		// Sent as null: the client asserted "no value" (section 3.5.1
		// allows a default only for what the request omits).
		return nil
	}
	c.Next["displayName"] = defaultDisplayName(c.Next)
	return nil
}

// defaultDisplayName is "givenName familyName", or the userName.
func defaultDisplayName(doc map[string]any) string {
	if name, ok := doc["name"].(map[string]any); ok {
		g, _ := name["givenName"].(string)
		f, _ := name["familyName"].(string)
		if s := strings.TrimSpace(g + " " + f); s != "" {
			return s
		}
	}
	u, _ := doc["userName"].(string)
	return u
}
