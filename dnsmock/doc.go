// Package dnsmock is the fake DNS server behind the mock's domain-ownership
// check (rule DT-DOMAIN-TXT): a domain becomes verified once a TXT record with
// its verification value is found, and tests publish that record here.
//
// It owns three things:
//
//   - [Server]: an authoritative-only DNS server (github.com/miekg/dns) on UDP
//     and TCP at one address, answering TXT queries from an in-memory record
//     table that Go code ([Server.SetTXT] and friends) and the management API
//     ([Server.Handler], under /mock/v1/dns/) change at run time.
//   - [Resolver]: a minimal client that asks one server directly, with the
//     same LookupTXT shape as *net.Resolver, so domain verification can be
//     pointed at this server (or any other) instead of the system resolver.
//   - [Run]: the body of `scimconf dns`.
//
// It does not own domain verification itself (server/account does), the
// management API's authentication (the caller wraps [Server.Handler]), or
// flag parsing (cmd/scimconf).
//
// What the server answers, for a question in class IN (or ANY):
//
//   - a name with records, type TXT or ANY: NOERROR, authoritative, one TXT RR
//     per value, with time to live [TTL]; a value longer than 255 bytes is split into
//     several character-strings of one RR, as RFC 1035 section 3.3 requires;
//   - a name with records, another type: NOERROR with no answer (NODATA);
//   - an ancestor of a name with records (an empty non-terminal, such as
//     example.com when only _dt.example.com has records): NODATA too, because
//     NXDOMAIN would tell a caching resolver that nothing below exists
//     (RFC 8020);
//   - any other name: NXDOMAIN.
//
// Negative answers carry no SOA, so a resolver in between caches none of them
// and a verification retried after the record is published sees it at once.
// Queries with zero or several questions get FORMERR, opcodes other than
// QUERY get NOTIMP, other classes get REFUSED, EDNS versions other than 0 get
// BADVERS; responses (QR set) and undecodable headers get no reply, so the
// server cannot be used to reflect traffic. A malformed message never stops
// the server.
package dnsmock
