"""The streaming reader and bad input. The small HARs written here are hand-made, only to
exercise malformed input and the parser; verdicts are tested on the recorded fixtures."""

from __future__ import annotations

import io
import json
import tracemalloc

import pytest

from corsprobe.har.reader import HarError, read

from .conftest import FILES, HAR_DIR, corsprobe


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("chunk", [1, 7, 64, 4096])
def test_streamed_entries_equal_a_whole_load(name, chunk):
    text = (HAR_DIR / name).read_text(encoding="utf-8")
    info, entries = read(io.StringIO(text), chunk)
    whole = json.loads(text)["log"]
    assert list(entries) == whole["entries"]
    assert info["creator"] == whole["creator"] and info["pages"] == whole["pages"]


def test_memory_stays_near_one_entry_for_a_large_file(tmp_path):
    """A 30 MB HAR (hand-built: one recorded entry repeated, with a 100 KB body each) is
    read with a peak far below its size."""
    real = json.loads((HAR_DIR / "allowed.har").read_text())
    entry = real["log"]["entries"][1]
    entry["response"]["content"]["text"] = "x" * 100_000
    blob = json.dumps(entry)
    path = tmp_path / "big.har"
    with path.open("w") as f:
        f.write('{"log": {"version": "1.2", "creator": {"name": "hand-made"}, "entries": [')
        f.write(",".join([blob] * 300))
        f.write("]}}")
    size = path.stat().st_size
    tracemalloc.start()
    with path.open() as handle:
        _, entries = read(handle)
        count = sum(1 for _ in entries)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 300
    assert peak < size / 10, (peak, size)


@pytest.mark.parametrize("text, words", [
    ("", "expected '{'"),
    ("[]", "expected '{'"),
    ('{"log": {"version": "1.2"}}', "no log.entries"),
    ('{"log": {"entries": [{"request": {}}, ', "invalid JSON"),
    ('{"log": {"entries": [1]}}', "not an object"),
    ('{"log": {"entries": [{} {}]}}', "expected ',' or ']'"),
])
def test_malformed_input(text, words):
    with pytest.raises(HarError, match=words):
        info, entries = read(io.StringIO(text))
        list(entries)


def test_bad_files_are_usage_errors(tmp_path):
    truncated = tmp_path / "truncated.har"
    truncated.write_text((HAR_DIR / "redirects.har").read_text()[:5000])
    binary = tmp_path / "binary.har"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    for path, words in ((truncated, "invalid JSON"), (binary, "not UTF-8"),
                        (tmp_path / "missing.har", "cannot read")):
        proc = corsprobe("har", str(path))
        assert proc.returncode == 2, proc.stderr
        assert words in proc.stderr and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1


def test_a_bom_and_entries_without_requests_are_tolerated(tmp_path):
    path = tmp_path / "bom.har"
    path.write_text("\ufeff" + json.dumps({"log": {"entries": [{"comment": "no request"}]}}),
                    encoding="utf-8")
    proc = corsprobe("har", str(path), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["summary"]["entries"] == 1 and doc["requests"] == []
