package scimtest

import (
	"context"
	"fmt"
	"strings"

	"github.com/onsi/ginkgo/v2"
)

// Capabilities is what the target declares in /ServiceProviderConfig and
// /Schemas. Specs adapt to it: what is declared supported must work, what
// is declared unsupported must fail cleanly, and no baseline flow uses an
// attribute the target does not advertise.
type Capabilities struct {
	Patch, Bulk, Filter, Sort, ETag, ChangePassword bool
	BulkMaxOperations, BulkMaxPayloadSize           int
	MaxResults                                      int
	// Cursor is RFC 9865's pagination.cursor.
	Cursor bool
	// Attrs holds, per resource type name ("User", "Group"), every
	// attribute path the schemas describe, lower-cased: "username",
	// "name.givenname", "emails.value",
	// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:department".
	Attrs map[string]map[string]Attr
	// SPC is the raw /ServiceProviderConfig document.
	SPC map[string]any
	// Declared is set when /ServiceProviderConfig was read. Without it
	// the features above are assumptions (Assumed), and specs that judge
	// a feature against its declaration ("declared unsupported, so
	// refused cleanly") have nothing to judge.
	Declared bool
	// DiscoveryProblem says why /ServiceProviderConfig could not be read;
	// "" when it was. RFC-DISCOVERY's specs judge the document itself.
	DiscoveryProblem string
	// Assumed states each assumption made without the document, and what
	// the server did that it rests on, for the report.
	Assumed []string
}

// Attr is what /Schemas says of one attribute.
type Attr struct {
	Type        string
	MultiValued bool
	Required    bool
	CaseExact   bool
	Mutability  string
	Returned    string
	Uniqueness  string
}

// Unsupported says why a feature counts as unsupported, for a skip: the
// declaration (key false in /ServiceProviderConfig), or the assumption
// made without one.
func (c Capabilities) Unsupported(key string) string {
	if c.Declared {
		return "/ServiceProviderConfig declares " + key + " false"
	}
	return key + " is assumed false (no readable /ServiceProviderConfig, and no answer that changes nothing showed the feature; see the capability table)"
}

// SkipUnlessDeclared skips a spec that holds the target to what it
// declared (e.g. "declared unsupported, so refused cleanly") when it
// declared nothing: an assumption is no promise to hold a server to.
func (c Capabilities) SkipUnlessDeclared(key string) {
	if !c.Declared {
		ginkgo.Skip("this spec holds the server to its declared "+key+", and no /ServiceProviderConfig could be read", 1)
	}
}

// Has reports whether resource type rt (User, Group) has attribute path.
func (c Capabilities) Has(rt, path string) bool {
	_, ok := c.Attrs[rt][strings.ToLower(path)]
	return ok
}

// Attr returns what /Schemas says of attribute path of rt.
func (c Capabilities) Attr(rt, path string) (Attr, bool) {
	a, ok := c.Attrs[rt][strings.ToLower(path)]
	return a, ok
}

func readCapabilities(ctx context.Context, c *Client) (Capabilities, error) {
	caps := Capabilities{Attrs: map[string]map[string]Attr{}}
	r := c.Get(ctx, "/ServiceProviderConfig")
	switch {
	case r.TransportError():
		return caps, fmt.Errorf("GET /ServiceProviderConfig: the target does not answer; check SCIM_BASE_URL:\n%s", r)
	case r.Status == 401 || r.Status == 403:
		return caps, fmt.Errorf("GET /ServiceProviderConfig: the target refuses the token (%d); check SCIM_TOKEN:\n%s", r.Status, r)
	case r.Status != 200 || r.JSON == nil:
		// RFC-DISCOVERY's specs fail on this; the other rules are still
		// judged, on assumptions the server's own answers support.
		caps.DiscoveryProblem = fmt.Sprintf("GET /ServiceProviderConfig answered %s, not the document RFC 7644 section 4 describes", statusWords(r))
		assume(ctx, c, &caps)
		readSchemas(ctx, c, &caps)
		recordDeclared(caps)
		return caps, nil
	}
	caps.SPC, caps.Declared = r.JSON, true
	b := func(path string) bool { v, _ := Path(r.JSON, path).(bool); return v }
	n := func(path string) int { v, _ := Path(r.JSON, path).(float64); return int(v) }
	caps.Patch, caps.Bulk, caps.Filter = b("patch.supported"), b("bulk.supported"), b("filter.supported")
	caps.Sort, caps.ETag, caps.ChangePassword = b("sort.supported"), b("etag.supported"), b("changePassword.supported")
	caps.BulkMaxOperations, caps.BulkMaxPayloadSize, caps.MaxResults = n("bulk.maxOperations"), n("bulk.maxPayloadSize"), n("filter.maxResults")
	caps.Cursor = b("pagination.cursor")
	readSchemas(ctx, c, &caps)
	recordDeclared(caps)
	return caps, nil
}

