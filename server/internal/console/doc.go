// Package console owns the mock's web console: Account Management as
// Dynatrace's documentation describes it (accounts, domain verification,
// SCIM configuration, groups, users, limits), the DNS mock's TXT records,
// and the test double (the live request journal, the client report,
// violation switches, fault rules, reset), served as server-rendered
// html/template pages with embedded assets under /console/.
//
// It is a client of the management API (/mock/v1) and of nothing else: every
// page reads and every form writes through package mockclient, with the
// admin token the person signed in with. The console thus shows exactly what
// the API answers (the same rules, the same refusals, the same switches on
// account management's view) and can never do what the API would refuse.
// It holds no account state of its own, only its sessions.
//
// Decisions:
//   - Sign-in takes the admin token and asks the management API whether it
//     opens it (GET /mock/v1/accounts); a SCIM token does not. The token is
//     kept server-side in the session and never sent back to the browser.
//   - The session cookie is HttpOnly, SameSite=Strict, scoped to /console/,
//     Secure when the request came over TLS; sessions live in memory (a
//     restart signs everyone out), idle ones end after SessionIdle, and at
//     most MaxSessions exist (the oldest goes first).
//   - Every write is a POST carrying the session's CSRF token in a form
//     field; a POST whose Origin is another site is refused as well.
//   - No page or asset is served without a session; every answer is
//     Cache-Control: no-store and carries a Content-Security-Policy that
//     allows only the console's own scripts and styles (no inline script,
//     no request to another origin).
//   - A SCIM token's value appears once: in the answer to the POST that
//     generated it, never in a URL, a redirect or a later page.
//   - No JavaScript framework: plain forms and a small script for the
//     journal's server-sent events and the copy buttons. Every page works
//     without the script except the live tail, which then shows the
//     newest entries on each reload.
package console
