"""Builds the ``corsprobe/report/v1`` object (PRODUCT.md) from a trace and its findings.

Secrets are redacted here, once: Authorization, Cookie and Proxy-Authorization values (and
any header the caller marks secret) wherever they appear, and user:password in URLs.
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..fetch.browsers import limits
from ..fetch.messages import console_message
from ..fetch.urls import strip_credentials
from ..model import Exchange, Finding, HeaderList, NetError, Trace

SCHEMA = "corsprobe/report/v1"
SECRET_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
REDACTED = "REDACTED"
_MIN_SECRET = 6


def _redact_value(name: str, value: str, secret_names: frozenset[str]) -> str:
    if name.lower() not in secret_names:
        return value
    scheme, sep, _ = value.partition(" ")
    if sep and scheme.isalpha() and name.lower() != "cookie":
        return f"{scheme} {REDACTED}"
    return REDACTED


def _headers(headers: HeaderList, secret: frozenset[str]) -> list[list[str]]:
    return [[k, _redact_value(k, v, secret)] for k, v in headers]


def _exchange(ex: Exchange, secret: frozenset[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "request": {
            "method": ex.request.method,
            "url": strip_credentials(ex.request.url),
            "headers": _headers(ex.request.headers, secret),
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
            "headers": _headers(r.headers, secret),
            "body_excerpt": r.body[:512].decode("utf-8", "replace"),
            "body_truncated": r.body_truncated or len(r.body) > 512,
        }
    if ex.error is not None:
        out["error"] = {"kind": ex.error.kind, "message": ex.error.message}
    return out


def _scrub(obj: Any, secrets: list[str]) -> Any:
    if isinstance(obj, str):
        for s in secrets:
            obj = obj.replace(s, REDACTED)
        return obj
    if isinstance(obj, list):
        return [_scrub(o, secrets) for o in obj]
    if isinstance(obj, dict):
        return {k: _scrub(v, secrets) for k, v in obj.items()}
    return obj


def secret_values(trace: Trace, secret: frozenset[str]) -> list[str]:
    values: list[str] = []
    for name, value in (*trace.spec.headers, *trace.spec.cookies):
        if name.lower() not in secret:
            continue
        values.append(value)
        scheme, sep, rest = value.partition(" ")
        if sep and scheme.isalpha() and name.lower() != "cookie":
            value = rest  # "Bearer xyz": the credential, not the scheme's name
        values.extend(part for part in value.split(" ") if part)
        if name.lower() == "cookie":  # each cookie's value alone, as a server may echo it
            values.extend(pair.partition("=")[2].strip() for pair in value.split(";"))
    return sorted({v for v in values if len(v) >= _MIN_SECRET}, key=len, reverse=True)


def build(
    trace: Trace,
    findings: list[Finding],
    secret_headers: frozenset[str] = SECRET_HEADERS,
    extra_notes: tuple[str, ...] = (),
) -> dict[str, Any]:
    spec = trace.spec
    secret = SECRET_HEADERS | {h.lower() for h in (*secret_headers, *spec.secret_headers)}
    failure = trace.failure
    message = None
    if failure is not None:
        message = console_message(
            failure,
            strip_credentials(trace.final_url or spec.url),
            strip_credentials(_first_url(trace)),
            trace.origin_sent,  # Chromium names the initiator even after a tainting redirect
        )
    browser = limits(spec.browser)
    reason_code = failure.error if failure else None
    lines = [message] if message else []
    if browser.engine == "gecko":
        from ..fetch import console_firefox

        found = console_firefox.console(trace)
        reason_code, message = found if found else (None, None)
        lines = [message] if message else []
    elif browser.engine == "webkit":
        from ..fetch import console_webkit

        lines = console_webkit.console(trace)
        reason_code, message = None, lines[0] if lines else None
    lines = [strip_credentials_in(text) for text in lines]
    message = strip_credentials_in(message) if message else None
    from ..frameworks import LABELS, detect

    framework = detect(trace)
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "tool": {"name": "corsprobe", "version": __version__},
        "target": strip_credentials(spec.url),
        "origin": trace.origin_sent,
        "browser": browser.name,
        "request": {
            "method": spec.method,
            "headers": {k: _redact_value(k, v, secret) for k, v in spec.headers},
            "credentials": spec.credentials,
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
        "console_message": message,
        "browser_reason": reason_code,
        "console_lines": lines,
        "readable_headers": list(trace.readable_headers),
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
        "probes": [
            {"origin": p.origin, "purpose": p.purpose, "difference": p.difference,
             "accepted": p.accepted,
             **_exchange(p.exchange, secret)}
            for p in trace.probes
        ],
        "notes": [*trace.notes, *extra_notes],
    }
    if trace.net_error is not None:
        report["error"] = _error(trace.net_error)
    values = secret_values(trace, secret)
    return _scrub(report, values) if values else report


def strip_credentials_in(text: str) -> str:
    """Any http(s) URL with user:password in a console text, with them replaced."""
    import re

    return re.sub(r"(https?://)[^/@\s]+@", rf"\1{REDACTED}@", text)


def _cache_seconds(trace: Trace, browser: Any) -> int | None:
    """Seconds this browser caches the (last, passed) preflight; None without one."""
    from ..fetch.browsers import preflight_cache_seconds
    from ..model import joined

    if not trace.preflights or trace.blocked_at == "preflight":
        return None
    resp = trace.preflights[-1].response
    if resp is None:
        return None
    return preflight_cache_seconds(browser, joined(resp.headers, "access-control-max-age"))


def _first_url(trace: Trace) -> str:
    for ex in (*trace.preflights, *trace.actuals):
        return ex.request.url
    return trace.spec.url


def _error(err: NetError) -> dict[str, str]:
    return {"kind": err.kind, "message": err.message}

