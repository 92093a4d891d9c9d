package scimtest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega/types"

	"github.com/scimconf/scimconf/catalogue"
)

// ErrorURN is the schema of a SCIM error body.
const ErrorURN = "urn:ietf:params:scim:api:messages:2.0:Error"

// Fail is the suites' Gomega fail handler: Ginkgo's Fail with the rules the
// spec checks (ID, level, source, summary) put before the message, so a
// failure says which rule broke and where the rule comes from, and
// Gomega's own wording rewritten in plain words (PlainMessage). A spec
// whose request was lost on a kept-alive connection and could not be
// repeated (transport.go) is skipped as a transport error instead: its
// rules were never judged.
func Fail(message string, callerSkip ...int) {
	skip := 1
	if len(callerSkip) > 0 {
		skip += callerSkip[0]
	}
	if note := droppedInThisSpec(); note != "" {
		ginkgo.Skip("transport error, not judged: "+note, skip)
	}
	ginkgo.Fail(RuleHeader(ginkgo.CurrentSpecReport().Labels())+PlainMessage(message), skip)
}

// RuleHeader describes the rules among labels, one line each: ID, level,
// source, summary and the first sentence the rule quotes (catalogue
// quotes.go), so a failure shows the words it is held to (issue 13). The
// quote stays on the rule's line: reports drop that line from headlines
// as a whole (reports.isRuleHeader), and it is cut short, the report links
// the source for the rest.
func RuleHeader(labels []string) string {
	var b strings.Builder
	for _, l := range labels {
		if r, ok := catalogue.ByID(l); ok {
			fmt.Fprintf(&b, "rule %s (%s, %s): %s%s\n", r.ID, r.Level, r.Source, r.Summary, firstQuote(r))
		}
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	return b.String()
}

// quoteLen is how much of a rule's quote a failure message shows.
const quoteLen = 160

// firstQuote renders the rule's first quote as ` -- source: "words"`, or
// "" for a rule without one.
func firstQuote(r catalogue.Rule) string {
	if len(r.Quotes) == 0 {
		return ""
	}
	q := r.Quotes[0]
	text := []rune(strings.Join(strings.Fields(q.Text), " "))
	if len(text) > quoteLen {
		text = append(text[:quoteLen-1], '…')
	}
	return fmt.Sprintf(" -- %s: %q", q.Source, string(text))
}

// HaveStatus succeeds when a *Response has one of the given statuses. Its
// failure message shows the whole exchange.
func HaveStatus(codes ...int) types.GomegaMatcher {
	return &statusMatcher{codes: codes}
}

type statusMatcher struct{ codes []int }

func (m *statusMatcher) Match(actual any) (bool, error) {
	r, ok := actual.(*Response)
	if !ok {
		return false, fmt.Errorf("HaveStatus expects a *scimtest.Response, got %T", actual)
	}
	return slices.Contains(m.codes, r.Status), nil
}

func (m *statusMatcher) FailureMessage(actual any) string {
	return fmt.Sprintf("expected HTTP status %s, got %d\n\n%s", codes(m.codes), actual.(*Response).Status, actual)
}

func (m *statusMatcher) NegatedFailureMessage(actual any) string {
	return fmt.Sprintf("expected an HTTP status other than %s\n\n%s", codes(m.codes), actual)
}

func codes(c []int) string {
	s := make([]string, len(c))
	for i, n := range c {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, " or ")
}

// HaveSCIMError succeeds when a *Response is a SCIM error (RFC 7644
// section 3.12) with the given HTTP status (0: any 4xx) and, when scimType
// is not empty, that scimType: the body lists the Error schema and its
// "status" is the status as a string.
func HaveSCIMError(status int, scimType string) types.GomegaMatcher {
	return &errorMatcher{status: status, scimType: scimType}
}

type errorMatcher struct {
	status   int
	scimType string
	why      string
}

func (m *errorMatcher) Match(actual any) (bool, error) {
	r, ok := actual.(*Response)
	if !ok {
		return false, fmt.Errorf("HaveSCIMError expects a *scimtest.Response, got %T", actual)
	}
	switch {
	case m.status != 0 && r.Status != m.status:
		m.why = fmt.Sprintf("HTTP status %d, want %d", r.Status, m.status)
	case m.status == 0 && (r.Status < 400 || r.Status > 499):
		m.why = fmt.Sprintf("HTTP status %d, want a 4xx", r.Status)
	case r.JSON == nil:
		m.why = "the body is not a JSON object"
	case !containsString(lookup(r.JSON, "schemas"), ErrorURN):
		m.why = "\"schemas\" does not list " + ErrorURN
	default:
		st, isString := lookup(r.JSON, "status").(string)
		switch {
		case !isString:
			m.why = fmt.Sprintf("\"status\" is %T, want a string (RFC 7644 section 3.12)", lookup(r.JSON, "status"))
		case st != strconv.Itoa(r.Status):
			m.why = fmt.Sprintf("\"status\" is %q but the HTTP status is %d", st, r.Status)
		case m.scimType != "" && lookup(r.JSON, "scimType") != m.scimType:
			m.why = fmt.Sprintf("scimType is %v, want %q", lookup(r.JSON, "scimType"), m.scimType)
		default:
			return true, nil
		}
	}
	return false, nil
}

func (m *errorMatcher) FailureMessage(actual any) string {
	want := "a SCIM error"
	if m.status != 0 {
		want += fmt.Sprintf(" with status %d", m.status)
	}
	if m.scimType != "" {
		want += fmt.Sprintf(" and scimType %q", m.scimType)
	}
	return fmt.Sprintf("expected %s: %s\n\n%s", want, m.why, actual)
}

func (m *errorMatcher) NegatedFailureMessage(actual any) string {
	return fmt.Sprintf("expected no SCIM error\n\n%s", actual)
}

func containsString(v any, s string) bool {
	arr, _ := v.([]any)
	for _, e := range arr {
		if e == s {
			return true
		}
	}
	return false
}
