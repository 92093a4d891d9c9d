package reliability_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scimconf/scimconf/server/mock"
)

// input is one bad request of the corpus.
type input struct {
	name         string
	method, path string // path below the SCIM base URL, or below /mock/v1 for mgmt
	body         string
	header       []string // name, value pairs besides the credentials
	mgmt         bool     // sent to the management API
	// mustRefuse: the request is wrong whatever choice the RFC leaves the
	// server, so anything but a 4xx error fails.
	mustRefuse bool
	// unchanged: the state must stay as it was even when the answer is
	// 2xx (a query, a bulk request whose every operation is bad).
	unchanged bool
	// ownAuth: header carries the credentials (bad ones); the valid token
	// is not sent.
	ownAuth bool
}

// ids are the resources the corpus aims at: a User and a SCIM Group of the
// demo account, a SCIM token's id and a LOCAL group (account management).
type ids struct {
	user, group, token, localGroup string
}

// malformed are JSON texts that are no JSON (RFC 8259), or not the object
// a SCIM or management request body must be.
var malformed = []string{
	"", "{", "}", "[", "{\"a\":}", "{\"a\" 1}", "{'a':1}", "{\"a\":1,}", "{\"a\":1}{\"b\":2}",
	"nul", "tru", "\"", "\"unterminated", "{\"a\":\"\\x41\"}", "{\"a\":01}", "{\"a\":.5}", "{\"a\":1e}",
	"{\"a\":\"\\ud800\\\"}", "{\"a\":\n", "\x00", "{\"a\":1}\x00", "\xef\xbb\xbf{}", "123", "\"a string\"",
	"[]", "[{}]", "null", "true", "{\"schemas\":", "{\"a\":[1,2,}",
}

// firstString finds the opening quote of the body's first string value
// (after a colon or an array's bracket).
var firstString = regexp.MustCompile(`[:\[]\s*"`)

// deep is a value nested n levels (arrays and objects alternating).
func deep(n int) string {
	return strings.Repeat(`[{"a":`, n) + "1" + strings.Repeat("}]", n)
}

