package provider

import (
	"context"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
)

type dialectKey struct{}

// WithDialect returns ctx carrying d, the request's record of the IdP
// dialects it uses (see schema.Dialect). Create, Replace, Patch and Bulk
// report every quirk they accept to it, and refuse it when d is strict. The
// dialect travels in the context because it belongs to one request, as a
// deadline does; without one every quirk is accepted and nothing recorded.
func WithDialect(ctx context.Context, d *schema.Dialect) context.Context {
	return context.WithValue(ctx, dialectKey{}, d)
}

// DialectFrom returns the dialect WithDialect put in ctx, or nil.
func DialectFrom(ctx context.Context) *schema.Dialect {
	d, _ := ctx.Value(dialectKey{}).(*schema.Dialect)
	return d
}
