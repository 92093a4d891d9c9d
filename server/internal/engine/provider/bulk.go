package provider

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/scimconf/scimconf/server/internal/engine/patch"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// BulkRequest is RFC 7644 section 3.7's request.
type BulkRequest struct {
	Schemas      []string        `json:"schemas"`
	FailOnErrors *int            `json:"failOnErrors,omitempty"`
	Operations   []BulkOperation `json:"Operations"`
}

// BulkOperation is one operation of a bulk request.
type BulkOperation struct {
	Method  string `json:"method"`
	BulkID  string `json:"bulkId,omitempty"`
	Version string `json:"version,omitempty"`
	Path    string `json:"path"`
	Data    any    `json:"data,omitempty"`
}

// BulkResponse is RFC 7644 section 3.7's response.
type BulkResponse struct {
	Schemas    []string              `json:"schemas"`
	Operations []BulkOperationResult `json:"Operations"`
}

// BulkOperationResult is the outcome of one operation. Status is a string,
// as in RFC 7644 section 3.7.3's examples.
type BulkOperationResult struct {
	Method   string           `json:"method"`
	BulkID   string           `json:"bulkId,omitempty"`
	Version  string           `json:"version,omitempty"`
	Location string           `json:"location,omitempty"`
	Status   string           `json:"status"`
	Response *scimerror.Error `json:"response,omitempty"`
}

const bulkIDPrefix = "bulkId:"

// Bulk runs a bulk request (RFC 7644 section 3.7). Operations run in
// request order, except that one referring to another's "bulkId:x" waits
// until that POST has succeeded (forward references work). An operation
// whose reference cannot be resolved - the bulkId is unknown, its POST
// failed, or operations refer to each other in a cycle - fails with 409
// (section 3.7.1 lets a provider give up on circular references).
// After failOnErrors errors the remaining operations are not run and are
// left out of the response.
func (p *Provider) Bulk(ctx context.Context, req *BulkRequest, base string) (*BulkResponse, error) {
	if !slices.Contains(req.Schemas, BulkRequestURN) {
		return nil, scimerror.BadRequest(scimerror.InvalidSyntax, "a bulk request must list %q in \"schemas\"", BulkRequestURN)
	}
	if len(req.Operations) == 0 {
		return nil, scimerror.BadRequest(scimerror.InvalidValue, "a bulk request needs at least one operation in \"Operations\"")
	}
	if max := p.Config.BulkMaxOperations; max > 0 && len(req.Operations) > max {
		return nil, scimerror.New(http.StatusRequestEntityTooLarge, "", "the bulk request has %d operations; this server accepts at most %d (bulk.maxOperations)", len(req.Operations), max)
	}
	defined := map[string]int{}
	for i, op := range req.Operations {
		if op.BulkID == "" {
			continue
		}
		if _, dup := defined[op.BulkID]; dup {
			return nil, scimerror.BadRequest(scimerror.Uniqueness, "bulkId %q is used by more than one operation", op.BulkID)
		}
		defined[op.BulkID] = i
	}
	results := make([]*BulkOperationResult, len(req.Operations))
	created := map[string]string{} // bulkId -> id
	failed := map[string]bool{}
	errors := 0
	limit := 0
	if req.FailOnErrors != nil {
		limit = *req.FailOnErrors
	}
	refsOf := make([][]string, len(req.Operations))
	for i, op := range req.Operations {
		refsOf[i] = bulkRefs(op)
	}
	for progress := true; progress; {
		progress = false
		for i, op := range req.Operations {
			if results[i] != nil || (limit > 0 && errors >= limit) {
				continue
			}
			ready, broken := true, ""
			for _, ref := range refsOf[i] {
				if _, ok := created[ref]; ok {
					continue
				}
				if _, ok := defined[ref]; !ok || failed[ref] || ref == op.BulkID {
					broken = ref
					break
				}
				ready = false
			}
			if broken == "" && !ready {
				continue
			}
			progress = true
			var r *BulkOperationResult
			if broken != "" {
				r = bulkFailure(op, scimerror.New(http.StatusConflict, scimerror.InvalidValue, "bulkId %q cannot be resolved: no operation in this request created it", broken))
			} else {
				r = p.bulkOne(ctx, resolveRefs(op, created), base)
			}
			results[i] = r
			if r.Response != nil {
				errors++
				if op.BulkID != "" {
					failed[op.BulkID] = true
				}
			} else if op.BulkID != "" && strings.EqualFold(op.Method, http.MethodPost) {
				created[op.BulkID] = r.Location[strings.LastIndexByte(r.Location, '/')+1:]
			}
		}
	}
	resp := &BulkResponse{Schemas: []string{BulkResponseURN}, Operations: []BulkOperationResult{}}
	for i, r := range results {
		if r == nil && !(limit > 0 && errors >= limit) {
			op := req.Operations[i]
			r = bulkFailure(op, scimerror.New(http.StatusConflict, scimerror.InvalidValue, "circular bulkId reference: operation %d waits for a bulkId that waits for it", i))
		}
		if r != nil {
			resp.Operations = append(resp.Operations, *r)
		}
	}
	return resp, nil
}

