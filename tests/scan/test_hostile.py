"""`corsprobe scan` against the hostile servers of tests/hostile: a broken target is one result
(exit 3 when nothing answered), never a crash, and a target that stalls every answer does not
hold the scan for one timeout per origin."""

from __future__ import annotations

import pytest

from tests.hostile.server import HostileServer

from .conftest import run_scan
from .servers import APP

TIMEOUT = 1.5


@pytest.fixture(scope="module")
def hostile():
    with HostileServer() as s:
        yield s


@pytest.mark.parametrize("case", ["close", "garbage", "http09", "slowloris", "redirect_loop"])
def test_a_broken_target_is_unreachable_or_reported(hostile, case):
    ran = run_scan(hostile.url(case), "--origin", APP, "--timeout", str(TIMEOUT), "-f", "json",
                   timeout=60)
    assert "Traceback" not in ran.err
    result = ran.json()["results"][0]
    if ran.code == 3:
        assert result["status"] == "unreachable" and result["report"]["error"]["message"]
    else:  # a redirect loop answers: reported, not followed
        assert case == "redirect_loop" and ran.code == 0
        assert [f["rule"] for f in result["report"]["findings"]] == ["CORS827"]


def test_a_stalling_target_stops_the_scan_early(hostile):
    ran = run_scan(hostile.url("stalled_body_cors"), "--origin", APP, "--timeout", str(TIMEOUT),
                   "-f", "json", timeout=60)
    assert "Traceback" not in ran.err
    result = ran.json()["results"][0]
    assert any(n.startswith("the scan stopped after 2 origins")
               for n in result["report"]["notes"])
    # the baseline and two origins, each waiting for the body deadline: not 30 of them
    assert ran.seconds < 4 * TIMEOUT + 10


def test_huge_answers_are_capped_and_the_scan_completes(hostile):
    ran = run_scan(hostile.url("huge_body"), "--origin", APP, "--timeout", str(TIMEOUT), "-f",
                   "json", timeout=60)
    assert ran.code == 0 and "Traceback" not in ran.err
    result = ran.json()["results"][0]
    assert result["scan"]["requests"] > 20 and result["report"]["findings"] == []
