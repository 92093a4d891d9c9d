package scimtest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
)

// QuirksHeader is the response header in which scimconf's mock names the
// IdP dialects a request used (for example "capitalized-op,string-boolean").
// Other targets do not send it; the idp suite only reports it.
const QuirksHeader = "X-Scimconf-Quirks"

// IdPFixture is one file of fixtures/idp: request sequences an identity
// provider sends, copied from its public documentation.
type IdPFixture struct {
	IdP   string `json:"idp"`
	About string `json:"about"`
	// Sources are the documentation pages scenarios and steps cite, by key.
	Sources   map[string]IdPSource `json:"sources"`
	Scenarios []IdPScenario        `json:"scenarios"`
}

// IdPSource is a cited documentation page.
type IdPSource struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// IdPScenario is one request sequence: what one IdP feature (Test
// Connection, Group Push, ...) sends, replayed as one spec.
type IdPScenario struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Rules []string `json:"rules"`
	// Source is a key of the fixture's Sources and Cite the section on
	// that page ("#create-user").
	Source string `json:"source"`
	Cite   string `json:"cite"`
	// Quirks names the shapes of the sequence that RFC 7643/7644 do not
	// define (scimconf's quirk names): a strict server refuses exactly the
	// scenarios that list one.
	Quirks   []string  `json:"quirks"`
	ReadOnly bool      `json:"readOnly"`
	Steps    []IdPStep `json:"steps"`

	// IdP and Sources are filled from the fixture by LoadIdPScenarios.
	IdP     string               `json:"-"`
	Sources map[string]IdPSource `json:"-"`
	File    string               `json:"-"`
}

// IdPStep is one request of a scenario and what its answer must show.
type IdPStep struct {
	Note string `json:"note"`
	// Source and Cite override the scenario's for this step.
	Source string `json:"source"`
	Cite   string `json:"cite"`
	// Setup and Check mark the harness's own requests (creating what the
	// sequence needs, reading back the effect of a PATCH that answered
	// 204), which are not the IdP's traffic.
	Setup bool `json:"setup"`
	Check bool `json:"check"`
	// Requires lists "Type:attribute" paths the target must advertise in
	// /Schemas for the step to run ("User:nickName").
	Requires []string          `json:"requires"`
	Method   string            `json:"method"`
	Path     string            `json:"path"`
	Headers  map[string]string `json:"headers"`
	Body     any               `json:"body"`
	Expect   IdPExpect         `json:"expect"`
	// Capture names variables taken from the response body by path
	// ("$.id", "$.Resources[0].id") for ${name} placeholders of later
	// steps.
	Capture map[string]string `json:"capture"`
}

// IdPExpect is what a step's response must show. Paths are "$.a.b",
// "$.Resources[0].id" and "$.members[*].value"; names compare
// case-insensitively, as SCIM attribute names do.
type IdPExpect struct {
	Status []int `json:"status"`
	// JSON maps a path to the one value it must hold.
	JSON map[string]any `json:"json"`
	// Absent lists paths that must hold nothing (absent, null or []).
	Absent []string `json:"absent"`
	// Includes and Excludes map a path to values that must, or must not,
	// be among the values it selects.
	Includes map[string][]any `json:"includes"`
	Excludes map[string][]any `json:"excludes"`
	// Numbers lists paths that must hold JSON integers.
	Numbers []string `json:"numbers"`
	// MaxItems caps the length of the arrays at the given paths.
	MaxItems map[string]int `json:"maxItems"`
	// ScimError asks for an RFC 7644 error body.
	ScimError bool `json:"scimError"`
}

// SourceURL is the page (and section) the scenario cites.
func (s IdPScenario) SourceURL() string { return s.Sources[s.Source].URL + s.Cite }

// SourceTitle is the title of the page the scenario cites.
func (s IdPScenario) SourceTitle() string { return s.Sources[s.Source].Title }

func (s IdPScenario) stepURL(st IdPStep) string {
	src, cite := s.Source, s.Cite
	if st.Source != "" {
		src, cite = st.Source, ""
	}
	if st.Cite != "" {
		cite = st.Cite
	}
	return s.Sources[src].URL + cite
}

// LoadIdPScenarios reads every *.json file at the root of fsys
// (fixtures.IdP) and checks that each scenario names rules, cites a known
// source and has well-formed steps.
func LoadIdPScenarios(fsys fs.FS) ([]IdPScenario, error) {
	files, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no fixtures in the IdP fixture set")
	}
	sort.Strings(files)
	var out []IdPScenario
	seen := map[string]bool{}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		var fx IdPFixture
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&fx); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, sc := range fx.Scenarios {
			sc.IdP, sc.Sources, sc.File = fx.IdP, fx.Sources, f
			if err := checkScenario(sc, seen); err != nil {
				return nil, fmt.Errorf("%s: scenario %q: %w", f, sc.ID, err)
			}
			out = append(out, sc)
		}
	}
	return out, nil
}

