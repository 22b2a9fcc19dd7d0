"""Serialises a :class:`~corsprobe.report.model.Report` to ``corsprobe/report/v1`` (PRODUCT.md).

The one place the report/v1 dict is made. Secrets are redacted here, through
:mod:`corsprobe.redact`: Authorization, Cookie and Proxy-Authorization values (and any header
the caller marks secret) wherever they appear, and user:password in URLs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..fetch import kinds
from ..fetch.browsers import limits, preflight_cache_seconds
from ..fetch.cookies import judge_trace
from ..fetch.messages import console_message, request_mode_console
from ..fetch.site import relation
from ..fetch.urls import strip_credentials
from ..frameworks import LABELS
from ..frameworks import detect as detect_framework
from ..model import Exchange, NetError, Trace, joined
from ..redact import (
    SECRET_HEADERS,
    Scrubber,
    header_secrets,
    header_value,
    shown_headers,
    strip_userinfo,
)
from ..stack import KNOWN
from ..stack import detect as detect_layers
from ..version import __version__

if TYPE_CHECKING:
    from .model import Report

SCHEMA = "corsprobe/report/v1"


def _exchange(ex: Exchange, secret: frozenset[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "request": {
            "method": ex.request.method,
            "url": strip_credentials(ex.request.url),
            "headers": shown_headers(ex.request.headers, secret),
        },
        "response": None,
        "elapsed_ms": ex.elapsed_ms,
    }
    if ex.response is not None:
        r = ex.response
        out["response"] = {
            "status": r.status,
            "reason": r.reason,
            "http_version": r.http_version,
            "headers": shown_headers(r.headers, secret),
            "body_excerpt": r.body[:512].decode("utf-8", "replace"),
            "body_truncated": r.body_truncated or len(r.body) > 512,
        }
    if ex.error is not None:
        out["error"] = {"kind": ex.error.kind, "message": ex.error.message}
    return out


def build(report: Report) -> dict[str, Any]:
    """The report/v1 dict of ``report``."""
    trace, findings = report.trace, report.findings
    spec = trace.spec
    secret = SECRET_HEADERS | {h.lower() for h in spec.secret_headers}
    failure = trace.failure
    message = None
    kind = kinds.of(spec)
    if failure is not None:
        message = console_message(
            failure,
            strip_credentials(trace.final_url or spec.url),
            strip_credentials(_first_url(trace)),
            trace.origin_sent,  # Chromium names the initiator even after a tainting redirect
            kind.console_word,
        )
    elif trace.blocked_at == "request-mode":
        message = request_mode_console(strip_credentials(spec.url), trace.origin_sent)
    browser = limits(spec.browser)
    reason_code = failure.error if failure else None
    lines = [message] if message else []
    if browser.engine == "gecko":
        from ..fetch import console_firefox

        found = console_firefox.console(trace)
        reason_code, message = found if found else (None, None)
        if trace.blocked_at == "request-mode":
            reason_code = None
            message = console_firefox.request_mode_line(trace.origin_sent + "/",
                                                        strip_credentials(spec.url))
        lines = [message] if message else []
        extra = console_firefox.kind_line(spec.kind, strip_credentials(trace.final_url or spec.url))
        if found and extra:
            lines.append(extra)
    elif browser.engine == "webkit":
        from ..fetch import console_webkit

        lines = console_webkit.console(trace)
        reason_code, message = None, lines[0] if lines else None
    if trace.blocked_at == "local-network-access" and browser.engine == "gecko":
        from ..fetch import console_firefox

        # Firefox: the permission prompt nobody answered, then the request fails
        reason_code = "CORSDidNotSucceed"
        message = console_firefox.line(reason_code, strip_credentials(trace.final_url or spec.url))
        lines = [message]
    if trace.blocked_at == "mixed-content":
        from ..fetch.gates import mixed_content_console

        url = strip_credentials(trace.final_url or spec.url)
        first = strip_credentials(_first_url(trace))
        lines = mixed_content_console(browser.engine, trace.origin_sent + "/", url,
                                      first if first != url else None)
        reason_code, message = None, lines[0] if lines else None
    lines = [strip_userinfo(text) for text in lines]
    message = strip_userinfo(message) if message else None
    framework = detect_framework(trace)
    if framework is None and report.framework is not None:  # no Server header in-process
        framework = (report.framework.name, list(report.framework.evidence))
    out: dict[str, Any] = {
        "schema": SCHEMA,
        "tool": {"name": "corsprobe", "version": __version__},
        "target": strip_credentials(spec.url),
        "origin": trace.origin_sent,
        "browser": browser.name,
        "site": _site(spec.origin, spec.url),
        "request": {
            "method": spec.method,
            "headers": {k: header_value(k, v, secret) for k, v in spec.headers},
            "credentials": spec.credentials,
            "kind": spec.kind,
            "mode": trace.request_mode,
            "credentials_mode": kind.credentials_mode,
            **({"crossorigin": spec.crossorigin or "none"}
               if spec.kind in (*kinds.ELEMENT_KINDS, "module") else {}),
        },
        "preflight": {
            "required": trace.preflight_required,
            "reasons": list(trace.preflight_reasons),
            "exchanges": [_exchange(e, secret) for e in trace.preflights],
            "cache_seconds": _cache_seconds(trace, browser),
            "max_age_default": browser.max_age_default,
            "max_age_cap": browser.max_age_cap,
        },
        "actual": {
            "sent": trace.actual_sent,
            "why_not": trace.why_not_sent,
            "exchanges": [_exchange(e, secret) for e in trace.actuals],
        },
        "allowed": trace.allowed,
        "blocked_at": trace.blocked_at,
        "browser_error": failure.error if failure else None,
        "blocked_reason": trace.blocked_reason,
        "console_message": message,
        "browser_reason": reason_code,
        "console_lines": lines,
        "readable_headers": list(trace.readable_headers),
        # the Fetch response type the page gets: "opaque" for a no-cors request to another
        # origin (allowed, but unreadable), "cors" across origins, "basic" same-origin
        "response_type": trace.response_type,
        "page_sees": kind.page_sees(trace.allowed, trace.opaque),
        "cookies": _cookies(trace, browser),
        "third_party_cookies": spec.third_party_cookies,
        "expected_headers": {
            name: name.lower() in trace.readable_headers for name in spec.expect_headers
        },
        "findings": [
            {
                "rule": f.rule,
                "name": f.name,
                "severity": f.severity,
                "message": f.message,
                "evidence": f.evidence,
                "fix": f.fix,
                **({"risk": f.risk} if f.risk else {}),
            }
            for f in findings
        ],
        "framework": (
            {"name": framework[0], "label": LABELS[framework[0]], "evidence": framework[1]}
            if framework else None
        ),
        "stack": _stack(trace, framework),
        "probes": [
            {"origin": p.origin, "purpose": p.purpose, "difference": p.difference,
             "accepted": p.accepted,
             **_exchange(p.exchange, secret)}
            for p in trace.probes
        ],
        "notes": [*trace.notes, *report.notes],
    }
    if trace.net_error is not None:
        out["error"] = _error(trace.net_error)
    values = header_secrets((*spec.headers, *spec.cookies), secret)
    return Scrubber(values)(out) if values else out


def _stack(trace: Trace, framework: tuple[str, list[str]] | None) -> list[dict[str, Any]]:
    """The layers the wire names (or --stack declares), front to back."""
    layers = [{"name": layer.name, "label": layer.label, "role": layer.role,
               "evidence": list(layer.evidence), "declared": layer.declared}
              for layer in detect_layers(trace)]
    if framework and not any(layer["role"] == "app" for layer in layers):
        layers.append({"name": framework[0], "label": KNOWN[framework[0]][0], "role": "app",
                       "evidence": list(framework[1]), "declared": False})
    return layers


def _cache_seconds(trace: Trace, browser: Any) -> int | None:
    """Seconds this browser caches the (last, passed) preflight; None without one."""
    if not trace.preflights or trace.blocked_at == "preflight":
        return None
    resp = trace.preflights[-1].response
    if resp is None:
        return None
    return preflight_cache_seconds(browser, joined(resp.headers, "access-control-max-age"))


def _cookies(trace: Trace, browser: Any) -> list[dict[str, Any]]:
    """Each Set-Cookie of the actual request's hops as the browser takes it: names and
    attributes only, never a value."""
    return [
        {"name": v.name, "stored": v.stored, "blocked_reasons": list(v.blocked_reasons),
         "partitioned": v.partitioned, "sent_on_next": v.sent_on_next,
         "url": strip_credentials(v.url), "attributes": list(v.attributes),
         "cross_site": v.cross_site}
        for v in judge_trace(trace, browser, trace.spec.third_party_cookies)
    ]


def _site(origin: str, url: str) -> dict[str, Any]:
    rel = relation(origin, url)
    return {"page": rel.page, "target": strip_credentials(rel.target),
            "same_site": rel.same_site, "same_origin": rel.same_origin}


def _first_url(trace: Trace) -> str:
    for ex in (*trace.preflights, *trace.actuals):
        return ex.request.url
    return trace.spec.url


def _error(err: NetError) -> dict[str, str]:
    return {"kind": err.kind, "message": err.message}

