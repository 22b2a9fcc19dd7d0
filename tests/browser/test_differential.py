"""Differential test: real Chromium vs ``corsprobe check`` on the same server.

For every scenario in ``scenarios.py`` the page ``http://app.test:PORT/page``
runs ``fetch()`` in headless Chromium, and ``corsprobe check ... --format json``
runs as a subprocess against the same scenario (with another nonce, so the
server log tells the two runs apart).  Compared:

* ``allowed``                 fetch() resolved  vs  report ``allowed``
* ``browser_error``           CDP ``loadingFailed.corsErrorStatus.corsError`` (or None)
* ``readable_headers``        ``[...response.headers.keys()]`` (lower-case, sorted)
* ``console_message``         Chromium's ``Access to fetch at ...`` line, nonce replaced
* ``preflight.required``      whether the server received a preflight from Chromium
* ``preflights``              host, hop, Origin, Access-Control-Request-Method/-Headers of
                              every preflight, Chromium's vs corsprobe's (server log)
* ``requests``                the whole request sequence (method, host, hop, Origin); requests
                              corsprobe sends after it must be origin probes (another Origin,
                              OPTIONS/GET/HEAD only)

A Chromium network error (no CORS error) must be reported by corsprobe as
``allowed: false, browser_error: null``.

Deliberate divergences go in ``KNOWN_EXCEPTIONS``; such a scenario is a strict
xfail, so it fails loudly once corsprobe starts matching Chromium.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .chromium import new_nonce, observe, trace_of
from .scenarios import BY_NAME, SCENARIOS, TLS, Scenario, fetch_url_for, origin_for

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
CORSPROBE_TIMEOUT = 60

# scenario name -> why corsprobe deliberately differs from Chromium there.  A scenario
# listed here is a strict xfail, unless KNOWN_EXCEPTION_CHECKS asserts the known difference
# directly (then the scenario passes only while exactly that difference holds).
KNOWN_EXCEPTIONS: dict[str, str] = {}


# scenario name -> a check of the known difference (problems found; none: it still holds)
KNOWN_EXCEPTION_CHECKS: dict[str, Callable[[dict, int, str, str], list[str]]] = {}


def _refused_usage(ch: dict, code: int, out: str, err: str) -> list[str]:
    """fetch() throws before anything is sent: corsprobe refuses the input (exit 2)."""
    problems = []
    if ch["allowed"] or ch["trace"] or not (ch["js_error"] or "").startswith("TypeError"):
        problems.append(f"- Chromium no longer throws before sending: {ch['js_error']!r}, "
                        f"{len(ch['trace'])} requests")
    if code != 2 or "no-cors" not in err:
        problems.append(f"- corsprobe must refuse it as a usage error naming no-cors (exit "
                        f"{code}, stderr {err[-300:]!r})")
    return problems


KNOWN_EXCEPTIONS["kind-fetch-nocors-put"] = (
    "fetch(url, {mode: 'no-cors', method: 'PUT'}) throws TypeError before anything is sent: "
    "corsprobe refuses the input with exit 2 instead of printing a report")
KNOWN_EXCEPTION_CHECKS["kind-fetch-nocors-put"] = _refused_usage

# the request headers each kind's request carries, compared for the "kinds" group
KIND_HEADERS = ("accept", "sec-fetch-mode", "sec-fetch-dest", "cache-control")


def kind_headers(requests: list[dict]) -> list[dict[str, str | None]]:
    """The kind's own headers on each request the server received (not the preflights)."""
    out = []
    for q in requests:
        if q["is_preflight"]:
            continue
        got = {k.lower(): v for k, v in q["headers"]}
        out.append({h: got.get(h) for h in KIND_HEADERS})
    return out

