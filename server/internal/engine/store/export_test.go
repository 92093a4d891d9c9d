package store

import (
	"github.com/scimconf/scimconf/server/internal/engine/filter"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
)

// PlanOf exposes the query planner to the external tests: how many
// candidates an index gives for f on rt, and whether an index applied.
func PlanOf(m *Memory, rt *schema.ResourceType, f *filter.Filter) (candidates int, indexed bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	t, err := m.table(rt)
	if err != nil {
		return 0, false
	}
	c, ok := t.plan(f.Expr())
	return len(c), ok
}
