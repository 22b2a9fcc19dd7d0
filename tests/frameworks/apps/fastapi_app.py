"""FastAPI app with Starlette's CORSMiddleware, one configuration per variant."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Header, HTTPException, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from variants import ALLOWED_ORIGIN, check

USERS = [{"id": 1, "name": "alice"}]

# The "correct" configuration; most mistakes change exactly one thing in it.
CORRECT = dict(
    allow_origins=[ALLOWED_ORIGIN],
    allow_credentials=True,
    allow_methods=["GET", "POST", "PUT", "DELETE"],
    allow_headers=["Content-Type", "Authorization", "X-Custom"],
    expose_headers=["X-Request-ID"],
    max_age=600,
)


def cors_options(variant: str) -> dict:
    if variant in ("correct", "auth_options_401", "starlette_csrf"):
        return dict(CORRECT)
    if variant == "trailing_slash":
        return {**CORRECT, "allow_origins": [ALLOWED_ORIGIN + "/"]}
    if variant == "default_methods":
        # only the origin: Starlette defaults allow_methods=("GET",), no extra headers
        return {"allow_origins": [ALLOWED_ORIGIN]}
    if variant == "star_credentials":
        return {**CORRECT, "allow_origins": ["*"]}
    if variant == "no_expose":
        return {k: v for k, v in CORRECT.items() if k != "expose_headers"}
    if variant == "unanchored_regex":
        return {**CORRECT, "allow_origins": [], "allow_origin_regex": r"https://.*.example.com"}
    raise AssertionError(variant)


def require_bearer(authorization: str | None = Header(default=None)) -> None:
    if authorization != "Bearer good":
        raise HTTPException(401, "Not authenticated", headers={"WWW-Authenticate": "Bearer"})


def create_app(variant: str) -> FastAPI:
    check("fastapi", variant)
    app = FastAPI(title=f"corsprobe fastapi {variant}")

    @app.get("/api/users")
    def list_users(response: Response):
        response.headers["X-Request-ID"] = "req-1"
        response.headers["X-Total-Count"] = str(len(USERS))
        return USERS

    @app.post("/api/users", status_code=201)
    def create_user():
        return {"id": 2}

    @app.put("/api/users/{user_id}")
    def update_user(user_id: int):
        return {"id": user_id, "name": "alice"}

    @app.get("/api/boom")
    def boom():
        raise RuntimeError("boom")  # unhandled -> ServerErrorMiddleware 500

    @app.get("/api/private", dependencies=[Depends(require_bearer)])
    def private():
        return {"secret": 42}

    if variant == "starlette_csrf":
        # the starlette-csrf package (double-submit cookie), inside CORSMiddleware (added
        # first, so CORS wraps it and its 403 carries the CORS headers)
        from starlette_csrf import CSRFMiddleware

        app.add_middleware(CSRFMiddleware, secret="corsprobe-tests-only-not-secret")
    app.add_middleware(CORSMiddleware, **cors_options(variant))

    if variant == "auth_options_401":
        # Added after CORSMiddleware, so it wraps it (outermost user middleware):
        # it answers every request without the token - preflights included,
        # which never carry Authorization - with 401 and no CORS headers.
        @app.middleware("http")
        async def naive_auth(request: Request, call_next):
            if request.headers.get("authorization") != "Bearer good":
                return JSONResponse(
                    {"detail": "Not authenticated"},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
            return await call_next(request)

    return app