# Scenarios where several request headers are missing from Access-Control-Allow-Headers.
# Chromium names the first one in Blink's internal header order (a hash-map order, the
# same order the headers go out on the wire: e.g. X-Zeta before X-Alpha, Viewport-Width
# before Accept), which corsprobe cannot reproduce.  The console message is compared
# with the header name masked, and corsprobe must name one of the disallowed headers.
UNPREDICTABLE_HEADER_HINT: dict[str, str] = {
    "pf-two-custom-both-fail": "x-a and x-b both disallowed",
    "pf-three-custom-all-fail": "x-zeta, x-alpha and x-mid all disallowed",
    "total-safelisted-1025-acah-partial": "8 of the 9 over-1024 names disallowed",
}
_HINT_RE = re.compile(r"Request header field (\S+) is not allowed")


def corsprobe_argv(sc: Scenario, port: int, nonce: str, browser: str = "chrome") -> list[str]:
    argv = [
        sys.executable,
        "-m",
        "corsprobe",
        "check",
        fetch_url_for(sc, port, nonce),
        "--origin",
        origin_for(sc, port),
        "-X",
        sc.method,
    ]
    for name, value in sc.headers:
        argv += ["-H", f"{name}: {value}"]
    if sc.credentials and sc.kind not in ("beacon",):
        argv.append("--credentials")
    if sc.body is not None:
        argv.append(f"--data={sc.body}")  # "=" form: bodies may start with "-"
    argv.append("--send-actual")
    for host in ("api.test", "other.test", "app.test", "www.app.test"):
        argv += ["--resolve", f"{host}:{port}:127.0.0.1"]
        for extra in ("port", "public", "public_tls", "private"):
            if TLS[extra]:
                argv += ["--resolve", f"{host}:{TLS[extra]}:127.0.0.1"]
    if TLS["cert"]:
        argv += ["--cacert", TLS["cert"]]  # the https page's (and API's) self-signed certificate
    if sc.page_space:
        argv += ["--page-space", sc.page_space]
    if sc.target_space:
        argv += ["--target-space", sc.target_space]
    if sc.kind != "fetch":
        argv += ["--kind", sc.kind]
    if sc.mode is not None:
        argv += ["--mode", sc.mode]
    if sc.crossorigin != "none":
        argv += ["--crossorigin", sc.crossorigin]
    if sc.beacon_type is not None:
        argv += ["-H", f"Content-Type: {sc.beacon_type}"]
    argv += ["--browser", browser, "--format", "json"]
    return argv


# Groups whose page headers may be dropped by the browser: there, every header the engine did
# not send as given must be named by a "dropped -H 'Name'" note in corsprobe's report, and no
# header the engine sent may be.
DROP_GROUPS = ("forbidden-header", "user-agent")
DROP_SCENARIOS = ("hint-sec-ch-ua",)


def dropped_notes(sc: Scenario, obs: dict, report: dict) -> list[str]:
    """Problems with corsprobe's "dropped" notes against what the engine put on the wire."""
    if sc.group not in DROP_GROUPS and sc.name not in DROP_SCENARIOS:
        return []
    actual = [q for q in obs["requests"] if not q["is_preflight"]]
    if not actual:
        return []  # blocked at the preflight: the wire does not say what would have been sent
    sent = {(k.lower(), v) for q in actual for k, v in q["headers"]}
    dropped = {k for k, v in sc.headers if (k.lower(), v) not in sent}
    noted = {
        k for k, _ in sc.headers
        if any(n.startswith(f"dropped -H '{k}'") for n in report.get("notes") or [])
    }
    if dropped == noted:
        return []
    return [f"- headers dropped by the browser {sorted(dropped)}, "
            f"named dropped in corsprobe's notes {sorted(noted)}"]


def _norm(text: str | None, nonce: str) -> str | None:
    return None if text is None else text.replace(nonce, "NONCE")


def _preflights(trace: list[dict]) -> list[dict]:
    return [
        {k: t[k] for k in ("host", "hop", "origin", "acrm", "acrh")}
        for t in trace
        if t["preflight"]
    ]


def _requests(trace: list[dict]) -> list[tuple]:
    return [(t["method"], t["host"], t["hop"], t["origin"]) for t in trace]


