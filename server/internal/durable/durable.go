package durable

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/scimconf/scimconf/server/internal/dynatrace/account"
	"github.com/scimconf/scimconf/server/internal/engine/store"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite", pure Go
)

// FileName is the database's name inside the data directory.
const FileName = "scimconf.db"

// applicationID is PRAGMA application_id of a scimconf database: "SCIM".
const applicationID = 0x5343494d

// SchemaVersion is the schema version this build writes (PRAGMA
// user_version).
const SchemaVersion = 2

// migrations[i] takes a database from version i to version i+1.
var migrations = [][]string{
	// 1: the tables.
	{
		`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
		`CREATE TABLE accounts (id TEXT PRIMARY KEY, state TEXT NOT NULL)`,
		`CREATE TABLE resources (
			account TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL, seq INTEGER NOT NULL,
			doc TEXT NOT NULL, created TEXT NOT NULL, modified TEXT NOT NULL, version INTEGER NOT NULL,
			PRIMARY KEY (account, id)) WITHOUT ROWID`,
		`CREATE TABLE members (
			pos INTEGER PRIMARY KEY AUTOINCREMENT,
			account TEXT NOT NULL, group_id TEXT NOT NULL, member_id TEXT NOT NULL)`,
		`CREATE UNIQUE INDEX members_group ON members (account, group_id, member_id)`,
	},
	// 2: deleting a resource finds the groups it is a member of by index,
	// not by a scan of every membership.
	{
		`CREATE INDEX members_member ON members (account, member_id)`,
	},
}

// DB is an open data directory. Its methods are safe for concurrent use;
// writes are serialised.
type DB struct {
	db   *sql.DB
	path string
	mu   sync.Mutex // serialises SaveAccounts, so the newest state is written last
}

// Open opens (creating when needed) the database in dir, migrating an
// older schema version. A newer or foreign database is refused before
// anything is written to it.
func Open(dir string) (*DB, error) {
	if dir == "" {
		return nil, errors.New("durable: no data directory given")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory %s: %w (give a directory this user may write)", dir, err)
	}
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); err == nil {
		if err := checkVersion(path); err != nil {
			return nil, err
		}
	}
	// locking_mode EXCLUSIVE: the connection takes the database's lock at
	// its first transaction and never gives it back, so a second scimconf
	// on the same directory is refused at once instead of keeping an
	// in-memory copy that drifts from this one's. busy_timeout stays short
	// for the same reason: only another process ever holds the lock.
	dsn := "file:" + path + "?_pragma=locking_mode(EXCLUSIVE)&_pragma=busy_timeout(1000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate"
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// One connection: every write is serialised anyway (SQLite has one
	// writer), and reads happen only at start.
	sdb.SetMaxOpenConns(1)
	d := &DB{db: sdb, path: path}
	if err := d.migrate(); err != nil {
		sdb.Close()
		return nil, err
	}
	return d, nil
}

// inUse reports whether err is SQLite's answer to a database another
// connection holds locked: with locking_mode EXCLUSIVE, another scimconf.
func inUse(err error) bool {
	return strings.Contains(err.Error(), "SQLITE_BUSY") || strings.Contains(err.Error(), "database is locked")
}

func errInUse(path string, err error) error {
	return fmt.Errorf("%s is in use by another process (one scimconf serves a data directory at a time: stop the other one, or give this one another --data): %w", path, err)
}

// checkVersion reads the version of an existing database without writing
// to it: a newer or foreign database is refused.
func checkVersion(path string) error {
	sdb, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer sdb.Close()
	var appID, version int
	if err := sdb.QueryRow(`PRAGMA application_id`).Scan(&appID); err != nil {
		if inUse(err) {
			return errInUse(path, err)
		}
		return fmt.Errorf("read %s: %w (is it an SQLite database?)", path, err)
	}
	if err := sdb.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	var tables int
	if err := sdb.QueryRow(`SELECT count(*) FROM sqlite_schema`).Scan(&tables); err != nil {
		return fmt.Errorf("read %s: %w (is it an SQLite database?)", path, err)
	}
	switch {
	case appID != applicationID && (appID != 0 || tables > 0):
		return fmt.Errorf("%s is not a scimconf database (application_id %#x); give --data a directory of its own", path, appID)
	case version > SchemaVersion:
		return fmt.Errorf("%s has schema version %d, and this scimconf knows versions up to %d: run a newer scimconf on it, or give --data another directory (the database was not changed)", path, version, SchemaVersion)
	}
	return nil
}

// migrate brings the schema to SchemaVersion in one transaction.
func (d *DB) migrate() error {
	return d.migrateTo(SchemaVersion)
}

func (d *DB) migrateTo(target int) error {
	ctx := context.Background()
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		if inUse(err) {
			return errInUse(d.path, err)
		}
		return fmt.Errorf("%s: %w", d.path, err)
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
		return fmt.Errorf("%s: read the schema version: %w", d.path, err)
	}
	if version > SchemaVersion {
		return fmt.Errorf("%s has schema version %d, and this scimconf knows versions up to %d: run a newer scimconf on it", d.path, version, SchemaVersion)
	}
	if version >= target {
		return nil
	}
	for v := version; v < target; v++ {
		for _, stmt := range migrations[v] {
			if _, err := tx.Exec(stmt); err != nil {
				return fmt.Errorf("%s: migrate from schema version %d to %d: %w (nothing was changed)", d.path, v, v+1, err)
			}
		}
	}
	if _, err := tx.Exec(fmt.Sprintf(`PRAGMA application_id = %d`, applicationID)); err != nil {
		return err
	}
	if _, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, target)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: migrate to schema version %d: %w (nothing was changed)", d.path, target, err)
	}
	return nil
}

// Path is the database file.
func (d *DB) Path() string { return d.path }

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

// Version returns the database's schema version.
func (d *DB) Version() (int, error) {
	var v int
	err := d.db.QueryRow(`PRAGMA user_version`).Scan(&v)
	return v, err
}

// Meta returns a value the assembly keeps (the demo account's id).
func (d *DB) Meta(key string) (string, bool, error) {
	var v string
	err := d.db.QueryRow(`SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("%s: read %s: %w", d.path, key, err)
	}
	return v, true, nil
}

