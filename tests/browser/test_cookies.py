"""The cookies each engine keeps from a credentialed answer, and sends back: the engines vs
corsprobe's ``cookies`` (``corsprobe/fetch/cookies.py``, ``cookie_*`` in ``browsers.py``).

Each ``cookies`` scenario is a credentialed fetch() from ``http://app.test:PORT/page`` whose
answer sets cookies, run twice in a row: the Cookie header of the second request (server log)
says which cookies the engine kept and sends back (``sent_on_next``). Chromium also tells,
through CDP, each refused line's ``Network.SetCookieBlockedReason`` names
(``responseReceivedExtraInfo.blockedCookies``) and what its jar holds (``Storage.getCookies``):
those must equal corsprobe's ``blocked_reasons``, ``stored`` and ``partitioned``. Firefox and WebKit are
compared by the second request only.

What was recorded here (Chromium 156, Firefox ESR 153, WebKitGTK 2.50), over http
(page ``http://app.test:PORT``) and https (``ck-https-*``: page ``https://app.test:TLSPORT``,
cross-site ``https://api.test``, same-site ``https://www.app.test``, same-origin):

* Chromium runs twice: ``chromium`` (a Playwright context, off the record: third-party
  cookies blocked, ``--third-party-cookies block``) and ``chromium_3pc`` (a persistent profile
  whose Preferences set ``profile.cookie_controls_mode`` 0: allowed, as in shipping Chrome,
  ``--third-party-cookies allow``; a fresh profile of this build blocks them too, and
  ``Network.setCookieControls`` lifts neither block).
  Blocked: every cross-site cookie that is not ``Partitioned`` is refused with
  ``UserPreferences`` alone, except a bad Domain (``InvalidDomain`` comes first).
  Allowed: cross-site ``SameSite=None; Secure`` over https is stored and sent back (so is a
  correct cross-site ``__Host-`` one); no SameSite, Lax, Strict are refused with
  ``SchemefulSameSiteUnspecifiedTreatedAsLax`` / ``SchemefulSameSiteLax`` /
  ``SchemefulSameSiteStrict`` (this build names every cross-site SameSite refusal with the
  Schemeful variant, http to http and https to https alike), ``SameSite=None`` without
  Secure ``SameSiteNoneInsecure``, Secure over http ``SecureOnly``.
  Both settings: ``SameSite=None; Secure; Partitioned`` over https (CHIPS, cross-site or
  same-site) is stored partitioned (``Storage.getCookies`` partitionKey) and sent back;
  ``Secure; Partitioned`` without SameSite cross-site is refused
  ``SchemefulSameSiteUnspecifiedTreatedAsLax``; ``Partitioned`` over http is dropped with no
  reason. Same-site: no SameSite, Lax and Strict are kept, Secure over https too;
  ``__Host-`` (Secure, Path=/, no Domain) and ``__Secure-`` (Secure) over https are kept,
  and refused ``InvalidPrefix`` without Secure, ``__Host-`` with Domain or another Path; a
  cookie on an answer that fails CORS is still stored.
* Firefox keeps a cross-site cookie without SameSite (not Lax by default) and sends it back
  from the same page (Total Cookie Protection: partitioned); so too cross-site
  ``SameSite=None; Secure`` (CHIPS or not) over https; it refuses cross-site Lax and Strict,
  ``SameSite=None`` without Secure, Secure over http, a bad Domain or prefix, and keeps the
  correct prefixed cookies over https.
* WebKit keeps no cookie whose domain does not cover the page's host: cross-site ones
  (``SameSite=None; Secure`` and ``Partitioned`` over https included), and even a
  host-only cookie from www.app.test under app.test (``.test`` is not in the Public Suffix
  List that libsoup consults); with ``Domain=app.test`` it keeps Lax and ``SameSite=None``
  without Secure (it does not require Secure there), not Secure over http. It does not
  enforce cookie prefixes: ``__Secure-`` without Secure and ``__Host-`` without Secure,
  with Domain or with another Path are kept and sent, same-origin or under
  ``Domain=app.test`` over https (libsoup; Apple's Safari uses another network stack).

Not covered yet: Firefox's and WebKit's jars are judged by the second request only (whether
Firefox's copy is partitioned is modelled, not observed), Firefox's strict mode, and
cookies on redirect hops.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from .chromium import observe
from .scenarios import SCENARIOS, Scenario
from .test_differential import REPO, corsprobe_argv

pytestmark = pytest.mark.browser

COOKIE_SCENARIOS = [sc.name for sc in SCENARIOS if sc.group == "cookies"]
FLAG = {"chromium": "chrome", "chromium_3pc": "chrome", "firefox": "firefox", "webkit": "safari"}
# Chromium's third-party-cookie setting in each fixture: the Playwright context blocks them
# (off the record), chromium_3pc (a persistent profile) allows them, as shipping Chrome does
THIRD_PARTY = {"chromium": "block", "chromium_3pc": "allow"}


def _names(cookie_header: str | None) -> set[str]:
    return {p.split("=", 1)[0].strip() for p in (cookie_header or "").split(";") if p.strip()}


def _corsprobe(sc: Scenario, port: int, browser: str, third_party: str | None = None) -> dict:
    from .chromium import new_nonce

    argv = corsprobe_argv(sc, port, new_nonce(), browser)
    if third_party is not None:
        argv += ["--third-party-cookies", third_party]  # what the engine's context does
    proc = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=60)
    return json.loads(proc.stdout)


def engine_view(engine: str, obs: dict) -> dict[str, dict]:
    """name -> what the engine did with it: sent_on_next (None when the page made no second
    request), and for Chromium stored and blocked_reasons."""
    actual = [q for q in obs["requests"] if not q["is_preflight"]]
    second = None
    if len(actual) >= 2:
        second = _names(next((v for k, v in actual[1]["headers"] if k.lower() == "cookie"),
                             None))
    out: dict[str, dict] = {}
    first = actual[0] if actual else None
    set_names = []
    if first is not None:
        set_names = [n for n in obs.get("set_cookie_names", [])]
    for name in set_names:
        view: dict = {"sent_on_next": None if second is None else name in second}
        if engine.startswith("chromium"):
            view["stored"] = any(c["name"] == name for c in obs["stored_cookies"] or [])
            view["blocked_reasons"] = next(
                (b["reasons"] for b in obs["blocked_cookies"] if b["name"] == name), [])
            view["partitioned"] = any(c["name"] == name and c["partitioned"]
                                      for c in obs["stored_cookies"] or [])
        out[name] = view
    return out


@pytest.mark.parametrize("engine", ["chromium", "chromium_3pc", "firefox", "webkit"])
@pytest.mark.parametrize("name", COOKIE_SCENARIOS)
def test_cookies_vs_corsprobe(engine: str, name: str, request, scenario_server) -> None:
    browser = request.getfixturevalue(engine)
    sc = next(s for s in SCENARIOS if s.name == name)
    obs = observe(browser, scenario_server, sc, repeat=2)
    report = _corsprobe(sc, scenario_server.port, FLAG[engine], THIRD_PARTY.get(engine))
    obs["set_cookie_names"] = [c["name"] for c in report["cookies"]]
    assert obs["set_cookie_names"], f"corsprobe saw no Set-Cookie in {name}"
    seen = engine_view(engine, obs)
    problems = []
    for c in report["cookies"]:
        mine = {"sent_on_next": c["sent_on_next"], "stored": c["stored"],
                "blocked_reasons": c["blocked_reasons"], "partitioned": c["partitioned"]}
        for key, value in seen[c["name"]].items():
            if value is not None and value != mine[key]:
                problems.append(f"- {c['name']} {key}: {engine} {value!r}, "
                                f"corsprobe --browser {FLAG[engine]} {mine[key]!r}")
    if os.environ.get("CORSPROBE_COOKIE_LOG"):  # what each engine did, for reading
        with open(os.environ["CORSPROBE_COOKIE_LOG"], "a") as fh:
            fh.write(json.dumps({"scenario": name, "engine": engine, "seen": seen,
                                 "corsprobe": report["cookies"]}) + "\n")
    assert not problems, f"{name} ({sc.note}):\n" + "\n".join(problems)
