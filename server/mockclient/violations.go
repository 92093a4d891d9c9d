package mockclient

import (
	"context"
	"net/http"
)

// Violations lists the mock's violation switches with their state.
func (c *Client) Violations(ctx context.Context) ([]Violation, error) {
	var out []Violation
	err := c.do(ctx, http.MethodGet, "/violations", nil, &out)
	return out, err
}

// EnableViolation turns a violation switch on.
func (c *Client) EnableViolation(ctx context.Context, name string) (Violation, error) {
	var out Violation
	err := c.do(ctx, http.MethodPut, "/violations/"+seg(name), nil, &out)
	return out, err
}

// DisableViolation turns a violation switch off.
func (c *Client) DisableViolation(ctx context.Context, name string) (Violation, error) {
	var out Violation
	err := c.do(ctx, http.MethodDelete, "/violations/"+seg(name), nil, &out)
	return out, err
}
