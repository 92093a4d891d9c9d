package discovery_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/scimconf/scimconf/server/internal/engine/discovery"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
)

// roundTrip returns v as a client decodes it: through JSON.
func roundTrip(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	return out
}

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test JSON: %v\n%s", err, s)
	}
	return m
}

func TestServiceProviderConfig(t *testing.T) {
	tests := []struct {
		name string
		c    discovery.Config
		want string
	}{
		{
			name: "everything supported, cursor with timeout",
			c: discovery.Config{
				Patch: true, Bulk: true, Filter: true, ChangePassword: true, Sort: true, ETag: true,
				BulkMaxOperations: 1000, BulkMaxPayloadSize: 1048576, FilterMaxResults: 200,
				Cursor: true, CursorTimeout: 3600, DefaultPageSize: 100, MaxPageSize: 250,
				DocumentationURI: "https://example.com/help/scim.html", AuthDescription: "SCIM token as a bearer token",
			},
			want: `{
			  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
			  "documentationUri": "https://example.com/help/scim.html",
			  "patch": {"supported": true},
			  "bulk": {"supported": true, "maxOperations": 1000, "maxPayloadSize": 1048576},
			  "filter": {"supported": true, "maxResults": 200},
			  "changePassword": {"supported": true},
			  "sort": {"supported": true},
			  "etag": {"supported": true},
			  "authenticationSchemes": [{"type": "oauthbearertoken", "name": "OAuth Bearer Token",
			    "description": "SCIM token as a bearer token", "specUri": "https://www.rfc-editor.org/info/rfc6750", "primary": true}],
			  "pagination": {"cursor": true, "index": true, "defaultPaginationMethod": "index",
			    "defaultPageSize": 100, "maxPageSize": 250, "cursorTimeout": 3600},
			  "meta": {"resourceType": "ServiceProviderConfig", "location": "https://example.com/v2/ServiceProviderConfig"}
			}`,
		},
		{
			name: "nothing supported: limits still present, page sizes and timeout left out",
			c:    discovery.Config{CursorTimeout: 60},
			want: `{
			  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
			  "patch": {"supported": false},
			  "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
			  "filter": {"supported": false, "maxResults": 0},
			  "changePassword": {"supported": false},
			  "sort": {"supported": false},
			  "etag": {"supported": false},
			  "authenticationSchemes": [{"type": "oauthbearertoken", "name": "OAuth Bearer Token",
			    "description": "Authentication scheme using the OAuth Bearer Token Standard",
			    "specUri": "https://www.rfc-editor.org/info/rfc6750", "primary": true}],
			  "pagination": {"cursor": false, "index": true, "defaultPaginationMethod": "index"},
			  "meta": {"resourceType": "ServiceProviderConfig", "location": "https://example.com/v2/ServiceProviderConfig"}
			}`,
		},
		{
			name: "page sizes default to filter.maxResults; no timeout given",
			c:    discovery.Config{Filter: true, FilterMaxResults: 1000, Cursor: true},
			want: `{
			  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
			  "patch": {"supported": false},
			  "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
			  "filter": {"supported": true, "maxResults": 1000},
			  "changePassword": {"supported": false},
			  "sort": {"supported": false},
			  "etag": {"supported": false},
			  "authenticationSchemes": [{"type": "oauthbearertoken", "name": "OAuth Bearer Token",
			    "description": "Authentication scheme using the OAuth Bearer Token Standard",
			    "specUri": "https://www.rfc-editor.org/info/rfc6750", "primary": true}],
			  "pagination": {"cursor": true, "index": true, "defaultPaginationMethod": "index",
			    "defaultPageSize": 1000, "maxPageSize": 1000},
			  "meta": {"resourceType": "ServiceProviderConfig", "location": "https://example.com/v2/ServiceProviderConfig"}
			}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := roundTrip(t, discovery.ServiceProviderConfig(tt.c, "https://example.com/v2/ServiceProviderConfig"))
			want := decode(t, tt.want)
			if !reflect.DeepEqual(got, want) {
				g, _ := json.MarshalIndent(got, "", "  ")
				t.Errorf("got\n%s", g)
			}
		})
	}
}

func TestResourceType(t *testing.T) {
	full := schema.Full()
	required := schema.Full()
	required.ResourceType("User").ExtensionRequired[0] = true
	tests := []struct {
		name string
		rt   *schema.ResourceType
		want string
	}{
		{"full User with the enterprise extension", full.ResourceType("User"), `{
		  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
		  "id": "User", "name": "User", "endpoint": "/Users", "description": "User Account",
		  "schema": "urn:ietf:params:scim:schemas:core:2.0:User",
		  "schemaExtensions": [{"schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "required": false}],
		  "meta": {"resourceType": "ResourceType", "location": "https://example.com/v2/ResourceTypes/User"}
		}`},
		{"a required extension, as RFC 7643 section 8.6 shows it", required.ResourceType("User"), `{
		  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
		  "id": "User", "name": "User", "endpoint": "/Users", "description": "User Account",
		  "schema": "urn:ietf:params:scim:schemas:core:2.0:User",
		  "schemaExtensions": [{"schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "required": true}],
		  "meta": {"resourceType": "ResourceType", "location": "https://example.com/v2/ResourceTypes/User"}
		}`},
		{"full Group: no extensions, no schemaExtensions", full.ResourceType("Group"), `{
		  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
		  "id": "Group", "name": "Group", "endpoint": "/Groups", "description": "Group",
		  "schema": "urn:ietf:params:scim:schemas:core:2.0:Group",
		  "meta": {"resourceType": "ResourceType", "location": "https://example.com/v2/ResourceTypes/Group"}
		}`},
		{"dynatrace User", schema.Dynatrace().ResourceType("User"), `{
		  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
		  "id": "User", "name": "User", "endpoint": "/Users", "description": "User Account",
		  "schema": "urn:ietf:params:scim:schemas:core:2.0:User",
		  "meta": {"resourceType": "ResourceType", "location": "https://example.com/v2/ResourceTypes/User"}
		}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := roundTrip(t, discovery.ResourceType(tt.rt, "https://example.com/v2/ResourceTypes/"+tt.rt.ID))
			if want := decode(t, tt.want); !reflect.DeepEqual(got, want) {
				g, _ := json.MarshalIndent(got, "", "  ")
				t.Errorf("got\n%s", g)
			}
		})
	}
}

// findAttr returns the attribute definition named path ("name" or
// "name.sub") in a decoded Schema document.
func findAttr(t *testing.T, doc map[string]any, path ...string) map[string]any {
	t.Helper()
	list, _ := doc["attributes"].([]any)
	var found map[string]any
	for i, name := range path {
		found = nil
		for _, e := range list {
			if m, _ := e.(map[string]any); m != nil && m["name"] == name {
				found = m
			}
		}
		if found == nil {
			t.Fatalf("no attribute %q at level %d of %v", name, i, path)
		}
		list, _ = found["subAttributes"].([]any)
	}
	return found
}

// TestSchemaFull spot-checks the full set against RFC 7643 section 8.7.1.
func TestSchemaFull(t *testing.T) {
	set := schema.Full()
	user := roundTrip(t, discovery.Schema(set.Schema(schema.UserURN), "/v2/Schemas/"+schema.UserURN))
	group := roundTrip(t, discovery.Schema(set.Schema(schema.GroupURN), "/v2/Schemas/"+schema.GroupURN))
	ent := roundTrip(t, discovery.Schema(set.Schema(schema.EnterpriseUserURN), "/v2/Schemas/"+schema.EnterpriseUserURN))

	tests := []struct {
		name string
		doc  map[string]any
		path []string
		want string // the characteristics to check (the description is not)
	}{
		{"userName", user, []string{"userName"},
			`{"name": "userName", "type": "string", "multiValued": false, "required": true, "caseExact": false,
			  "mutability": "readWrite", "returned": "default", "uniqueness": "server"}`},
		{"password", user, []string{"password"},
			`{"name": "password", "type": "string", "multiValued": false, "required": false, "caseExact": false,
			  "mutability": "writeOnly", "returned": "never", "uniqueness": "none"}`},
		{"emails", user, []string{"emails"},
			`{"name": "emails", "type": "complex", "multiValued": true, "required": false,
			  "mutability": "readWrite", "returned": "default"}`},
		{"emails.value", user, []string{"emails", "value"},
			`{"name": "value", "type": "string", "multiValued": false, "required": false, "caseExact": false,
			  "mutability": "readWrite", "returned": "default", "uniqueness": "none"}`},
		{"emails.type", user, []string{"emails", "type"},
			`{"name": "type", "type": "string", "multiValued": false, "required": false, "caseExact": false,
			  "canonicalValues": ["work", "home", "other"], "mutability": "readWrite", "returned": "default", "uniqueness": "none"}`},
		{"emails.primary", user, []string{"emails", "primary"},
			`{"name": "primary", "type": "boolean", "multiValued": false, "required": false,
			  "mutability": "readWrite", "returned": "default"}`},
		{"groups", user, []string{"groups"},
			`{"name": "groups", "type": "complex", "multiValued": true, "required": false,
			  "mutability": "readOnly", "returned": "default"}`},
		{"groups.value", user, []string{"groups", "value"},
			`{"name": "value", "type": "string", "multiValued": false, "required": false,
			  "mutability": "readOnly", "returned": "default", "uniqueness": "none"}`},
		{"groups.$ref", user, []string{"groups", "$ref"},
			`{"name": "$ref", "type": "reference", "multiValued": false, "required": false,
			  "mutability": "readOnly", "returned": "default", "uniqueness": "none"}`},
		{"groups.type", user, []string{"groups", "type"},
			`{"name": "type", "type": "string", "canonicalValues": ["direct", "indirect"],
			  "mutability": "readOnly", "returned": "default"}`},
		{"members", group, []string{"members"},
			`{"name": "members", "type": "complex", "multiValued": true, "required": false,
			  "mutability": "readWrite", "returned": "default"}`},
		{"members.value", group, []string{"members", "value"},
			`{"name": "value", "type": "string", "multiValued": false, "required": false,
			  "mutability": "immutable", "returned": "default", "uniqueness": "none"}`},
		{"members.$ref", group, []string{"members", "$ref"},
			`{"name": "$ref", "type": "reference", "referenceTypes": ["User", "Group"], "multiValued": false,
			  "required": false, "mutability": "immutable", "returned": "default", "uniqueness": "none"}`},
		{"members.type", group, []string{"members", "type"},
			`{"name": "type", "type": "string", "canonicalValues": ["User", "Group"],
			  "mutability": "immutable", "returned": "default"}`},
		{"enterprise manager.displayName", ent, []string{"manager", "displayName"},
			`{"name": "displayName", "type": "string", "mutability": "readOnly", "returned": "default"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := findAttr(t, tt.doc, tt.path...)
			for k, v := range decode(t, tt.want) {
				if !reflect.DeepEqual(got[k], v) {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
		})
	}

	// groups.$ref points at Groups (RFC 7643 section 8.7.1 lists "User" and
	// "Group"; a user's groups are groups, so "Group" must be there).
	if rts, _ := findAttr(t, user, "groups", "$ref")["referenceTypes"].([]any); !containsAll(rts, "Group") {
		t.Errorf("groups.$ref referenceTypes = %v, want it to hold Group", rts)
	}

	for _, c := range []struct {
		doc        map[string]any
		id, name   string
		attributes int
	}{
		{user, schema.UserURN, "User", 21},
		{group, schema.GroupURN, "Group", 2},
		{ent, schema.EnterpriseUserURN, "EnterpriseUser", 6},
	} {
		if !reflect.DeepEqual(c.doc["schemas"], []any{"urn:ietf:params:scim:schemas:core:2.0:Schema"}) {
			t.Errorf("%s: schemas = %v", c.id, c.doc["schemas"])
		}
		if c.doc["id"] != c.id || c.doc["name"] != c.name {
			t.Errorf("%s: id, name = %v, %v", c.id, c.doc["id"], c.doc["name"])
		}
		if n := len(c.doc["attributes"].([]any)); n != c.attributes {
			t.Errorf("%s: %d attributes, want %d", c.id, n, c.attributes)
		}
		wantMeta := map[string]any{"resourceType": "Schema", "location": "/v2/Schemas/" + c.id}
		if !reflect.DeepEqual(c.doc["meta"], wantMeta) {
			t.Errorf("%s: meta = %v, want %v", c.id, c.doc["meta"], wantMeta)
		}
	}
}

func containsAll(list []any, want ...string) bool {
	for _, w := range want {
		found := false
		for _, e := range list {
			if e == w {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// TestSchemaDynatrace checks what Dynatrace requires (rule
// DT-USER-REQUIRED): name.givenName, name.familyName and active.
func TestSchemaDynatrace(t *testing.T) {
	set := schema.Dynatrace()
	user := roundTrip(t, discovery.Schema(set.Schema(schema.UserURN), "/v2/Schemas/"+schema.UserURN))
	tests := []struct {
		path     []string
		required bool
	}{
		{[]string{"userName"}, true},
		{[]string{"name"}, true},
		{[]string{"name", "givenName"}, true},
		{[]string{"name", "familyName"}, true},
		{[]string{"active"}, true},
		{[]string{"displayName"}, false},
		{[]string{"groups"}, false},
	}
	for _, tt := range tests {
		if got := findAttr(t, user, tt.path...)["required"]; got != tt.required {
			t.Errorf("%v required = %v, want %v", tt.path, got, tt.required)
		}
	}
	if got := findAttr(t, user, "groups")["mutability"]; got != "readOnly" {
		t.Errorf("groups mutability = %v, want readOnly", got)
	}
}

// TestSchemaMatchesJSONTags checks that the rendered attributes are exactly
// what schema.Attribute's JSON tags produce, so the two never drift apart.
func TestSchemaMatchesJSONTags(t *testing.T) {
	for _, set := range []*schema.Set{schema.Dynatrace(), schema.Full()} {
		for _, s := range set.Schemas {
			t.Run(set.Name+"/"+s.Name, func(t *testing.T) {
				got := roundTrip(t, discovery.Schema(s, "x"))["attributes"]
				want := roundTrip(t, map[string]any{"a": s.Attributes})["a"]
				if !reflect.DeepEqual(got, want) {
					t.Errorf("attributes differ from the JSON tags' rendering:\n got %v\nwant %v", got, want)
				}
				for _, a := range got.([]any) {
					checkCharacteristics(t, a.(map[string]any), 0)
				}
			})
		}
	}
}

// checkCharacteristics checks that every attribute, at every level, carries
// RFC 7643 section 7's characteristics with valid values.
func checkCharacteristics(t *testing.T, a map[string]any, depth int) {
	t.Helper()
	valid := map[string][]string{
		"type":       {"string", "boolean", "decimal", "integer", "dateTime", "binary", "reference", "complex"},
		"mutability": {"readOnly", "readWrite", "immutable", "writeOnly"},
		"returned":   {"always", "never", "default", "request"},
		"uniqueness": {"none", "server", "global"},
	}
	for k, vals := range valid {
		if !contains(vals, a[k]) {
			t.Errorf("%v: %s = %v, want one of %v", a["name"], k, a[k], vals)
		}
	}
	for _, k := range []string{"multiValued", "required", "caseExact"} {
		if _, ok := a[k].(bool); !ok {
			t.Errorf("%v: %s = %v, want a boolean", a["name"], k, a[k])
		}
	}
	subs, hasSubs := a["subAttributes"].([]any)
	if hasSubs != (a["type"] == "complex") {
		t.Errorf("%v: type %v with subAttributes %v", a["name"], a["type"], a["subAttributes"])
	}
	if hasSubs && depth > 0 {
		t.Errorf("%v: sub-attributes may not have sub-attributes (RFC 7643 section 2.3.8)", a["name"])
	}
	for _, s := range subs {
		checkCharacteristics(t, s.(map[string]any), depth+1)
	}
}

func contains(list []string, v any) bool {
	for _, e := range list {
		if e == v {
			return true
		}
	}
	return false
}
