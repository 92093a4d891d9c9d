package variant

import "github.com/scimconf/scimconf/server/internal/engine/store"

// Store wraps st with deleted-kept-reserved: deleted resources are gone for
// every operation and query, but their names stay taken (store.KeepDeletedNames
// says why the RFC permits it).
func Store(set *Set, st store.Store) store.Store {
	return store.KeepDeletedNames(st, func() bool { return set.On(DeletedKeptReserved) })
}
