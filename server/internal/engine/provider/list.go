package provider

import (
	"context"
	"strings"

	"github.com/scimconf/scimconf/server/internal/engine/filter"
	"github.com/scimconf/scimconf/server/internal/engine/projection"
	"github.com/scimconf/scimconf/server/internal/engine/schema"
	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
	"github.com/scimconf/scimconf/server/internal/engine/store"
)

// ListRequest is a query (RFC 7644 section 3.4.2), from a GET's query
// string or a POST /.search body (section 3.4.3).
type ListRequest struct {
	Schemas            []string `json:"schemas,omitempty"`
	Attributes         []string `json:"attributes,omitempty"`
	ExcludedAttributes []string `json:"excludedAttributes,omitempty"`
	Filter             string   `json:"filter,omitempty"`
	SortBy             string   `json:"sortBy,omitempty"`
	SortOrder          string   `json:"sortOrder,omitempty"`
	StartIndex         *int     `json:"startIndex,omitempty"`
	Count              *int     `json:"count,omitempty"`
	// Cursor asks for cursor pagination (RFC 9865); "" for the first page.
	Cursor *string `json:"cursor,omitempty"`
}

// ListResponse is RFC 7644 section 3.4.2's ListResponse, with RFC 9865's
// cursors.
type ListResponse struct {
	Schemas      []string         `json:"schemas"`
	TotalResults int              `json:"totalResults"`
	ItemsPerPage int              `json:"itemsPerPage"`
	StartIndex   int              `json:"startIndex,omitempty"`
	NextCursor   string           `json:"nextCursor,omitempty"`
	PrevCursor   string           `json:"previousCursor,omitempty"`
	Resources    []map[string]any `json:"Resources"`
}

// List answers a query on one resource type.
func (p *Provider) List(ctx context.Context, rt *schema.ResourceType, req *ListRequest, base string) (*ListResponse, error) {
	proj, err := projection.New(rt, req.Attributes, req.ExcludedAttributes)
	if err != nil {
		return nil, err
	}
	q, err := p.query(rt, req)
	if err != nil {
		return nil, err
	}
	// The page's membership comes from the same read as its resources: a
	// resource deleted meanwhile still renders as the page saw it, never
	// as a 404 for the whole page.
	q.WithMembership = rt.Core.Attr("members") != nil && proj.Includes("members") ||
		rt.Core.Attr("groups") != nil && proj.Includes("groups")
	page, err := p.Store.List(ctx, rt, q)
	if err != nil {
		return nil, err
	}
	resp := &ListResponse{
		Schemas:      []string{ListResponseURN},
		TotalResults: page.TotalResults,
		ItemsPerPage: len(page.Resources),
		Resources:    make([]map[string]any, 0, len(page.Resources)),
		NextCursor:   page.NextCursor,
		PrevCursor:   page.PrevCursor,
	}
	if q.Cursor == nil {
		resp.StartIndex = page.StartIndex
	}
	for _, res := range page.Resources {
		r, err := p.render(ctx, rt, res, base, proj)
		if err != nil {
			return nil, err
		}
		resp.Resources = append(resp.Resources, r.Doc)
	}
	return resp, nil
}

// query turns a request's filter, sort and paging into a store query,
// applying the maxResults cap (a count above it, or none, gets maxResults;
// a negative count is 0, RFC 7644 section 3.4.2.4).
func (p *Provider) query(rt *schema.ResourceType, req *ListRequest) (store.Query, error) {
	q := store.Query{StartIndex: 1, Count: p.Config.MaxResults, Cursor: req.Cursor}
	if req.Filter != "" {
		f, err := filter.ParseAndCompile(req.Filter, rt)
		if err != nil {
			return q, err
		}
		q.Filter = f
	}
	if req.SortBy != "" {
		ref, err := rt.ResolvePath(req.SortBy)
		if err != nil {
			return q, scimerror.BadRequest(scimerror.InvalidValue, "sortBy: %v", err)
		}
		q.SortBy = &ref
	}
	switch strings.ToLower(req.SortOrder) {
	case "", "ascending":
	case "descending":
		q.Descending = true
	default:
		return q, scimerror.BadRequest(scimerror.InvalidValue, "sortOrder must be \"ascending\" or \"descending\", not %q", req.SortOrder)
	}
	if req.StartIndex != nil {
		q.StartIndex = max(*req.StartIndex, 1)
	}
	if req.Count != nil {
		q.Count = max(*req.Count, 0)
		if p.Config.MaxResults > 0 {
			q.Count = min(q.Count, p.Config.MaxResults)
		}
	}
	if q.Count == 0 && req.Count == nil {
		q.Count = -1 // no cap configured and none asked: everything
	}
	return q, nil
}

// Search answers POST /.search at the server root (RFC 7644 section
// 3.4.3): every resource type, Users first, paged as one list. A filter
// that names attributes one type lacks selects nothing of that type; it is
// an error only when no type understands it.
func (p *Provider) Search(ctx context.Context, req *ListRequest, base string) (*ListResponse, error) {
	all := &ListResponse{Schemas: []string{ListResponseURN}, Resources: []map[string]any{}}
	if req.Cursor != nil {
		return nil, scimerror.BadRequest(scimerror.InvalidValue, "cursor pagination is supported per resource type (/Users/.search, /Groups/.search), not at the root")
	}
	var firstErr error
	understood := 0
	start := 1
	if req.StartIndex != nil {
		start = max(*req.StartIndex, 1)
	}
	want := p.Config.MaxResults
	if req.Count != nil {
		want = max(*req.Count, 0)
		if p.Config.MaxResults > 0 {
			want = min(want, p.Config.MaxResults)
		}
	}
	skip := start - 1
	for _, rt := range p.Set.ResourceTypes {
		sub := *req
		sub.StartIndex, sub.Count = nil, new(int) // totals only
		resp, err := p.List(ctx, rt, &sub, base)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		understood++
		n := resp.TotalResults
		all.TotalResults += n
		if skip >= n {
			skip -= n
			continue
		}
		if len(all.Resources) >= want {
			skip = 0
			continue
		}
		si, cnt := skip+1, want-len(all.Resources)
		sub.StartIndex, sub.Count = &si, &cnt
		page, err := p.List(ctx, rt, &sub, base)
		if err != nil {
			return nil, err
		}
		// The page is a later read than the count: a type's total is the
		// one its page came with, so that they agree.
		all.TotalResults += page.TotalResults - n
		all.Resources = append(all.Resources, page.Resources...)
		skip = 0
	}
	if understood == 0 && firstErr != nil {
		return nil, firstErr
	}
	all.StartIndex = start
	all.ItemsPerPage = len(all.Resources)
	return all, nil
}
