package scimhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/scimconf/scimconf/server/internal/engine/scimerror"
)

// tokenWalk is what checkJSONText did before its scanner: the same checks
// through encoding/json's Decoder.Token. It is the reference the scanner
// must agree with.
func tokenWalk(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	err := scanValue(dec, "")
	var se *scimerror.Error
	if errors.As(err, &se) {
		return se
	}
	return nil
}

// scanValue reads one value from dec, checking the objects and strings in
// it; path names where it is, for error details.
func scanValue(dec *json.Decoder, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case string:
		if strings.IndexByte(t, 0) >= 0 {
			return nulInValue(path)
		}
	case json.Delim:
		switch t {
		case '{':
			seen := map[string]string{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ := kt.(string)
				p := k
				if path != "" {
					p = path + "." + k
				}
				if strings.IndexByte(k, 0) >= 0 {
					return nulInName(path)
				}
				if first, dup := seen[strings.ToLower(k)]; dup {
					return duplicateName(p, first, k)
				}
				seen[strings.ToLower(k)] = k
				if err := scanValue(dec, p); err != nil {
					return err
				}
			}
			_, err = dec.Token() // '}'
			return err
		case '[':
			for dec.More() {
				if err := scanValue(dec, path); err != nil {
					return err
				}
			}
			_, err = dec.Token() // ']'
			return err
		}
	}
	return nil
}

// agree fails t when the scanner and the token walk answer body apart.
func agree(t *testing.T, body []byte) {
	t.Helper()
	if !utf8.Valid(body) {
		return // checkJSONText refuses it before either walks it
	}
	want, got := "", ""
	if err := tokenWalk(body); err != nil {
		want = err.Error()
	}
	if err := (&scanner{body: body}).check(); err != nil {
		got = err.Error()
	}
	if got != want {
		t.Fatalf("body %q:\nscanner    %q\ntoken walk %q", body, got, want)
	}
}

var scannerSeeds = []string{
	``, ` `, `{}`, `[]`, `null`, `"a"`, `1`, `-0.5e+3`, `{"a":1}`, `{"a":"x\u0000"}`, `{"a\u0000":1}`,
	`{"a":1,"A":2}`, `{"a":{"b":1,"B":2}}`, `{"a":[{"b":"\u0000"}]}`, `[1,{"x":"y","X":"z"}]`,
	`{"userName":"a","name":{"givenName":"b"},"emails":[{"value":"c","primary":true}]}`,
	`{"a":01,"b":"\u0000"}`, `{"a":truex,"b":"\u0000"}`, `{"a":1,,"b":"\u0000"}`, `{"a" 1}`, `{"a":1}{"a":"\u0000"}`,
	`{"\u0041":1,"a":2}`, `{"a\"b":1,"A\"B":2}`, `{"":1,"b":{"":"\u0000"}}`, `{"":{"b":"\u0000"}}`,
	`["\u0000"]`, `[[[["\u0000"]]]]`, `{"a":[1,2,3,],"b":"\u0000"}`, `{"a":"\x"}`, `{"a":"\u12"}`, "{\"a\":\"\x01\"}",
	`{"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17,"K3":0}`,
	`{"a":-,"b":"\u0000"}`, `{"a":1.e5}`, `{"a":1e}`, `{"a":tru`, `{"a":"\u0000`, `[`, `{"a":{}}`, `{"a":[]}`, `[{},[],""]`,
}

// TestScannerAgreesWithTokenWalk: the scanner finds what the token walk
// found, with the same words, and nothing it did not.
func TestScannerAgreesWithTokenWalk(t *testing.T) {
	for _, s := range scannerSeeds {
		agree(t, []byte(s))
	}
	deep := strings.Repeat("[", 20000) + `"\u0000"` + strings.Repeat("]", 20000)
	agree(t, []byte(deep))
}

func FuzzScanner(f *testing.F) {
	for _, s := range scannerSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		agree(t, body)
	})
}
