"""``corsprobe demo``: each demo check's report, as it is done, under a title.

The stream: ``start({"base", "page", "total"})``, then ``result({"title", "report"})`` per
check (report/v1), then ``finish({})``. Text prints every report as ``check`` does; JSON
prints the list of ``{"title", "report"}`` at the end.
"""

from __future__ import annotations

import sys
from typing import IO, Any

from .json import ascii_document
from .text import render


class TextReporter:
    def __init__(self, out: IO[str], color: bool | None = None) -> None:
        self.out = out
        self.color = color  # the --color option as given: None is "when stdout is a terminal"
        self.n = self.total = 0

    def start(self, run: dict[str, Any]) -> None:
        self.total = run["total"]
        self.out.write(f"corsprobe demo: a small API with typical CORS mistakes is listening on "
                       f"{run['base']};\neach check below is a page at {run['page']} calling it "
                       "with fetch().\n\n")

    def result(self, result: dict[str, Any]) -> None:
        self.n += 1
        rule = "━" * 100 if self.color is not False else "-" * 100
        self.out.write(f"{rule}\nDemo {self.n}/{self.total}: {result['title']}\n\n")
        use_color = sys.stdout.isatty() if self.color is None else self.color
        self.out.write(render(result["report"], color=use_color))
        self.out.flush()

    def finish(self, summary: dict[str, Any]) -> None:
        self.out.write("Try it on your own server: corsprobe check URL --origin ORIGIN "
                       "(corsprobe rules lists every diagnosis).\n")
        self.out.flush()


class JsonReporter:
    def __init__(self, out: IO[str], color: bool | None = None) -> None:
        self.out = out
        self.items: list[dict[str, Any]] = []

    def start(self, run: dict[str, Any]) -> None:
        pass

    def result(self, result: dict[str, Any]) -> None:
        self.items.append({"title": result["title"], "report": result["report"]})

    def finish(self, summary: dict[str, Any]) -> None:
        self.out.write(ascii_document(self.items))
        self.out.flush()
