// Package durable keeps the mock's whole state in an embedded SQLite
// database in one directory (scimconf serve --data DIR), so that accounts,
// domains, SCIM tokens, users, groups and memberships survive a restart
// and a crash.
//
// # Design: write-through, the in-memory store stays the working set
//
// Every account's SCIM store is still the engine's in-memory store
// (store.Memory): its indexes on id, userName, externalId, displayName and
// both directions of membership answer every read, so lookups cost what
// they cost without --data, flat from 1k to 100k users. This package is
// the store's commit function (store.WithCommit): the store hands it each
// change, whole, under its write lock and before applying it; Commit
// writes the change in one SQLite transaction, and the store applies it
// only when that transaction has committed. So:
//
//   - a write answered 2xx is on disk before the answer: the transaction
//     commits with the database in WAL mode and synchronous=FULL, which
//     syncs the log on every commit;
//   - one store write is one transaction: a PATCH (all its operations, the
//     member changes included, are one store update), a PUT, a POST with
//     its members, a DELETE with every membership it ends and every group
//     it touches. A Bulk request is a sequence of such writes, each
//     durable before the next runs, which is what RFC 7644 section 3.7
//     asks of Bulk (it is not atomic as a whole); the Bulk response is
//     written after the last one;
//   - a change SQLite refuses (disk full, I/O error) is not applied in
//     memory either: the client gets a 500 and both copies agree;
//   - writes of one account are serialised by the store's lock, so they
//     reach the database in the order they were applied.
//
// The price: the SQLite indexes serve only the writes (a member's rows
// when it is deleted, a group's rows when it is cleared) and the load at
// start; the database is not queried to answer SCIM requests, and the
// whole state is read into memory at start (as large as without --data).
// A store that answers from SQLite directly would start at once whatever
// the size and hold less in memory; it would also be a second
// implementation of filters, sorting and paging to keep equal to the
// first. Write-through keeps one.
//
// The account model (package account: domains with their verification
// state, token hashes and descriptions, LOCAL groups, permissions,
// limits) is small and changes through the management API: SaveAccounts
// writes every account's State in one transaction, and the assembly calls
// it after each management write and before that write's answer. Token
// values are never written, only their SHA-256, as in memory.
//
// # Schema versions
//
// The database records its schema version in PRAGMA user_version and its
// owner in PRAGMA application_id. Open migrates an older version in one
// transaction (all steps or none), and refuses, without writing a byte, a
// newer version or a database another program wrote.
//
// # What is not kept
//
// The request journal, fault rules, violation switches and the DNS mock's
// TXT records stay in memory: they are the test double's, for one
// session. A token's last use is written with the next management write,
// not on every SCIM request.
package durable
