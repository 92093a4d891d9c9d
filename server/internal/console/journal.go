package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/scimconf/scimconf/catalogue"
	"github.com/scimconf/scimconf/server/mockclient"
)

// journalPageSize is how many of the newest exchanges the journal page
// shows before the live tail adds to them.
const journalPageSize = 100

// journalFilters are the filters the journal page offers, by their names in
// the management API's query.
var journalFilters = []string{"method", "status", "resourceType", "rule", "account", "path"}

// journalFilter reads the page's filter from the query: empty fields are
// no filter; any other parameter is ignored.
func journalFilter(q url.Values) (mockclient.JournalFilter, url.Values, error) {
	kept := url.Values{}
	for _, k := range journalFilters {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			kept.Set(k, v)
		}
	}
	f, err := mockclient.ParseJournalFilter(kept)
	return f, kept, err
}

type journalData struct {
	Entries []mockclient.JournalEntry // newest first
	Matched int
	LastSeq uint64
	Filter  url.Values
	// Stream is the live tail's URL: the same filter, after LastSeq.
	Stream string
	Error  string
}

func (c *Console) journalPage(w http.ResponseWriter, r *http.Request, s *session) {
	f, kept, err := journalFilter(r.URL.Query())
	d := journalData{Filter: kept}
	if err != nil {
		d.Error = err.Error()
		c.showStatus(w, s, http.StatusBadRequest, "journal", view{Title: "Request journal", Section: "journal", Data: d})
		return
	}
	f.Limit = journalPageSize
	ctx, cancel := apiCtx(r)
	defer cancel()
	l, err := c.client(s).Journal(ctx, f)
	if err != nil {
		c.fail(w, s, err)
		return
	}
	for i := len(l.Entries) - 1; i >= 0; i-- {
		d.Entries = append(d.Entries, l.Entries[i])
	}
	d.Matched, d.LastSeq = l.Matched, l.LastSeq
	q := url.Values{}
	for k, v := range kept {
		q[k] = v
	}
	q.Set("after", strconv.FormatUint(l.LastSeq, 10))
	d.Stream = Prefix + "journal/stream?" + q.Encode()
	c.show(w, s, "journal", view{Title: "Request journal", Section: "journal", Data: d})
}

// journalStream relays the management API's live journal to the browser as
// server-sent events, each an "exchange" event whose data is the table row
// the page shows (rendered here, escaped by html/template), and "missed"
// when the API dropped entries for a slow reader.
func (c *Console) journalStream(w http.ResponseWriter, r *http.Request, s *session) {
	q := r.URL.Query()
	f, _, err := journalFilter(q)
	if err == nil && q.Get("after") != "" {
		f.After, err = strconv.ParseUint(q.Get("after"), 10, 64)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	// A browser that reconnects says where it got to.
	if last, err := strconv.ParseUint(r.Header.Get("Last-Event-ID"), 10, 64); err == nil && last > f.After {
		f.After = last
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a tail lasts; the server's write timeout does not apply
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\n\n")
	rc.Flush()

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(c.stop, cancel) // the server shuts down
	defer stop()
	var row bytes.Buffer
	err = c.client(s).FollowJournal(ctx, f, func(e mockclient.JournalEntry) error {
		row.Reset()
		if err := c.pages.renderPart(&row, "row", e); err != nil {
			return err
		}
		fmt.Fprintf(w, "id: %d\nevent: exchange\n", e.Seq)
		for line := range strings.SplitSeq(strings.TrimRight(row.String(), "\n"), "\n") {
			w.Write([]byte("data: " + line + "\n"))
		}
		w.Write([]byte("\n"))
		return rc.Flush()
	}, func(n uint64) {
		fmt.Fprintf(w, "event: missed\ndata: %d\n\n", n)
		rc.Flush()
	})
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, mockclient.ErrStreamClosed) {
		c.log.Debug("console: journal stream ended", "err", err)
	}
}

type exchangeData struct {
	Entry        mockclient.JournalEntry
	RequestBody  string
	ResponseBody string
	Rule         *catalogue.Rule
}

func (c *Console) exchangePage(w http.ResponseWriter, r *http.Request, s *session) {
	seq, err := strconv.ParseUint(r.PathValue("seq"), 10, 64)
	if err != nil || seq == 0 {
		c.showStatus(w, s, http.StatusNotFound, "error", view{Title: "Not found", Data: "There is no exchange " + r.PathValue("seq") + "."})
		return
	}
	ctx, cancel := apiCtx(r)
	defer cancel()
	l, err := c.client(s).Journal(ctx, mockclient.JournalFilter{After: seq - 1})
	if err != nil {
		c.fail(w, s, err)
		return
	}
	if len(l.Entries) == 0 || l.Entries[0].Seq != seq {
		c.showStatus(w, s, http.StatusNotFound, "error", view{Title: "Not found", Section: "journal", Data: fmt.Sprintf("Exchange %d is no longer in the journal (it keeps the newest exchanges, or it was cleared).", seq)})
		return
	}
	e := l.Entries[0]
	d := exchangeData{Entry: e, RequestBody: pretty(e.RequestBody), ResponseBody: pretty(e.ResponseBody)}
	if e.Rule != "" {
		if rule, ok := catalogue.ByID(e.Rule); ok {
			d.Rule = &rule
		}
	}
	c.show(w, s, "exchange", view{Title: fmt.Sprintf("Exchange %d", seq), Section: "journal", Data: d})
}

// pretty indents a JSON body; anything else is shown as sent.
func pretty(body string) string {
	var b bytes.Buffer
	if json.Indent(&b, []byte(body), "", "  ") == nil {
		return b.String()
	}
	return body
}

func (c *Console) clearJournal(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := apiCtx(r)
	defer cancel()
	if err := c.client(s).ClearJournal(ctx); err != nil {
		c.addFlash(s, apiFlash(err))
	} else {
		c.addFlash(s, flash{Kind: "ok", Text: "Journal cleared."})
	}
	back(w, r, Prefix+"journal")
}

// --- the client report ---

type reportData struct {
	Frame   string
	Account string
	Error   string
}

func (c *Console) reportPage(w http.ResponseWriter, r *http.Request, s *session) {
	f, kept, err := journalFilter(r.URL.Query())
	d := reportData{Frame: Prefix + "client-report/frame?" + kept.Encode(), Account: f.Account}
	if err != nil {
		d.Error = err.Error()
	}
	c.show(w, s, "report", view{Title: "Client report", Section: "report", Data: d})
}

// reportFrame is the client report's own HTML page, as the management API
// renders it, shown in a sandboxed frame of the report page: it may use
// its inline stylesheet and nothing else.
func (c *Console) reportFrame(w http.ResponseWriter, r *http.Request, s *session) {
	f, _, err := journalFilter(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := apiCtx(r)
	defer cancel()
	page, err := c.client(s).ClientReport(ctx, f, "html")
	if err != nil {
		http.Error(w, apiFlash(err).Text, http.StatusBadGateway)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox")
	w.Write(page)
}
