"""Record what a real engine does for every scenario.

    python -m tests.browser.record [--engine chromium|firefox|webkit] OUT.json [NAME ...]

Starts the scenario server and the engine, runs every scenario (or only the named ones),
and writes the engine's observations to OUT.json.  Port numbers and nonces are replaced by
``PORT`` / ``PORT2`` / ``NONCE`` so the file is stable.  For WebKit the console lines come
from a second, plain MiniBrowser pass (see :mod:`webkit`).  This is a reference for humans;
the differential tests always run the live engines.
"""

from __future__ import annotations

import json
import sys
import time

from .scenario_server import ScenarioServer
from .scenarios import SCENARIOS, make_handlers

ENGINES = ("chromium", "firefox", "webkit")


def _ports(port: int, port2: int) -> list[tuple[str, str]]:
    """(number, name) of every port a recording names: the server's, the closed one, and the
    https / public / private listeners (scenarios.TLS), longest names first."""
    from .scenarios import TLS

    named = [(TLS.get(k), f"PORT_{k.upper()}") for k in ("port", "public", "public_tls",
                                                          "private")]
    named = [(str(n), name.replace("PORT_PORT", "PORT_TLS")) for n, name in named if n]
    return [*named, (str(port2), "PORT2"), (str(port), "PORT")]


def _scrub(obj, port: int, port2: int, nonce: str):
    if isinstance(obj, str):
        obj = obj.replace(nonce, "NONCE")
        for number, name in _ports(port, port2):
            obj = obj.replace(number, name)
        return obj
    if isinstance(obj, list):
        return [_scrub(x, port, port2, nonce) for x in obj]
    if isinstance(obj, dict):
        return {k: _scrub(v, port, port2, nonce) for k, v in obj.items()}
    return obj


def open_engine(name: str, server=None):
    from .scenario_server import lna_overrides

    overrides = lna_overrides(server) if server is not None else {}
    if name == "chromium":
        from .chromium import Chromium, lna_args

        return Chromium(extra_args=lna_args(overrides))
    if name == "firefox":
        from .firefox import Firefox, lna_prefs

        return Firefox(prefs=lna_prefs(overrides))
    from .webkit import WebKit

    return WebKit()


def main(argv: list[str]) -> int:
    engine = "chromium"
    if argv[:1] == ["--engine"] and len(argv) >= 2:
        engine, argv = argv[1], argv[2:]
    if not argv or argv[0].startswith("-") or engine not in ENGINES:
        print(__doc__, file=sys.stderr)
        return 2
    out_path, names = argv[0], set(argv[1:])
    todo = [sc for sc in SCENARIOS if not names or sc.name in names]
    unknown = names - {sc.name for sc in SCENARIOS}
    if unknown:
        print(f"unknown scenarios: {sorted(unknown)}", file=sys.stderr)
        return 2
    from .chromium import observe

    t0 = time.monotonic()
    with ScenarioServer(extra_ports=(80,), tls=True) as server:
        server.handlers.update(make_handlers(SCENARIOS, server))
        with open_engine(engine, server) as browser:
            results = {}
            for sc in todo:
                obs = observe(browser, server, sc)
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
                        **_kind_fields(sc),
                    },
                    **_scrub(obs, server.port, server.closed_port, nonce),
                }
                verdict = "allowed" if obs["allowed"] else (obs["cors_error"] or obs["js_error"])
                print(f"{sc.name:45} {verdict}", file=sys.stderr)
            version = browser.version
        if engine == "webkit":
            _webkit_console(server, todo, results)
        doc = {
            engine: version,
            "note": "Recorded by tests/browser/record.py; PORT = the scenario server's port, "
            "PORT2 = a closed port, PORT_TLS / PORT_PUBLIC / PORT_PUBLIC_TLS / PORT_PRIVATE = "
            "its https, public and private listeners, NONCE = the run's nonce.",
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


def _kind_fields(sc) -> dict:
    """The kind of request a "kinds" scenario loads (kind, mode, crossorigin, beacon type)."""
    if sc.group != "kinds":
        return {}
    return {"kind": sc.kind, "mode": sc.mode, "crossorigin": sc.crossorigin,
            "beacon_type": sc.beacon_type}


def _webkit_console(server, todo, results) -> None:
    from .webkit import WebKitConsole, console_specs

    specs, nonces = console_specs(todo, server.port)
    for sc, res, nonce in zip(todo, WebKitConsole().run_batch(server, specs), nonces, strict=True):
        entry = results[sc.name]
        if res is None:
            entry["console_pass"] = None
            continue
        entry["console"] = _scrub(res.console, server.port, server.closed_port, nonce)
        entry["cors_console"] = _scrub(res.cors_console, server.port, server.closed_port, nonce)
        entry["console_pass"] = {"allowed": res.allowed, "readable_headers": res.readable_headers}
        if sc.kind == "beacon":  # the page is told only "queued": the console decides
            entry["allowed"] = res.allowed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
