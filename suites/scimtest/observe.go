package scimtest

// What the target showed it supports (issue 19 item 4): every answer is
// read for capabilities besides the rules (a filter accepted or declined
// per operator and attribute, sortBy, ETags, Bulk, the PATCH forms,
// /.search, capped pages), and what /ServiceProviderConfig declared (or
// what was assumed without it) is added once per process. They are
// buffered like the exchanges (requests come from several goroutines) and
// written by Flush into the running spec's report as entries
// reportpage.EntryCapability, which the reports render as the capability
// table. Observations say what the server did, never whether it was
// right: that is the rule matrix's part.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/onsi/ginkgo/v2"

	"github.com/scimconf/scimconf/reportpage"
)

var observed struct {
	sync.Mutex
	caps []reportpage.Capability
}

func note(c reportpage.Capability) {
	observed.Lock()
	defer observed.Unlock()
	if !slices.Contains(observed.caps, c) {
		observed.caps = append(observed.caps, c)
	}
}

func seen(feature, detail, value string) {
	note(reportpage.Capability{Feature: feature, Detail: detail, Source: reportpage.SourceObserved, Value: value})
}

// flushCapabilities writes the buffered capabilities into the running
// spec's report; Flush calls it.
func flushCapabilities() {
	observed.Lock()
	caps := observed.caps
	observed.caps = nil
	observed.Unlock()
	for _, c := range caps {
		ginkgo.AddReportEntry(reportpage.EntryCapability, c, ginkgo.ReportEntryVisibilityNever)
	}
}

// recordDeclared buffers what the target declared in
// /ServiceProviderConfig, or the assumptions made without it.
func recordDeclared(c Capabilities) {
	decl := func(feature, detail, value string) {
		note(reportpage.Capability{Feature: feature, Detail: detail, Source: reportpage.SourceDeclared, Value: value})
	}
	if !c.Declared {
		note(reportpage.Capability{Feature: "discovery", Detail: "/ServiceProviderConfig", Source: reportpage.SourceObserved, Value: c.DiscoveryProblem})
		for i, a := range c.Assumed {
			note(reportpage.Capability{Feature: "discovery", Detail: fmt.Sprintf("assumption %d", i+1), Source: reportpage.SourceAssumed, Value: a})
		}
		return
	}
	decl("discovery", "/ServiceProviderConfig", "read")
	yes := func(b bool) string {
		if b {
			return "supported"
		}
		return "unsupported"
	}
	decl("filter", "", yes(c.Filter))
	if c.MaxResults > 0 {
		decl("paging", "filter.maxResults", strconv.Itoa(c.MaxResults))
	}
	decl("sort", "", yes(c.Sort))
	decl("PATCH", "", yes(c.Patch))
	decl("ETag", "", yes(c.ETag))
	decl("Bulk", "", yes(c.Bulk))
	if c.Bulk {
		decl("Bulk", "maxOperations", strconv.Itoa(c.BulkMaxOperations))
		decl("Bulk", "maxPayloadSize", strconv.Itoa(c.BulkMaxPayloadSize))
	}
	decl("changePassword", "", yes(c.ChangePassword))
	decl("paging", "cursor (RFC 9865)", yes(c.Cursor))
}

