package scimhttp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkDecodeBody measures what the strict JSON check costs a request:
// the body is scanned once by checkJSONText and decoded again by
// encoding/json (the body is parsed twice). "decode" is the decode alone,
// "check" the scan alone, "check-tokenwalk" the scan as it was done
// before (through Decoder.Token), "decodeBody" check and decode as a
// request pays them.
func BenchmarkDecodeBody(b *testing.B) {
	members := make([]string, 1000)
	for i := range members {
		members[i] = fmt.Sprintf(`{"value":"%08d-0000-0000-0000-000000000000"}`, i)
	}
	bodies := map[string]string{
		"user":       `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@example.com","name":{"givenName":"Ada","familyName":"Lovelace"},"active":true,"emails":[{"value":"ada@example.com","type":"work","primary":true}]}`,
		"group-1000": `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"g","members":[` + strings.Join(members, ",") + `]}`,
	}
	for name, body := range bodies {
		raw := []byte(body)
		b.Run(name+"/decode", func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				var v map[string]any
				dec := json.NewDecoder(bytes.NewReader(raw))
				dec.UseNumber()
				if err := dec.Decode(&v); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/check", func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if err := checkJSONText(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/check-tokenwalk", func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if err := tokenWalk(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/decodeBody", func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				r := httptest.NewRequest("POST", "/Users", bytes.NewReader(raw))
				var v map[string]any
				if err := decodeBody(r, &v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