// bodyDefects turns a valid body into bad ones: truncations, encoding
// defects, NUL, a huge string, deep nesting, a duplicate member. strict:
// the endpoint checks JSON text strictly (SCIM); stores: the body's
// strings are stored, so one over the length limit is refused (a search's
// or a bulk operation's is not, or is refused per operation).
func bodyDefects(valid string, strict, stores bool) []struct {
	name, body string
	refuse     bool
} {
	type d = struct {
		name, body string
		refuse     bool
	}
	var out []d
	for _, m := range malformed {
		out = append(out, d{fmt.Sprintf("malformed %q", trunc(m, 20)), m, true})
	}
	for _, frac := range []int{1, 2, 3} {
		cut := len(valid) * frac / 4
		out = append(out, d{fmt.Sprintf("truncated at %d/4", frac), valid[:cut], true})
	}
	out = append(out, d{"truncated by one byte", valid[:len(valid)-1], true})
	// The first string value of the body, spoilt. A SCIM body is checked
	// strictly (RFC 8259 section 8.1: JSON text SHALL be UTF-8); the
	// management API decodes with encoding/json, which takes invalid
	// UTF-8 as U+FFFD, so there a 2xx is allowed.
	spoil := func(with string) string {
		loc := firstString.FindStringIndex(valid)
		if loc == nil {
			panic("no string value in " + valid)
		}
		return valid[:loc[1]] + with + valid[loc[1]:]
	}
	out = append(out,
		d{"invalid UTF-8 in a value", spoil("\xff\xfe"), strict},
		d{"overlong UTF-8 in a value", spoil("\xc0\xaf"), strict},
		d{"a lone UTF-8 continuation byte", spoil("\x80"), strict},
		d{"a raw NUL byte in a string", spoil("\x00"), true},
		d{"an escaped NUL in a value", spoil(`\u0000`), strict},
		d{"a raw control character", spoil("\x01"), true},
		d{"invalid UTF-8 in a member name", strings.Replace(valid, `{"`, "{\"\xff", 1), strict},
		d{"a huge member name", strings.Replace(valid, `{"`, `{"`+strings.Repeat("k", 100<<10), 1), false},
		d{"a 70 KiB string value", spoil(strings.Repeat("x", 70<<10)), strict && stores},
		d{"nesting 10,000 deep", strings.Replace(valid, `{`, `{"deep":`+deep(10000)+`,`, 1), false},
		d{"nesting 100,000 deep, unclosed", strings.Repeat("[", 100000), true},
		d{"a body of 9 MiB", `{"pad":"` + strings.Repeat("p", 9<<20) + `"}`, true},
	)
	if i := strings.Index(valid, `":`); i > 0 {
		j := strings.LastIndex(valid[:i], `"`)
		member := valid[j:]
		if k := strings.IndexAny(member, ",}"); k > 0 {
			dup := member[:k]
			out = append(out, d{"a duplicate member", strings.Replace(valid, "{", "{"+dup+",", 1), strict})
		}
	}
	return out
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// contentTypes are request media types neither SCIM (RFC 7644 section
// 3.1: application/scim+json, application/json) nor anything a JSON body
// is: the SCIM endpoint answers 415.
var contentTypes = []string{"text/plain", "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "garbage;;=", "application/scim+xml"}

// badFilters are filters RFC 7644 section 3.4.2.2's grammar does not
// produce, or that name what no schema has.
var badFilters = []string{
	`userName eq`, `userName eq "a`, `(userName eq "a"`, `userName eq "a")`, `userName zz "a"`,
	`emails[type eq "work"`, `emails[type eq "work"]]`, `userName eq "a" and`, `or userName eq "a"`,
	`not userName eq "a"`, `userName eq 1e99999`, `userName eq tru`, `userName eq "\x"`,
	`meta.lastModified gt "not a date"`, `a.b.c.d eq 1`, `urn:bad eq 1`, `userName pr "x"`,
	`userName eq "a" or`, `emails[value eq "a"].type.x eq 1`, `emails[emails[type eq "a"]]`,
	`userName sw`, `userName eq """"`, "userName eq \"\xff\"", "userName eq \"a\x00\"", `[`, `]`, `(`, `)`,
	strings.Repeat("(", 10000) + `userName eq "a"` + strings.Repeat(")", 10000),
}

// hugeFilters are valid filters of unusual size: the server may answer
// them or refuse them, never fail.
var hugeFilters = []string{
	strings.Repeat(`userName eq "a" or `, 5000) + `userName eq "a"`,
	`userName eq "` + strings.Repeat("x", 70<<10) + `"`,
}

// badPatchPaths are PATCH paths RFC 7644 section 3.5.2's grammar does not
// produce, or that name no attribute.
var badPatchPaths = []string{
	`emails[type eq "work"`, `emails[`, `]`, `name..givenName`, `urn:x:y:z`, `emails[type zz "work"]`,
	`a b`, `emails[type eq "work"].value.x`, `.name`, `name.`, `nosuch`, `name.nosuch`, `members[value eq]`,
	`emails[type eq "work"][0]`, "name.\xffgivenName", strings.Repeat("a.", 10000) + "a", `id`, `meta.version`,
}

// unknownPaths are well-formed paths that name no attribute of the
// resource: the mock accepts and drops what it does not support (DESIGN.md:
// "Attributes outside the supported set are accepted and dropped"), so a
// 2xx is allowed, and then nothing may have changed.
var unknownPaths = []string{`urn:x:y:z`, `nosuch`, `name.nosuch`}

// badPatchBodies are PatchOp requests whose shape is wrong (RFC 7644
// section 3.5.2).
var badPatchBodies = []string{
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":{}}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":"replace"}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[1]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"explode","path":"displayName","value":"x"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":1,"path":"displayName","value":"x"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"displayName"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":1,"value":"x"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":"not an object"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"ok"},{"op":"explode"}]}`,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Nope"],"Operations":[{"op":"replace","path":"displayName","value":"x"}]}`,
}

// corpus builds every bad input for one running mock: the body defects
// and content types on every endpoint that takes a body (SCIM and
// management), wrong types for every attribute of every resource type
// the mock serves (per attribute type x defect), bad filters, paging
// parameters and PATCH paths, and oversized or bad Bulk requests.
func corpus(t *testing.T, inst *mock.Instance, id ids) []input {
	user, group := id.user, id.group
	var in []input
	validUser := mustJSON(userDoc(inst, "corpus-valid"))
	validGroup := mustJSON(groupDoc("corpus-valid"))
	validPatch := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"x"}]}`
	validSearch := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName eq \"nobody@example.com\""}`
	validBulk := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","path":"/Groups","bulkId":"b","data":{"displayName":"corpus-bulk"}}]}`
	scimBodies := []struct{ method, path, valid string }{
		{"POST", "/Users", validUser}, {"PUT", "/Users/" + user, validUser}, {"PATCH", "/Users/" + user, validPatch},
		{"POST", "/Groups", validGroup}, {"PUT", "/Groups/" + group, validGroup}, {"PATCH", "/Groups/" + group, validPatch},
		{"POST", "/.search", validSearch}, {"POST", "/Users/.search", validSearch}, {"POST", "/Groups/.search", validSearch},
		{"POST", "/Bulk", validBulk},
	}
	for _, e := range scimBodies {
		for _, d := range bodyDefects(e.valid, true, e.path != "/Bulk" && !strings.HasSuffix(e.path, ".search")) {
			in = append(in, input{name: d.name, method: e.method, path: e.path, body: d.body, mustRefuse: d.refuse,
				unchanged: strings.HasSuffix(e.path, ".search")})
		}
		for _, ct := range contentTypes {
			in = append(in, input{name: "Content-Type " + ct, method: e.method, path: e.path, body: e.valid,
				header: []string{"Content-Type", ct}, mustRefuse: true})
		}
	}
	acct := "/accounts/" + inst.AccountID
	mgmtBodies := []struct{ method, path, valid string }{
		{"POST", "/accounts", `{"name":"corpus"}`},
		{"POST", acct + "/domains", `{"domain":"corpus.example.org"}`},
		{"POST", acct + "/scim-tokens", `{"description":"corpus"}`},
		{"POST", acct + "/groups", `{"name":"corpus-local","description":"d"}`},
		{"PUT", acct + "/limits", `{"note":"","maxUsers":5,"maxGroups":5,"maxGroupsPerUser":5}`},
		{"POST", "/faults", `{"match":{"method":"GET","path":"/nowhere"},"action":{"latency":"1ms"}}`},
		{"POST", acct + "/fixtures", `{"users":[{"userName":"fx@` + inst.Domain + `","name":{"givenName":"A","familyName":"B"},"active":true}]}`},
		{"PUT", "/dns/txt/corpus.example.org", `{"values":["v"]}`},
		{"PATCH", acct + "/scim-tokens/" + id.token, `{"description":"corpus"}`},
		{"PATCH", acct + "/groups/" + id.localGroup, `{"name":"corpus-renamed","description":"d"}`},
		{"PUT", acct + "/groups/" + id.localGroup + "/permissions", `[{"permissionName":"tenant-viewer","scope":"s","scopeType":"tenant"}]`},
	}
	for _, e := range mgmtBodies {
		for _, d := range bodyDefects(e.valid, false, true) {
			// An empty body or JSON null is "no options" to the
			// management API (a token without a description, an empty
			// fixture), and an empty list no permissions: it may take
			// them.
			optional := d.body == "" || d.body == "null" || d.body == "[]" && strings.HasPrefix(e.valid, "[")
			in = append(in, input{name: d.name, method: e.method, path: e.path, body: d.body, mgmt: true, mustRefuse: d.refuse && !optional})
		}
	}
	in = append(in, wrongTypes(t, inst, user, group)...)
	for i, f := range append(badFilters, hugeFilters...) {
		bad := i < len(badFilters)
		for _, ep := range []string{"/Users", "/Groups"} {
			in = append(in, input{name: "filter " + trunc(f, 40), method: "GET", path: ep + "?filter=" + queryEscape(f), mustRefuse: bad, unchanged: true})
		}
		in = append(in, input{name: "search filter " + trunc(f, 40), method: "POST", path: "/.search",
			body: mustJSON(map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:SearchRequest"}, "filter": f}),
			// json.Marshal sends invalid UTF-8 as U+FFFD: a valid filter.
			mustRefuse: bad && utf8.ValidString(f), unchanged: true})
	}
	for _, q := range []string{"count=-1", "count=abc", "count=99999999999999999999", "startIndex=0", "startIndex=abc", "startIndex=-5",
		"sortBy=nosuch", "sortBy=name..x", "sortOrder=sideways", "attributes=" + queryEscape(`emails[`), "excludedAttributes=,,,",
		"attributes=" + strings.Repeat("a,", 20000), "cursor=garbage", "cursor=" + strings.Repeat("A", 70<<10), "filter=" + queryEscape("userName eq \"a\"") + "&filter=x",
		"%zz=1", "count=1&count=2"} {
		for _, ep := range []string{"/Users", "/Groups", "/Users/" + user} {
			in = append(in, input{name: "query " + trunc(q, 40), method: "GET", path: ep + "?" + q, unchanged: true})
		}
	}
	for _, p := range badPatchPaths {
		for _, target := range []string{"/Users/" + user, "/Groups/" + group} {
			for _, op := range []string{"add", "replace", "remove"} {
				body := mustJSON(map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
					"Operations": []any{map[string]any{"op": op, "path": p, "value": "x"}}})
				in = append(in, input{name: op + " path " + trunc(p, 30), method: "PATCH", path: target, body: body, mustRefuse: !slices.Contains(unknownPaths, p), unchanged: true})
			}
		}
	}
	for _, b := range badPatchBodies {
		for _, target := range []string{"/Users/" + user, "/Groups/" + group} {
			in = append(in, input{name: "PatchOp " + trunc(b[min(61, len(b)):], 50), method: "PATCH", path: target, body: b, mustRefuse: true})
		}
	}
	in = append(in, bulkInputs(t, inst)...)
	// Ids that name nothing, paths no route has.
	in = append(in, badAuth(inst, scimBodies, mgmtBodies)...)
	for _, p := range []string{"/Users/nosuch", "/Groups/nosuch", "/Schemas/urn:nosuch", "/ResourceTypes/Nope", "/Users/" + strings.Repeat("x", 70<<10), "/Users/%00", "/Users/..%2F..%2Fmock%2Fv1%2Freset", "/Nope", "/Users/a/b"} {
		for _, m := range []string{"GET", "PUT", "PATCH", "DELETE"} {
			in = append(in, input{name: "no such resource " + trunc(p, 30), method: m, path: p, body: validPatch, mustRefuse: true})
		}
	}
	return in
}

