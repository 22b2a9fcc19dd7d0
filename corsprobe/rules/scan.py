"""``corsprobe scan``: origins an attacker can own that the policy trusts (CORS810-CORS827).

These rules read the probes of a scan (purpose ``scan:<class>``, see
:mod:`corsprobe.scan.steps`); on a trace without them they are silent. A finding's severity
follows its exploitability, carried in full as ``risk``:

    critical  a page an attacker can own reads the response with the user's cookies
              (ACAC: true, and --credentials said the endpoint is read with them)
    high      the same, without --credentials to confirm the endpoint is per-user; or it
              needs a network attacker (http) or a browser that allows the host name
    medium    exploitable only through a foothold: a subdomain, another port, a local program
    low       readable without credentials only (what the attacker could fetch anyway), or
              a spelling no browser sends (the policy compares loosely)
    info      ``*`` without credentials; a redirect not followed

critical/high are errors, medium a warning, low/info are info.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..fetch import access, preflight
from ..model import Probe, Severity, joined
from . import Context, Hit, fixes, rule

SEVERITY: dict[str, Severity] = {"critical": "error", "high": "error", "medium": "warning",
                                 "low": "info", "info": "info"}
# the risk when a page at the accepted origin reads the response with credentials
CREDENTIALED_RISK = {
    "reflect": "critical", "null": "critical", "prefix": "critical", "suffix": "critical",
    "unescaped-dot": "critical", "dev-host": "critical", "special-chars": "critical",
    "http": "high", "subdomain": "medium", "port": "medium", "localhost": "medium",
    "userinfo": "low", "case": "low",
}


def _sendable(origin: str) -> bool:
    from ..scan.origins import sendable

    return sendable(origin)


def _creds(probe: Probe) -> bool:
    r = probe.exchange.response
    return r is not None and access.cors_check(r.headers, probe.origin, True) is None


def _risk(ctx: Context, probe: Probe, cls: str) -> str:
    if not _creds(probe):
        return "low" if _sendable(probe.origin) else "info"
    if not _sendable(probe.origin):
        return "medium" if cls == "special-chars" else "low"
    risk = CREDENTIALED_RISK[cls]
    if risk == "critical" and not ctx.credentials:
        return "high"
    return risk


def _class_hits(ctx: Context, cls: str, generic_fix: str,
                fix: dict[str, str] | None = None) -> Iterator[Hit]:
    """One hit for a class: its strongest accepted origin is the proof."""
    probes = [(i, p) for i, p in enumerate(ctx.trace.probes) if p.purpose == f"scan:{cls}"]
    hits = [(i, p) for i, p in probes if p.accepted and p.exchange.response is not None]
    if not hits:
        return
    order = ("critical", "high", "medium", "low", "info")
    ranked = sorted(hits, key=lambda ip: order.index(_risk(ctx, ip[1], cls)))
    index, proof = ranked[0]
    risk = _risk(ctx, proof, cls)
    response = proof.exchange.response
    assert response is not None
    creds = _creds(proof)
    vary = any("origin" in v.lower() for k, v in response.headers if k.lower() == "vary")
    if not _sendable(proof.origin):
        what = ("the policy compares origins loosely (no browser sends this exact value, so it "
                "is not exploitable as such)")
    elif creds:
        what = ("a page there can read this response with the user's cookies"
                + ("" if ctx.credentials else
                   " (critical if the endpoint serves per-user data: scan with --credentials "
                   "and the session cookie to confirm)"))
    else:
        what = ("a page there can read the response, without cookies "
                "(Access-Control-Allow-Credentials is not true)")
    evidence: dict[str, object] = {
        "exchange": f"probe[{index}]", "url": proof.exchange.request.url,
        "status": response.status, "proving_origin": proof.origin, "class": cls,
        "readable": True, "readable_with_credentials": creds,
        "allow_origin": joined(response.headers, access.ACAO),
        "allow_credentials": joined(response.headers, access.ACAC),
        "vary_origin": vary, "browser_can_send": _sendable(proof.origin),
        "tried": len(probes), "origin": ctx.trace.origin_sent,
    }
    others = [p.origin for _, p in hits if p is not proof]
    if others:
        evidence["also_accepted"] = others
    yield Hit(
        f"The server allows the origin '{proof.origin}' — it {proof.difference} — so {what}.",
        evidence, fix or fixes.allow_list(ctx.trace.origin_sent, generic_fix), SEVERITY[risk], risk,
    )


@rule("CORS810", "arbitrary-origin-reflected", "error", "Any origin is reflected in Access-Control-Allow-Origin")
def arbitrary_origin_reflected(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        An origin unrelated to the site (https://attacker.invalid) is echoed in
        Access-Control-Allow-Origin: the server copies the Origin header instead of checking it.

    Why it matters:
        Every website can read the response; with Access-Control-Allow-Credentials: true it
        reads it with the visiting user's cookies (account data, CSRF tokens, API keys). It is
        what "allow all origins" plus credentials turns into in Starlette, django-cors-headers
        and flask-cors, and what hand-written middleware that echoes Origin does.

    Example:
        Origin: https://attacker.invalid
        Access-Control-Allow-Origin: https://attacker.invalid
        Access-Control-Allow-Credentials: true

    Fix:
        Compare the Origin with an explicit allow list and echo it only when it is listed.
    """
    yield from _class_hits(ctx, "reflect", "Echo the Origin only when it is in an explicit "
                           "allow list; never reflect it unchecked.")