func checkScenario(sc IdPScenario, seen map[string]bool) error {
	if sc.ID == "" || sc.Title == "" || len(sc.Rules) == 0 || len(sc.Steps) == 0 {
		return fmt.Errorf("needs an id, a title, rules and steps")
	}
	if seen[sc.ID] {
		return fmt.Errorf("id used twice")
	}
	seen[sc.ID] = true
	if sc.Sources[sc.Source].URL == "" {
		return fmt.Errorf("source %q is not one of the fixture's sources", sc.Source)
	}
	for i, st := range sc.Steps {
		if st.Method == "" || !strings.HasPrefix(st.Path, "/") || len(st.Expect.Status) == 0 {
			return fmt.Errorf("step %d needs a method, a path starting with / and expect.status", i+1)
		}
		if st.Source != "" && sc.Sources[st.Source].URL == "" {
			return fmt.Errorf("step %d: source %q is not one of the fixture's sources", i+1, st.Source)
		}
		if sc.ReadOnly && st.Method != "GET" {
			return fmt.Errorf("step %d: a read-only scenario sends only GET", i+1)
		}
	}
	return nil
}

// IdPReplay is what a replay saw.
type IdPReplay struct {
	// Quirks are the quirk names the target reported in QuirksHeader
	// (scimconf's mock does; others report nothing).
	Quirks []string
	// Left lists what the replay left out because the target does not
	// advertise the attribute (PATCH operations, steps with Requires).
	Left []string
}

