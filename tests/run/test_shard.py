"""`corsprobe run --shard I/N` and `corsprobe merge`: N CI jobs cover a config together, and
their JSON results merge into the report (and the exit code) of one unsharded run.

Against the real loopback server of tests/run/conftest.py, with a config that mixes passing,
failing and unreachable checks (a matrix among them, so expanded names are sharded too).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from corsprobe.config import Shard, load, parse_shard, shard_of
from corsprobe.errors import UsageError

from .conftest import APP, EVIL, ROOT, corsprobe_cli, run_cli

N = 3


def mixed_config(base: str) -> str:
    """Eleven checks: passing, failing (an expectation) and unreachable ones."""
    return f'''
base_url = "{base}"
timeout = 5

[[checks]]
name = "allowed"
urls = ["/ok/a", "/ok/b", "/ok/c"]
origin = "{APP}"
readable = ["X-Request-ID"]

[[checks]]
name = "others refused"
urls = ["/ok/a", "/ok/b"]
origins = ["{EVIL}", "null"]
expect = "blocked"
tags = ["refusals"]

[[checks]]
name = "should be allowed but is not"
url = "/none/x"
origin = "{APP}"

[[checks]]
name = "nothing exposed"
url = "/hidden/x"
origin = "{APP}"
readable = ["X-Request-ID"]

[[checks]]
name = "wildcard with credentials"
url = "/wildcard/x"
origin = "{APP}"
credentials = true
expect = "blocked"

[[checks]]
name = "down"
url = "http://127.0.0.1:9/x"
origin = "{APP}"
'''


def names_in(path: Path) -> list[str]:
    return [c.name for c in load(path).checks()]


# -- the hash ---------------------------------------------------------------------------------


def test_parse_shard():
    assert parse_shard("2/3") == Shard(2, 3) and str(parse_shard(" 1 / 1 ")) == "1/1"
    for bad in ("0/3", "4/3", "3", "a/b", "-1/3", "1/0", "", "1/3/4"):
        with pytest.raises(UsageError, match="1 <= I <= N"):
            parse_shard(bad)


def test_shard_of_is_a_stable_hash_not_pythons_salted_one():
    # SHA-256 of the name: the same shard in every process (hash() would differ per process)
    code = "from corsprobe.config import shard_of; print([shard_of(f'c{i}', 7) for i in range(50)])"
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={"PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed},
                           check=True).stdout for seed in ("1", "2")}
    assert len(runs) == 1
    assert json.loads(runs.pop()) == [shard_of(f"c{i}", 7) for i in range(50)]
    # pinned: a change of the hash would silently reshuffle every user's CI matrix
    assert [shard_of(f"c{i}", 3) for i in range(12)] == PINNED


PINNED = [1, 3, 1, 3, 2, 2, 2, 1, 3, 3, 2, 2]


def test_every_check_is_in_exactly_one_shard_and_shards_are_balanced():
    names = [f"check number {i}" for i in range(3000)]
    for n in (1, 2, 3, 8):
        shards = [shard_of(name, n) for name in names]
        assert set(shards) <= set(range(1, n + 1))
        sizes = [shards.count(i) for i in range(1, n + 1)]
        assert min(sizes) > 0.8 * len(names) / n, sizes


# -- run --shard ------------------------------------------------------------------------------


def shard_results(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def run_shards(tmp_path: Path, *extra: str, n: int = N) -> list:
    ran = []
    for i in range(1, n + 1):
        ran.append(run_cli("--shard", f"{i}/{n}", "--format", "json", "--json", f"shard{i}.json",
                           *extra, cwd=tmp_path))
    return ran


def test_the_shards_split_the_checks_and_say_which_shard_they_are(base, write, tmp_path):
    config = write(mixed_config(base))
    names = names_in(config)
    assert len(names) == 11
    ran = run_shards(tmp_path)
    got = []
    for i, r in enumerate(ran, 1):
        doc = json.loads(r.out)
        assert doc["shard"] == shard_results(tmp_path / f"shard{i}.json")["shard"] == \
            {"index": i, "count": N, "total": 11}
        shard_names = sorted(x["name"] for x in doc["results"])
        assert all(shard_of(name, N) == i for name in shard_names)
        assert f"(shard {i}/{N})" in r.err.splitlines()[-1], r.err
        got += shard_names
    assert sorted(got) == sorted(names)  # every check in exactly one shard
    assert all(got.count(name) == 1 for name in names)
    # stable: the same shard holds the same checks on every run
    again = run_cli("--shard", f"2/{N}", "--format", "json", cwd=tmp_path)
    assert sorted(x["name"] for x in json.loads(again.out)["results"]) == \
        sorted(x["name"] for x in shard_results(tmp_path / "shard2.json")["results"])


def test_text_header_and_summary_name_the_shard(base, write, tmp_path):
    write(mixed_config(base))
    ran = run_cli("--shard", "1/3", "--no-color", cwd=tmp_path)
    first, last = ran.out.splitlines()[0], ran.out.rstrip().splitlines()[-1]
    count = sum(1 for name in names_in(tmp_path / "corsprobe.toml") if shard_of(name, 3) == 1)
    assert first == f"corsprobe run  corsprobe.toml  shard 1/3: {count} of 11 checks"
    assert re.match(rf"{count} checks? \(shard 1/3\): ", last), last


def test_shard_applies_after_only_and_tag(base, write, tmp_path):
    config = write(mixed_config(base))
    refusals = [n for n in names_in(config) if n.startswith("others refused")]
    got = []
    for i in (1, 2):
        ran = run_cli("--tag", "refusals", "--shard", f"{i}/2", "--format", "json", cwd=tmp_path)
        doc = json.loads(ran.out)
        assert doc["shard"]["total"] == len(refusals) == 4
        got += [r["name"] for r in doc["results"]]
    assert sorted(got) == sorted(refusals)
    # --only names a check of another shard: still a valid name, this shard just lacks it
    other = next(n for n in names_in(config) if shard_of(n, 3) != 1)
    ran = run_cli("--only", other, "--shard", "1/3", "--format", "json", cwd=tmp_path)
    assert ran.code == 0 and json.loads(ran.out)["results"] == []


def test_an_empty_shard_is_no_error(base, write, tmp_path):
    write(f'[[checks]]\nname = "only one"\nurl = "{base}/ok/x"\norigin = "{APP}"\n')
    codes = []
    for i in range(1, 6):
        ran = run_cli("--shard", f"{i}/5", "--format", "json", "--junit", f"j{i}.xml", cwd=tmp_path)
        doc = json.loads(ran.out)
        codes.append(ran.code)
        if not doc["results"]:
            assert ran.code == 0
            assert f"corsprobe: shard {i}/5 holds none of the 1 selected checks" in ran.err
            assert 'tests="0"' in (tmp_path / f"j{i}.xml").read_text(encoding="utf-8")
    assert codes == [0] * 5


@pytest.mark.parametrize("bad", ["0/3", "4/3", "3", "x/3", "1/0"])
def test_a_bad_shard_is_one_usage_line(bad, write, tmp_path):
    write('[[checks]]\nurl = "http://127.0.0.1:9/x"\norigin = "https://a.example"\n')
    ran = run_cli("--shard", bad, cwd=tmp_path)
    assert ran.code == 2 and ran.out == ""
    assert ran.err == f"corsprobe: --shard {bad!r}: expected I/N with 1 <= I <= N, e.g. --shard 2/3\n"


# -- merge ------------------------------------------------------------------------------------


def merge_cli(*args: str, cwd: Path, env: dict[str, str] | None = None):
    return corsprobe_cli("merge", *args, cwd=cwd, env=env, timeout=60)


def steady(text: str) -> str:
    """``text`` without what changes from run to run: timings, Date headers, probe URLs."""
    text = re.sub(r'("(?:duration_ms|elapsed_ms|duration_s)": )[0-9.e-]+', r"\g<1>0", text)
    text = re.sub(r'time="[0-9.]+"', 'time="0"', text)
    text = re.sub(r"\b\d+(\.\d+)? (ms|s)\b", r"N \2", text)
    text = re.sub(r"corsprobe=[0-9a-f]{12}", "corsprobe=N", text)  # each probe's own URL
    return re.sub(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT", "DATE", text)


def without_timings(doc: dict) -> dict:
    return json.loads(steady(json.dumps(doc)))


def test_three_shards_merged_equal_one_unsharded_run_check_for_check(base, write, tmp_path):
    config = write(mixed_config(base))
    # the unsharded run, one check at a time so that its files are in config order too
    whole = run_cli("--format", "json", "--concurrency", "1", "--junit", "whole.xml",
                    "--sarif", "whole.sarif", "--markdown", "whole.md", cwd=tmp_path)
    assert whole.code == 1, whole.err  # failures win over the unreachable check
    statuses = {r["status"] for r in json.loads(whole.out)["results"]}
    assert statuses == {"passed", "failed", "unreachable"}

    shards = run_shards(tmp_path)
    assert all(r.code in (0, 1, 3) for r in shards), [r.err for r in shards]
    files = [f"shard{i}.json" for i in range(1, N + 1)]
    merged = merge_cli(*reversed(files), "--format", "json", "--junit", "merged.xml",
                       "--sarif", "merged.sarif", "--markdown", "merged.md", cwd=tmp_path)
    assert merged.code == whole.code, merged.err
    assert merged.err == ""

    got, want = json.loads(merged.out), json.loads(whole.out)
    assert [r["name"] for r in got["results"]] == [c.name for c in load(config).checks()]
    assert without_timings(got["results"]) == without_timings(want["results"])
    assert {k: v for k, v in got["summary"].items() if k != "duration_s"} == \
        {k: v for k, v in want["summary"].items() if k != "duration_s"}
    assert {k: got[k] for k in ("schema", "tool", "config")} == \
        {k: want[k] for k in ("schema", "tool", "config")} and "shard" not in got
    # the other formats too, byte for byte but for timings
    for ext in ("xml", "sarif", "md"):
        assert steady((tmp_path / f"merged.{ext}").read_text(encoding="utf-8")) == \
            steady((tmp_path / f"whole.{ext}").read_text(encoding="utf-8")), ext


def test_merge_renders_every_run_format(base, write, tmp_path):
    write(mixed_config(base))
    run_shards(tmp_path)
    files = [f"shard{i}.json" for i in range(1, N + 1)]
    text = merge_cli(*files, "--no-color", cwd=tmp_path)
    assert text.code == 1
    lines = text.out.splitlines()
    assert lines[0] == f"corsprobe merge  corsprobe.toml  11 checks from {N} files"
    assert re.match(r"11 checks: 8 passed, 2 failed, 1 unreachable in [0-9.]+ s$", lines[-1]), lines[-1]
    github = merge_cli(*files, "--format", "github", cwd=tmp_path,
                       env={"GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md")})
    assert github.code == 1 and github.out.count("::error ") == 3
    assert "11 checks from `corsprobe.toml`" in (tmp_path / "summary.md").read_text(encoding="utf-8")
    for fmt in ("junit", "sarif", "markdown"):
        assert merge_cli(*files, "--format", fmt, cwd=tmp_path).code == 1


def test_merge_is_offline(base, write, tmp_path, server):
    write(mixed_config(base))
    run_shards(tmp_path)
    before = len(server.records)
    assert merge_cli("shard1.json", "shard2.json", "shard3.json", cwd=tmp_path).code == 1
    assert len(server.records) == before


def test_merge_exit_codes_follow_policy(base, write, tmp_path):
    write(f'base_url = "{base}"\n[[checks]]\nname = "fine"\nurl = "/ok/x"\norigin = "{APP}"\n'
          f'[[checks]]\nname = "down"\nurl = "http://127.0.0.1:9/x"\norigin = "{APP}"\n')
    run_cli("--only", "fine", "--format", "json", "--json", "fine.json", cwd=tmp_path)
    run_cli("--only", "down", "--format", "json", "--json", "down.json", cwd=tmp_path)
    assert merge_cli("fine.json", cwd=tmp_path).code == 0
    assert merge_cli("down.json", cwd=tmp_path).code == 3
    both = merge_cli("fine.json", "down.json", "--format", "json", cwd=tmp_path)
    assert both.code == 3 and [r["name"] for r in json.loads(both.out)["results"]] == ["fine", "down"]


def test_merge_refuses_what_does_not_fit_in_one_line(base, write, tmp_path):
    write(mixed_config(base))
    run_shards(tmp_path)
    (tmp_path / "notjson.json").write_text("corsprobe: 3 checks\n", encoding="utf-8")
    (tmp_path / "report.json").write_text('{"schema": "corsprobe/report/v1"}', encoding="utf-8")
    (tmp_path / "latin1.json").write_bytes(b"\xff\xfe{")
    doc = shard_results(tmp_path / "shard1.json")
    doc["results"][0]["status"] = "maybe"
    (tmp_path / "status.json").write_text(json.dumps(doc), encoding="utf-8")
    del doc["results"][0]["index"]
    (tmp_path / "noindex.json").write_text(json.dumps(doc), encoding="utf-8")
    other = {**shard_results(tmp_path / "shard2.json"), "config": "other.toml"}
    (tmp_path / "other.json").write_text(json.dumps(other), encoding="utf-8")
    whole = {**shard_results(tmp_path / "shard1.json")}
    del whole["shard"]
    (tmp_path / "whole.json").write_text(json.dumps(whole), encoding="utf-8")
    of4 = shard_results(tmp_path / "shard3.json")
    of4["shard"]["count"] = 4
    (tmp_path / "of4.json").write_text(json.dumps(of4), encoding="utf-8")
    s1 = shard_results(tmp_path / "shard1.json")
    two = shard_results(tmp_path / "shard2.json")
    two["results"].append(s1["results"][0])
    (tmp_path / "overlap.json").write_text(json.dumps(two), encoding="utf-8")
    first = s1["results"][0]["name"]

    cases = {
        ("shard1.json", "missing.json"): "corsprobe: cannot read missing.json: No such file or directory",
        ("shard1.json", "notjson.json"): "corsprobe: notjson.json: not JSON (Expecting value, line 1); "
                                         "give the output of corsprobe run --format json or --json FILE",
        ("latin1.json",): "corsprobe: latin1.json: not a JSON file (not UTF-8 text)",
        ("report.json",): "corsprobe: report.json: not a corsprobe/run/v1 document (schema: "
                          "'corsprobe/report/v1'); give the output of corsprobe run --format json "
                          "or --json FILE",
        ("status.json",): "corsprobe: status.json: result #1: status 'maybe' is not one of passed, "
                          "failed, unreachable",
        ("noindex.json",): "corsprobe: noindex.json: result #1: 'index' is null (missing)",
        ("shard1.json", "other.json", "shard3.json"): "corsprobe: other.json ran config 'other.toml', "
            "but shard1.json ran 'corsprobe.toml': merge the runs of one config",
        ("shard1.json", "shard2.json"): "corsprobe: shard 3/3 missing: a merge needs the JSON files "
                                        "of all 3 shards",
        ("shard1.json", "shard1.json", "shard2.json", "shard3.json"):
            "corsprobe: shard 1/3 given twice: shard1.json and shard1.json",
        ("shard1.json", "whole.json"): "corsprobe: whole.json is not a shard, but shard1.json is: "
                                       "merge the shards of one run, or whole runs",
        ("shard1.json", "shard2.json", "of4.json"): "corsprobe: of4.json is shard 3/4 of 11 checks, "
            "but shard1.json is shard 1/3 of 11: not shards of one run",
        ("shard1.json", "overlap.json", "shard3.json"): f"corsprobe: check {first!r} is in both "
            "shard1.json and overlap.json: each check must come from one file",
    }
    for files, message in cases.items():
        ran = merge_cli(*files, "--json", "out.json", cwd=tmp_path)
        assert (ran.code, ran.out, ran.err) == (2, "", message + "\n"), files
        assert not (tmp_path / "out.json").exists()  # nothing written on bad input
    ran = merge_cli(cwd=tmp_path)
    assert ran.code == 2 and len(ran.err.splitlines()) == 1 and "FILE" in ran.err, ran.err
