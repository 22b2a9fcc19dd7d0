"""Rule tests replay small recorded exchanges: a table of responses by method."""

from __future__ import annotations

from corsprobe import replay
from corsprobe.engine import findings
from corsprobe.model import Exchange, Finding, HttpRequest, HttpResponse, RequestSpec, Trace

ORIGIN = "https://app.example.com"
URL = "https://api.example.com/users"


class Recorded:
    """Answers each request from a table {method: (status, headers)}; "*" is the fallback."""

    def __init__(self, table):
        self.table = table
        self.sent: list[HttpRequest] = []

    def send(self, request: HttpRequest) -> Exchange:
        self.sent.append(request)
        status, headers = self.table.get(request.method, self.table.get("*"))
        return Exchange(request, HttpResponse(status, "", tuple(headers)))


def trace(table, **spec) -> Trace:
    spec.setdefault("url", URL)
    spec.setdefault("origin", ORIGIN)
    spec.setdefault("send_actual", True)
    return replay.run(RequestSpec(**spec), Recorded(table))


def rules_fired(table, **spec) -> dict[str, Finding]:
    return {f.rule: f for f in findings(trace(table, **spec))}
