package account

import (
	"errors"
	"fmt"
	"io"
)

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// errRandom is returned when the random source fails; it is an internal
// error (500), never the client's fault.
var errRandom = errors.New("account: reading the random source")

func (r *Registry) read(p []byte) error {
	r.randMu.Lock()
	defer r.randMu.Unlock()
	if _, err := io.ReadFull(r.rand, p); err != nil {
		return fmt.Errorf("%w: %v", errRandom, err)
	}
	return nil
}

// newUUID returns a random (version 4) UUID in its usual text form, the
// shape of Dynatrace's account and group ids.
func (r *Registry) newUUID() (string, error) {
	var b [16]byte
	if err := r.read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// randomString returns n characters drawn uniformly from alphabet. Bytes
// that would bias the draw (those at or above the largest multiple of the
// alphabet's size) are rejected; a source that yields almost nothing usable
// gives up with an error instead of looping for ever.
func (r *Registry) randomString(alphabet string, n int) (string, error) {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+8)
	for range 64 {
		if err := r.read(buf); err != nil {
			return "", err
		}
		for _, c := range buf {
			if int(c) >= limit {
				continue
			}
			out = append(out, alphabet[int(c)%len(alphabet)])
			if len(out) == n {
				return string(out), nil
			}
		}
	}
	return "", fmt.Errorf("%w: it yields almost only unusable bytes", errRandom)
}
