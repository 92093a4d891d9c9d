package journal

import (
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// Filter selects entries. Zero fields match everything; set fields must
// all match. It is also the query string of GET /mock/v1/journal (see
// ParseFilter for the parameter names).
type Filter struct {
	// Method matches exactly, case-insensitively ("PATCH").
	Method string
	// Path matches the full path or the path below the SCIM base URL, as
	// MatchPath says: "/Users" matches every /Users request of every
	// account, "/Users/*" one resource.
	Path string
	// ResourceType is "User" or "Group" (the endpoint "Users" works too),
	// case-insensitive.
	ResourceType string
	// PatchOp matches a PATCH that has an operation with this op,
	// case-insensitively ("replace" matches an Entra "Replace").
	PatchOp string
	// Status is a status ("429") or a class ("4xx").
	Status string
	// Account is the account id of the SCIM base URL.
	Account string
	// Rule is the rule that refused the request ("DT-USER-DOMAIN").
	Rule string
	// Faulted selects only exchanges that had a fault injected.
	Faulted bool
	// Since and Until bound the start time (inclusive, exclusive).
	Since, Until time.Time
	// After selects entries with a larger Seq, for reading on from the
	// last entry seen.
	After uint64
	// Limit keeps only the newest Limit matches; 0 keeps all.
	Limit int
}

// Match reports whether e passes the filter (Limit aside).
func (f *Filter) Match(e *Entry) bool {
	switch {
	case f.Method != "" && !strings.EqualFold(f.Method, e.Method),
		f.Path != "" && !MatchPath(f.Path, e.Path),
		f.ResourceType != "" && !strings.EqualFold(f.ResourceType, e.ResourceType) && !strings.EqualFold(f.ResourceType, e.Endpoint),
		f.Account != "" && f.Account != e.AccountID,
		f.Rule != "" && !strings.EqualFold(f.Rule, e.Rule),
		f.Faulted && e.Fault == "",
		!f.Since.IsZero() && e.Time.Before(f.Since),
		!f.Until.IsZero() && !e.Time.Before(f.Until),
		f.After != 0 && e.Seq <= f.After,
		f.Status != "" && !matchStatus(f.Status, e.Status):
		return false
	}
	if f.PatchOp != "" {
		for _, op := range e.PatchOps {
			if strings.EqualFold(op, f.PatchOp) {
				return true
			}
		}
		return false
	}
	return true
}

func matchStatus(want string, status int) bool {
	if len(want) == 3 && strings.EqualFold(want[1:], "xx") {
		return StatusClass(status) == strings.ToLower(want)
	}
	return want == strconv.Itoa(status)
}

// Values renders f as the query string ParseFilter reads.
func (f Filter) Values() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("method", f.Method)
	set("path", f.Path)
	set("resourceType", f.ResourceType)
	set("op", f.PatchOp)
	set("status", f.Status)
	set("account", f.Account)
	set("rule", f.Rule)
	if f.Faulted {
		q.Set("faulted", "true")
	}
	if !f.Since.IsZero() {
		q.Set("since", f.Since.Format(time.RFC3339Nano))
	}
	if !f.Until.IsZero() {
		q.Set("until", f.Until.Format(time.RFC3339Nano))
	}
	if f.After != 0 {
		q.Set("after", strconv.FormatUint(f.After, 10))
	}
	if f.Limit != 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	return q
}

// ParseFilter reads a filter from query parameters: method, path,
// resourceType, op, status (e.g. 429 or 4xx), account, rule, faulted
// (true/false), since and until (RFC 3339), after (a seq) and limit. An
// unknown parameter is an error, so that a typo does not silently match
// everything.
func ParseFilter(q url.Values) (Filter, error) {
	var f Filter
	for k, vs := range q {
		v := vs[len(vs)-1]
		var err error
		switch k {
		case "method":
			f.Method = strings.ToUpper(v)
		case "path":
			f.Path = v
			if strings.ContainsAny(v, "*?[") {
				_, err = path.Match(v, "")
			}
		case "resourceType":
			f.ResourceType = v
		case "op":
			f.PatchOp = v
		case "status":
			f.Status = strings.ToLower(v)
			if !validStatus(f.Status) {
				err = fmt.Errorf("want a status such as 429 or a class such as 4xx")
			}
		case "account":
			f.Account = v
		case "rule":
			f.Rule = v
		case "faulted":
			f.Faulted, err = strconv.ParseBool(v)
		case "since":
			f.Since, err = time.Parse(time.RFC3339Nano, v)
		case "until":
			f.Until, err = time.Parse(time.RFC3339Nano, v)
		case "after":
			f.After, err = strconv.ParseUint(v, 10, 64)
		case "limit":
			f.Limit, err = strconv.Atoi(v)
			if err == nil && f.Limit < 0 {
				err = fmt.Errorf("must not be negative")
			}
		default:
			return Filter{}, fmt.Errorf("unknown parameter %q; the journal's filters are method, path, resourceType, op, status, account, rule, faulted, since, until, after and limit", k)
		}
		if err != nil {
			return Filter{}, fmt.Errorf("parameter %s=%q: %v", k, v, err)
		}
	}
	return f, nil
}

func validStatus(s string) bool {
	if len(s) != 3 || s[0] < '1' || s[0] > '9' {
		return false
	}
	if s[1:] == "xx" {
		return true
	}
	_, err := strconv.Atoi(s)
	return err == nil
}

// scimBase is the path of every account's SCIM base URL up to the account.
const scimBase = "/idm/public/scim/"

// SplitSCIMPath splits a path below an account's SCIM base URL
// (/idm/public/scim/{accountId}/v2/...) into the account id and the rest
// ("/Users/123", or "" for the base URL itself). ok is false for any other
// path.
func SplitSCIMPath(p string) (accountID, rest string, ok bool) {
	tail, found := strings.CutPrefix(p, scimBase)
	if !found {
		return "", "", false
	}
	accountID, after, found := strings.Cut(tail, "/")
	if !found || accountID == "" {
		return "", "", false
	}
	if after != "v2" && !strings.HasPrefix(after, "v2/") {
		return "", "", false
	}
	return accountID, strings.TrimPrefix(after, "v2"), true
}

// MatchPath reports whether p, a request path, matches pattern. The pattern
// is tried against the full path and, for SCIM paths, against the path
// below the account's SCIM base URL, so "/Users" works for every account.
// A pattern with *, ? or [ is a path.Match pattern (a * stays within one
// segment: "/Users/*" is one user); any other pattern is a prefix that
// ends at a segment boundary ("/Users" matches "/Users" and "/Users/1",
// not "/UsersX"; a trailing "/" is kept as given). Matching is
// case-sensitive, as paths are.
func MatchPath(pattern, p string) bool {
	if pattern == "" {
		return true
	}
	candidates := []string{p}
	if _, rest, ok := SplitSCIMPath(p); ok {
		candidates = append(candidates, rest)
	}
	for _, c := range candidates {
		if strings.ContainsAny(pattern, "*?[") {
			if ok, _ := path.Match(pattern, c); ok {
				return true
			}
			continue
		}
		if tail, ok := strings.CutPrefix(c, pattern); ok && (tail == "" || tail[0] == '/' || strings.HasSuffix(pattern, "/")) {
			return true
		}
	}
	return false
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
