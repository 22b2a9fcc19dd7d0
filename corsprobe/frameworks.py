"""Which server framework answered, from fingerprints in the recorded responses.

Observed on real servers (see tests/frameworks): Starlette's CORSMiddleware refuses a
preflight with a plain-text 400 "Disallowed CORS ..." and lists four names in its preflight
Vary; uvicorn, Django's runserver and Werkzeug name themselves in Server; django-cors-headers
writes its headers in lower case and defaults Allow-Headers to a list holding x-csrftoken.
"""

from __future__ import annotations

from .model import HttpResponse, Trace, joined, last_answer

LABELS = {"fastapi": "FastAPI / Starlette", "django": "Django (django-cors-headers)", "flask": "Flask (flask-cors)"}


def _votes(response: HttpResponse) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}

    def vote(name: str, why: str) -> None:
        found.setdefault(name, []).append(why)

    server = (joined(response.headers, "server") or "").lower()
    body = response.body[:200]
    if response.status == 400 and body.startswith(b"Disallowed CORS "):
        vote("fastapi", "Starlette's '400 Disallowed CORS ...' preflight answer")
    vary = (joined(response.headers, "vary") or "").lower()
    if "access-control-request-private-network" in vary:
        vote("fastapi", "Starlette's preflight Vary list")
    if "uvicorn" in server or "hypercorn" in server:
        vote("fastapi", f"Server: {server}")
    if "wsgiserver" in server:
        vote("django", f"Server: {server}")
    if "x-csrftoken" in (joined(response.headers, "access-control-allow-headers") or "").lower():
        vote("django", "django-cors-headers' default Allow-Headers (x-csrftoken)")
    if ("Vary", "origin") in response.headers and any(  # (the rarer line first)
        k == "access-control-allow-origin" for k, _ in response.headers
    ):
        vote("django", "django-cors-headers' 'Vary: origin'")
    if "werkzeug" in server:
        vote("flask", f"Server: {server}")
    return found


def detect(trace: Trace) -> tuple[str, list[str]] | None:
    """(framework key, evidence) when the responses point to one framework, else None.
    (The report and the layer detection both ask, once each per check: the last answer is
    kept.)"""
    found = _detect(trace)
    return None if found is None else (found[0], list(found[1]))


@last_answer
def _detect(trace: Trace) -> tuple[str, tuple[str, ...]] | None:
    tally: dict[str, list[str]] = {}
    exchanges = (*trace.preflights, *trace.actuals, *(p.exchange for p in trace.probes))
    for exchange in exchanges:
        if exchange.response is None:
            continue
        for name, why in _votes(exchange.response).items():
            for w in why:
                if w not in tally.setdefault(name, []):
                    tally[name].append(w)
    if len(tally) != 1:
        return None
    (name, why), = tally.items()
    return name, tuple(why)
