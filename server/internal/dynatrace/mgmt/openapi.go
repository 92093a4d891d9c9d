package mgmt

import (
	_ "embed"
	"net/http"
)

// openAPI is the OpenAPI 3.1 document of the management API. A test checks
// that its paths and methods are exactly the registered routes, so it
// cannot drift from the handlers.
//
//go:embed openapi.json
var openAPI []byte

// OpenAPI returns a copy of the management API's OpenAPI 3.1 document.
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(openAPI)
}
