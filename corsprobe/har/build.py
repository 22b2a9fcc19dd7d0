"""The ``corsprobe har`` report, built once as a ``corsprobe/har/v1`` dict; JSON, text and
Markdown are rendered from that dict by :mod:`corsprobe.render` (``har`` documents).

The JSON document::

    schema        "corsprobe/har/v1"
    tool, file, recorded_by {"creator", "browser"}
    summary       {"entries", "cross_origin", "shown", "allowed", "blocked", "failed",
                   "incomplete": [n, ...], "disagreements": [n, ...],
                   "by_cause": [{"cause", "count", "requests": [n, ...]}, ...],
                   "skipped": {why: count}}
    replay_hint   str | null: which requests --replay would explain
    requests      [{"number", "entry", "started", "method", "url", "origin", "origin_from",
                    "credentials", "hops": [url, ...],
                    "recorded": {"outcome", "failure", "statuses", "preflights"},
                    "preflight_required", "preflight_reasons",
                    "verdict": allowed|blocked|failed|invalid, "cause", "source":
                    recording|replay, "complete", "missing", "agrees_with_browser",
                    "browser_error", "console_message", "blocked_at", "fix",
                    "findings": [{"rule", "name", "severity", "message"}, ...],
                    "report": report/v1, "replay": report/v1 | null}, ...]

Each request carries the report/v1 dict of its recorded exchange (``report``, secrets
redacted by :mod:`corsprobe.report.build`) and, after ``--replay``, that of the live
replay (``replay``). ``verdict`` and ``cause`` come from the replay when there is one and
the recording could not say; ``cause`` is ``"not recorded"`` while the reason is unknown,
and ``"not reproduced"`` when the browser blocked what the live server now allows.
"""

from __future__ import annotations

from typing import Any

from ..fetch.urls import strip_credentials
from ..version import __version__
from .diagnose import Diagnosis

SCHEMA = "corsprobe/har/v1"
NOT_RECORDED = "not recorded"


def _best(d: Diagnosis) -> dict[str, Any] | None:
    """The report that explains the request: the replay's when the HAR lacked the answer."""
    if d.replay is not None and not d.complete and "schema" in d.replay:
        return d.replay
    return d.report


def _request(d: Diagnosis) -> dict[str, Any]:
    r = d.request
    best = _best(d)
    verdict, cause = d.verdict, d.cause
    source = "recording"
    if best is not None and best is d.replay:
        source = "replay"
        if best.get("error"):
            verdict, cause = "failed", best["error"]["kind"]
        elif best.get("allowed") is True and r.browser_outcome() == "blocked":
            cause = "not reproduced"  # the recording is the fact; the live server allows it now
        elif best.get("allowed") is True:
            verdict, cause = "allowed", "allowed"
        elif best.get("allowed") is False:
            verdict, cause = "blocked", best.get("browser_error") or cause
    findings = (best or {}).get("findings") or []
    first_fix = next(((f.get("fix") or {}).get("generic") for f in findings
                      if f["severity"] == "error" and (f.get("fix") or {}).get("generic")), None)
    trace = d.trace
    return {
        "number": r.number,
        "entry": r.first.index,
        "started": r.first.started,
        "method": r.first.method,
        "url": strip_credentials(r.first.url),
        "origin": r.origin,
        "origin_from": r.origin_from,
        "credentials": r.credentials,
        "hops": [strip_credentials(h.url) for h in r.hops],
        "recorded": {
            "outcome": r.browser_outcome(),
            "failure": r.failure_text(),
            "statuses": [h.status for h in r.hops],
            "preflights": sum(1 for p in r.preflights if p is not None),
        },
        "preflight_required": trace.preflight_required if trace else None,
        "preflight_reasons": list(trace.preflight_reasons) if trace else [],
        "verdict": verdict,
        "cause": cause,
        "source": source,
        "complete": d.complete,
        "missing": d.missing,
        "agrees_with_browser": d.agrees,
        "browser_error": (best or {}).get("browser_error"),
        "console_message": (best or {}).get("console_message"),
        "blocked_at": (best or {}).get("blocked_at"),
        "fix": first_fix,
        "findings": [{"rule": f["rule"], "name": f["name"], "severity": f["severity"],
                      "message": f["message"]} for f in findings],
        "report": d.report,
        "replay": d.replay,
    }


def build(file: str, info: dict[str, Any], entries: int, skipped: dict[str, int],
          diagnoses: list[Diagnosis], total_cross_origin: int, replay_offered: bool) -> dict:
    requests = [_request(d) for d in diagnoses]
    causes: dict[str, list[int]] = {}
    for q in requests:
        if q["verdict"] != "allowed":
            causes.setdefault(q["cause"], []).append(q["number"])
    creator = info.get("creator")
    creator = creator if isinstance(creator, dict) else {}
    browser = info.get("browser")
    browser = browser if isinstance(browser, dict) else {}
    incomplete = [q["number"] for q in requests if not q["complete"] and q["source"] != "replay"]
    return {
        "schema": SCHEMA,
        "tool": {"name": "corsprobe", "version": __version__},
        "file": file,
        "recorded_by": {"creator": " ".join(str(creator.get(k, "")) for k in ("name", "version")).strip() or None,
                        "browser": " ".join(str(browser.get(k, "")) for k in ("name", "version")).strip() or None},
        "summary": {
            "entries": entries,
            "cross_origin": total_cross_origin,
            "shown": len(requests),
            "allowed": sum(q["verdict"] == "allowed" for q in requests),
            "blocked": sum(q["verdict"] == "blocked" for q in requests),
            "failed": sum(q["verdict"] in ("failed", "invalid") for q in requests),
            "incomplete": incomplete,
            "disagreements": [q["number"] for q in requests if q["agrees_with_browser"] is False],
            "by_cause": [{"cause": c, "count": len(n), "requests": n}
                         for c, n in sorted(causes.items(), key=lambda kv: (-len(kv[1]), kv[0]))],
            "skipped": skipped,
        },
        "replay_hint": (
            "the HAR lacks what the diagnosis needs for request(s) "
            f"{', '.join(map(str, incomplete))}: run again with --replay to re-send them live "
            "(GET/HEAD only; --send-actual for other methods)"
        ) if incomplete and replay_offered else None,
        "requests": requests,
    }
