"""The per-browser table at work in replay: what each browser does with the page's headers."""

from __future__ import annotations

import pytest

from corsprobe.model import Exchange, HttpResponse, RequestSpec
from corsprobe.replay import drive, replay


@pytest.mark.parametrize("browser,preflight", [("chrome", False), ("firefox", True),
                                               ("safari", True)])
def test_a_page_set_user_agent(browser, preflight):
    # tests/browser ua-page-set: Chromium drops it (with a note), Firefox and WebKit preflight it
    spec = RequestSpec(url="http://api.test/x", origin="http://app.test", method="GET",
                       headers=(("User-Agent", "page/1"),), browser=browser, send_actual=False)
    sent = []
    trace = drive(replay(spec), lambda req: sent.append(req) or _ok(req))
    assert trace.preflight_required is preflight
    dropped = [n for n in trace.notes if n.startswith("dropped -H 'User-Agent'")]
    assert bool(dropped) is not preflight
    if preflight:
        assert dict(sent[0].headers)["Access-Control-Request-Headers"] == "user-agent"


def _ok(request):
    return Exchange(request, HttpResponse(204, "", (("Access-Control-Allow-Origin", "*"),
                                                     ("Access-Control-Allow-Headers", "*")), b""))
