"""`corsprobe rules`, `explain` and `demo`, and `corsprobe --version`."""

from __future__ import annotations

import re

import pytest

from corsprobe.fetch.browsers import BROWSERS
from corsprobe.rules import all_rules
from corsprobe.version import __version__
from tests.clihelp import cli

RULES = {r.id: r for r in all_rules()}


def test_rules_lists_every_rule():
    out = cli("rules").out
    for r in all_rules():
        assert r.id in out and r.name in out


def test_rules_json():
    data = cli("rules", "--format", "json").json()
    assert {d["id"] for d in data} == {r.id for r in all_rules()}
    assert all(d["doc"] and d["title"] for d in data)


@pytest.mark.parametrize("key,rule_id", [
    ("CORS102", "CORS102"), ("allow-origin-trailing-slash", "CORS102"), ("cors102", "CORS102"),
    ("redirect-taints-origin", "CORS502"),
])
def test_explain_by_id_and_name(key, rule_id):
    r = RULES[rule_id]
    out = cli("explain", key).out
    lines = out.splitlines()
    assert lines[0] == f"{r.id} {r.name} ({r.severity}, {r.family})", lines[:2]
    assert lines[1] == r.title
    # this rule's documentation (rich wraps it to the terminal), and no other rule named
    assert " ".join(r.doc.split()) in " ".join(out.split())
    assert set(re.findall(r"CORS\d{3}", out)) == {r.id}
    others = [o.name for o in all_rules() if o.id != r.id and re.search(rf"\b{o.name}\b", out)]
    assert not others, others


def test_explain_unknown_rule_is_a_usage_error():
    p = cli("explain", "CORS999", code=2)
    assert "corsprobe rules" in p.err and "Traceback" not in p.err


def test_demo_shows_real_reports_for_each_mistake():
    demos = cli("demo", "--format", "json").json()
    fired = [{f["rule"] for f in d["report"]["findings"]} for d in demos]
    assert fired == [{"CORS111"}, {"CORS302"}, {"CORS401"}, {"CORS201"}, {"CORS601"}, {"CORS501"}]
    assert all(d["report"]["actual"]["exchanges"] or d["report"]["preflight"]["exchanges"] for d in demos)


def test_demo_text():
    out = cli("demo", "--no-color").out
    assert out.count("Chrome would") == 6 and "CORS501" in out


def test_version_names_the_browser_builds_of_the_tables():
    out = cli("--version").out.strip()
    builds = ", ".join(b.recorded_from for b in BROWSERS.values())
    assert out == f"corsprobe {__version__} (browser tables from {builds})"
    assert "Chromium 156." in out and "Firefox ESR 153." in out and "WebKitGTK 2.50." in out
