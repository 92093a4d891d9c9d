package catalogue_test

import (
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/scimconf/scimconf/catalogue"
)

var update = flag.Bool("update", false, "rewrite suites/RULES.md from the catalogue")

const rulesFile = "../suites/RULES.md"

// TestMarkdownFresh keeps the checked-in catalogue in step with the code,
// as Kubernetes keeps conformance.yaml.
func TestMarkdownFresh(t *testing.T) {
	want := catalogue.Markdown()
	if *update {
		if err := os.WriteFile(rulesFile, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatalf("read %s: %v (run: go test ./catalogue -update)", rulesFile, err)
	}
	if string(got) != want {
		t.Errorf("%s is stale: run go test ./catalogue -update and commit the result", rulesFile)
	}
}

func TestCatalogueWellFormed(t *testing.T) {
	id := regexp.MustCompile(`^(RFC|DT|IDP)(-[A-Z0-9]+)+$`)
	seen := map[string]bool{}
	for _, r := range catalogue.All() {
		if !id.MatchString(r.ID) {
			t.Errorf("rule ID %q does not look like RFC-X, DT-X or IDP-X", r.ID)
		}
		if seen[r.ID] {
			t.Errorf("rule %s is listed twice", r.ID)
		}
		seen[r.ID] = true
		if r.Summary == "" || r.Source == "" {
			t.Errorf("rule %s needs a summary and a source", r.ID)
		}
		switch r.Level {
		case catalogue.Must, catalogue.Should, catalogue.May:
		default:
			t.Errorf("rule %s has level %q", r.ID, r.Level)
		}
		if _, ok := catalogue.ByID(r.ID); !ok {
			t.Errorf("ByID(%q) finds nothing", r.ID)
		}
	}
}

// mustWord, shouldWord: the RFC 2119 keywords that make a sentence of an
// RFC an obligation of the level named (RFC 2119 sections 1 to 4).
var (
	mustWord   = regexp.MustCompile(`\b(MUST|SHALL|REQUIRED)\b`)
	shouldWord = regexp.MustCompile(`\b(SHOULD|RECOMMENDED)\b`)
	// rfcSource names an RFC and a section, optionally a table row:
	// "RFC 7644 3.12", "RFC 7644 3.12 (Table 8, 401)". Besides the SCIM
	// RFCs, the HTTP ones SCIM names for what it does not define itself:
	// RFC 7235 (authentication, RFC 7644 section 2) and RFC 7232
	// (conditional requests, RFC 7644 section 3.14).
	rfcSource = regexp.MustCompile(`^RFC (7643|7644|9865|7235|7232) [0-9]+(\.[0-9]+)*( \([^()]+\))?$`)
)

// TestQuotes holds every rule's level to the words it quotes (issue 13:
// no rule's MUST rests on a sentence that does not say MUST, SHALL or
// REQUIRED). A MUST rule quotes an RFC sentence with a MUST-class keyword,
// or a sentence of Dynatrace's page with one of SeedObligationWords; a
// SHOULD rule of profile rfc quotes at least a SHOULD. IdP rules are
// interoperability, held at SHOULD by design: they quote the IdP's page.
func TestQuotes(t *testing.T) {
	for _, r := range catalogue.All() {
		if len(r.Quotes) == 0 {
			t.Errorf("%s: no quote of its source", r.ID)
			continue
		}
		must, should := false, false
		for _, q := range r.Quotes {
			if strings.TrimSpace(q.Text) == "" || q.Source == "" {
				t.Errorf("%s: quote %+v needs a source and words", r.ID, q)
				continue
			}
			switch {
			case strings.HasPrefix(q.Source, "RFC"):
				if !rfcSource.MatchString(q.Source) {
					t.Errorf("%s: quote source %q does not name an RFC and a section", r.ID, q.Source)
				}
				must = must || mustWord.MatchString(q.Text)
				should = should || shouldWord.MatchString(q.Text)
			case strings.HasPrefix(q.Source, "seed:"):
				if r.Profile != catalogue.Dynatrace {
					t.Errorf("%s: quotes Dynatrace's page but is of profile %s", r.ID, r.Profile)
				}
				must = must || seedObligation(q.Text)
			case strings.HasPrefix(q.Source, "decision:"):
				// The project's own decision where the sources are
				// silent: it supports no level above SHOULD.
			default:
				if r.Profile != catalogue.IdP {
					t.Errorf("%s: quote source %q is neither an RFC nor the seed", r.ID, q.Source)
				}
			}
		}
		if why, ok := quotePending[r.ID]; ok {
			if must {
				t.Errorf("%s quotes a MUST now: drop it from quotePending", r.ID)
			}
			t.Logf("%s: MUST not yet backed by a quote: %s", r.ID, why)
			continue
		}
		switch r.Level {
		case catalogue.Must:
			if !must {
				t.Errorf("%s is MUST but none of its quotes says MUST, SHALL or REQUIRED (or, from the seed, one of %q)", r.ID, catalogue.SeedObligationWords)
			}
		case catalogue.Should:
			if r.Profile == catalogue.RFC && !must && !should {
				t.Errorf("%s is SHOULD but none of its quotes says SHOULD or stronger", r.ID)
			}
		}
	}
}

// quotePending lists the MUST rules whose MUST sentence is known by
// section but was not found word for word in the public copies searched;
// each stays here only until its sentence is quoted.
var quotePending = map[string]string{
	"RFC-CONTENT-TYPE": "RFC 7644 3.8 (data input/output formats: the Accept and Content-Type obligations) was not found verbatim",
}

func seedObligation(text string) bool {
	lower := strings.ToLower(text)
	for _, w := range catalogue.SeedObligationWords {
		if regexp.MustCompile(`\b` + regexp.QuoteMeta(w) + `\b`).MatchString(lower) {
			return true
		}
	}
	return false
}

// seedFile is Dynatrace's page as the project keeps it: shared/seeds/ beside
// the checkout (where CI lays it too); SCIMCONF_SEED points elsewhere.
func seedFile() string {
	if p := os.Getenv("SCIMCONF_SEED"); p != "" {
		return p
	}
	return "../../shared/seeds/dynatrace-scim.md"
}

// plain drops the markdown the seed's quotes leave out (bold, backticks,
// link targets) and joins lines.
func plain(s string) string {
	s = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`).ReplaceAllString(s, "$1")
	s = strings.NewReplacer("**", "", "`", "").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// TestSeedQuotesVerbatim checks every quote of Dynatrace's page against
// the page, word for word (skipped where the page is not at hand), every
// decision against README.md, and every IdP quote against fixtures/idp,
// which copies the IdPs' pages.
func TestSeedQuotesVerbatim(t *testing.T) {
	var fixtures strings.Builder
	for _, f := range []string{"../fixtures/idp/entra-id.json", "../fixtures/idp/okta.json"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fixtures.Write(b)
	}
	b, rerr := os.ReadFile("../README.md")
	if rerr != nil {
		t.Fatal(rerr)
	}
	readme := string(b)
	seed, err := os.ReadFile(seedFile())
	for _, r := range catalogue.All() {
		for _, q := range r.Quotes {
			switch {
			case strings.HasPrefix(q.Source, "seed:"):
				if err != nil {
					continue
				}
				if !strings.Contains(plain(string(seed)), plain(q.Text)) {
					t.Errorf("%s: %q is not in %s", r.ID, q.Text, seedFile())
				}
			case strings.HasPrefix(q.Source, "decision:"):
				if !strings.Contains(plain(readme), plain(q.Text)) {
					t.Errorf("%s: decision %q is not in README.md", r.ID, q.Text)
				}
			case r.Profile == catalogue.IdP:
				if !strings.Contains(fixtures.String(), q.Text) {
					t.Errorf("%s: %q is not in fixtures/idp", r.ID, q.Text)
				}
			}
		}
	}
	if err != nil {
		t.Skipf("seed quotes not checked: %v", err)
	}
}
