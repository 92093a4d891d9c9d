package main

import (
	"fmt"

	"github.com/scimconf/scimconf/server/mock"
)

// testDouble applies serve's test-double flags to opts: the faults file,
// the fixtures, the deterministic mode and the journal's size.
func testDouble(opts *mock.Options, faultsFile, fixtures string, deterministic bool, seed uint64, journalSize int) error {
	if faultsFile != "" {
		rules, err := mock.ReadFaults(faultsFile)
		if err != nil {
			return fmt.Errorf("--faults: %w", err)
		}
		opts.Faults = rules
	}
	if fixtures != "" {
		sets, _, err := mock.ReadFixtures(fixtures)
		if err != nil {
			return fmt.Errorf("--fixtures: %w", err)
		}
		opts.Fixtures = sets
	}
	if journalSize < 1 {
		return fmt.Errorf("--journal-size %d: keep at least 1 exchange", journalSize)
	}
	opts.Deterministic, opts.Seed, opts.JournalSize = deterministic, seed, journalSize
	return nil
}