// badAuth sends every endpoint's valid request with credentials that are
// no valid "Authorization: Bearer <token>" of that API: none, an unknown
// token, Basic, the other API's token, two Authorization headers, a
// 16 KiB token. Each is refused (401) with its API's error body and
// changes nothing.
func badAuth(inst *mock.Instance, scimBodies, mgmtBodies []struct{ method, path, valid string }) []input {
	variants := func(other string, own string) [][]string {
		return [][]string{
			nil,
			{"Authorization", "Bearer unknown-token"},
			{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte("scim:"+own))},
			{"Authorization", "Bearer " + other},
			{"Authorization", "Bearer " + own, "Authorization", "Bearer " + other},
			{"Authorization", "Bearer " + strings.Repeat("t", 16<<10)},
			{"Authorization", own},
		}
	}
	var in []input
	for _, e := range scimBodies {
		for _, v := range variants(inst.AdminToken, inst.SCIMToken) {
			in = append(in, input{name: fmt.Sprintf("credentials %.40q", v), method: e.method, path: e.path, body: e.valid, ownAuth: true,
				header: append([]string{"Content-Type", "application/scim+json"}, v...), mustRefuse: true})
		}
	}
	for _, e := range mgmtBodies {
		for _, v := range variants(inst.SCIMToken, inst.AdminToken) {
			in = append(in, input{name: fmt.Sprintf("credentials %.40q", v), method: e.method, path: e.path, body: e.valid, mgmt: true, ownAuth: true,
				header: append([]string{"Content-Type", "application/json"}, v...), mustRefuse: true})
		}
	}
	return in
}