var placeholder = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)(?::([A-Za-z0-9_]+))?\}`)

// ReplayIdP sends the scenario's steps in order from inside a spec,
// checking each answer and capturing ids; everything it creates is deleted
// when the spec ends. PATCH operations whose path names an attribute the
// target does not advertise are left out (a baseline flow never uses an
// attribute the target lacks), and so are steps whose Requires it lacks.
func (t *Target) ReplayIdP(ctx context.Context, sc IdPScenario) IdPReplay {
	var res IdPReplay
	vars := map[string]string{}
	names := map[string]string{}
	guids := map[string]string{}
	subst := func(s string, escape func(string) string) string {
		return placeholder.ReplaceAllStringFunc(s, func(m string) string {
			g := placeholder.FindStringSubmatch(m)
			var v string
			switch kind, label := g[1], g[2]; {
			case kind == "domain" && label == "":
				v = t.Domain()
			case kind == "name":
				if names[label] == "" {
					names[label] = t.Name()
				}
				v = names[label]
			case kind == "guid" && label == "":
				v = newGUID()
			case kind == "guid":
				if guids[label] == "" {
					guids[label] = newGUID()
				}
				v = guids[label]
			default:
				got, ok := vars[kind]
				gomega.Expect(ok).To(gomega.BeTrue(), "fixture %s, scenario %s: ${%s} is used before a step captures it", sc.File, sc.ID, kind)
				v = got
			}
			if escape != nil {
				return escape(v)
			}
			return v
		})
	}
	quirks := map[string]bool{}
	for i, st := range sc.Steps {
		what := "IdP request"
		switch {
		case st.Setup:
			what = "setup"
		case st.Check:
			what = "check"
		}
		label := fmt.Sprintf("step %d (%s): %s %s", i+1, what, st.Method, st.Path)
		if missing := t.missingAttrs(st.Requires); len(missing) > 0 {
			res.Left = append(res.Left, fmt.Sprintf("%s: the target does not advertise %s", label, strings.Join(missing, ", ")))
			ginkgo.By(label + ": left out, the target does not advertise " + strings.Join(missing, ", "))
			continue
		}
		path := substPath(st.Path, subst)
		body := substJSON(st.Body, subst)
		if st.Method == "PATCH" {
			var left []string
			body, left = t.dropUnadvertised(resourceTypeOf(path), body)
			for _, l := range left {
				res.Left = append(res.Left, label+": "+l)
			}
			if ops, _ := lookupAny(body, "Operations").([]any); body != nil && len(ops) == 0 {
				ginkgo.By(label + ": left out, every operation names an attribute the target does not advertise")
				continue
			}
		}
		note := st.Note
		if !st.Setup && !st.Check {
			note += " [" + sc.stepURL(st) + "]"
		}
		ginkgo.By(label + ": " + note)
		var headers []string
		for k, v := range st.Headers {
			headers = append(headers, k, subst(v, nil))
		}
		var sendBody any
		if body != nil {
			sendBody = body
		}
		r := t.Client.Do(ctx, st.Method, path, sendBody, headers...)
		for _, h := range r.Header.Values(QuirksHeader) {
			for _, q := range strings.Split(h, ",") {
				if q = strings.TrimSpace(q); q != "" {
					quirks[q] = true
				}
			}
		}
		ctxMsg := fmt.Sprintf("%s, scenario %q, %s\n%s\nsource: %s", sc.IdP, sc.ID, label, st.Note, sc.stepURL(st))
		gomega.Expect(r).To(HaveStatus(st.Expect.Status...), ctxMsg)
		if id := r.Str("id"); st.Method == "POST" && r.Status == 201 && id != "" {
			coll, _, _ := strings.Cut(path, "?")
			t.CleanupLater(strings.TrimRight(coll, "/") + "/" + url.PathEscape(id))
		}
		checkExpect(r, st.Expect, subst, ctxMsg)
		for name, p := range st.Capture {
			vals := evalPath(r.JSON, p)
			var s string
			if len(vals) == 1 {
				s, _ = vals[0].(string)
			}
			gomega.Expect(s).NotTo(gomega.BeEmpty(), "%s\nno string at %s to capture as ${%s}:\n%s", ctxMsg, p, name, r)
			vars[name] = s
		}
	}
	for q := range quirks {
		res.Quirks = append(res.Quirks, q)
	}
	sort.Strings(res.Quirks)
	return res
}

func checkExpect(r *Response, e IdPExpect, subst func(string, func(string) string) string, msg string) {
	want := func(v any) any { return substJSON(v, subst) }
	for p, w := range e.JSON {
		w = want(w)
		vals := evalPath(r.JSON, p)
		gomega.Expect(len(vals) == 1 && sameJSON(vals[0], w)).To(gomega.BeTrue(), "%s\nexpected %s to be %v, found %v:\n%s", msg, p, show(w), showAll(vals), r)
	}
	for _, p := range e.Absent {
		vals := evalPath(r.JSON, p)
		gomega.Expect(isEmpty(vals)).To(gomega.BeTrue(), "%s\nexpected nothing at %s, found %v:\n%s", msg, p, showAll(vals), r)
	}
	for p, ws := range e.Includes {
		vals := evalPath(r.JSON, p)
		for _, w := range ws {
			w = want(w)
			gomega.Expect(slices.ContainsFunc(vals, func(v any) bool { return sameJSON(v, w) })).To(gomega.BeTrue(), "%s\nexpected %s to include %v, found %v:\n%s", msg, p, show(w), showAll(vals), r)
		}
	}
	for p, ws := range e.Excludes {
		vals := evalPath(r.JSON, p)
		for _, w := range ws {
			w = want(w)
			gomega.Expect(slices.ContainsFunc(vals, func(v any) bool { return sameJSON(v, w) })).To(gomega.BeFalse(), "%s\nexpected %s not to include %v, found %v:\n%s", msg, p, show(w), showAll(vals), r)
		}
	}
	for _, p := range e.Numbers {
		vals := evalPath(r.JSON, p)
		ok := len(vals) == 1
		if ok {
			f, isNum := vals[0].(float64)
			ok = isNum && f == math.Trunc(f)
		}
		gomega.Expect(ok).To(gomega.BeTrue(), "%s\nexpected %s to be a JSON integer (not a string), found %v:\n%s", msg, p, showAll(vals), r)
	}
	for p, n := range e.MaxItems {
		vals := evalPath(r.JSON, p)
		count := 0
		if len(vals) == 1 {
			arr, _ := vals[0].([]any)
			count = len(arr)
		}
		gomega.Expect(count).To(gomega.BeNumerically("<=", n), "%s\nexpected at most %d items at %s:\n%s", msg, n, p, r)
	}
	if e.ScimError {
		schemas := evalPath(r.JSON, "$.schemas[*]")
		gomega.Expect(slices.Contains(schemas, any(ErrorURN))).To(gomega.BeTrue(), "%s\nexpected an RFC 7644 section 3.12 error body:\n%s", msg, r)
	}
}

// missingAttrs returns the "Type:attr" paths the target does not advertise.
func (t *Target) missingAttrs(req []string) []string {
	var out []string
	for _, r := range req {
		rt, attr, _ := strings.Cut(r, ":")
		if !t.Caps.Has(rt, attr) && !isCommonAttr(attr) {
			out = append(out, r)
		}
	}
	return out
}

// dropUnadvertised returns a PATCH body without the operations whose path
// names an attribute rt does not advertise, and a line per dropped one.
// When the target describes no attributes of rt, nothing is dropped.
func (t *Target) dropUnadvertised(rt string, body any) (any, []string) {
	m, ok := body.(map[string]any)
	if !ok || len(t.Caps.Attrs[rt]) == 0 {
		return body, nil
	}
	ops, _ := m["Operations"].([]any)
	var keep []any
	var left []string
	for _, op := range ops {
		om, _ := op.(map[string]any)
		p, _ := lookupAny(om, "path").(string)
		if p != "" && !t.Caps.Has(rt, topAttr(p)) && !isCommonAttr(topAttr(p)) {
			left = append(left, fmt.Sprintf("operation %v left out: %s does not advertise %s", show(op), rt, topAttr(p)))
			continue
		}
		keep = append(keep, op)
	}
	if len(left) == 0 {
		return body, nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	out["Operations"] = keep
	return out, left
}

// topAttr is the attribute a PATCH path names at the top level:
// "emails[type eq \"work\"].value" -> "emails", "name.givenName" ->
// "name", a URN-qualified path -> the URN and attribute.
func topAttr(p string) string {
	p, _, _ = strings.Cut(p, "[")
	if strings.HasPrefix(strings.ToLower(p), "urn:") {
		i := strings.LastIndexByte(p, ':')
		if j := strings.IndexByte(p[i+1:], '.'); j >= 0 {
			return p[:i+1+j]
		}
		return p
	}
	top, _, _ := strings.Cut(p, ".")
	return top
}

// isCommonAttr reports RFC 7643 section 3.1's common attributes, which
// every resource has and /Schemas does not list.
func isCommonAttr(name string) bool {
	return strings.EqualFold(name, "externalId") || strings.EqualFold(name, "id") || strings.EqualFold(name, "meta")
}

func resourceTypeOf(path string) string {
	switch {
	case strings.HasPrefix(path, "/Users"):
		return "User"
	case strings.HasPrefix(path, "/Groups"):
		return "Group"
	}
	return ""
}

// substPath fills placeholders of a request path, escaping each value
// for where it lands: a path segment or a query value.
func substPath(p string, subst func(string, func(string) string) string) string {
	path, query, hasQuery := strings.Cut(p, "?")
	out := subst(path, url.PathEscape)
	if hasQuery {
		out += "?" + subst(query, url.QueryEscape)
	}
	return out
}

// substJSON returns a copy of v with placeholders in every string filled.
func substJSON(v any, subst func(string, func(string) string) string) any {
	switch x := v.(type) {
	case string:
		return subst(x, nil)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = substJSON(e, subst)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = substJSON(e, subst)
		}
		return out
	}
	return v
}

// evalPath selects the values at path ("$.a.b", "$.list[0].x",
// "$.list[*].x") of decoded JSON. Names compare case-insensitively.
func evalPath(root any, path string) []any {
	cur := []any{root}
	p := strings.TrimPrefix(strings.TrimPrefix(path, "$"), ".")
	if p == "" {
		return cur
	}
	for _, tok := range strings.Split(p, ".") {
		name, index, hasIndex := strings.Cut(tok, "[")
		index = strings.TrimSuffix(index, "]")
		var next []any
		for _, c := range cur {
			v := c
			if name != "" {
				m, ok := c.(map[string]any)
				if !ok {
					continue
				}
				v = lookupAny(m, name)
				if v == nil {
					continue
				}
			}
			if !hasIndex {
				next = append(next, v)
				continue
			}
			arr, _ := v.([]any)
			if index == "*" {
				next = append(next, arr...)
				continue
			}
			if i, err := strconv.Atoi(index); err == nil && i >= 0 && i < len(arr) {
				next = append(next, arr[i])
			}
		}
		cur = next
	}
	return cur
}

func lookupAny(v any, name string) any {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	return lookup(m, name)
}

func isEmpty(vals []any) bool {
	for _, v := range vals {
		switch x := v.(type) {
		case nil:
		case []any:
			if len(x) > 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// sameJSON compares decoded JSON values; numbers by value.
func sameJSON(a, b any) bool {
	fa, okA := toFloat(a)
	fb, okB := toFloat(b)
	if okA || okB {
		return okA && okB && fa == fb
	}
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func showAll(vals []any) string {
	if len(vals) == 0 {
		return "nothing"
	}
	return show(vals)
}

func newGUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
