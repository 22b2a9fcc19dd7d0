"""The terminal report of one check: the notes, the wire exchange, the verdict, the findings.

``render`` is a pure function of the report/v1 dict.
"""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from ..report.words import BROWSER_LABEL as _BROWSER_LABEL
from ..report.words import visible, where
from ..stack import CACHE_HEADERS

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_APP_KEYS = ("fastapi", "django", "flask", "express")
_LAYER_KEYS = ("cdn", "varnish", "nginx", "apache", "caddy")
_FIX_LABELS = {"fastapi": "FastAPI", "django": "Django", "flask": "Flask", "express": "Express",
               "cdn": "CDN", "varnish": "Varnish", "nginx": "nginx", "apache": "Apache",
               "caddy": "Caddy", "generic": "Fix"}


def _fix_order(fix: dict[str, str], known: list[str]) -> list[tuple[str, str]]:
    """The fixes to print: the known layers' first (front to back), then the generic one,
    then the other app frameworks; a proxy's only when it is known."""
    first = [k for k in known if k in fix]
    keys = [*first, *(k for k in ("generic", *_APP_KEYS) if k not in first)]
    return [(k, _FIX_LABELS[k]) for k in keys if k in fix]


def _is_cors(name: str) -> bool:
    low = name.lower()
    return low.startswith("access-control-") or low in ("origin", "vary", "location")


def _header_lines(prefix: str, headers: list[list[str]]) -> list[Text]:
    lines = []
    for name, value in headers:
        style = "bold magenta" if _is_cors(name) else "dim"
        line = Text(f"{prefix} ", style="dim")
        line.append(f"{name}: ", style=style)
        line.append(value, style="bold" if _is_cors(name) else "")
        lines.append(line)
    return lines


def _exchange(console: Console, title: str, ex: dict[str, Any]) -> None:
    console.rule(Text(title, style="bold"), align="left", style="dim")
    req = ex["request"]
    console.print(Text(f"> {req['method']} {req['url']}", style="bold"))
    for line in _header_lines(">", req["headers"]):
        console.print(line)
    resp = ex.get("response")
    if resp is None:
        err = ex.get("error") or {}
        console.print(Text(f"< no response: {err.get('message', 'unknown error')}", style="red"))
        console.print()
        return
    status_style = "green" if 200 <= resp["status"] < 300 else "yellow" if resp["status"] < 400 else "red"
    status = Text("< ", style="dim")
    status.append(f"{resp['http_version']} {resp['status']} {resp['reason']}".rstrip(), style=f"bold {status_style}")
    status.append(f"   ({ex['elapsed_ms']:.0f} ms)", style="dim")
    console.print(status)
    for line in _header_lines("<", resp["headers"]):
        console.print(line)
    body = resp.get("body_excerpt") or ""
    if body.strip() and not (200 <= resp["status"] < 300):
        shown = body.strip().replace("\n", " ")[:160]
        console.print(Text(f"< body: {shown}", style="dim italic"))
    console.print()


def _relation(report: dict[str, Any]) -> str:
    """``cross-site, cross-origin`` and the like: SameSite follows the first, CORS the second."""
    site = report["site"]
    same_origin = site.get("same_origin")
    return (f"{'same-site' if site['same_site'] else 'cross-site'} "
            f"(cookies' SameSite), {'same-origin' if same_origin else 'cross-origin'} (CORS)")


def document(report: dict[str, Any], color: bool = False) -> str:
    return render(report, color=color)