func queryEscape(s string) string {
	r := strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", "#", "%23", " ", "%20", "\"", "%22", "[", "%5B", "]", "%5D", "\x00", "%00")
	return r.Replace(s)
}

// scimAttr is an attribute as /Schemas describes it (RFC 7643 section 7).
type scimAttr struct {
	Name          string     `json:"name"`
	Type          string     `json:"type"`
	MultiValued   bool       `json:"multiValued"`
	Mutability    string     `json:"mutability"`
	SubAttributes []scimAttr `json:"subAttributes"`
}

// wrongValues are, per attribute type (RFC 7643 section 2.3), JSON values
// of another type. Booleans as the strings "True"/"False" are an IdP
// dialect the mock takes outside --strict, so they are not here.
var wrongValues = map[string][]any{
	"string":    {1, true, map[string]any{}, 1.5},
	"boolean":   {"yes", 1, map[string]any{}, "t"},
	"complex":   {"x", 1, true},
	"reference": {1, true, map[string]any{}},
	"dateTime":  {"not a date", 1, true, "2024-13-45T99:99:99Z"},
	"integer":   {"1", 1.5, true},
	"decimal":   {"1.0", true, map[string]any{}},
	"binary":    {1, true, "not base64!!"},
}

// wrongTypes: for every attribute and sub-attribute the client may write,
// in every resource type the mock serves (read from /Schemas), each wrong
// value of its type sent by POST, PUT and PATCH; a multi-valued one also
// gets a bare value and an array of wrong items.
func wrongTypes(t *testing.T, inst *mock.Instance, user, group string) []input {
	a := scim(t, inst, "GET", "/Schemas", "")
	var list struct {
		Resources []struct {
			ID         string     `json:"id"`
			Attributes []scimAttr `json:"attributes"`
		}
	}
	if err := json.Unmarshal(a.body, &list); err != nil || len(list.Resources) == 0 {
		t.Fatalf("GET /Schemas: %v %s", err, a)
	}
	var in []input
	n := 0
	for _, s := range list.Resources {
		var endpoint, id string
		var base func() map[string]any
		switch {
		case strings.HasSuffix(s.ID, ":Group"):
			endpoint, id, base = "/Groups", group, func() map[string]any { n++; return groupDoc(fmt.Sprintf("wt-%d", n)) }
		case strings.Contains(s.ID, ":User"):
			endpoint, id, base = "/Users", user, func() map[string]any { n++; return userDoc(inst, fmt.Sprintf("wt-%d", n)) }
		default:
			continue
		}
		ext := !strings.HasPrefix(s.ID, "urn:ietf:params:scim:schemas:core:")
		for _, at := range s.Attributes {
			for _, leaf := range leaves(at) {
				for _, v := range leaf.values {
					name := fmt.Sprintf("%s %s (%s) = %s", s.ID[strings.LastIndex(s.ID, ":2.0:")+5:], leaf.path, leaf.attr.Type, trunc(mustJSON(v), 20))
					refuse := leaf.attr.Mutability != "readOnly"
					doc := base()
					setPath(doc, s.ID, ext, leaf.path, v)
					in = append(in,
						input{name: "POST " + name, method: "POST", path: endpoint, body: mustJSON(doc), mustRefuse: refuse},
						input{name: "PUT " + name, method: "PUT", path: endpoint + "/" + id, body: mustJSON(doc), mustRefuse: refuse && leaf.attr.Mutability != "immutable"})
					path := leaf.path
					if ext {
						path = s.ID + ":" + path
					}
					in = append(in, input{name: "PATCH " + name, method: "PATCH", path: endpoint + "/" + id, mustRefuse: refuse,
						body: mustJSON(map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
							"Operations": []any{map[string]any{"op": "replace", "path": path, "value": v}}})})
				}
			}
		}
	}
	return in
}