func bulkFailure(op BulkOperation, err error) *BulkOperationResult {
	e := scimerror.From(err)
	return &BulkOperationResult{Method: op.Method, BulkID: op.BulkID, Status: strconv.Itoa(e.Status), Response: e}
}

// bulkOne runs one operation whose bulkId references are resolved.
func (p *Provider) bulkOne(ctx context.Context, op BulkOperation, base string) *BulkOperationResult {
	method := strings.ToUpper(op.Method)
	endpoint, id, _ := strings.Cut(strings.Trim(op.Path, "/"), "/")
	rt, err := p.ResourceType(endpoint)
	if err != nil {
		return bulkFailure(op, scimerror.BadRequest(scimerror.InvalidPath, "path %q names no resource type", op.Path))
	}
	if (method == http.MethodPost) != (id == "") || strings.Contains(id, "/") {
		return bulkFailure(op, scimerror.BadRequest(scimerror.InvalidPath, "%s needs a path like %s", method, map[bool]string{true: rt.Endpoint, false: rt.Endpoint + "/{id}"}[method == http.MethodPost]))
	}
	pc := Preconditions{IfMatch: op.Version}
	var res *Result
	status := http.StatusOK
	switch method {
	case http.MethodPost:
		if op.BulkID == "" {
			return bulkFailure(op, scimerror.BadRequest(scimerror.InvalidValue, "a POST in a bulk request needs a bulkId"))
		}
		body, ok := op.Data.(map[string]any)
		if !ok {
			return bulkFailure(op, scimerror.BadRequest(scimerror.InvalidSyntax, "data must be a JSON object holding the resource"))
		}
		res, err = p.Create(ctx, rt, body, base, nil)
		status = http.StatusCreated
	case http.MethodPut:
		body, ok := op.Data.(map[string]any)
		if !ok {
			return bulkFailure(op, scimerror.BadRequest(scimerror.InvalidSyntax, "data must be a JSON object holding the resource"))
		}
		res, err = p.Replace(ctx, rt, id, body, base, nil, pc)
	case http.MethodPatch:
		var pr patch.Request
		if err = remarshal(op.Data, &pr); err != nil {
			return bulkFailure(op, scimerror.BadRequest(scimerror.InvalidSyntax, "data must be a PatchOp request: %v", err))
		}
		res, err = p.Patch(ctx, rt, id, &pr, base, nil, pc)
		if err == nil && res == nil {
			status = http.StatusNoContent
		}
	case http.MethodDelete:
		err = p.Delete(ctx, rt, id, pc)
		status = http.StatusNoContent
	default:
		return bulkFailure(op, scimerror.BadRequest(scimerror.InvalidValue, "method %q is not one of POST, PUT, PATCH, DELETE", op.Method))
	}
	if err != nil {
		return bulkFailure(op, err)
	}
	r := &BulkOperationResult{Method: op.Method, BulkID: op.BulkID, Status: strconv.Itoa(status)}
	if res != nil {
		r.Version, r.Location = res.ETag, res.Location
	} else if method != http.MethodDelete {
		r.Location = base + rt.Endpoint + "/" + id
	}
	return r
}

// bulkRefs lists the bulkIds an operation refers to, in its path or in any
// string of its data.
func bulkRefs(op BulkOperation) []string {
	var refs []string
	add := func(s string) {
		if ref, ok := strings.CutPrefix(s, bulkIDPrefix); ok && !slices.Contains(refs, ref) {
			refs = append(refs, ref)
		}
	}
	if _, id, ok := strings.Cut(strings.Trim(op.Path, "/"), "/"); ok {
		add(id)
	}
	walkStrings(op.Data, add)
	return refs
}

func walkStrings(v any, f func(string)) {
	switch x := v.(type) {
	case string:
		f(x)
	case []any:
		for _, e := range x {
			walkStrings(e, f)
		}
	case map[string]any:
		for _, e := range x {
			walkStrings(e, f)
		}
	}
}

// resolveRefs returns op with every "bulkId:x" replaced by the id x got.
func resolveRefs(op BulkOperation, created map[string]string) BulkOperation {
	var sub func(v any) any
	sub = func(v any) any {
		switch x := v.(type) {
		case string:
			if ref, ok := strings.CutPrefix(x, bulkIDPrefix); ok {
				if id, ok := created[ref]; ok {
					return id
				}
			}
			return x
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = sub(e)
			}
			return out
		case map[string]any:
			out := make(map[string]any, len(x))
			for k, e := range x {
				out[k] = sub(e)
			}
			return out
		}
		return v
	}
	op.Data = sub(op.Data)
	if ep, id, ok := strings.Cut(strings.Trim(op.Path, "/"), "/"); ok {
		op.Path = "/" + ep + "/" + sub(id).(string)
	}
	return op
}

// remarshal converts decoded JSON into a typed value.
func remarshal(in any, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}
