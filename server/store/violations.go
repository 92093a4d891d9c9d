package store

import (
	"time"

	"github.com/scimconf/scimconf/server/violation"
)

// WithViolations gives the store the mock's violation switches (package
// violation); without it every switch is off. The store applies those that
// break uniqueness, limits and deletion; each place that does names its
// switch.
func WithViolations(v *violation.Set) Option { return func(m *Memory) { m.violations = v } }

// checkUnique is t.checkUnique unless violation duplicate-group-names lets
// Group names repeat.
func (m *Memory) checkUnique(t *table, doc map[string]any, self *record) error {
	if t.isGroup && m.violations.On(violation.DuplicateGroupNames) {
		return nil
	}
	return t.checkUnique(doc, self)
}

// raceWindow is what violation racy-uniqueness does between the uniqueness
// check of a create and its insert: it lets go of the lock for a moment, so
// that parallel creates of one name all pass the check. m.mu is held on
// entry and on return.
func (m *Memory) raceWindow() {
	if !m.violations.On(violation.RacyUniqueness) {
		return
	}
	m.mu.Unlock()
	time.Sleep(20 * time.Millisecond)
	m.mu.Lock()
}

// unindexDeleted removes a deleted record from the indexes; violation
// deleted-username-reserved keeps a User's unique values taken.
func (m *Memory) unindexDeleted(t *table, r *record) {
	if t.isGroup || !m.violations.On(violation.DeletedUsernameReserved) {
		t.unindex(r)
	}
}
