package scimtest

// Preflight: one look at the target before any suite runs, so a wrong
// URL, an unreachable host, a TLS problem or a refused token is one line
// that says what to fix, not hundreds of failed specs.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// PreflightError is a configuration problem found before the suites ran:
// the run cannot say anything about the target's conformance.
type PreflightError struct {
	// Msg is one line: what is wrong and what to change.
	Msg string
}

func (e *PreflightError) Error() string { return e.Msg }

func preflightErr(format string, args ...any) error {
	return &PreflightError{Msg: fmt.Sprintf(format, args...)}
}

// CheckBaseURL parses a SCIM base URL as the suites need it: http or
// https, a host, no query or fragment.
func CheckBaseURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return preflightErr("--target %q is not a URL (%v): give the SCIM base URL, e.g. https://scim.example.com/scim/v2", raw, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return preflightErr("--target %q: the scheme must be http or https, e.g. https://scim.example.com/scim/v2", raw)
	case u.Host == "":
		return preflightErr("--target %q has no host: give the SCIM base URL, e.g. https://scim.example.com/scim/v2", raw)
	case u.RawQuery != "" || u.Fragment != "":
		return preflightErr("--target %q: the base URL takes no query or fragment; it ends where /Users starts", raw)
	}
	return nil
}

// Preflight checks that baseURL answers SCIM with token: an
// authenticated GET /ServiceProviderConfig, then GET /Users?count=1. It returns a *PreflightError when the target
// cannot be reached, TLS fails, the token is refused, or nothing at the
// URL answers SCIM; a target whose discovery document is missing but
// whose /Users answers SCIM passes (RFC-DISCOVERY will fail it), with a
// warning in warn.
func Preflight(ctx context.Context, baseURL, token string) (warn string, err error) {
	if err := CheckBaseURL(baseURL); err != nil {
		return "", err
	}
	base := strings.TrimRight(baseURL, "/")
	c := &http.Client{Timeout: 20 * time.Second}
	spc, err := preflightGet(ctx, c, base+"/ServiceProviderConfig", token)
	if err != nil {
		return "", err
	}
	// A server may answer discovery without authentication (RFC 7644
	// section 4), so /Users says whether the token is accepted.
	users, err := preflightGet(ctx, c, base+"/Users?count=1", token)
	if err != nil {
		return "", err
	}
	refused := func(r preflightAnswer) bool { return r.status == 401 || r.status == 403 }
	switch {
	case spc.status == http.StatusOK && spc.json != nil && refused(users):
		return "", preflightErr("%s refused the token on /Users (%s): check the token (SCIM_TOKEN or --token-file) and that it is valid for this base URL", base, users.describe())
	case spc.status == http.StatusOK && spc.json != nil:
		return "", nil
	case refused(spc) && refused(users):
		return "", preflightErr("%s refused the token (%d on /ServiceProviderConfig, %d on /Users): check the token (SCIM_TOKEN or --token-file) and that it is valid for this base URL", base, spc.status, users.status)
	case users.scim():
		return fmt.Sprintf("GET %s/ServiceProviderConfig answered %s; /Users answers SCIM, so the suites run (RFC-DISCOVERY will say what is missing)", base, spc.describe()), nil
	case spc.status == 404 && users.status == 404:
		return "", preflightErr("%s answers 404 for /ServiceProviderConfig and /Users: the base URL is not a SCIM endpoint; give the URL that /Users follows (e.g. https://host/scim/v2)", base)
	}
	return "", preflightErr("%s does not answer SCIM: GET /ServiceProviderConfig answered %s and GET /Users answered %s; check the base URL (it ends where /Users starts)", base, spc.describe(), users.describe())
}

type preflightAnswer struct {
	status      int
	contentType string
	json        map[string]any
}

// scim reports whether the answer is a SCIM document: a JSON object whose
// "schemas" names a SCIM URN (a ListResponse, an Error, a resource).
func (a preflightAnswer) scim() bool {
	schemas, _ := a.json["schemas"].([]any)
	for _, s := range schemas {
		if str, ok := s.(string); ok && strings.HasPrefix(str, "urn:ietf:params:scim:") {
			return true
		}
	}
	return false
}

func (a preflightAnswer) describe() string {
	s := fmt.Sprintf("%d %s", a.status, http.StatusText(a.status))
	switch {
	case a.json != nil:
		s += " with JSON"
	case a.contentType != "":
		s += " with " + a.contentType
	}
	return s
}

func preflightGet(ctx context.Context, c *http.Client, u, token string) (preflightAnswer, error) {
	var a preflightAnswer
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return a, preflightErr("%s: %v", u, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/scim+json, application/json")
	resp, err := c.Do(req)
	if err != nil {
		return a, transportProblem(u, err)
	}
	defer resp.Body.Close()
	a.status = resp.StatusCode
	a.contentType, _, _ = mime.ParseMediaType(resp.Header.Get("Content-Type"))
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var obj map[string]any
	if json.Unmarshal(body, &obj) == nil {
		a.json = obj
	}
	return a, nil
}

// transportProblem turns a failed request into the line that says what
// to fix.
func transportProblem(u string, err error) error {
	var (
		unknownCA *x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		recordErr tls.RecordHeaderError
		dnsErr    *net.DNSError
		opErr     *net.OpError
	)
	switch {
	case errors.As(err, &unknownCA):
		return preflightErr("TLS: %s presents a certificate signed by an unknown authority: add its CA to the system's trust store (or SSL_CERT_FILE=ca.pem)", host(u))
	case errors.As(err, &hostname):
		return preflightErr("TLS: %s's certificate is not valid for that name (%v): use the host name the certificate names", host(u), hostname.Error())
	case errors.As(err, &invalid):
		return preflightErr("TLS: %s's certificate is invalid (%v)", host(u), invalid.Error())
	case errors.As(err, &recordErr):
		return preflightErr("TLS: %s does not speak TLS on that port: use http:// or the HTTPS port", host(u))
	case errors.As(err, &dnsErr):
		return preflightErr("cannot resolve %s (%v): check the host name in --target", host(u), dnsErr.Err)
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return preflightErr("%s did not answer within 20s: check --target and that the server is up and reachable from here", host(u))
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return preflightErr("cannot connect to %s (%v): check --target and that the server is running", host(u), opErr.Err)
	case strings.Contains(err.Error(), "tls:") || strings.Contains(err.Error(), "x509:"):
		return preflightErr("TLS with %s failed: %v", host(u), err)
	}
	return preflightErr("cannot reach %s: %v", host(u), err)
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

func host(u string) string {
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		return p.Scheme + "://" + p.Host
	}
	return u
}
