"""JUnit XML for ``corsprobe run``: one ``<testcase>`` per check.

A failed expectation is a ``<failure>`` whose text is the diagnosis (what was expected,
what the browser does, its console message, the findings and their fixes); an unreachable
target is an ``<error>``. The counts sit in the opening tags, so test cases are spooled to a
temporary file as they arrive and copied out at the end: memory stays flat.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from ..report.words import diagnosis

# characters XML 1.0 does not allow, even escaped
_INVALID_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def attr(text: object) -> str:
    return quoteattr(clean(str(text)), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


class JUnitReporter:
    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.spool: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.config = ""
        self.shard = ""
        self.tests = self.failures = self.errors = 0
        self.time = 0.0

    def start(self, run: dict[str, Any]) -> None:
        self.config = str(run.get("config", ""))
        shard = run.get("shard")
        self.shard = f"shard {shard['index']}/{shard['count']}" if shard else ""

    def result(self, result: dict[str, Any]) -> None:
        self.tests += 1
        seconds = result["duration_ms"] / 1000
        self.time += seconds
        classname = f"corsprobe.{result['group']}" if result["group"] else "corsprobe"
        attrs = f"name={attr(result['name'])} classname={attr(classname)} time=\"{seconds:.3f}\""
        if self.config:
            attrs += f" file={attr(self.config)}"
            if result.get("line"):
                attrs += f" line=\"{result['line']}\""
        status = result["status"]
        if status == "passed":
            self.spool.write(f"    <testcase {attrs}/>\n")
            return
        text = clean("\n".join(diagnosis(result)))
        message = result["failures"][0]["message"] if result["failures"] else status
        if status == "unreachable":
            self.errors += 1
            tag, kind = "error", "unreachable"
        else:
            self.failures += 1
            tag, kind = "failure", ",".join(dict.fromkeys(f["expectation"] for f in result["failures"]))
        self.spool.write(
            f"    <testcase {attrs}>\n"
            f"      <{tag} message={attr(message)} type={attr(kind)}>{escape(text)}</{tag}>\n"
            f"    </testcase>\n"
        )

    def finish(self, summary: dict[str, Any]) -> None:
        counts = (f"tests=\"{self.tests}\" failures=\"{self.failures}\" errors=\"{self.errors}\" "
                  f"skipped=\"0\" time=\"{summary.get('duration_s', self.time):.3f}\"")
        name = " ".join(filter(None, ("corsprobe run", self.config, self.shard)))
        self.out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.out.write(f"<testsuites name=\"corsprobe\" {counts}>\n")
        self.out.write(f"  <testsuite name={attr(name)} {counts}>\n")
        self.spool.seek(0)
        shutil.copyfileobj(self.spool, self.out)
        self.spool.close()
        self.out.write("  </testsuite>\n</testsuites>\n")
        self.out.flush()


def reporter(out: IO[str], color: bool | None = None) -> JUnitReporter:
    return JUnitReporter(out)
