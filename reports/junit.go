package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/scimconf/scimconf/catalogue"
)

// JUnit writes the runs as JUnit XML that CI test widgets show well: one
// <testsuite> per run and profile, one <testcase> per spec with the
// spec's first rule as classname and the spec's text as name (no Ginkgo
// node prefix, no setup node), a <failure> whose message is the rule and
// the failure's headline and whose body is the whole failure (the rule's
// sentence, what was expected, what came back), the HTTP transcript in
// <system-out> for failures only, and <skipped> with its reason. A
// suite-level node (setup, cleanup) appears only when it failed, as a
// failed testcase of class "scimconf": the specs after it did not run.
func JUnit(w io.Writer, runs []Run, opts Options) error {
	root := junitSuites{Name: opts.title()}
	for i := range runs {
		r := &runs[i]
		byProfile := map[catalogue.Profile]*junitSuite{}
		var order []catalogue.Profile
		suiteFor := func(p catalogue.Profile) *junitSuite {
			if s, ok := byProfile[p]; ok {
				return s
			}
			name := string(p)
			if len(runs) > 1 {
				name = r.Target + " " + name
			}
			s := &junitSuite{Name: name}
			if !r.Start.IsZero() {
				s.Timestamp = r.Start.UTC().Format("2006-01-02T15:04:05")
			}
			byProfile[p] = s
			order = append(order, p)
			return s
		}
		for _, s := range r.Suites {
			for _, nf := range s.NodeFailures {
				js := suiteFor(profileOfSuite(s))
				js.add(junitCase{
					Classname: "scimconf",
					Name:      fmt.Sprintf("suite %s: %s", s.Description, nf.Text),
					Time:      seconds(nf.RunTime),
					Failure:   &junitFailure{Message: headline(nf.Message), Type: "setup", Body: nf.Message},
					SystemOut: text(transcript(nf)),
				}, nf.RunTime)
			}
		}
		for _, spec := range r.Specs() {
			p, level := specProfile(spec)
			js := suiteFor(p)
			c := junitCase{Classname: "no-rule", Name: spec.Text, Time: seconds(spec.RunTime)}
			if len(spec.Rules) > 0 {
				c.Classname = spec.Rules[0]
			}
			switch spec.Outcome() {
			case StatusFail:
				c.Failure = &junitFailure{
					Message: fmt.Sprintf("%s (%s): %s", strings.Join(spec.Rules, ", "), level, headline(spec.Message)),
					Type:    string(level),
					Body:    spec.Message,
				}
				if spec.Location != "" {
					c.Failure.Body += "\n\nat " + spec.Location
				}
				c.SystemOut = text(transcript(spec))
			case StatusSkip:
				c.Skipped = &junitSkipped{Message: headline(spec.Message)}
			}
			js.add(c, spec.RunTime)
		}
		for _, p := range order {
			root.add(*byProfile[p])
		}
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// specProfile is the profile and the strictest level of the spec's
// rules; a spec naming no rule is charged to the rfc profile at MUST (the
// verdict fails it too).
func specProfile(s *Spec) (catalogue.Profile, catalogue.Level) {
	p, level := catalogue.RFC, catalogue.Level("")
	for i, id := range s.Rules {
		r, ok := catalogue.ByID(id)
		if !ok {
			continue
		}
		if i == 0 {
			p = r.Profile
		}
		if level == "" || levelRank(r.Level) < levelRank(level) {
			level = r.Level
		}
	}
	if level == "" {
		level = catalogue.Must
	}
	return p, level
}

func levelRank(l catalogue.Level) int {
	switch l {
	case catalogue.Must:
		return 0
	case catalogue.Should:
		return 1
	}
	return 2
}

// profileOfSuite is the profile a suite's description names, else rfc.
func profileOfSuite(s Suite) catalogue.Profile {
	for _, p := range catalogue.Profiles() {
		if string(p) == s.Description {
			return p
		}
	}
	return catalogue.RFC
}

func transcript(s *Spec) string {
	if len(s.Exchanges) == 0 {
		return ""
	}
	var b strings.Builder
	for i, x := range s.Exchanges {
		fmt.Fprintf(&b, "--- exchange %d of %d\n%s", i+1, len(s.Exchanges), x.String())
	}
	return b.String()
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%.3f", d.Seconds())
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

func (r *junitSuites) add(s junitSuite) {
	r.Tests += s.Tests
	r.Failures += s.Failures
	r.Skipped += s.Skipped
	r.Suites = append(r.Suites, s)
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
	total     time.Duration
}

func (s *junitSuite) add(c junitCase, d time.Duration) {
	s.Tests++
	if c.Failure != nil {
		s.Failures++
	}
	if c.Skipped != nil {
		s.Skipped++
	}
	s.total += d
	s.Time = seconds(s.total)
	s.Cases = append(s.Cases, c)
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",cdata"`
}

// junitText is an element whose text is kept as written (CDATA), so a
// transcript reads with its line breaks in the raw file too.
type junitText struct {
	Text string `xml:",cdata"`
}

func text(s string) *junitText {
	if s == "" {
		return nil
	}
	return &junitText{s}
}

type junitSkipped struct {
	Message string `xml:"message,attr,omitempty"`
}
