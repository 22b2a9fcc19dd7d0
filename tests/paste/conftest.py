"""A loopback API whose CORS behaviour a test switches: ``broken`` (the preflight allows no
method, no response carries Access-Control-Allow-Origin) or ``fixed`` (the page's origin,
its methods and headers, with credentials). Served by the browser suite's raw-socket server."""

from __future__ import annotations

import pytest

from tests.browser.scenario_server import Request, Response, ScenarioServer

PAGE = "http://app.example.test:3000"


class Api:
    def __init__(self) -> None:
        self.mode = "broken"

    def __call__(self, req: Request) -> Response:
        if self.mode == "fixed" and req.header("origin") == PAGE:
            cors = [("Access-Control-Allow-Origin", PAGE),
                    ("Access-Control-Allow-Credentials", "true"), ("Vary", "Origin")]
            if req.method == "OPTIONS":
                return Response(204, cors + [
                    ("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE"),
                    ("Access-Control-Allow-Headers",
                     "authorization, content-type, x-request-id, x-empty, x-api-key"),
                    ("Access-Control-Max-Age", "600")])
            return Response(200, cors + [("Content-Type", "application/json")], b"{}")
        if req.method == "OPTIONS":
            return Response(204, [("Access-Control-Allow-Origin", PAGE),
                                  ("Access-Control-Allow-Credentials", "true")])
        return Response(200, [("Content-Type", "application/json")], b"{}")


@pytest.fixture(scope="session")
def _server():
    api = Api()
    with ScenarioServer({"api": api}) as server:
        yield server, api


@pytest.fixture
def api(_server):
    server, handler = _server
    handler.mode = "broken"
    server.clear()
    yield server, handler