@rule("CORS811", "null-origin-trusted", "error", "The opaque origin null is trusted")
def null_origin_trusted(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A request with `Origin: null` is allowed to read the response.

    Why it matters:
        Any page can send `Origin: null` from a sandboxed iframe or a data: URL, so trusting
        null trusts every attacker. Allow lists get `null` from local file:// testing.

    Example:
        Origin: null
        Access-Control-Allow-Origin: null
        Access-Control-Allow-Credentials: true

    Fix:
        Remove `null` from the allow list; serve local tests from http://localhost instead.
    """
    yield from _class_hits(ctx, "null", "Remove 'null' from the allowed origins.")


@rule("CORS812", "origin-prefix-match", "error", "The trusted origin is matched as a prefix")
def origin_prefix_match(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The trusted origin followed by an attacker's domain
        (https://app.example.com.attacker.invalid) is allowed: a regular expression anchored
        only at the start (re.match, flask-cors and django-cors-headers regexes without `$`)
        or a startswith() check.

    Why it matters:
        Anyone can register a domain that starts with the trusted host name and read the
        response (with cookies when credentials are allowed).

    Example:
        Origin: https://app.example.com.attacker.invalid
        Access-Control-Allow-Origin: https://app.example.com.attacker.invalid

    Fix:
        Anchor the pattern at both ends (`^...$`, or fullmatch) or compare exact strings.
    """
    yield from _class_hits(ctx, "prefix", "Anchor the origin pattern at the end ($ or "
                           "fullmatch) or compare the Origin with exact strings.")


@rule("CORS813", "origin-suffix-match", "error", "The trusted domain is matched as a suffix without a dot boundary")
def origin_suffix_match(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A domain that merely ends with the trusted name (https://attackerexample.com,
        https://attacker-example.com) is allowed: an endswith("example.com") check or a
        pattern like `.*example.com`.

    Why it matters:
        Such domains are free to register; a page on them reads the response.

    Example:
        Origin: https://attackerexample.com
        Access-Control-Allow-Origin: https://attackerexample.com

    Fix:
        Match the whole host, or a subdomain boundary: host == "example.com" or
        host.endswith(".example.com"), or `^https://([a-z0-9-]+\\.)?example\\.com$`.
    """
    yield from _class_hits(ctx, "suffix", "Require a dot boundary: compare the whole host, or "
                           "host.endswith('.example.com') for subdomains.")


@rule("CORS814", "origin-regex-unescaped-dot", "error", "An origin regex has an unescaped dot")
def origin_regex_unescaped_dot(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The trusted host with one dot replaced by a letter (https://appxexample.com) is
        allowed: the allow pattern writes `.` where it means a literal dot.

    Why it matters:
        In a regular expression `.` matches any character, so `app.example.com` also matches
        `appxexample.com`, a domain an attacker can register.

    Example:
        Origin: https://appxexample.com
        Access-Control-Allow-Origin: https://appxexample.com

    Fix:
        Escape every dot (`app\\.example\\.com`), or use re.escape() on the host name.
    """
    yield from _class_hits(ctx, "unescaped-dot", "Escape the dots in the origin pattern "
                           "(re.escape), and anchor it at both ends.")


@rule("CORS815", "any-subdomain-trusted", "warning", "Every subdomain of the trusted domain is trusted")
def any_subdomain_trusted(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        An arbitrary subdomain (https://attacker.example.com) is allowed.

    Why it matters:
        Then one forgotten subdomain (a dangling DNS record someone can take over) or one XSS
        on any subdomain lets an attacker read this endpoint with the user's cookies.

    Example:
        Origin: https://attacker.example.com
        Access-Control-Allow-Origin: https://attacker.example.com
        Access-Control-Allow-Credentials: true

    Fix:
        List the subdomains that need access instead of a wildcard pattern.
    """
    yield from _class_hits(ctx, "subdomain", "List the exact subdomains that need access "
                           "instead of trusting every subdomain.")


@rule("CORS816", "http-origin-trusted", "error", "An https endpoint trusts a plain-http origin")
def http_origin_trusted(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The http:// version of the trusted origin (or of a subdomain) is allowed.

    Why it matters:
        A network attacker (public Wi-Fi) can inject script into any plain-http page of that
        origin and read the https endpoint's responses, which defeats HTTPS.

    Example:
        Origin: http://app.example.com
        Access-Control-Allow-Origin: http://app.example.com
        Access-Control-Allow-Credentials: true

    Fix:
        Allow only https:// origins.
    """
    yield from _class_hits(ctx, "http", "Allow only https:// origins.")


@rule("CORS817", "special-character-host-trusted", "error", "A host with a special character after the trusted name is trusted")
def special_character_host_trusted(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The trusted host followed by a character such as `_`, `-`, `!`, `$`, `&`, `'`, `*`,
        `+`, `,`, `;`, `=`, `~` or a backtick, then an attacker's domain
        (https://app.example.com_.attacker.invalid), is allowed.

    Why it matters:
        Patterns like `app\\.example\\.com[^.]*` or `\\S*` stop at the dot but not at these
        characters. Browsers accept `_` and `-` in host names (some also the others), so an
        attacker's subdomain with that name reads the response.

    Example:
        Origin: https://app.example.com_.attacker.invalid
        Access-Control-Allow-Origin: https://app.example.com_.attacker.invalid

    Fix:
        Anchor the pattern right after the host (and optional port): `^https://app\\.example\\.com(:\\d+)?$`.
    """
    yield from _class_hits(ctx, "special-chars", "End the origin pattern right after the host "
                           "(and an optional port); do not allow arbitrary characters after it.")


@rule("CORS818", "userinfo-origin-trusted", "info", "An Origin value with user@ in it is trusted")
def userinfo_origin_trusted(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A value such as https://attacker.invalid@app.example.com is allowed: the server parses
        the Origin as a URL and takes its host, or matches a prefix before the `@`.

    Why it matters:
        No browser sends such an Origin, so it is not exploitable as such; but the policy
        parses origins its own way, and parsing differences are where bypasses come from.

    Example:
        Origin: https://attacker.invalid@app.example.com
        Access-Control-Allow-Origin: https://attacker.invalid@app.example.com

    Fix:
        Compare the whole Origin value with exact strings; do not parse it into parts.
    """
    yield from _class_hits(ctx, "userinfo", "Compare the whole Origin value with the allow list; "
                           "do not parse it and compare only its host.")


@rule("CORS819", "origin-port-ignored", "warning", "The trusted host is trusted on any port")
def origin_port_ignored(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The trusted host on another port (https://app.example.com:8443), or with its default
        port written out (:443), is allowed: the policy compares host names only.

    Why it matters:
        Another service on the same host (an admin panel, a dev server, a shared host) becomes
        trusted; an attacker with a foothold on any port reads the endpoint.

    Example:
        Origin: https://app.example.com:8443
        Access-Control-Allow-Origin: https://app.example.com:8443

    Fix:
        Compare the whole serialized origin, port included.
    """
    yield from _class_hits(ctx, "port", "Compare the whole origin, port included.")


@rule("CORS820", "origin-case-insensitive", "info", "Origins are compared case-insensitively")
def origin_case_insensitive(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The trusted origin in upper case (https://APP.EXAMPLE.COM) is allowed.

    Why it matters:
        Browsers always send origins in lower case, so this is harmless by itself, but it
        shows the policy normalizes origins before comparing, which other loose matching
        often accompanies.

    Example:
        Origin: https://APP.EXAMPLE.COM
        Access-Control-Allow-Origin: https://APP.EXAMPLE.COM

    Fix:
        Compare exact strings (the browser's serialization is already canonical).
    """
    yield from _class_hits(ctx, "case", "Compare the Origin with exact strings.")


@rule("CORS821", "local-origin-trusted", "warning", "A localhost development origin is trusted")
def local_origin_trusted(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        http://localhost, http://127.0.0.1 or a dev server (http://localhost:3000) is allowed.

    Why it matters:
        Development origins left in a production allow list let any program on the user's
        machine that serves a page there (a dev server, a malicious package) read the
        endpoint with the user's cookies.

    Example:
        Origin: http://localhost:3000
        Access-Control-Allow-Origin: http://localhost:3000
        Access-Control-Allow-Credentials: true

    Fix:
        Read development origins from the environment, so production lists only its origins.
    """
    yield from _class_hits(ctx, "localhost", "Keep development origins out of the production "
                           "allow list (configure them per environment).")


@rule("CORS822", "dev-host-origin-trusted", "error", "A public code-hosting origin is trusted")
def dev_host_origin_trusted(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        An origin where anyone can publish a page is allowed: a github.io or netlify.app
        subdomain, codepen.io, jsfiddle.net, jsbin.com, repl.it and similar.

    Why it matters:
        An attacker publishes a page there in a minute and reads the endpoint.

    Example:
        Origin: https://codepen.io
        Access-Control-Allow-Origin: https://codepen.io
        Access-Control-Allow-Credentials: true

    Fix:
        Remove shared hosting and playground origins from the allow list.
    """
    yield from _class_hits(ctx, "dev-host", "Remove playground and shared-hosting origins "
                           "from the allow list.")


@rule("CORS823", "wildcard-origin-public", "info", "The response is public to every origin (*)")
def wildcard_origin_public(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The server answers an attacker's origin with `Access-Control-Allow-Origin: *`.

    Why it matters:
        Usually not a vulnerability: with `*` a browser never sends cookies and refuses
        credentials, so a page elsewhere reads only what anyone could fetch directly. It
        matters only for data protected by the network alone (an intranet, IP allow lists).

    Example:
        Origin: https://attacker.invalid
        Access-Control-Allow-Origin: *

    Fix:
        Keep `*` for public data; use an allow list for anything behind a network boundary.
    """
    for index, probe in enumerate(ctx.trace.probes):
        r = probe.exchange.response
        if not probe.purpose.startswith("scan:") or r is None or preflight.is_redirect(r):
            continue
        if (joined(r.headers, access.ACAO) or "").strip(" \t") == "*":
            yield Hit(
                f"The response is readable by every origin ('{probe.origin}' too) without "
                "credentials: `*` is public by design, and browsers send no cookies with it.",
                {"exchange": f"probe[{index}]", "url": probe.exchange.request.url,
                 "status": r.status, "proving_origin": probe.origin, "class": "wildcard",
                 "readable": True, "readable_with_credentials": False,
                 "origin": ctx.trace.origin_sent},
                {"generic": "Nothing to do for public data; for data behind a network boundary, "
                 "allow a list of origins instead of *."},
                "info", "info",
            )
            return


def _preflight_hits(ctx: Context, purpose: str, what: str, generic: str) -> Iterator[Hit]:
    for index, probe in enumerate(ctx.trace.probes):
        r = probe.exchange.response
        if probe.purpose != f"scan:{purpose}" or not probe.accepted or r is None:
            continue
        req = dict((k.lower(), v) for k, v in probe.exchange.request.headers)
        method = req.get("access-control-request-method", "GET")
        unsafe = [h for h in req.get("access-control-request-headers", "").split(",") if h]
        if preflight.check(r, method, unsafe, probe.origin, True) is not None:
            continue  # passes only without credentials: the attacker could send it anyway
        risk = "medium" if purpose == "preflight-authorization" else "high"
        if not _sendable(probe.origin):
            risk = "low"
        yield Hit(
            f"A preflight from '{probe.origin}' with credentials allows {what}.",
            {"exchange": f"probe[{index}]", "url": probe.exchange.request.url,
             "status": r.status, "proving_origin": probe.origin, "class": purpose,
             "request_method": method, "request_headers": unsafe,
             "allow_methods": joined(r.headers, preflight.ACAM),
             "allow_headers": joined(r.headers, preflight.ACAH),
             "origin": ctx.trace.origin_sent},
            fixes.allow_list(ctx.trace.origin_sent, generic), SEVERITY[risk], risk,
        )


@rule("CORS824", "preflight-any-method-allowed", "error", "The preflight allows any method for an untrusted origin")
def preflight_any_method(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A preflight from an attacker's origin, for a made-up method (XCORSPROBE), passes with
        credentials: the server echoes Access-Control-Request-Method.

    Why it matters:
        The preflight is what stops a foreign page from sending PUT or DELETE with the user's
        cookies; echoing the requested method lets every such request through.

    Example:
        Access-Control-Request-Method: XCORSPROBE
        Access-Control-Allow-Methods: XCORSPROBE
        Access-Control-Allow-Credentials: true

    Fix:
        Answer preflights with a fixed list of methods, and only for allowed origins.
    """
    yield from _preflight_hits(ctx, "preflight-methods", "a made-up method (the requested method "
                               "is echoed)", "Send a fixed Access-Control-Allow-Methods list, "
                               "and only to allowed origins.")


@rule("CORS825", "preflight-any-header-allowed", "error", "The preflight allows any header for an untrusted origin")
def preflight_any_header(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A preflight from an attacker's origin, for a made-up header, passes with credentials:
        the server echoes Access-Control-Request-Headers.

    Why it matters:
        Defences that rely on a custom header (X-Requested-With, a CSRF header) assume a
        foreign page cannot send it with the user's cookies; echoing every header breaks them.

    Example:
        Access-Control-Request-Headers: x-corsprobe-arbitrary
        Access-Control-Allow-Headers: x-corsprobe-arbitrary
        Access-Control-Allow-Credentials: true

    Fix:
        Answer preflights with a fixed list of headers, and only for allowed origins.
    """
    yield from _preflight_hits(ctx, "preflight-headers", "a made-up request header (requested "
                               "headers are echoed)", "Send a fixed Access-Control-Allow-Headers "
                               "list, and only to allowed origins.")


@rule("CORS826", "preflight-authorization-untrusted", "warning", "The preflight allows Authorization for an untrusted origin")
def preflight_authorization(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A preflight from an attacker's origin asking for the Authorization header passes with
        credentials.

    Why it matters:
        A foreign page can then send authenticated requests with any token it holds (a leaked
        or its own) alongside the user's cookies, and read the answers.

    Example:
        Origin: https://attacker.invalid
        Access-Control-Request-Headers: authorization
        Access-Control-Allow-Headers: authorization

    Fix:
        Allow Authorization only for the origins in the allow list.
    """
    yield from _preflight_hits(ctx, "preflight-authorization", "the Authorization header",
                               "Allow Authorization only on preflights from allowed origins.")


@rule("CORS827", "scan-redirect-not-followed", "info", "The scanned URL redirects; the redirect was not followed")
def scan_redirect_not_followed(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The scanned URL answers with a redirect (for the trusted origin or an attacker's).

    Why it matters:
        The CORS policy that counts is the one of the final response, which may belong to
        another site. Scanners that follow the redirect blame this URL for that site's policy;
        corsprobe reports the redirect instead.

    Example:
        HTTP/1.1 302 Found
        Location: https://login.example.net/

    Fix:
        Scan the final URL itself (the Location), or fix the redirect if it is not meant.
    """
    t = ctx.trace
    if not any(p.purpose.startswith("scan:") for p in t.probes):
        return  # `corsprobe check` follows redirects and has its own redirect rules
    exchanges = [("actual[0]", t.actuals[0])] if t.actuals else []
    exchanges += [(f"probe[{i}]", p.exchange) for i, p in enumerate(t.probes)
                  if p.purpose.startswith("scan:")]
    locations: list[str] = []
    first = None
    for name, exchange in exchanges:
        r = exchange.response
        if r is not None and preflight.is_redirect(r):
            location = joined(r.headers, "location") or ""
            first = first or (name, exchange, r.status)
            if location not in locations:
                locations.append(location)
    if first is None:
        return
    yield Hit(
        f"{first[1].request.url} answers with a redirect to {', '.join(locations)}; corsprobe "
        "scan does not follow it (the final response's policy belongs to that URL).",
        {"exchange": first[0], "url": first[1].request.url, "status": first[2],
         "locations": locations, "origin": t.origin_sent},
        {"generic": "Scan the Location URL itself."},
        "info", "info",
    )
