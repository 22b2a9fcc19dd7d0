"""The ``corsprobe har`` report: built once as a ``corsprobe/har/v1`` dict, then rendered
as JSON, plain text or Markdown (pure functions of that dict).

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

import json
from typing import Any

from .. import __version__
from ..fetch.urls import strip_credentials
from ..report import verdict as verdict_line
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
    creator = info.get("creator") if isinstance(info.get("creator"), dict) else {}
    browser = info.get("browser") if isinstance(info.get("browser"), dict) else {}
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


def render_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


MARK = {"allowed": "OK ", "blocked": "BLOCKED", "failed": "FAILED", "invalid": "INVALID"}


def _explain(q: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if q["verdict"] == "allowed":
        return [f"    {f['severity']} {f['rule']} {f['name']}: {f['message']}"
                for f in q["findings"]]
    if q["browser_error"]:
        lines.append(f"    reason: {q['browser_error']}")
    if q["console_message"]:
        lines.append(f"    console: {q['console_message']}")
    if not q["complete"] and q["source"] != "replay":
        lines.append(f"    not in the HAR: {q['missing']}")
        if q["preflight_required"]:
            lines.append("    a preflight was required (" + "; ".join(q["preflight_reasons"])
                         + "): the browser refused the preflight or the response after it")
        elif q["preflight_required"] is False:
            lines.append("    no preflight was needed: the browser refused the response itself")
    for f in q["findings"]:
        lines.append(f"    {f['severity']} {f['rule']} {f['name']}: {f['message']}")
    if q["fix"]:
        lines.append(f"    fix: {q['fix']}")
    replay = q.get("replay")
    if replay is not None and "schema" in replay:
        lines.append(f"    live replay: {verdict_line(replay)}")
        if q["cause"] == "not reproduced":
            lines.append("    the browser blocked it but the live server allows it now: the server "
                         "changed since, or the page used credentials: 'include' (a HAR does not "
                         "record it; try --credentials)")
        elif replay.get("allowed") is None and replay.get("actual", {}).get("why_not"):
            lines.append(f"    live replay: the actual request was {replay['actual']['why_not']}")
    elif replay is not None:
        lines.append(f"    live replay not possible: {replay['error']['message']}")
    return lines


def render_text(doc: dict[str, Any]) -> str:
    s = doc["summary"]
    out = [f"corsprobe har  {doc['file']}"]
    who = ", ".join(x for x in (doc["recorded_by"]["browser"], doc["recorded_by"]["creator"]) if x)
    out.append(f"  {s['entries']} entries" + (f", recorded by {who}" if who else "")
               + f"; {s['cross_origin']} cross-origin request(s), {s['shown']} shown")
    out.append("")
    for q in doc["requests"]:
        via = f" (via {len(q['hops']) - 1} redirect(s))" if len(q["hops"]) > 1 else ""
        tag = MARK.get(q["verdict"], q["verdict"].upper())
        out.append(f"[{q['number']}] {tag} {q['method']} {q['url']}{via}")
        out.append(f"    from {q['origin']} · recorded: {q['recorded']['outcome']}"
                   + (f" ({q['recorded']['failure']})" if q["recorded"]["failure"] else "")
                   + (" · diagnosed from the live replay" if q["source"] == "replay" else ""))
        if q["agrees_with_browser"] is False:
            out.append(f"    note: corsprobe says {q['verdict']} but the browser's recording "
                       f"says {q['recorded']['outcome']}")
        out.extend(_explain(q))
        out.append("")
    out.append(f"Summary: {s['shown']} request(s): {s['allowed']} allowed, {s['blocked']} "
               f"blocked, {s['failed']} failed")
    for c in s["by_cause"]:
        out.append(f"  {c['count']:3} × {c['cause']}  (#{', #'.join(map(str, c['requests']))})")
    for why, n in s["skipped"].items():
        out.append(f"  skipped {n}: {why}")
    if doc["replay_hint"]:
        out.append("")
        out.append(f"hint: {doc['replay_hint']}")
    return "\n".join(out) + "\n"


def _cell(text: object) -> str:
    from ..report.markdown import cell

    return cell(text)


def render_markdown(doc: dict[str, Any]) -> str:
    s = doc["summary"]
    out = [f"## corsprobe har: {s['blocked']} blocked, {s['failed']} failed, "
           f"{s['allowed']} allowed", "",
           f"`{_cell(doc['file'])}`: {s['entries']} entries, {s['cross_origin']} cross-origin "
           "request(s).", ""]
    if s["by_cause"]:
        out += ["| cause | requests |", "|---|---|"]
        out += [f"| {_cell(c['cause'])} | {', '.join('#' + str(n) for n in c['requests'])} |"
                for c in s["by_cause"]]
        out.append("")
    out += ["| # | verdict | request | origin | reason |", "|---|---|---|---|---|"]
    for q in doc["requests"]:
        reason = q["browser_error"] or (q["cause"] if q["verdict"] != "allowed" else "")
        out.append(f"| {q['number']} | {q['verdict']} | {_cell(q['method'] + ' ' + q['url'])} "
                   f"| {_cell(q['origin'])} | {_cell(reason)} |")
    out.append("")
    for q in doc["requests"]:
        if q["verdict"] == "allowed" and not q["findings"]:
            continue
        out.append(f"### #{q['number']} {_cell(q['method'] + ' ' + q['url'])}")
        out.append("")
        out += [f"- {_cell(line.strip())}" for line in _explain(q)]
        out.append("")
    if doc["replay_hint"]:
        out += [f"> {doc['replay_hint']}", ""]
    return "\n".join(out)
