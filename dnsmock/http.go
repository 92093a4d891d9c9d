package dnsmock

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
)

// maxBodyBytes bounds a PUT body; the largest record set a DNS message can
// carry, JSON-escaped, stays well below it.
const maxBodyBytes = 1 << 20

// TXTRecord is the management API's view of one record set.
type TXTRecord struct {
	Name   string   `json:"name"`   // canonical: lower case, fully qualified
	Values []string `json:"values"` // one TXT RR each
}

// TXTRecordList is the body of GET /mock/v1/dns/txt.
type TXTRecordList struct {
	Records []TXTRecord `json:"records"` // sorted by name
}

// apiError is the body of every error answer.
type apiError struct {
	Error  string `json:"error"`
	Detail string `json:"detail"`
}

// Handler returns the management API's DNS endpoints, under their full paths
// (mount it at "/mock/v1/dns/"). It does no authentication; the caller wraps
// it.
//
//	PUT    /mock/v1/dns/txt/{name}  body {"values":["..."]} -> 200 TXTRecord
//	GET    /mock/v1/dns/txt/{name}  -> 200 TXTRecord, or 404
//	DELETE /mock/v1/dns/txt/{name}  -> 204, or 404
//	GET    /mock/v1/dns/txt         -> 200 TXTRecordList
//
// Errors are JSON {"error": "...", "detail": "..."} with 400 (bad JSON, no
// values, invalid name, set too large for DNS), 404, 405 or 413.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /mock/v1/dns/txt/{name}", s.putTXT)
	mux.HandleFunc("GET /mock/v1/dns/txt/{name}", s.getTXT)
	mux.HandleFunc("DELETE /mock/v1/dns/txt/{name}", s.deleteTXT)
	mux.HandleFunc("GET /mock/v1/dns/txt", s.listTXT)
	// The patterns below catch what the ones above do not, so that every
	// answer, even 404 and 405, has the JSON error body.
	mux.HandleFunc("/mock/v1/dns/txt/{name}", methodNotAllowed("GET, PUT, DELETE"))
	mux.HandleFunc("/mock/v1/dns/txt", methodNotAllowed("GET"))
	mux.HandleFunc("/mock/v1/dns/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not found",
			fmt.Sprintf("no DNS endpoint at %s; the endpoints are /mock/v1/dns/txt and /mock/v1/dns/txt/{name}", r.URL.Path))
	})
	return mux
}

func (s *Server) putTXT(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if _, err := canonicalName(name); err != nil {
		writeError(w, http.StatusBadRequest, "invalid name", err.Error())
		return
	}
	var body struct {
		Values *[]string `json:"values"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	err := dec.Decode(&body)
	if err == nil && dec.Decode(&json.RawMessage{}) != io.EOF {
		err = errors.New("more data after the JSON object")
	}
	if err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, "body too large",
				fmt.Sprintf("the body exceeds %d bytes", mbe.Limit))
			return
		}
		writeError(w, http.StatusBadRequest, "invalid JSON",
			fmt.Sprintf(`the body must be {"values":["..."]}: %v`, err))
		return
	}
	if body.Values == nil || len(*body.Values) == 0 {
		writeError(w, http.StatusBadRequest, "invalid values",
			`"values" must hold at least one string (an empty string is a valid value); to remove the record, DELETE it`)
		return
	}
	key, rs, err := s.setTXT(name, *body.Values)
	if err != nil {
		title := "invalid values"
		if errors.Is(err, ErrInvalidName) {
			title = "invalid name"
		}
		writeError(w, http.StatusBadRequest, title, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, TXTRecord{Name: key, Values: rs.values})
}

func (s *Server) getTXT(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	key, err := canonicalName(name)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid name", err.Error())
		return
	}
	values := s.TXT(key)
	if values == nil {
		writeError(w, http.StatusNotFound, "not found", fmt.Sprintf("no TXT record for %s", key))
		return
	}
	writeJSON(w, http.StatusOK, TXTRecord{Name: key, Values: values})
}

func (s *Server) deleteTXT(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	key, err := canonicalName(name)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid name", err.Error())
		return
	}
	if !s.DeleteTXT(key) {
		writeError(w, http.StatusNotFound, "not found", fmt.Sprintf("no TXT record for %s", key))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listTXT(w http.ResponseWriter, _ *http.Request) {
	records := s.Records()
	list := TXTRecordList{Records: make([]TXTRecord, 0, len(records))}
	for _, name := range slices.Sorted(maps.Keys(records)) {
		list.Records = append(list.Records, TXTRecord{Name: name, Values: records[name]})
	}
	writeJSON(w, http.StatusOK, list)
}

func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, "method not allowed",
			fmt.Sprintf("%s is not allowed on %s; use %s", r.Method, r.URL.Path, allow))
	}
}

func writeError(w http.ResponseWriter, status int, title, detail string) {
	writeJSON(w, status, apiError{Error: title, Detail: detail})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// Only a broken connection makes this fail; the status is already sent.
	_ = json.NewEncoder(w).Encode(v)
}
