"""Fix texts per configuration cause, in generic terms and for FastAPI/Starlette
(``CORSMiddleware``), Django (django-cors-headers), Flask (flask-cors) and Express (the
``cors`` package, which the same front ends often call from a Node service).

The framework snippets follow what those libraries really do (observed on real servers:
Starlette's ``allow_methods`` defaults to GET only, django-cors-headers must come before
CommonMiddleware, flask-cors omits the lists for a refused method, ...). Express's ``cors``
defaults to origin ``*``, the methods GET,HEAD,PUT,PATCH,POST,DELETE and mirrors the requested
headers; Express 5 answers an OPTIONS no middleware handles itself (200 with ``Allow:`` and no
CORS headers), and ``app.options('*', ...)`` throws there (path-to-regexp 8): ``'/{*splat}'``.
"""

from __future__ import annotations

import re


def _example(origin: str) -> str:
    return origin if origin not in ("null", "") else "https://app.example.com"


def methods(method: str, origin: str) -> dict[str, str]:
    o = _example(origin)
    listed = ", ".join(f'"{m}"' for m in dict.fromkeys(("GET", "POST", method)))
    return {
        "generic": (
            f"List {method} in Access-Control-Allow-Methods on the preflight response (exact "
            "case: browsers compare method names case-sensitively)."
        ),
        "fastapi": (
            f'CORSMiddleware(..., allow_origins=["{o}"], allow_methods=[{listed}]) '
            '— Starlette allows only GET by default and answers other preflights with 400.'
        ),
        "django": (
            "django-cors-headers allows DELETE, GET, OPTIONS, PATCH, POST, PUT by default; if "
            f'CORS_ALLOW_METHODS is set, add "{method}" to it.'
        ),
        "flask": f'CORS(app, origins=["{o}"], methods=[{listed}])',
        "express": (f"app.use(cors({{ origin: ['{o}'], methods: [{listed.replace(chr(34), chr(39))}] }})) "
                    "before the routes (cors allows GET,HEAD,PUT,PATCH,POST,DELETE by default)."),
    }


def headers(names: list[str], origin: str) -> dict[str, str]:
    o = _example(origin)
    shown = ", ".join(f'"{n}"' for n in names)
    return {
        "generic": (
            f"List {', '.join(names)} in Access-Control-Allow-Headers on the preflight response "
            "(names are case-insensitive; `*` does not cover Authorization and does not work with "
            "credentials)."
        ),
        "fastapi": (
            f'CORSMiddleware(..., allow_origins=["{o}"], allow_headers=[{shown}]) — Starlette allows '
            "only the four safelisted names by default."
        ),
        "django": (
            "from corsheaders.defaults import default_headers; "
            f"CORS_ALLOW_HEADERS = (*default_headers, {shown})"
        ),
        "flask": (
            f"flask-cors mirrors any requested header by default; if allow_headers is set, add "
            f"{shown}: CORS(app, allow_headers=[..., {shown}])"
        ),
        "express": (f"cors mirrors the requested headers by default; if allowedHeaders is set, add "
                    f"{shown}: app.use(cors({{ origin: ['{o}'], allowedHeaders: [..., {shown}] }}))"),
    }


def expose(names: list[str]) -> dict[str, str]:
    shown = ", ".join(f'"{n}"' for n in names)
    return {
        "generic": (
            f"Send Access-Control-Expose-Headers: {', '.join(names)} on the actual response "
            "(not on the preflight)."
        ),
        "fastapi": f"CORSMiddleware(..., expose_headers=[{shown}])",
        "django": f"CORS_EXPOSE_HEADERS = [{shown}]",
        "flask": f"CORS(app, expose_headers=[{shown}])",
        "express": f"app.use(cors({{ ..., exposedHeaders: [{shown}] }}))",
    }