// readSchemas fills caps.Attrs from /ResourceTypes and /Schemas; without
// them caps.Attrs stays empty, and specs use only the attributes every
// User has.
func readSchemas(ctx context.Context, c *Client, caps *Capabilities) {
	rts := c.Get(ctx, "/ResourceTypes")
	schemaOf := map[string][]string{} // schema URN -> resource type names
	for _, rt := range rts.Resources() {
		name, _ := rt["name"].(string)
		if s, _ := rt["schema"].(string); s != "" {
			schemaOf[strings.ToLower(s)] = append(schemaOf[strings.ToLower(s)], name)
		}
		exts, _ := rt["schemaExtensions"].([]any)
		for _, e := range exts {
			if s, _ := Path(e, "schema").(string); s != "" {
				schemaOf["ext:"+strings.ToLower(s)] = append(schemaOf["ext:"+strings.ToLower(s)], name)
			}
		}
	}
	sch := c.Get(ctx, "/Schemas")
	for _, s := range sch.Resources() {
		id, _ := s["id"].(string)
		attrs, _ := s["attributes"].([]any)
		add := func(rt, prefix string) {
			if caps.Attrs[rt] == nil {
				caps.Attrs[rt] = map[string]Attr{}
			}
			for _, a := range attrs {
				m, _ := a.(map[string]any)
				name, _ := m["name"].(string)
				caps.Attrs[rt][strings.ToLower(prefix+name)] = attrOf(m)
				subs, _ := m["subAttributes"].([]any)
				for _, sa := range subs {
					sm, _ := sa.(map[string]any)
					sn, _ := sm["name"].(string)
					caps.Attrs[rt][strings.ToLower(prefix+name+"."+sn)] = attrOf(sm)
				}
			}
		}
		for _, rt := range schemaOf[strings.ToLower(id)] {
			add(rt, "")
		}
		for _, rt := range schemaOf["ext:"+strings.ToLower(id)] {
			add(rt, id+":")
		}
	}
}

// assume sets the features of a target without a readable
// /ServiceProviderConfig from what it does with requests that change
// nothing, and otherwise to "unsupported": a spec then skips what it
// cannot know rather than fail a server for a feature it never claimed.
// Each assumption is stated, with the answer it rests on, in
// caps.Assumed and in the report.
func assume(ctx context.Context, c *Client, caps *Capabilities) {
	say := func(feature string, on bool, why string) {
		caps.Assumed = append(caps.Assumed, fmt.Sprintf("%s %s: %s", feature, supported(on), why))
	}
	probe := EqFilter("userName", "scimconf-probe-nobody@example.invalid")
	f := c.Get(ctx, "/Users"+Query("filter", probe, "count", "1"))
	caps.Filter = f.Status == 200 && HasStringIn(lookup(f.JSON, "schemas"), ListURN)
	say("filter", caps.Filter, fmt.Sprintf("GET /Users?filter=%s answered %s", probe, statusWords(f)))

	// A PATCH of an id that does not exist changes nothing; a server that
	// routes PATCH to resources answers 404 with a SCIM error, one without
	// PATCH answers 405, 501 or something else.
	p := c.Patch(ctx, "/Users/scimconf-probe-no-such-id", map[string]any{"schemas": []any{PatchURN},
		"Operations": []any{map[string]any{"op": "replace", "path": "active", "value": false}}})
	caps.Patch, _ = HaveSCIMError(404, "").Match(p)
	say("PATCH", caps.Patch, fmt.Sprintf("PATCH of an unknown id answered %s", statusWords(p)))

	// A bulk request without operations changes nothing either.
	bk := c.Post(ctx, "/Bulk", map[string]any{"schemas": []any{BulkReqURN}, "Operations": []any{}})
	caps.Bulk = bk.Status == 200 && HasStringIn(lookup(bk.JSON, "schemas"), BulkRespURN)
	say("Bulk", caps.Bulk, fmt.Sprintf("POST /Bulk without operations answered %s", statusWords(bk)))

	// A resource the server already holds shows whether it versions.
	list := c.Get(ctx, "/Users"+Query("count", "1"))
	why := "no User to read a version from"
	if res := list.Resources(); len(res) > 0 {
		if id, _ := res[0]["id"].(string); id != "" {
			g := c.Get(ctx, "/Users/"+id)
			caps.ETag = g.Status == 200 && IsEntityTag(g.Header.Get("ETag"))
			why = "GET of a User answered without an ETag header"
			if caps.ETag {
				why = "GET of a User answered with an ETag header"
			}
		}
	}
	say("ETag", caps.ETag, why)

	// Cursor paging shows in a nextCursor.
	cur := c.Get(ctx, "/Users"+Query("count", "1", "cursor", ""))
	caps.Cursor = cur.Status == 200 && cur.Str("nextCursor") != ""
	say("cursor paging", caps.Cursor, fmt.Sprintf("GET /Users?count=1&cursor= answered %s %s", statusWords(cur),
		map[bool]string{true: "with a nextCursor", false: "without a nextCursor"}[caps.Cursor]))

	caps.Assumed = append(caps.Assumed,
		"sort and changePassword assumed unsupported: no request that changes nothing shows them",
		"no filter.maxResults, bulk.maxOperations or bulk.maxPayloadSize: the specs that exceed a declared limit skip",
		"specs that judge a feature declared unsupported (\"refused cleanly\") skip: nothing was declared")
}

func supported(b bool) string {
	if b {
		return "assumed supported"
	}
	return "assumed unsupported"
}

func attrOf(m map[string]any) Attr {
	s := func(k string) string { v, _ := m[k].(string); return v }
	b := func(k string) bool { v, _ := m[k].(bool); return v }
	return Attr{Type: s("type"), MultiValued: b("multiValued"), Required: b("required"), CaseExact: b("caseExact"),
		Mutability: s("mutability"), Returned: s("returned"), Uniqueness: s("uniqueness")}
}
