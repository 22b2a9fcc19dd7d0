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

from .conftest import APP, EVIL, ROOT, run_cli

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