// SetMeta keeps a value; an empty value removes the key.
func (d *DB) SetMeta(key, value string) error {
	var err error
	if value == "" {
		_, err = d.db.Exec(`DELETE FROM meta WHERE key = ?`, key)
	} else {
		_, err = d.db.Exec(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	}
	if err != nil {
		return fmt.Errorf("%s: write %s: %w", d.path, key, err)
	}
	return nil
}

// SaveAccounts replaces every account's state with states, in one
// transaction: accounts not in states are removed with their resources.
func (d *DB) SaveAccounts(states []account.State) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.tx(func(tx *sql.Tx) error {
		if _, err := tx.Exec(`CREATE TEMP TABLE IF NOT EXISTS keep (id TEXT PRIMARY KEY)`); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM keep`); err != nil {
			return err
		}
		for _, st := range states {
			b, err := json.Marshal(st)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO accounts (id, state) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state`, st.ID, string(b)); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO keep (id) VALUES (?)`, st.ID); err != nil {
				return err
			}
		}
		for _, q := range []string{
			`DELETE FROM accounts WHERE id NOT IN (SELECT id FROM keep)`,
			`DELETE FROM resources WHERE account NOT IN (SELECT id FROM keep)`,
			`DELETE FROM members WHERE account NOT IN (SELECT id FROM keep)`,
		} {
			if _, err := tx.Exec(q); err != nil {
				return err
			}
		}
		return nil
	})
}

// Accounts returns every account's state, in creation order.
func (d *DB) Accounts() ([]account.State, error) {
	rows, err := d.db.Query(`SELECT id, state FROM accounts`)
	if err != nil {
		return nil, fmt.Errorf("%s: read the accounts: %w", d.path, err)
	}
	defer rows.Close()
	var out []account.State
	for rows.Next() {
		var id, s string
		if err := rows.Scan(&id, &s); err != nil {
			return nil, err
		}
		var st account.State
		if err := json.Unmarshal([]byte(s), &st); err != nil {
			return nil, fmt.Errorf("%s: account %s: %w", d.path, id, err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sortStates(out)
	return out, nil
}

func sortStates(s []account.State) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].Seq < s[j-1].Seq; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// DeleteAccountData removes an account's resources and memberships.
func (d *DB) DeleteAccountData(accountID string) error {
	return d.tx(func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM resources WHERE account = ?`, `DELETE FROM members WHERE account = ?`, `DELETE FROM accounts WHERE id = ?`} {
			if _, err := tx.Exec(q, accountID); err != nil {
				return err
			}
		}
		return nil
	})
}

// Resources returns an account's resources and memberships, as
// store.Memory.Restore takes them.
func (d *DB) Resources(accountID string) ([]store.Record, []store.MemberRow, error) {
	rows, err := d.db.Query(`SELECT id, type, seq, doc, created, modified, version FROM resources WHERE account = ? ORDER BY seq`, accountID)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: read the resources of %s: %w", d.path, accountID, err)
	}
	defer rows.Close()
	var recs []store.Record
	for rows.Next() {
		var r store.Record
		var doc, created, modified string
		var seq, version int64
		if err := rows.Scan(&r.ID, &r.Type, &seq, &doc, &created, &modified, &version); err != nil {
			return nil, nil, err
		}
		r.Seq, r.Version = uint64(seq), uint64(version)
		if r.Doc, err = decodeDoc(doc); err != nil {
			return nil, nil, fmt.Errorf("%s: resource %s: %w", d.path, r.ID, err)
		}
		if r.Created, err = time.Parse(time.RFC3339Nano, created); err != nil {
			return nil, nil, fmt.Errorf("%s: resource %s: %w", d.path, r.ID, err)
		}
		if r.LastModified, err = time.Parse(time.RFC3339Nano, modified); err != nil {
			return nil, nil, fmt.Errorf("%s: resource %s: %w", d.path, r.ID, err)
		}
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	mrows, err := d.db.Query(`SELECT group_id, member_id FROM members WHERE account = ? ORDER BY pos`, accountID)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: read the memberships of %s: %w", d.path, accountID, err)
	}
	defer mrows.Close()
	var ms []store.MemberRow
	for mrows.Next() {
		var m store.MemberRow
		if err := mrows.Scan(&m.Group, &m.Member); err != nil {
			return nil, nil, err
		}
		ms = append(ms, m)
	}
	return recs, ms, mrows.Err()
}

