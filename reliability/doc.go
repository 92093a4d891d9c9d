// Package reliability holds the mock's reliability suite: tests, run over
// real sockets against the assembled mock (server/mock), that hostile,
// malformed, oversized, racing, slow and unauthenticated traffic never
// gets a 5xx, a crash, a lost write or unbounded memory. RELIABILITY.md at
// the repository's root states what the mock promises and the figures of
// the last run; `make reliability` (in CI, through make test) prints them,
// `make reliability-long` adds a one-minute soak.
//
// It owns no production code: the mock's behaviour lives in server/, and
// this package only starts it through server/mock and talks to it over
// HTTP (the management API through server/mockclient). The unit tests that
// prove one fix in one package stay beside that package; the suite holds
// the same promises over sockets, for the whole assembly, in one place.
package reliability
