"""``--browser all`` names the cookies the browsers treat differently (``cookie NAME``)."""

from __future__ import annotations

from typing import Any

from corsprobe.render.compare import render
from corsprobe.report import compare


def _report(cookie: dict[str, Any]) -> dict[str, Any]:
    return {
        "allowed": True, "blocked_at": None, "browser_error": None, "readable_headers": [],
        "preflight": {"required": False, "exchanges": [], "reasons": []},
        "actual": {"exchanges": [{"request": {"method": "POST", "url": "https://api.test/l"}}]},
        "request": {"method": "POST", "credentials": True},
        "target": "https://api.test/l", "origin": "https://app.test",
        "cookies": [{"name": "session", "stored": True, "blocked_reasons": [],
                     "partitioned": False, "sent_on_next": True, **cookie}],
    }


def test_cookie_disagreement_is_named() -> None:
    doc = compare.build({
        "chrome": _report({}),
        "firefox": _report({"partitioned": True}),
        "safari": _report({"stored": False, "blocked_reasons": ["ThirdPartyPhaseout"],
                           "sent_on_next": False}),
    })
    assert {"field": "cookie session", "values": {
        "chrome": "stores it, sent next",
        "firefox": "stores it partitioned, sent next",
        "safari": "does NOT store it (ThirdPartyPhaseout)"}} in doc["disagreements"]


def test_same_cookie_fate_is_no_disagreement() -> None:
    doc = compare.build({name: _report({}) for name in ("chrome", "firefox", "safari")})
    assert not [d for d in doc["disagreements"] if d["field"].startswith("cookie ")]


def test_text_names_the_cookie() -> None:
    doc = compare.build({
        "chrome": _report({}),
        "firefox": _report({}),
        "safari": _report({"stored": False, "blocked_reasons": ["ThirdPartyPhaseout"],
                           "sent_on_next": False}),
    })
    out = render(doc, width=140)
    assert "cookie session: Chrome stores it, sent next" in out
    assert "Safari does NOT store it (ThirdPartyPhaseout)" in out