@pytest.mark.parametrize("name", [sc.name for sc in SCENARIOS])
def test_chromium_vs_corsprobe(
    name: str, scenario_server, chromium, observations, request
) -> None:
    sc = BY_NAME[name]
    if name in KNOWN_EXCEPTIONS and name not in KNOWN_EXCEPTION_CHECKS:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN_EXCEPTIONS[name]))
    nonce_c = new_nonce()
    argv = corsprobe_argv(sc, scenario_server.port, nonce_c)
    # corsprobe runs while Chromium works: the two runs only share the server.
    proc = subprocess.Popen(
        argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        ch = observe(chromium, scenario_server, sc)
        observations["chromium"][name] = ch
    finally:
        try:
            out, err = proc.communicate(timeout=CORSPROBE_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"corsprobe timed out after {CORSPROBE_TIMEOUT}s: {' '.join(argv)}")
    cmd = "python " + " ".join(repr(a) if " " in a or not a else a for a in argv[1:])
    chromium_view = (
        f"Chromium: allowed={ch['allowed']} cors_error={ch['cors_error']} "
        f"failed_parameter={ch['failed_parameter']!r} net_error={ch['net_error']} "
        f"readable={ch['readable_headers']}\n  console: {ch['cors_console']}\n"
        f"  requests: {_requests(ch['trace'])}"
    )
    if name in KNOWN_EXCEPTION_CHECKS:
        problems = KNOWN_EXCEPTION_CHECKS[name](ch, proc.returncode, out, err)
        assert not problems, (
            f"known exception {name} no longer holds as described "
            f"({KNOWN_EXCEPTIONS[name]}):\n" + "\n".join(problems) + f"\n{chromium_view}"
        )
        return
    try:
        report = json.loads(out)
    except ValueError:
        report = None
    if not isinstance(report, dict):
        pytest.fail(
            f"corsprobe did not print one JSON object (exit {proc.returncode}).\n"
            f"$ {cmd}\nstdout: {out[-1500:]!r}\nstderr: {err[-1500:]}\n{chromium_view}",
            pytrace=False,
        )
    if proc.returncode not in (0, 1, 3):
        pytest.fail(
            f"corsprobe exit code {proc.returncode} (expected 0, 1 or 3)\n$ {cmd}\n"
            f"stderr: {err[-1500:]}\n{chromium_view}",
            pytrace=False,
        )

    # corsprobe may follow the browser's exchange with its own diagnostic probes (the same URL
    # with other Origin values, OPTIONS/GET/HEAD only).  The browser's part is the first
    # len(Chromium's requests); anything after it must look like a probe.
    cp_records = scenario_server.requests_for(nonce_c)
    cp_all = trace_of(cp_records)
    cp_trace, cp_extra = cp_all[: len(ch["trace"])], cp_all[len(ch["trace"]) :]
    page_origin = origin_for(sc, scenario_server.port)
    # the cache probe repeats the page's origin, on a URL of its own (?corsprobe=<key>)
    own_url = [("corsprobe=" in rec.target) for rec in cp_records[len(ch["trace"]) :]]
    stray = [
        t
        for t, own in zip(cp_extra, own_url, strict=True)
        if t["method"] not in ("OPTIONS", "GET", "HEAD") or (t["origin"] == page_origin
                                                            and not own)
    ]
    pre = report.get("preflight") or {}
    ch_console = _norm(ch["cors_console"], ch["nonce"])
    if ch_console is None and ch.get("mode_console"):
        ch_console = _norm(ch["mode_console"], ch["nonce"])
    if ch_console is None and ch.get("mixed_console"):
        # Chromium names the page's URL; corsprobe knows only its origin and names origin + "/"
        ch_console = _norm(ch["mixed_console"], ch["nonce"]).replace(
            f"The page at '{ch['origin']}/page'", f"The page at '{ch['origin']}/'")
    cp_console = _norm(report.get("console_message"), nonce_c)
    problems = []
    if name in UNPREDICTABLE_HEADER_HINT:
        # Direct assertion of the known difference: any disallowed name will do.
        acrh = {n for p in _preflights(ch["trace"]) for n in (p["acrh"] or "").split(",")}
        allowed = {
            n.strip().lower()
            for k, v in sc.routes["OPTIONS"].headers
            if k.lower() == "access-control-allow-headers"
            for n in v.split(",")
        }
        bad = sorted(acrh - allowed)
        m = _HINT_RE.search(cp_console or "")
        if m is None or m.group(1) not in bad:
            problems.append(
                f"- corsprobe must name one of the disallowed headers {bad} "
                f"in its console message: {cp_console!r}"
            )
        ch_console, cp_console = (
            None if c is None else _HINT_RE.sub("Request header field <name> is not allowed", c)
            for c in (ch_console, cp_console)
        )
    pairs = [
        ("allowed", ch["allowed"], report.get("allowed")),
        ("browser_error", ch["cors_error"], report.get("browser_error")),
        ("blocked_reason", ch.get("blocked_reason"), report.get("blocked_reason")),
        ("readable_headers", ch["readable_headers"], report.get("readable_headers")),
        ("console_message", ch_console, cp_console),
        ("preflight.required", ch["preflight_sent"], pre.get("required")),
        ("preflights sent (server log)", _preflights(ch["trace"]), _preflights(cp_trace)),
        ("requests sent (server log)", _requests(ch["trace"]), _requests(cp_trace)),
        ("requests beyond Chromium's that are not origin probes", [], _requests(stray)),
    ]
    if sc.group == "kinds":
        pairs.append(
            ("the kind's request headers (server log)", kind_headers(ch["requests"]),
             kind_headers([rec.as_dict() for rec in cp_records[: len(ch["trace"])]])))
        if sc.kind != "beacon":  # a beacon's page sees no response at all
            pairs.append(("opaque (loaded, unreadable)", bool(ch.get("opaque")),
                          report.get("response_type") == "opaque"))
    problems += [
        f"- {what}:\n    chromium:  {a!r}\n    corsprobe: {b!r}" for what, a, b in pairs if a != b
    ]
    problems += dropped_notes(sc, ch, report)
    if not ch["allowed"] and ch["cors_error"] is None:
        if report.get("allowed") is not False or report.get("browser_error") is not None:
            problems.append(
                f"- Chromium failed with a network error ({ch['net_error']}): "
                "corsprobe must say allowed=false, browser_error=null"
            )
    if problems:
        pytest.fail(
            f"scenario {name} ({sc.group}): corsprobe differs from Chromium "
            f"{chromium.version}\n$ {cmd}\n"
            + "\n".join(problems)
            + f"\n{chromium_view}\ncorsprobe exit {proc.returncode}; stderr tail: "
            f"{err[-600:]}",
            pytrace=False,
        )


def test_scenario_catalogue() -> None:
    """The scenario table itself: enough cases, sane names, exceptions that exist."""
    names = [sc.name for sc in SCENARIOS]
    assert len(names) >= 95
    assert len(set(names)) == len(names)
    assert set(KNOWN_EXCEPTIONS) <= set(names), set(KNOWN_EXCEPTIONS) - set(names)
    assert set(UNPREDICTABLE_HEADER_HINT) <= set(names)
    assert not set(KNOWN_EXCEPTIONS) & set(UNPREDICTABLE_HEADER_HINT)
    groups = {sc.group for sc in SCENARIOS}
    assert {
        "simple",
        "credentials",
        "preflight-trigger",
        "preflight-order",
        "redirect",
        "expose",
    } <= groups
    for sc in SCENARIOS:
        assert sc.routes, sc.name
        assert all(
            k.split(" ")[0] in {"PREFLIGHT", "*"} or k.split(" ")[0].isalpha() for k in sc.routes
        ), sc.name