// Committer returns the commit function (store.WithCommit) of an
// account's store: each change becomes one transaction, committed before
// the function returns.
func (d *DB) Committer(accountID string) func(store.Change) error {
	return func(c store.Change) error { return d.tx(func(tx *sql.Tx) error { return apply(tx, accountID, c) }) }
}

func apply(tx *sql.Tx, acct string, c store.Change) error {
	r := c.Record
	switch c.Op {
	case store.ChangeCreate:
		doc, err := encodeDoc(r.Doc)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO resources (account, id, type, seq, doc, created, modified, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			acct, r.ID, r.Type, int64(r.Seq), doc, stamp(r.Created), stamp(r.LastModified), int64(r.Version)); err != nil {
			return err
		}
		return addMembers(tx, acct, r.ID, c.Added)
	case store.ChangeUpdate:
		if c.DocChanged {
			doc, err := encodeDoc(r.Doc)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(`UPDATE resources SET doc = ?, modified = ?, version = ? WHERE account = ? AND id = ?`,
				doc, stamp(r.LastModified), int64(r.Version), acct, r.ID); err != nil {
				return err
			}
		} else if _, err := tx.Exec(`UPDATE resources SET modified = ?, version = ? WHERE account = ? AND id = ?`,
			stamp(r.LastModified), int64(r.Version), acct, r.ID); err != nil {
			return err
		}
		if len(c.Removed) > 0 {
			st, err := tx.Prepare(`DELETE FROM members WHERE account = ? AND group_id = ? AND member_id = ?`)
			if err != nil {
				return err
			}
			defer st.Close()
			for _, id := range c.Removed {
				if _, err := st.Exec(acct, r.ID, id); err != nil {
					return err
				}
			}
		}
		return addMembers(tx, acct, r.ID, c.Added)
	case store.ChangeDelete:
		for _, q := range []string{
			`DELETE FROM resources WHERE account = ? AND id = ?`,
			`DELETE FROM members WHERE account = ? AND group_id = ?`,
			`DELETE FROM members WHERE account = ? AND member_id = ?`,
		} {
			if _, err := tx.Exec(q, acct, r.ID); err != nil {
				return err
			}
		}
		for _, t := range c.Touched {
			if _, err := tx.Exec(`UPDATE resources SET modified = ?, version = ? WHERE account = ? AND id = ?`,
				stamp(t.LastModified), int64(t.Version), acct, t.ID); err != nil {
				return err
			}
		}
		return nil
	case store.ChangeReset:
		for _, q := range []string{`DELETE FROM resources WHERE account = ?`, `DELETE FROM members WHERE account = ?`} {
			if _, err := tx.Exec(q, acct); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("durable: unknown change %d", c.Op)
}

func addMembers(tx *sql.Tx, acct, group string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	st, err := tx.Prepare(`INSERT INTO members (account, group_id, member_id) VALUES (?, ?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, id := range ids {
		if _, err := st.Exec(acct, group, id); err != nil {
			return err
		}
	}
	return nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// tx runs fn in one write transaction and commits it.
func (d *DB) tx(fn func(*sql.Tx) error) error {
	tx, err := d.db.Begin()
	if err != nil {
		return fmt.Errorf("%s: %w", d.path, err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return fmt.Errorf("%s: %w", d.path, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", d.path, err)
	}
	return nil
}

// Fresh reports whether no account was ever written: a new data
// directory, where the assembly creates the demo account and loads the
// fixtures.
func (d *DB) Fresh() (bool, error) {
	var n int
	if err := d.db.QueryRow(`SELECT count(*) FROM meta WHERE key = 'initialised'`).Scan(&n); err != nil {
		return false, fmt.Errorf("%s: %w", d.path, err)
	}
	return n == 0, nil
}

// MarkInitialised records that the first start's set-up (demo account,
// fixtures) is done.
func (d *DB) MarkInitialised() error {
	return d.SetMeta("initialised", time.Now().UTC().Format(time.RFC3339))
}
