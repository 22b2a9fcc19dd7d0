"""Record what the real Chromium does for every scenario.

    cd /work/main && python -m tests.browser.record tests/browser/chromium-observed.json [NAME ...]

Starts the scenario server and Chromium, runs every scenario (or only the
named ones), and writes Chromium's observations to OUT.json.  Port numbers
and nonces are replaced by ``PORT`` / ``NONCE`` so the file is stable.  This is
a reference for humans; the differential test always runs live Chromium.
"""

from __future__ import annotations

import json
import sys
import time

from .chromium import Chromium, observe
from .scenario_server import ScenarioServer
from .scenarios import SCENARIOS, make_handlers


def _scrub(obj, port: int, port2: int, nonce: str):
    if isinstance(obj, str):
        return obj.replace(nonce, "NONCE").replace(str(port2), "PORT2").replace(str(port), "PORT")
    if isinstance(obj, list):
        return [_scrub(x, port, port2, nonce) for x in obj]
    if isinstance(obj, dict):
        return {k: _scrub(v, port, port2, nonce) for k, v in obj.items()}
    return obj


def main(argv: list[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    out_path, names = argv[0], set(argv[1:])
    todo = [sc for sc in SCENARIOS if not names or sc.name in names]
    unknown = names - {sc.name for sc in SCENARIOS}
    if unknown:
        print(f"unknown scenarios: {sorted(unknown)}", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    with ScenarioServer(extra_ports=(80,)) as server:
        server.handlers.update(make_handlers(SCENARIOS, server))
        with Chromium() as chromium:
            results = {}
            for sc in todo:
                obs = observe(chromium, server, sc)
                nonce = obs.pop("nonce")
                obs.pop("elapsed")
                obs.pop("trace")  # the same as "requests", condensed
                obs.pop("cdp_requests")  # CDP event order is racy; the server log is not
                for issue in obs["issues"]:  # frame ids change on every run
                    issue.get("details", {}).get("deprecationIssueDetails", {}).pop(
                        "affectedFrame", None
                    )
                obs["requests"] = [
                    {
                        "method": q["method"],
                        "host": q["host"],
                        "target": q["target"],
                        "headers": [f"{k}: {v}" for k, v in q["headers"]],
                    }
                    for q in obs["requests"]
                ]
                results[sc.name] = {
                    "group": sc.group,
                    "note": sc.note,
                    "request": {
                        "method": sc.method,
                        "headers": [list(x) for x in sc.headers],
                        "credentials": sc.credentials,
                        "body": sc.body,
                    },
                    **_scrub(obs, server.port, server.closed_port, nonce),
                }
                verdict = "allowed" if obs["allowed"] else (obs["cors_error"] or obs["net_error"])
                print(f"{sc.name:45} {verdict}", file=sys.stderr)
            doc = {
                "chromium": chromium.version,
                "note": "Recorded by tests/browser/record.py; PORT = the scenario server's port, "
                "PORT2 = a closed port, NONCE = the run's nonce.",
                "server_errors": server.errors,
                "scenarios": results,
            }
    with open(out_path, "w") as fh:
        json.dump(doc, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    print(
        f"{len(results)} scenarios in {time.monotonic() - t0:.1f}s -> {out_path}", file=sys.stderr
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