def max_age(seconds: int) -> dict[str, str]:
    return {
        "generic": f"Send Access-Control-Max-Age: {seconds} on the preflight response.",
        "fastapi": f"CORSMiddleware(..., max_age={seconds})  (Starlette's default is 600)",
        "django": f"CORS_PREFLIGHT_MAX_AGE = {seconds}  (the default is 86400, above Chrome's cap)",
        "flask": f"CORS(app, max_age={seconds})  (flask-cors sends no Max-Age by default)",
        "express": f"app.use(cors({{ ..., maxAge: {seconds} }}))  (cors sends no Max-Age by default)",
    }


def server_error(status: int) -> dict[str, str]:
    return {
        "generic": (
            f"Fix the {status} itself first (see the server log). To keep CORS headers on error "
            "responses, the CORS layer must wrap the error handler."
        ),
        "fastapi": (
            "Unhandled exceptions are rendered by ServerErrorMiddleware, outside CORSMiddleware, "
            "so a 500 has no CORS headers. Wrap the whole app: app = CORSMiddleware(FastAPI(...), "
            "allow_origins=[...]) or turn errors into HTTPException / handlers for specific "
            "exception classes."
        ),
        "django": (
            'Keep "corsheaders.middleware.CorsMiddleware" first in MIDDLEWARE so error responses '
            "pass through it."
        ),
        "flask": (
            "flask-cors decorates error responses; do not test CORS with `flask run --debug` "
            "(the debugger page has no CORS headers)."
        ),
        "express": ("Register app.use(cors(...)) first, before the routes and any error-handling "
                    "middleware, so its headers are on the response before an error is written."),
    }


def auth_on_preflight(status: int) -> dict[str, str]:
    return {
        "generic": (
            f"Preflight requests never carry credentials, so authentication must not answer "
            f"OPTIONS with {status}: let OPTIONS requests with Access-Control-Request-Method "
            "through to the CORS layer before any auth check."
        ),
        "fastapi": (
            "Add CORSMiddleware last (so it is the outermost middleware) and let auth "
            "dependencies skip OPTIONS; a custom auth middleware should return early for "
            'request.method == "OPTIONS".'
        ),
        "django": (
            'Put "corsheaders.middleware.CorsMiddleware" first in MIDDLEWARE: it answers '
            "preflights before authentication middleware runs."
        ),
        "flask": (
            "Let before_request auth hooks skip OPTIONS (if request.method == 'OPTIONS': return) "
            "so flask-cors answers the preflight."
        ),
        "express": ("app.use(cors(...)) before the auth middleware (it ends preflights with 204), "
                    "or let the auth middleware skip req.method === 'OPTIONS'."),
    }


def no_options_route(status: int) -> dict[str, str]:
    return {
        "generic": (
            f"The preflight got {status}: nothing answers OPTIONS on this path. Make the CORS "
            "layer (or the proxy in front) handle OPTIONS for every API path."
        ),
        "fastapi": "Add CORSMiddleware to the app that serves this path (it answers every preflight).",
        "django": (
            "Check CORS_URLS_REGEX covers this path and CorsMiddleware is in MIDDLEWARE (it "
            "answers preflights before URL resolution)."
        ),
        "flask": "Apply CORS(app) (or resources=...) so this route is covered; flask-cors adds OPTIONS.",
        "express": ("app.use(cors(...)) before the routes answers every preflight; Express 5 "
                    "otherwise answers OPTIONS itself (200, Allow:, no CORS headers), and "
                    "app.options('*', cors()) throws there: use app.options('/{*splat}', cors())."),
    }


def redirect_before_cors(location: str, slash: bool, scheme_upgrade: bool) -> dict[str, str]:
    generic = f"Call the final URL directly ({location}) so no redirect happens"
    if slash:
        generic += " — the only difference is the trailing slash"
    if scheme_upgrade:
        generic += " — the redirect upgrades http to https: use https in the page"
    return {
        "generic": generic + "; or make the redirect itself carry CORS headers.",
        "fastapi": (
            "Starlette's redirect_slashes answer carries CORS headers; a redirect without them "
            "comes from a proxy or another layer in front of the app."
        ),
        "django": (
            'Put "corsheaders.middleware.CorsMiddleware" before "django.middleware.common.'
            'CommonMiddleware" (ideally first) so APPEND_SLASH redirects carry CORS headers; '
            "better, call the URL with its trailing slash."
        ),
        "flask": (
            "Werkzeug redirects /path to /path/ for routes declared with a trailing slash; call "
            "the canonical URL."
        ),
        "express": ("Register app.use(cors(...)) before whatever redirects (express.static "
                    "redirects /dir to /dir/, res.redirect in an auth guard), or call the final URL."),
    }