def render(report: dict[str, Any], color: bool = False, width: int = 100) -> str:
    report = visible(report)
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width,
                      highlight=False, emoji=False, soft_wrap=True)
    browser = _BROWSER_LABEL.get(report["browser"], report["browser"])
    req = report["request"]
    console.print(Text(f"corsprobe check  {req['method']} {report['target']}", style="bold"))
    creds = "include" if req["credentials"] else "same-origin (no cookies cross-origin)"
    console.print(Text(f"  from origin {report['origin']} · credentials: {creds} · browser: {browser}", style="dim"))
    kind = _kind_line(req)
    if kind:
        console.print(Text(f"  {kind}", style="dim"))
    site = report.get("site")
    if site:
        console.print(Text(f"  {_relation(report)}: page site {site['page']}, "
                           f"target site {site['target']}", style="dim"))
    console.print()
    # Notes first: what the browser dropped or forgave changes how the rest reads.
    notes = report.get("notes") or []
    for note in notes:
        console.print(Text(f"note: {note}", style="dim"))
    if notes:
        console.print()

    pre = report["preflight"]
    if pre["required"]:
        console.print(Text("Why a preflight is needed:", style="bold"))
        for reason in pre["reasons"]:
            console.print(f"  • {escape(reason)}")
    elif req.get("mode") == "no-cors":
        console.print(Text("No preflight: a no-cors request is never preflighted (and its "
                           "response never CORS-checked).", style="bold"))
    else:
        console.print(Text("No preflight: the method and every header are CORS-safelisted.", style="bold"))
    console.print()

    for i, ex in enumerate(pre["exchanges"]):
        _exchange(console, "Preflight" + (f" (after redirect {i})" if i else ""), ex)
    actual = report["actual"]
    for i, ex in enumerate(actual["exchanges"]):
        title = "Actual request" if i == 0 else f"Redirect hop {i}"
        _exchange(console, title, ex)
    if not actual["sent"] and actual.get("why_not"):
        console.print(Text(f"Actual request {actual['why_not']}", style="yellow"))
        console.print()

    probes = report.get("probes") or []
    if probes:
        console.print(Text("Probes (OPTIONS/GET/HEAD only, no cookies, each on its own "
                           "?corsprobe= URL):", style="bold"))
        for p in probes:
            resp = p.get("response") or {}
            headers = resp.get("headers", [])
            acao = next((v for k, v in headers if k.lower() == "access-control-allow-origin"), None)
            mark = Text("  ✓ " if p["accepted"] else "  · ", style="green" if p["accepted"] else "dim")
            mark.append(f"{p['origin']}  ({p['difference']})  → {resp.get('status', 'no answer')}")
            mark.append(f", Allow-Origin: {acao}" if acao else ", no Allow-Origin", style="dim")
            if p.get("purpose") == "cache":
                marks = [f"{k}: {v}" for k, v in headers if k.lower() in CACHE_HEADERS]
                if marks:
                    mark.append(f", {', '.join(marks)}", style="dim")
            console.print(mark)
        console.print()

    _verdict(console, report, browser)
    _cookies(console, report, browser)

    findings = report.get("findings") or []
    expected = report.get("expected_headers") or {}
    if expected:
        console.print(Text("Response headers the page needs:", style="bold"))
        for name, ok in expected.items():
            mark = Text("  ✓ " if ok else "  ✗ ", style="green" if ok else "red")
            mark.append(f"{name} " + ("is readable" if ok else "is NOT readable from JavaScript"))
            console.print(mark)
        console.print()
    layers = report.get("stack") or []
    if findings:
        console.print(Text(f"Findings ({len(findings)})", style="bold"))
        if layers:
            said = "; ".join(
                f"{layer['label']} ({'; '.join(layer['evidence'])})" for layer in layers)
            console.print(Text(f"  The {'stack' if len(layers) > 1 else 'server'} looks like "
                               f"{said}: {'their fixes come' if len(layers) > 1 else 'its fix comes'} "
                               "first.", style="dim"))
        known = [layer["name"] for layer in layers]
        for f in findings:
            head = Text("  ")
            head.append(f"{f['severity'].upper():7}", style=_SEVERITY_STYLE.get(f["severity"], ""))
            head.append(f" {f['rule']} {f['name']}", style="bold")
            console.print(head)
            console.print(Text(f"    {f['message']}"))
            fix = f.get("fix") or {}
            for key, label in _fix_order(fix, known):
                line = Text(f"    {label + ':':9}", style="green")
                line.append(f" {fix[key]}")
                console.print(line)
            hidden = [_FIX_LABELS[k] for k in _LAYER_KEYS if k in fix and k not in known]
            if hidden:
                console.print(Text(f"    (fixes for {', '.join(hidden)}: --format json, or "
                                   "--stack to name the layer in front)", style="dim"))
        console.print()
    return buf.getvalue()


_KIND_LABELS = {"xhr": "XMLHttpRequest", "eventsource": "EventSource", "img": "<img>",
                "font": "@font-face font", "script": "<script>",
                "module": "<script type=module>", "stylesheet": "<link rel=stylesheet>",
                "beacon": "navigator.sendBeacon()"}


def _kind_line(req: dict[str, Any]) -> str | None:
    """The kind of request, its mode and credentials mode; None for a plain cors fetch()."""
    kind, mode = req.get("kind", "fetch"), req.get("mode", "cors")
    if kind == "fetch" and mode == "cors":
        return None
    label = _KIND_LABELS.get(kind, "fetch()")
    co = req.get("crossorigin")
    attr = f" crossorigin={co}" if co and co != "none" else " without crossorigin" if co else ""
    return (f"kind: {label}{attr} · mode: {mode} · credentials mode: "
            f"{req.get('credentials_mode', 'same-origin')}")


