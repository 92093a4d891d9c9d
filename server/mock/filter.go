package mock

import (
	"encoding/json"

	"github.com/scimconf/scimconf/server/filter"
	"github.com/scimconf/scimconf/server/schema"
)

// filterDisplayName builds `displayName eq "<name>"`, which the store
// answers from its case-insensitive index. json.Marshal gives a string
// literal the filter grammar reads back exactly.
func filterDisplayName(rt *schema.ResourceType, name string) (*filter.Filter, error) {
	lit, _ := json.Marshal(name)
	return filter.ParseAndCompile("displayName eq "+string(lit), rt)
}
