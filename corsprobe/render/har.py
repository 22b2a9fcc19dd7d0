"""``corsprobe har`` as plain text or Markdown: pure functions of the ``corsprobe/har/v1``
dict that :mod:`corsprobe.har.build` makes (its JSON is :func:`corsprobe.render.json.document`).
"""

from __future__ import annotations

from typing import Any

from ..report.words import verdict as verdict_line
from .markdown import cell

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


def render_text(doc: dict[str, Any], color: bool = False) -> str:
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


def render_markdown(doc: dict[str, Any], color: bool = False) -> str:
    s = doc["summary"]
    out = [f"## corsprobe har: {s['blocked']} blocked, {s['failed']} failed, "
           f"{s['allowed']} allowed", "",
           f"`{cell(doc['file'])}`: {s['entries']} entries, {s['cross_origin']} cross-origin "
           "request(s).", ""]
    if s["by_cause"]:
        out += ["| cause | requests |", "|---|---|"]
        out += [f"| {cell(c['cause'])} | {', '.join('#' + str(n) for n in c['requests'])} |"
                for c in s["by_cause"]]
        out.append("")
    out += ["| # | verdict | request | origin | reason |", "|---|---|---|---|---|"]
    for q in doc["requests"]:
        reason = q["browser_error"] or (q["cause"] if q["verdict"] != "allowed" else "")
        out.append(f"| {q['number']} | {q['verdict']} | {cell(q['method'] + ' ' + q['url'])} "
                   f"| {cell(q['origin'])} | {cell(reason)} |")
    out.append("")
    for q in doc["requests"]:
        if q["verdict"] == "allowed" and not q["findings"]:
            continue
        out.append(f"### #{q['number']} {cell(q['method'] + ' ' + q['url'])}")
        out.append("")
        out += [f"- {cell(line.strip())}" for line in _explain(q)]
        out.append("")
    if doc["replay_hint"]:
        out += [f"> {doc['replay_hint']}", ""]
    return "\n".join(out)