// leaf is one attribute path with the wrong values to give it.
type leaf struct {
	path   string
	attr   scimAttr
	values []any
}

// leaves are an attribute's writable paths: the attribute itself (wrong
// types, and for a multi-valued one a bare value and wrong items), and
// its sub-attributes inside one valid-looking item.
func leaves(at scimAttr) []leaf {
	if at.Mutability == "readOnly" && at.Name != "groups" {
		// The server ignores what a client sends for readOnly attributes
		// (RFC 7644 section 3.3); groups stands in for all of them.
		return nil
	}
	wrong := wrongValues[at.Type]
	var out []leaf
	if at.MultiValued {
		vals := []any{"x", 1}
		for _, sub := range at.SubAttributes {
			if sub.Name == "value" {
				vals = append(vals, map[string]any{"value": []any{1}})
			}
		}
		for _, w := range wrong {
			vals = append(vals, []any{w})
		}
		out = append(out, leaf{at.Name, at, vals})
		for _, sub := range at.SubAttributes {
			if sub.Mutability == "readOnly" {
				continue
			}
			for _, w := range wrongValues[sub.Type] {
				out = append(out, leaf{at.Name + "[]." + sub.Name, sub, []any{w}})
			}
		}
		return out
	}
	out = append(out, leaf{at.Name, at, wrong})
	for _, sub := range at.SubAttributes {
		if sub.Mutability == "readOnly" {
			continue
		}
		out = append(out, leaf{at.Name + "." + sub.Name, sub, wrongValues[sub.Type]})
	}
	return out
}

