package journal

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/scimconf/scimconf/server/internal/apijson"
)

// List is the answer of GET /mock/v1/journal.
type List struct {
	// Entries are the matching entries, oldest first (the newest Limit
	// with a limit).
	Entries []Entry `json:"entries"`
	// Matched counts every match, before the limit.
	Matched int `json:"matched"`
	// LastSeq is the journal's last Seq at the time of the answer: pass it
	// as "after" to read on from here.
	LastSeq uint64 `json:"lastSeq"`
}

func (j *Journal) filter(w http.ResponseWriter, r *http.Request) (Filter, bool) {
	f, err := ParseFilter(r.URL.Query())
	if err != nil {
		apijson.WriteError(w, http.StatusBadRequest, "invalid_filter", "%v", err)
		return Filter{}, false
	}
	return f, true
}

// ServeList answers GET /mock/v1/journal: the entries that match the query
// parameters (ParseFilter), as a List.
func (j *Journal) ServeList(w http.ResponseWriter, r *http.Request) {
	f, ok := j.filter(w, r)
	if !ok {
		return
	}
	limit := f.Limit
	f.Limit = 0
	all := j.Entries(f)
	out := List{Matched: len(all), LastSeq: j.lastSeq()}
	if limit > 0 && len(all) > limit {
		all = all[len(all)-limit:]
	}
	out.Entries = all
	if out.Entries == nil {
		out.Entries = []Entry{}
	}
	apijson.WriteJSON(w, http.StatusOK, out)
}

func (j *Journal) lastSeq() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.seq
}

// ServeCount answers GET /mock/v1/journal/count with the Counts of the
// entries that match the query parameters.
func (j *Journal) ServeCount(w http.ResponseWriter, r *http.Request) {
	f, ok := j.filter(w, r)
	if !ok {
		return
	}
	apijson.WriteJSON(w, http.StatusOK, j.Count(f))
}

// ServeClear answers DELETE /mock/v1/journal: 204 after Clear.
func (j *Journal) ServeClear(w http.ResponseWriter, r *http.Request) {
	j.Clear()
	w.WriteHeader(http.StatusNoContent)
}

// EventStream is the media type of the live tail.
const EventStream = "text/event-stream"

// ServeStream answers GET /mock/v1/journal/stream: a live tail as
// server-sent events. Each exchange is an event "exchange" whose id is the
// entry's Seq and whose data is the entry as JSON; a comment line every
// heartbeat keeps proxies from closing the stream; an event "missed"
// (data: the count) says the reader fell behind and lost entries. The
// query parameters filter as for ServeList; "after" (or the Last-Event-ID
// header of a reconnecting EventSource) first replays the entries still in
// the journal after that Seq. The stream ends when the client goes or the
// server shuts down.
//
// The request must accept text/event-stream (EventSource does; with curl:
// -H 'Accept: text/event-stream'), so that a plain GET is told what the
// endpoint is instead of hanging.
func (j *Journal) ServeStream(w http.ResponseWriter, r *http.Request) {
	if !acceptsEventStream(r.Header.Values("Accept")) {
		apijson.WriteError(w, http.StatusNotAcceptable, "not_acceptable",
			"the journal stream is server-sent events: send \"Accept: %s\" (EventSource does; curl -N -H 'Accept: %s'); GET %s lists the journal instead",
			EventStream, EventStream, strings.TrimSuffix(r.URL.Path, "/stream"))
		return
	}
	f, ok := j.filter(w, r)
	if !ok {
		return
	}
	if id := r.Header.Get("Last-Event-ID"); id != "" && f.After == 0 {
		if n, err := strconv.ParseUint(id, 10, 64); err == nil {
			f.After = n
		}
	}
	rc := http.NewResponseController(w)
	// A stream outlives the server's write timeout, if it has one.
	_ = rc.SetWriteDeadline(time.Time{})

	// Subscribe before reading the backlog, so nothing falls between them.
	live := f
	live.After, live.Limit = 0, 0
	sub := j.Subscribe(live, 1024)
	defer sub.Close()
	var backlog []Entry
	if f.After != 0 {
		past := live
		past.After = f.After
		backlog = j.Entries(past)
	}

	w.Header().Set("Content-Type", EventStream)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, ": scimconf journal stream; heartbeat every %s\nretry: 2000\n\n", j.heartbeat)
	if rc.Flush() != nil {
		return
	}
	last := f.After
	send := func(e Entry) error {
		if e.Seq <= last {
			return nil
		}
		last = e.Seq
		data, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "id: %d\nevent: exchange\ndata: %s\n\n", e.Seq, data); err != nil {
			return err
		}
		return rc.Flush()
	}
	for _, e := range backlog {
		if send(e) != nil {
			return
		}
	}
	tick := time.NewTicker(j.heartbeat)
	defer tick.Stop()
	var reported uint64
	for {
		select {
		case <-r.Context().Done():
			return
		case e, open := <-sub.C:
			if !open {
				return
			}
			if send(e) != nil {
				return
			}
			if m := sub.Missed(); m > reported {
				reported = m
				if _, err := fmt.Fprintf(w, "event: missed\ndata: %d\n\n", m); err != nil || rc.Flush() != nil {
					return
				}
			}
		case t := <-tick.C:
			if _, err := fmt.Fprintf(w, ": heartbeat %s\n\n", t.UTC().Format(time.RFC3339)); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

func acceptsEventStream(accept []string) bool {
	for _, a := range accept {
		for _, part := range strings.Split(a, ",") {
			if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == EventStream {
				return true
			}
		}
	}
	return false
}