// observe reads one answer for capabilities.
func observe(r *Response) {
	u, err := url.Parse(r.URL)
	if err != nil {
		return
	}
	q := u.Query()
	if r.Header.Get("ETag") != "" {
		seen("ETag", "ETag header on answers", "present")
	}
	search := strings.HasSuffix(u.Path, "/.search")
	var body map[string]any
	if len(r.ReqBody) > 0 {
		json.Unmarshal(r.ReqBody, &body)
	}
	switch {
	case r.Method == "GET" || search && r.Method == "POST":
		list := r.Status == 200 && HasStringIn(lookup(r.JSON, "schemas"), ListURN)
		if search {
			switch {
			case list:
				seen("/.search", "", "accepted")
			case r.Status == 404 || r.Status == 405 || r.Status == 501:
				seen("/.search", "", fmt.Sprintf("not offered (%d)", r.Status))
			}
		}
		get := func(name string) string {
			if search {
				v, _ := lookup(body, name).(string)
				if f, ok := lookup(body, name).(float64); ok {
					v = strconv.Itoa(int(f))
				}
				return v
			}
			return q.Get(name)
		}
		if f := get("filter"); f != "" && list {
			for _, feat := range FilterFeatures(f) {
				seen("filter", feat, "accepted")
			}
		}
		if by := get("sortBy"); by != "" {
			switch {
			case list:
				seen("sort", "sortBy "+by, "accepted")
			case r.Status >= 400:
				seen("sort", "sortBy "+by, "refused ("+statusWords(r)+")")
			}
		}
		if list && get("cursor") != "" || list && q.Has("cursor") {
			seen("paging", "cursor (RFC 9865)", "accepted")
		}
		if n, err := strconv.Atoi(get("count")); err == nil && list && get("cursor") == "" && !q.Has("cursor") {
			// A page shorter than count while more results follow is the
			// server's own maximum (RFC 7644 section 3.4.2.4).
			served, total := len(r.Resources()), r.Int("totalResults")
			start := max(1, func() int { s, _ := strconv.Atoi(get("startIndex")); return s }())
			if served > 0 && served < n && r.Int("itemsPerPage") == served && total > start-1+served {
				seen("paging", "count above what a page serves", fmt.Sprintf("capped at %d", served))
			}
		}
	case r.Method == "POST" && strings.HasSuffix(u.Path, "/Bulk"):
		// Other refusals answer the specs' deliberately wrong requests.
		switch {
		case r.Status == 200:
			seen("Bulk", "", "accepted")
		case r.Status == 413:
			seen("Bulk", "limits", "enforced (413)")
		case r.Status == 404 || r.Status == 405 || r.Status == 501:
			seen("Bulk", "", "not offered ("+statusWords(r)+")")
		}
	case r.Method == "PATCH":
		ops, _ := lookup(body, "Operations").([]any)
		for _, o := range ops {
			m, _ := o.(map[string]any)
			op, _ := lookup(m, "op").(string)
			path, _ := lookup(m, "path").(string)
			form := strings.ToLower(op) + " " + patchForm(path)
			// Refusals mostly answer the specs' deliberately wrong
			// operations (no target, a stale If-Match), so only what was
			// accepted is a capability.
			if r.Status == 200 || r.Status == 204 {
				seen("PATCH", form, "accepted")
			}
		}
		if r.Status == 405 || r.Status == 501 {
			seen("PATCH", "", "not offered ("+statusWords(r)+")")
		}
		if r.Status == 200 || r.Status == 204 {
			seen("PATCH", "answer", fmt.Sprintf("%d %s", r.Status, map[int]string{200: "with the resource", 204: "No Content"}[r.Status]))
		}
	}
}

// patchForm names the form of a PATCH operation's path (RFC 7644 section
// 3.5.2): none, an attribute, a sub-attribute, or a value filter.
func patchForm(path string) string {
	p := path
	if i := strings.LastIndex(p, ":"); i >= 0 && !strings.Contains(p[i:], "[") {
		p = p[i+1:] // an attribute of a schema named by URN
	}
	switch {
	case path == "":
		return "without path"
	case strings.Contains(p, "["):
		return "path with a value filter"
	case strings.Contains(p, "."):
		return "path to a sub-attribute"
	}
	return "path to an attribute"
}

// statusWords is the status and the scimType of an answer, without the
// detail (which names the spec's own values).
func statusWords(r *Response) string {
	s := strconv.Itoa(r.Status)
	if st := r.Str("scimType"); st != "" {
		s += " " + st
	}
	return s
}