// setPath puts v at path in doc: "a", "a.b", or "a[].b" (one item of a
// multi-valued attribute); inside an extension's object when ext.
func setPath(doc map[string]any, schemaID string, ext bool, path string, v any) {
	target := doc
	if ext {
		sub := map[string]any{}
		doc[schemaID] = sub
		doc["schemas"] = append(doc["schemas"].([]any), schemaID)
		target = sub
	}
	if head, rest, ok := strings.Cut(path, "[]."); ok {
		target[head] = []any{map[string]any{rest: v}}
		return
	}
	if head, rest, ok := strings.Cut(path, "."); ok {
		obj, _ := target[head].(map[string]any)
		if obj == nil {
			obj = map[string]any{}
		} else {
			c := map[string]any{}
			for k, x := range obj {
				c[k] = x
			}
			obj = c
		}
		obj[rest] = v
		target[head] = obj
		return
	}
	target[path] = v
}

// bulkInputs are Bulk requests that are too large or whose every operation
// is bad (RFC 7644 section 3.7).
func bulkInputs(t *testing.T, inst *mock.Instance) []input {
	spc := scim(t, inst, "GET", "/ServiceProviderConfig", "").json()
	bulk, _ := spc["bulk"].(map[string]any)
	maxOps, _ := bulk["maxOperations"].(float64)
	maxPayload, _ := bulk["maxPayloadSize"].(float64)
	if maxOps == 0 || maxPayload == 0 {
		t.Fatalf("/ServiceProviderConfig declares bulk %v: the suite needs maxOperations and maxPayloadSize", bulk)
	}
	const urn = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	op := func(i int) map[string]any {
		return map[string]any{"method": "POST", "path": "/Groups", "bulkId": fmt.Sprint("b", i), "data": groupDoc(fmt.Sprint("bulk-", i))}
	}
	tooMany := make([]any, int(maxOps)+1)
	for i := range tooMany {
		tooMany[i] = op(i)
	}
	padded := op(0)
	padded["data"].(map[string]any)["externalId"] = strings.Repeat("p", int(maxPayload))
	bad := func(ops ...any) string { return mustJSON(map[string]any{"schemas": []string{urn}, "Operations": ops}) }
	in := []input{
		{name: "Bulk over maxOperations", method: "POST", path: "/Bulk", body: bad(tooMany...), mustRefuse: true},
		{name: "Bulk over maxPayloadSize", method: "POST", path: "/Bulk", body: bad(padded), mustRefuse: true},
		{name: "Bulk without Operations", method: "POST", path: "/Bulk", body: `{"schemas":["` + urn + `"]}`, mustRefuse: true},
		{name: "Bulk Operations an object", method: "POST", path: "/Bulk", body: `{"schemas":["` + urn + `"],"Operations":{}}`, mustRefuse: true},
		{name: "Bulk failOnErrors a string", method: "POST", path: "/Bulk", body: `{"schemas":["` + urn + `"],"failOnErrors":"x","Operations":[]}`, mustRefuse: true},
		{name: "Bulk wrong schema", method: "POST", path: "/Bulk", body: `{"schemas":["urn:x"],"Operations":[]}`, mustRefuse: true},
	}
	for _, o := range []map[string]any{
		{"method": "EXPLODE", "path": "/Groups", "bulkId": "a", "data": groupDoc("x")},
		{"method": "POST", "path": "/Nope", "bulkId": "a", "data": groupDoc("x")},
		{"method": "POST", "path": "/Groups", "data": groupDoc("x")},
		{"method": "POST", "path": "/Groups", "bulkId": "a"},
		{"method": "POST", "path": "/Groups", "bulkId": "a", "data": "not an object"},
		{"method": "POST", "path": "/Groups", "bulkId": "a", "data": map[string]any{"displayName": 1}},
		{"method": "PUT", "path": "/Groups/nosuch", "data": groupDoc("x")},
		{"method": "DELETE", "path": "/Users/nosuch"},
		{"method": "PATCH", "path": "/Users/bulkId:nosuch", "data": map[string]any{"Operations": []any{}}},
		{"method": "POST", "path": "/Groups", "bulkId": "a", "data": map[string]any{"displayName": "c", "members": []any{map[string]any{"value": "bulkId:a"}}}},
		{"method": 1, "path": []any{}, "bulkId": map[string]any{}},
	} {
		in = append(in, input{name: "Bulk op " + trunc(mustJSON(o), 50), method: "POST", path: "/Bulk", body: bad(o), unchanged: true})
	}
	// Two operations that refer to each other: a bulkId cycle.
	in = append(in, input{name: "Bulk bulkId cycle", method: "POST", path: "/Bulk", unchanged: true, body: bad(
		map[string]any{"method": "POST", "path": "/Groups", "bulkId": "x", "data": map[string]any{"displayName": "cx", "members": []any{map[string]any{"value": "bulkId:y"}}}},
		map[string]any{"method": "POST", "path": "/Groups", "bulkId": "y", "data": map[string]any{"displayName": "cy", "members": []any{map[string]any{"value": "bulkId:x"}}}},
	)})
	return in
}

