package scimtest

// Transport errors: a request that got no HTTP answer. A server may close a
// kept-alive connection at any time (RFC 9112 section 9.5), so a request
// sent just then meets a reset that says nothing about the request itself,
// and nothing about the spec that sent it. Client retries an idempotent
// request once on a fresh connection; a non-idempotent one is not
// repeated (it may have been applied), and the spec that sent it is
// skipped as "transport error" rather than failed: its rules were never
// judged. A request that gets no answer on a fresh connection is this
// request's doing and stays a failure, reported as a transport error.

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall"

	"github.com/onsi/ginkgo/v2"
)

// transportNote says what happened to a request that got no answer.
func (r *Response) transportNote() string {
	var how string
	switch {
	case r.Retried:
		how = "no HTTP answer, also when sent once more on a fresh connection"
	case r.Dropped:
		how = "no HTTP answer: the kept-alive connection was closed under the request, which a server may do at any time (RFC 9112 section 9.5); " +
			"not sent again, as " + r.Method + " is not idempotent"
	case r.ReusedConn:
		how = "the server closed the kept-alive connection after this request went out, without answering it"
	default:
		how = "no HTTP answer on a fresh connection"
	}
	return fmt.Sprintf("transport error (%s): %v", how, r.Err)
}

// dropped is the last request of the running spec that met a closed
// kept-alive connection and could not be repeated, per spec.
var dropped struct {
	sync.Mutex
	spec string
	note string
}

// specKey names the running spec, "" outside one.
func specKey() string {
	sr := ginkgo.CurrentSpecReport()
	if sr.LeafNodeLocation.FileName == "" {
		return ""
	}
	return sr.LeafNodeLocation.String() + " " + sr.FullText()
}

// noteTransportError remembers r when it is a non-idempotent request lost
// on a kept-alive connection, for Fail.
func noteTransportError(r *Response) {
	if r.Retried || !r.Dropped {
		return
	}
	key := specKey()
	if key == "" {
		return
	}
	dropped.Lock()
	dropped.spec, dropped.note = key, fmt.Sprintf("%s %s: %s", r.Method, r.URL, r.transportNote())
	dropped.Unlock()
}

// droppedInThisSpec returns the note of a request the running spec lost
// on a kept-alive connection, or "".
func droppedInThisSpec() string {
	key := specKey()
	dropped.Lock()
	defer dropped.Unlock()
	if key == "" || dropped.spec != key {
		return ""
	}
	return dropped.note
}

// closedUnder reports whether err is a connection closed under a request
// rather than after the server read it: a reset, a broken pipe, or Go's
// "server closed idle connection". A plain EOF is neither.
func closedUnder(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		strings.Contains(err.Error(), "server closed idle connection")
}
