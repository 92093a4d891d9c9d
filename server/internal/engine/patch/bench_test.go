package patch_test

import (
	"fmt"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/patch"
)

func BenchmarkApply(b *testing.B) {
	rt := resourceType(b, "dynatrace", "User")
	doc := docOf(b, dtUser)
	ops := opsOf(b, `[{"op":"replace","path":"displayName","value":"Barbara J."}]`)
	for b.Loop() {
		if _, err := patch.Apply(rt, doc, ops); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAddMember adds one member to groups of different sizes through
// the general engine (the provider has its own fast path): the cost may grow
// with the group, but only linearly.
func BenchmarkAddMember(b *testing.B) {
	for _, n := range []int{5, 50000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			rt := resourceType(b, "dynatrace", "Group")
			members := make([]any, n)
			for i := range members {
				members[i] = map[string]any{"value": fmt.Sprintf("user-%08d", i), "type": "User"}
			}
			doc := map[string]any{"displayName": "G", "members": members}
			ops := opsOf(b, `[{"op":"add","path":"members","value":[{"value":"new-member","type":"User"}]}]`)
			for b.Loop() {
				if _, err := patch.Apply(rt, doc, ops); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
