package provider_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/provider"
)

// TestListWhileDeleting lists and filters Users and Groups while another
// goroutine deletes them: every page comes from one consistent read of the
// store, so it never fails with a 404 for a resource deleted between the
// match and the rendering, and its totalResults agrees with what it returns.
// Run with -race.
func TestListWhileDeleting(t *testing.T) {
	const rounds, perRound = 20, 10
	for _, typ := range []string{"User", "Group"} {
		t.Run(typ, func(t *testing.T) {
			p, _ := engine(t)
			ctx := context.Background()
			rt := rtOf(t, p, typ)
			for round := range rounds {
				ids := make([]string, 0, perRound)
				var member string
				for i := range perRound {
					name := fmt.Sprintf("r%d-%d", round, i)
					var doc map[string]any
					if typ == "User" {
						doc = newUser(t, p, name+"@example.com")
						// A group that holds the user: its groups are rendered too.
						newGroup(t, p, "g-"+name, doc["id"].(string))
					} else {
						if member == "" {
							member = newUser(t, p, name+"@example.com")["id"].(string)
						}
						doc = newGroup(t, p, name, member)
					}
					ids = append(ids, doc["id"].(string))
				}
				var wg sync.WaitGroup
				wg.Go(func() {
					for _, id := range ids {
						if err := p.Delete(ctx, rt, id, provider.Preconditions{}); err != nil {
							t.Errorf("delete %s: %v", id, err)
						}
					}
				})
				for i := range perRound {
					req := &provider.ListRequest{}
					if i%2 == 1 {
						attr := "userName"
						if typ == "Group" {
							attr = "displayName"
						}
						req.Filter = fmt.Sprintf(`%s sw "r%d-"`, attr, round)
					}
					page, err := p.List(ctx, rt, req, base)
					if err != nil {
						t.Fatalf("round %d: list %q while deleting: %v", round, req.Filter, err)
					}
					if page.TotalResults != len(page.Resources) || page.ItemsPerPage != len(page.Resources) {
						t.Fatalf("round %d: list %q: totalResults %d, itemsPerPage %d, %d resources returned",
							round, req.Filter, page.TotalResults, page.ItemsPerPage, len(page.Resources))
					}
					if req.Filter == "" {
						continue
					}
					// POST /.search at the root: the filter names an
					// attribute of this type only, so the page holds them all.
					all, err := p.Search(ctx, req, base)
					if err != nil {
						t.Fatalf("round %d: search %q while deleting: %v", round, req.Filter, err)
					}
					if all.TotalResults != len(all.Resources) {
						t.Fatalf("round %d: search %q: totalResults %d, %d resources returned",
							round, req.Filter, all.TotalResults, len(all.Resources))
					}
				}
				wg.Wait()
			}
		})
	}
}
