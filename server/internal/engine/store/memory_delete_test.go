package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

func TestDeleteIf(t *testing.T) {
	set := schema.Dynatrace()
	rt := set.ResourceType("User")
	m := store.NewMemory(set)
	ctx := context.Background()
	r, err := m.Create(ctx, rt, map[string]any{"userName": "a@example.com"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	stale := errors.New("stale")
	var seen uint64
	err = m.DeleteIf(ctx, rt, r.ID, func(cur *store.Resource) error { seen = cur.Version; return stale })
	if !errors.Is(err, stale) || seen != r.Version {
		t.Fatalf("DeleteIf with a failing check = %v (saw version %d), want the check's error and version %d", err, seen, r.Version)
	}
	if _, err := m.Get(ctx, rt, r.ID); err != nil {
		t.Fatalf("a refused DeleteIf deleted the resource: %v", err)
	}
	if err := m.DeleteIf(ctx, rt, r.ID, func(*store.Resource) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Get(ctx, rt, r.ID); err == nil {
		t.Fatal("DeleteIf with a passing check left the resource")
	}
}
