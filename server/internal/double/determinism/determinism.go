// Package determinism owns the mock's deterministic mode (scimconf serve
// --deterministic --seed N): one source of time and randomness, seeded,
// that the account registry, every store and the fault injector draw from
// instead of the wall clock and crypto/rand, so that two runs given the
// same calls in the same order answer the same bytes.
//
// It is not for anything secret: its tokens are as guessable as its seed.
package determinism

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// Epoch is the time a Source's clock starts at.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Step is how far the clock advances on every reading, so that no two
// timestamps are equal and their order is the order of the calls.
const Step = time.Second

// Source is a seeded clock and random source. Its methods are safe for
// concurrent use; the values are deterministic when the calls are made in
// a deterministic order (one request at a time).
type Source struct {
	seed uint64

	mu    sync.Mutex
	ticks int64
	rng   *rand.ChaCha8
}

// New returns a source seeded with seed.
func New(seed uint64) *Source {
	s := &Source{seed: seed}
	s.Reset()
	return s
}

// Seed returns the seed.
func (s *Source) Seed() uint64 { return s.seed }

// Reset restarts the clock at Epoch and the random stream at its seed, as
// a new source would.
func (s *Source) Reset() {
	var key [32]byte
	for i := range 4 {
		v := s.seed + uint64(i)*0x9e3779b97f4a7c15
		for j := range 8 {
			key[i*8+j] = byte(v >> (8 * j))
		}
	}
	s.mu.Lock()
	s.ticks = 0
	s.rng = rand.NewChaCha8(key)
	s.mu.Unlock()
}

// Now returns Epoch plus one Step per earlier call.
func (s *Source) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ticks++
	return Epoch.Add(time.Duration(s.ticks) * Step)
}

// Read fills p from the seeded stream; it never fails. It makes the
// source an io.Reader for account.WithRandom.
func (s *Source) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Read(p)
}

// Uint64 returns the next 64 random bits, e.g. to seed another source.
func (s *Source) Uint64() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Uint64()
}

// NewID returns a version 4 UUID drawn from the seeded stream, the shape
// of the store's own ids, for store.WithIDGenerator.
func (s *Source) NewID() string {
	var b [16]byte
	s.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Hex returns n random bytes as hex, e.g. for an admin token.
func (s *Source) Hex(n int) string {
	b := make([]byte, n)
	s.Read(b)
	return fmt.Sprintf("%x", b)
}
