package mgmt_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/server/internal/dynatrace/mgmt"
)

type openAPIDoc struct {
	OpenAPI string                                `json:"openapi"`
	Paths   map[string]map[string]json.RawMessage `json:"paths"`
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// documented returns "METHOD /mock/v1/path" for every operation.
func documented(t *testing.T) []string {
	t.Helper()
	var doc openAPIDoc
	if err := json.Unmarshal(mgmt.OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	var out []string
	for path, item := range doc.Paths {
		for key := range item {
			if slices.Contains(httpMethods, key) {
				out = append(out, strings.ToUpper(key)+" "+mgmt.Prefix+path)
			}
		}
	}
	slices.Sort(out)
	return out
}

// TestOpenAPIMatchesRoutes: every registered route is documented and every
// documented operation is registered, so the document cannot go stale.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	routes := mgmt.Routes()
	slices.Sort(routes)
	docs := documented(t)
	for _, r := range routes {
		if !slices.Contains(docs, r) {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for _, d := range docs {
		if !slices.Contains(routes, d) {
			t.Errorf("openapi.json documents %s, which is not a route", d)
		}
	}
}

// TestOpenAPIRoutesAnswer sends every documented operation to the running
// server: none may meet the mux's "no such endpoint" or "method not
// allowed", which proves the routes are really registered.
func TestOpenAPIRoutesAnswer(t *testing.T) {
	inst, c := start(t)
	probe := must(c.CreateAccount(t.Context(), "probe"))(t)
	param := regexp.MustCompile(`\{[^}]+\}`)
	for _, op := range documented(t) {
		if op == "POST "+mgmt.Prefix+"/reset" {
			continue // it would recreate the demo account under our feet
		}
		method, path, _ := strings.Cut(op, " ")
		path = param.ReplaceAllStringFunc(path, func(p string) string {
			if p == "{id}" {
				return probe.ID
			}
			return "example.com"
		})
		url := inst.URL + path
		status, _, raw := send(t, method, url, inst.AdminToken, strings.NewReader("{}"))
		var e mgmt.ErrorBody
		json.Unmarshal(raw, &e)
		if status == http.StatusMethodNotAllowed || e.Error == "no_such_endpoint" {
			t.Errorf("%s %s = %d %s: the documented operation is not served", method, url, status, raw)
		}
	}
}

// TestOpenAPIIsWellFormed: every $ref resolves, every path parameter is
// declared, every operation has an operationId and responses.
func TestOpenAPIIsWellFormed(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(mgmt.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				if resolve(doc, ref) == nil {
					t.Errorf("$ref %q does not resolve", ref)
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(doc)

	schemes, _ := resolve(doc, "#/components/securitySchemes/adminToken").(map[string]any)
	if schemes["type"] != "http" || schemes["scheme"] != "bearer" {
		t.Errorf("securitySchemes.adminToken = %v, want http bearer", schemes)
	}

	param := regexp.MustCompile(`\{([^}]+)\}`)
	ids := map[string]bool{}
	for path, item := range doc["paths"].(map[string]any) {
		item := item.(map[string]any)
		for method, op := range item {
			if !slices.Contains(httpMethods, method) {
				continue
			}
			op := op.(map[string]any)
			id, _ := op["operationId"].(string)
			if id == "" || ids[id] {
				t.Errorf("%s %s: operationId %q is empty or repeated", method, path, id)
			}
			ids[id] = true
			if _, ok := op["responses"].(map[string]any); !ok {
				t.Errorf("%s %s has no responses", method, path)
			}
			declared := map[string]bool{}
			for _, list := range []any{item["parameters"], op["parameters"]} {
				ps, _ := list.([]any)
				for _, p := range ps {
					pm, _ := p.(map[string]any)
					if ref, ok := pm["$ref"].(string); ok {
						pm, _ = resolve(doc, ref).(map[string]any)
					}
					if pm["in"] == "path" {
						declared[pm["name"].(string)] = true
					}
				}
			}
			for _, m := range param.FindAllStringSubmatch(path, -1) {
				if !declared[m[1]] {
					t.Errorf("%s %s: path parameter %q is not declared", method, path, m[1])
				}
			}
		}
	}
}

// resolve follows a local JSON pointer such as #/components/schemas/Error.
func resolve(doc map[string]any, ref string) any {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var cur any = doc
	for _, part := range strings.Split(rest, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		if cur, ok = m[part]; !ok {
			return nil
		}
	}
	return cur
}
