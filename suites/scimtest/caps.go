package scimtest

import (
	"context"
	"fmt"
	"strings"
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
	if r.Status != 200 || r.JSON == nil {
		return caps, fmt.Errorf("GET /ServiceProviderConfig: the target must describe itself (RFC 7644 section 4) and accept the token:\n%s", r)
	}
	caps.SPC = r.JSON
	b := func(path string) bool { v, _ := Path(r.JSON, path).(bool); return v }
	n := func(path string) int { v, _ := Path(r.JSON, path).(float64); return int(v) }
	caps.Patch, caps.Bulk, caps.Filter = b("patch.supported"), b("bulk.supported"), b("filter.supported")
	caps.Sort, caps.ETag, caps.ChangePassword = b("sort.supported"), b("etag.supported"), b("changePassword.supported")
	caps.BulkMaxOperations, caps.BulkMaxPayloadSize, caps.MaxResults = n("bulk.maxOperations"), n("bulk.maxPayloadSize"), n("filter.maxResults")
	caps.Cursor = b("pagination.cursor")

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
	return caps, nil
}

func attrOf(m map[string]any) Attr {
	s := func(k string) string { v, _ := m[k].(string); return v }
	b := func(k string) bool { v, _ := m[k].(bool); return v }
	return Attr{Type: s("type"), MultiValued: b("multiValued"), Required: b("required"), CaseExact: b("caseExact"),
		Mutability: s("mutability"), Returned: s("returned"), Uniqueness: s("uniqueness")}
}
