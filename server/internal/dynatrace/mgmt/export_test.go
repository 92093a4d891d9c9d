package mgmt

// Routes returns "METHOD /full/path/pattern" for every registered route, so
// the external test can hold the OpenAPI document against it.
func Routes() []string {
	a := &api{}
	var out []string
	for _, rt := range a.routes() {
		out = append(out, rt.method+" "+rt.pattern)
	}
	return out
}
