package scimtest

// Finding what the target holds (FindWhere, CountWhere, EqFilter) and
// reading the wire forms of what it answers (locations, media types,
// dateTimes, entity-tags). They read and send; they never decide what a
// response should be.

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Schema URNs of the discovery documents (RFC 7643 sections 5 to 7).
const (
	ServiceProviderConfigURN = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	ResourceTypeURN          = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	SchemaURN                = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

// FindWhere lists the resources of endpoint that match filter (a SCIM
// filter, e.g. `userName eq "x"`), asking for up to 100. It is how specs
// check what exists without assuming an empty server. A server may offer
// no filtering at all ("Filtering is an OPTIONAL parameter for SCIM
// service providers", RFC 7644 section 3.4.2.2) or decline this
// comparison (400 invalidFilter, Table 9): then an `attr eq "value"`
// filter (EqFilter) is answered by walking the whole listing and matching
// client-side, so "the refused request created nothing" is still judged.
// The response returned is then the walk's last page.
func (t *Target) FindWhere(ctx context.Context, endpoint, filter string) (*Response, []map[string]any) {
	r := t.Client.Get(ctx, endpoint+Query("filter", filter, "count", "100"))
	if !DeclinedFilter(r) {
		return r, r.Resources()
	}
	attr, value, ok := parseEq(filter)
	if !ok {
		return r, r.Resources()
	}
	noteDeclined(filter)
	all, last := t.WalkAll(ctx, endpoint)
	if last.Status != 200 {
		return last, nil
	}
	var match []map[string]any
	for _, res := range all {
		// The attributes the specs look up this way (userName,
		// displayName) are caseExact false (RFC 7643 sections 4.1.1 and
		// 4.2), so eq compares them without regard to case.
		if v, ok := Path(res, attr).(string); ok && strings.EqualFold(v, value) {
			match = append(match, res)
		}
	}
	return last, match
}

// ListWhere is FindWhere for a spec that also sends query parameters kv
// (e.g. "attributes", "externalId") and judges the listed form of its own
// resources. When the server declines the filter, it walks the listing
// with kv and returns every resource listed (walked is true): projected
// resources may lack the attribute the filter named, so the caller finds
// its own by id.
func (t *Target) ListWhere(ctx context.Context, endpoint, filter string, kv ...string) (r *Response, res []map[string]any, walked bool) {
	r = t.Client.Get(ctx, endpoint+Query(append([]string{"filter", filter}, kv...)...))
	if !DeclinedFilter(r) {
		return r, r.Resources(), false
	}
	noteDeclined(filter)
	res, r = t.WalkAll(ctx, endpoint, kv...)
	return r, res, true
}

// parseEq reads back a filter EqFilter wrote: `attr eq "value"`.
func parseEq(filter string) (attr, value string, ok bool) {
	attr, quoted, found := strings.Cut(filter, " eq ")
	if !found || strings.ContainsAny(attr, " ()[]") {
		return "", "", false
	}
	if err := json.Unmarshal([]byte(quoted), &value); err != nil {
		return "", "", false
	}
	return attr, value, true
}

// CountWhere is FindWhere's number of matches, or -1 when the list
// request itself fails (so a failure is never read as "none").
func (t *Target) CountWhere(ctx context.Context, endpoint, filter string) int {
	r, res := t.FindWhere(ctx, endpoint, filter)
	if r.Status != 200 {
		return -1
	}
	return len(res)
}

// EqFilter is the filter `attr eq "value"` with value quoted as a JSON
// string.
func EqFilter(attr, value string) string {
	return fmt.Sprintf("%s eq %s", attr, quote(value))
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// RelativePath turns a resource location (absolute, as meta.location and
// Location give it) into a path relative to the base URL ("/Users/<id>"),
// so it can be handed to CleanupLater. It returns loc unchanged when loc
// is not under the base URL.
func (t *Target) RelativePath(loc string) string {
	if rest, ok := strings.CutPrefix(loc, t.Client.Base); ok {
		return rest
	}
	u, err := url.Parse(loc)
	if err != nil {
		return loc
	}
	b, err := url.Parse(t.Client.Base)
	if err != nil {
		return loc
	}
	if rest, ok := strings.CutPrefix(u.Path, b.Path); ok {
		return rest
	}
	return loc
}

// MediaType returns the media type of the response's Content-Type
// without parameters ("application/scim+json"), or "" when absent or
// unparsable.
func (r *Response) MediaType() string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// ParseDateTime parses an xsd:dateTime as SCIM uses it (RFC 7643 section
// 2.3.5: RFC 3339 with a time zone).
func ParseDateTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, s)
}

// IsAbsoluteURL reports whether s is an absolute http(s) URL with a host.
func IsAbsoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

var entityTag = regexp.MustCompile(`^(W/)?"[\x21\x23-\x7e\x80-\xff]*"$`)

// IsEntityTag reports whether s is an entity-tag as RFC 7232 section 2.3
// writes it: an optional W/ and an opaque quoted string.
func IsEntityTag(s string) bool { return entityTag.MatchString(s) }

// WaitPastTimestamp sleeps until the server's clock can show a later
// dateTime than ts: a few milliseconds when ts has fractional seconds,
// just over a second otherwise. Specs that check "lastModified moves on
// change" call it between two writes.
func WaitPastTimestamp(ts string) {
	if i := strings.IndexByte(ts, '.'); i >= 0 {
		time.Sleep(15 * time.Millisecond)
		return
	}
	time.Sleep(1100 * time.Millisecond)
}

// HasStringIn reports whether the JSON array v holds s.
func HasStringIn(v any, s string) bool { return containsString(v, s) }