// TestBadInputs sends the corpus to a mock of each schema set and holds
// every answer to the bar: no 5xx, no transport error (a crash or a
// dropped connection), a SCIM error body for every SCIM refusal and the
// management API's error shape for every /mock/v1 refusal, and the state
// exactly as before after every refused request.
func TestBadInputs(t *testing.T) {
	total, fivexx, refused := 0, 0, 0
	for _, schemaSet := range []string{"dynatrace", "full"} {
		t.Run(schemaSet, func(t *testing.T) {
			inst, mc := start(t, mock.Options{Schema: schemaSet})
			user := created(t, inst, "/Users", userDoc(inst, "corpus-user"))
			group := created(t, inst, "/Groups", map[string]any{"displayName": "corpus-group", "members": []any{map[string]any{"value": user}}})
			tok, err := mc.CreateToken(t.Context(), inst.AccountID, "corpus")
			if err != nil {
				t.Fatal(err)
			}
			local, err := mc.CreateGroup(t.Context(), inst.AccountID, "corpus-local", "a LOCAL group")
			if err != nil {
				t.Fatal(err)
			}
			inputs := corpus(t, inst, ids{user: user, group: group, token: tok.ID, localGroup: local.ID})
			full, export := snapshot(t, mc), exportOf(t, mc, inst.AccountID)
			for _, in := range inputs {
				total++
				var a answer
				var err error
				switch {
				case in.ownAuth && in.mgmt:
					a, err = send(in.method, inst.AdminURL+in.path, in.body, in.header...)
				case in.ownAuth:
					a, err = send(in.method, inst.SCIMBaseURL+in.path, in.body, in.header...)
				case in.mgmt:
					a, err = send(in.method, inst.AdminURL+in.path, in.body,
						append([]string{"Authorization", "Bearer " + inst.AdminToken, "Content-Type", "application/json"}, in.header...)...)
				default:
					hdr := []string{"Authorization", "Bearer " + inst.SCIMToken}
					if len(in.header) == 0 {
						hdr = append(hdr, "Content-Type", "application/scim+json")
					}
					a, err = send(in.method, inst.SCIMBaseURL+in.path, in.body, append(hdr, in.header...)...)
				}
				where := fmt.Sprintf("%s %s: %s", in.method, trunc(in.path, 60), in.name)
				if err != nil {
					t.Errorf("%s: no answer: %v", where, err)
					fivexx++
					continue
				}
				if a.status >= 500 || strings.Contains(string(a.body), `"status":"5`) {
					t.Errorf("%s: %s", where, a)
					fivexx++
					continue
				}
				ok := a.status >= 200 && a.status < 300
				// A dialect the mock takes outside --strict and names in
				// X-Scimconf-Quirks (Entra's manager as a string...) is
				// an accepted choice, not a wrong answer.
				if ok && in.mustRefuse && a.header.Get("X-Scimconf-Quirks") == "" {
					t.Errorf("%s: accepted (%s), want a 4xx", where, a)
				}
				if !ok {
					refused++
					problem := ""
					if in.mgmt {
						problem = managementErrorProblem(a)
					} else {
						problem = scimErrorProblem(a)
					}
					if problem != "" {
						t.Errorf("%s: %d is no error body of its API: %s: %.300s", where, a.status, problem, a.body)
					}
				}
				switch {
				case !ok || in.unchanged:
					// The state must be as before.
					if in.mgmt {
						if now := snapshot(t, mc); now != full {
							t.Errorf("%s: answered %d, but the state changed:\nbefore %.2000s\nafter  %.2000s", where, a.status, full, now)
							full, export = now, exportOf(t, mc, inst.AccountID)
						}
					} else if now := exportOf(t, mc, inst.AccountID); now != export {
						t.Errorf("%s: answered %d, but the account's resources changed:\nbefore %.1500s\nafter  %.1500s", where, a.status, export, now)
						full, export = snapshot(t, mc), now
					}
				default:
					// Accepted where the RFC lets the server accept: the
					// next comparison starts from here.
					full, export = snapshot(t, mc), exportOf(t, mc, inst.AccountID)
				}
			}
		})
	}
	figure(t, "bad inputs tried", "%d (%d refused with an error body, %d unexpected 5xx or dropped connections)", total, refused, fivexx)
}
