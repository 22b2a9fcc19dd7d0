"""`corsprobe rules`, `explain` and `demo`."""

from __future__ import annotations

import json
import subprocess
import sys

from corsprobe.rules import all_rules


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "corsprobe", *args], capture_output=True,
                          text=True, timeout=120)


def test_rules_lists_every_rule():
    p = run("rules")
    assert p.returncode == 0
    for r in all_rules():
        assert r.id in p.stdout and r.name in p.stdout


def test_rules_json():
    data = json.loads(run("rules", "--format", "json").stdout)
    assert {d["id"] for d in data} == {r.id for r in all_rules()}
    assert all(d["doc"] and d["title"] for d in data)


def test_explain_by_id_and_name():
    for key in ("CORS102", "allow-origin-trailing-slash", "cors102"):
        p = run("explain", key)
        assert p.returncode == 0
        for heading in ("What it detects:", "Why it matters:", "Example:", "Fix:"):
            assert heading in p.stdout


def test_explain_unknown_rule_is_a_usage_error():
    p = run("explain", "CORS999")
    assert p.returncode == 2 and "corsprobe rules" in p.stderr and "Traceback" not in p.stderr


def test_demo_shows_real_reports_for_each_mistake():
    p = run("demo", "--format", "json")
    assert p.returncode == 0, p.stderr
    demos = json.loads(p.stdout)
    fired = [{f["rule"] for f in d["report"]["findings"]} for d in demos]
    assert fired == [{"CORS111"}, {"CORS302"}, {"CORS401"}, {"CORS201"}, {"CORS601"}, {"CORS501"}]
    assert all(d["report"]["actual"]["exchanges"] or d["report"]["preflight"]["exchanges"] for d in demos)


def test_demo_text():
    p = run("demo", "--no-color")
    assert p.returncode == 0
    assert p.stdout.count("Chrome would") == 6 and "CORS501" in p.stdout