def _cookies(console: Console, report: dict[str, Any], browser: str) -> None:
    """The Cookies section: each Set-Cookie by name and attributes (never its value)."""
    cookies = report.get("cookies") or []
    if not cookies:
        return
    console.print(Text(f"Cookies ({len(cookies)} set by the answer)", style="bold"))
    if report["browser"] == "chrome":
        setting = report.get("third_party_cookies", "allow")
        console.print(Text(f"  third-party cookies: {setting} (Chrome's default is allow; "
                           "incognito and headless test contexts block them: "
                           "--third-party-cookies block)", style="dim"))
    elif report["browser"] == "firefox":
        console.print(Text("  Firefox keeps cross-site cookies partitioned under the page's "
                           "site (Total Cookie Protection)", style="dim"))
    elif report["browser"] == "safari":
        console.print(Text("  Safari keeps no third-party cookies", style="dim"))
    for c in cookies:
        attrs = "; ".join(c.get("attributes") or []) or "no attributes"
        if c["stored"]:
            mark = Text("  ✓ ", style="green")
            mark.append(f"{c['name']}", style="bold")
            mark.append(f" ({attrs}): {browser} stores it"
                        + (", partitioned under the page's site" if c["partitioned"] else ""))
            mark.append("; the next credentialed request " + (
                "carries it" if c["sent_on_next"] else "does NOT carry it"))
        else:
            mark = Text("  ✗ ", style="red")
            mark.append(f"{c['name']}", style="bold")
            why = ", ".join(c["blocked_reasons"]) or "dropped without a reason"
            mark.append(f" ({attrs}): {browser} does NOT store it ({why})")
        console.print(mark)


def _mixed_content(console: Console, report: dict[str, Any]) -> None:
    console.print(Text(f"  blocked reason: {report.get('blocked_reason')} (not a CORS error)",
                       style="red"))
    for line in report.get("console_lines") or []:
        console.print(Text(f"  {line}"))
    console.print(Text(
        "  The server was never asked: the page is served over https and the request goes to "
        "http://, so the browser refuses it before anything leaves. No CORS header can fix "
        "this. Fix: serve the API over https (and call it with an https:// URL).", style="bold"))
    console.print()


def _verdict(console: Console, report: dict[str, Any], browser: str) -> None:
    allowed = report["allowed"]
    if report.get("error"):
        console.print(Text(f"✗ The request FAILS before CORS: {report['error']['message']}", style="bold red"))
        console.print(Text("  The page's fetch() rejects with a network error (no CORS error is reported).", style="dim"))
    elif allowed is True and report.get("response_type") == "opaque":
        console.print(Text(f"✓ {browser} would LOAD it, but it is unreadable: opaque (no-cors; "
                           "the response's CORS headers are not consulted)", style="bold yellow"))
        console.print(Text(f"  The page sees: {report.get('page_sees')}", style="dim"))
    elif allowed is True:
        console.print(Text(f"✓ {browser} would ALLOW this request", style="bold green"))
        if report["request"].get("kind", "fetch") not in ("fetch", "xhr"):
            console.print(Text(f"  The page sees: {report.get('page_sees')}", style="dim"))
        else:
            readable = ", ".join(report["readable_headers"]) or "(none)"
            console.print(Text(f"  JavaScript can read these response headers: {readable}", style="dim"))
        cache = report["preflight"].get("cache_seconds")
        if cache is not None:
            console.print(Text(f"  {browser} caches this preflight for {cache} s "
                               f"(default {report['preflight']['max_age_default']} s, cap "
                               f"{report['preflight']['max_age_cap']} s)", style="dim"))
    elif allowed is False:
        at = where(report["blocked_at"])
        console.print(Text(f"✗ {browser} would BLOCK this request {at}".rstrip(), style="bold red"))
        if report.get("blocked_at") == "mixed-content":
            _mixed_content(console, report)
            return
        if report.get("blocked_at") == "request-mode":
            console.print(Text(f"  {report.get('console_message')}"))
            console.print(Text(
                "  The server was never asked: fetch() with mode 'same-origin' refuses any other "
                "origin before sending (TypeError: Failed to fetch). No CORS header can fix "
                "this. Fix: use mode 'cors' (the default), and have the server allow the "
                "origin.", style="bold"))
            console.print()
            return
        error = report["browser_error"]
        reason = report.get("browser_reason")
        if reason and reason != error:
            error = f"{error} (Chromium's name) · {browser}: {reason}"
        console.print(Text(f"  {error}", style="red"))
        for line in report.get("console_lines") or [report["console_message"]]:
            console.print(Text(f"  {line}"))
        if report["request"].get("kind", "fetch") != "fetch":
            console.print(Text(f"  The page sees: {report.get('page_sees')}", style="dim"))
        if report.get("blocked_at") == "local-network-access":
            console.print(Text(
                "  The server was never asked: a page served from a public address needs the "
                "user's permission to reach a private or loopback address (Local Network Access), "
                "and without it the browser refuses the request before sending it. No CORS header "
                "can fix this (Access-Control-Allow-Private-Network no longer does anything). "
                "Fix: see CORS002 below.", style="bold"))
    else:
        console.print(Text("? The preflight passes; the verdict on the response is unknown "
                           "because the actual request was not sent.", style="bold yellow"))
    console.print()