def vary_origin() -> dict[str, str]:
    return {
        "generic": (
            "When Access-Control-Allow-Origin echoes the request's Origin, also send Vary: Origin, "
            "so caches keep one copy per origin."
        ),
        "fastapi": "Starlette adds Vary: Origin when it echoes an origin; a proxy may strip it.",
        "django": "django-cors-headers always adds Vary: origin on CORS-enabled paths.",
        "flask": (
            "flask-cors adds Vary: Origin only when several origins or a regex are configured; "
            "with one origin, add it yourself (after_request: response.vary.add('Origin'))."
        ),
        "express": ("cors adds Vary: Origin when the origin option is a list, a RegExp or a "
                    "function; with a fixed string it does not: add it (res.vary('Origin'))."),
    }


def allow_origin(origin: str, note: str = "") -> dict[str, str]:
    """Send this exact origin back: the fix for every origin mismatch, in each framework."""
    shown = origin if origin != "null" else "https://app.example.com"
    lead = f"{note} " if note else ""
    return {
        "generic": (
            f"{lead}Send Access-Control-Allow-Origin: {shown} exactly (scheme, host and port as the "
            "browser sends them in Origin, no trailing slash), from one layer only."
        ),
        "fastapi": (
            f'app.add_middleware(CORSMiddleware, allow_origins=["{shown}"]) — the entry must equal '
            "the Origin header exactly."
        ),
        "django": (
            f'CORS_ALLOWED_ORIGINS = ["{shown}"] with "corsheaders.middleware.CorsMiddleware" first '
            "in MIDDLEWARE."
        ),
        "flask": f'CORS(app, origins=["{shown}"])',
        "express": f"app.use(cors({{ origin: ['{shown}'] }})) — the entry must equal the Origin header exactly.",
    }


def _trusted_example(origin: str) -> tuple[str, str]:
    """The trusted origin for fix texts, and a safe regex for its domain."""
    if origin == "null" or not origin.startswith("https://"):
        origin = "https://app.example.com"
    host = origin.split("://", 1)[1].split(":", 1)[0]
    labels = host.split(".")
    domain = ".".join(labels[-2:]) if len(labels) >= 2 else host
    return origin, r"https://([a-z0-9-]+\.)?" + re.escape(domain)


def allow_list(origin: str, generic: str) -> dict[str, str]:
    """Echo only trusted origins: an exact list with ``origin``, or an anchored, escaped regex
    for its domain, in each framework's terms."""
    origin, pattern = _trusted_example(origin)
    return {
        "generic": generic,
        "fastapi": f'CORSMiddleware(app, allow_origins=["{origin}"], allow_credentials=True), or '
                   f'allow_origin_regex=r"{pattern}" (Starlette full-matches it; escape every dot); '
                   'never allow_origins=["*"] with allow_credentials=True (it reflects any origin)',
        "django": f'CORS_ALLOWED_ORIGINS = ["{origin}"], or CORS_ALLOWED_ORIGIN_REGEXES = '
                  f'[r"^{pattern}$"] (re.match anchors only the start: end with $); never '
                  'CORS_ALLOW_ALL_ORIGINS with CORS_ALLOW_CREDENTIALS',
        "flask": f'CORS(app, origins=["{origin}"], supports_credentials=True), or origins='
                 f'[r"^{pattern}$"] (flask-cors uses re.match: end the pattern with $); the default '
                 "origins='*' with supports_credentials reflects every origin",
        "express": f"app.use(cors({{ origin: ['{origin}'], credentials: true }})), or origin: "
                   f"/^{pattern.replace('/', chr(92) + '/')}$/ (anchor both ends, escape every dot); never "
                   "origin: true with credentials: true (it reflects any origin)",
    }
