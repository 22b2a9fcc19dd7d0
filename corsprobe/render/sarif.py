"""SARIF 2.1.0 for ``corsprobe run`` (GitHub code scanning and other SARIF viewers).

``tool.driver.rules`` is the rule catalogue (id, name, title, the rule's documentation as
help text, its severity as the default level), plus two rules of the run itself:
``expectation`` (a check's expectation failed) and ``unreachable`` (no verdict: the target
could not be reached). Every finding of every check is one result, as is every failed
expectation and unreachable target. A result's location is the check's table in the config
file (so code scanning annotates the line that declares the check), and the URL it concerns
is its logical location. Results are written as they arrive.

``corsprobe scan`` streams the same result dicts (one per scanned URL), so it shares this
writer: its findings are rules of the catalogue (CORS810-CORS827), and a result also carries
the finding's ``risk`` (critical ... info, beyond SARIF's levels) and the proving origin in
its properties.
"""

from __future__ import annotations

import json
from typing import IO, Any

from ..version import __version__

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
RUN_RULES = (
    ("expectation", "expectation-failed", "error",
     "A check's expectation (allowed, blocked, expect_error, readable, max_severity) failed",
     "What it detects:\n    A check in the corsprobe config expected one thing and the browser "
     "would do another: the request is blocked although it must be allowed (or the reverse), "
     "the browser reports another CORS error than expect_error, a response header the page "
     "must read is not exposed, or a finding is more severe than max_severity.\n\n"
     "Fix:\n    Read the result's message and the findings reported for the same check; each "
     "finding carries its fix."),
    ("unreachable", "target-unreachable", "error",
     "The target could not be reached (DNS, connect, TLS, timeout, not HTTP)",
     "What it detects:\n    corsprobe could not get an HTTP answer from the check's URL, so "
     "there is no CORS verdict.\n\nFix:\n    Check the URL, the network path from the CI "
     "runner, TLS settings (cacert, insecure) and the timeout."),
)


def _rule(id: str, name: str, severity: str, title: str, doc: str,
          family: str | None = None) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": id,
        "name": name,
        "shortDescription": {"text": title},
        "fullDescription": {"text": title},
        "help": {"text": doc or title},
        "defaultConfiguration": {"level": LEVELS.get(severity, "warning")},
    }
    if family:
        rule["properties"] = {"tags": ["cors", family]}
    return rule


def rules_table() -> list[dict[str, Any]]:
    from ..rules import all_rules

    table = [_rule(r.id, r.name, r.severity, r.title, r.doc, r.family) for r in all_rules()]
    table.extend(_rule(*r) for r in RUN_RULES)
    return table


class SarifReporter:
    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.first = True
        self.rules = rules_table()
        self.index = {r["id"]: i for i, r in enumerate(self.rules)}
        self.config = ""

    def start(self, run: dict[str, Any]) -> None:
        self.config = str(run.get("config", "")).replace("\\", "/")
        driver = {
            "name": "corsprobe",
            "version": __version__,
            "semanticVersion": __version__,
            "rules": self.rules,
        }
        head = {"$schema": SCHEMA_URI, "version": "2.1.0",
                "runs": [{"tool": {"driver": driver}, "results": []}]}
        text = json.dumps(head, ensure_ascii=False)
        # everything up to the empty results array; results are streamed into it
        cut = text.rindex('"results": []') + len('"results": [')
        self.out.write(text[:cut] + "\n")
        self.tail = text[cut:]  # ']}]}'

    def _emit(self, result: dict[str, Any], rule: str, level: str, message: str,
              extra: dict[str, Any] | None = None) -> None:
        location: dict[str, Any] = {
            "logicalLocations": [{"name": result["url"], "kind": "resource"}],
        }
        if self.config:
            physical: dict[str, Any] = {"artifactLocation": {"uri": self.config}}
            if result.get("line"):
                physical["region"] = {"startLine": result["line"]}
            location["physicalLocation"] = physical
        item = {
            "ruleId": rule,
            "ruleIndex": self.index[rule],
            "level": level,
            "message": {"text": f"{result['name']}: {message}"},
            "locations": [location],
            "properties": {"check": result["name"], "method": result["method"],
                           "url": result["url"], "origin": result["origin"],
                           "status": result["status"], **(extra or {})},
        }
        self.out.write(("" if self.first else ",\n") + json.dumps(item, ensure_ascii=False))
        self.first = False

    def result(self, result: dict[str, Any]) -> None:
        for f in result["failures"]:
            rule = "unreachable" if f["expectation"] == "reachable" else "expectation"
            self._emit(result, rule, "error", f["message"])
        for f in result["report"].get("findings") or []:
            rule = f["rule"] if f["rule"] in self.index else "expectation"
            fix = (f.get("fix") or {}).get("generic")
            text = f["message"] + (f" Fix: {fix}" if fix else "")
            evidence = f.get("evidence") or {}
            accepted = [a["origin"] for a in evidence.get("accepted") or []]
            extra = {k: v for k, v in (("risk", f.get("risk")),
                                       ("provingOrigin", evidence.get("proving_origin")),
                                       ("acceptedOrigins", accepted)) if v}
            self._emit(result, rule, LEVELS.get(f["severity"], "warning"), text, extra)

    def finish(self, summary: dict[str, Any]) -> None:
        invocation = {"executionSuccessful": True, "exitCode": summary["exit_code"]}
        # close results, then add the invocation to the run before closing it
        tail = self.tail
        assert tail.startswith("]")
        self.out.write("\n], \"invocations\": " + json.dumps([invocation]) + tail[1:] + "\n")
        self.out.flush()


def reporter(out: IO[str], color: bool | None = None) -> SarifReporter:
    return SarifReporter(out)
