package durable

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// A stored document is JSON, readable with any SQLite client, with one
// addition: the engine's canonical documents tell integers (int64) from
// decimals (float64), and JSON does not, so a decimal with no fraction is
// written as {"$decimal": 2}. No SCIM attribute name starts with "$"
// (RFC 7643 section 2.1, ATTRNAME), so the marker cannot meet a real key.
const decimalKey = "$decimal"

func encodeDoc(doc map[string]any) (string, error) {
	b, err := json.Marshal(mark(doc))
	if err != nil {
		return "", fmt.Errorf("encode a document: %w", err)
	}
	return string(b), nil
}

func mark(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = mark(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = mark(e)
		}
		return out
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			return map[string]any{decimalKey: x}
		}
	}
	return v
}

func decodeDoc(s string) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode a document: %w", err)
	}
	v, err := unmark(doc)
	if err != nil {
		return nil, err
	}
	m, _ := v.(map[string]any)
	return m, nil
}

func unmark(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if n, ok := x[decimalKey]; ok && len(x) == 1 {
			num, _ := n.(json.Number)
			return num.Float64()
		}
		for k, e := range x {
			u, err := unmark(e)
			if err != nil {
				return nil, err
			}
			x[k] = u
		}
		return x, nil
	case []any:
		for i, e := range x {
			u, err := unmark(e)
			if err != nil {
				return nil, err
			}
			x[i] = u
		}
		return x, nil
	case json.Number:
		if strings.ContainsAny(x.String(), ".eE") {
			return x.Float64()
		}
		return x.Int64()
	}
	return v, nil
}
