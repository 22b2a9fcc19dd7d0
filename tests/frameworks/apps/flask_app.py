"""Flask app with flask-cors, one configuration per variant."""

from __future__ import annotations

from flask import Flask, jsonify, request, session
from flask_cors import CORS
from variants import ALLOWED_ORIGIN, check

USERS = [{"id": 1, "name": "alice"}]

CORRECT = dict(
    origins=[ALLOWED_ORIGIN],
    supports_credentials=True,
    expose_headers=["X-Request-ID"],
    max_age=600,
    methods=["GET", "POST", "PUT", "DELETE"],
)


def cors_options(variant: str) -> dict:
    if variant == "correct":
        return dict(CORRECT)
    if variant == "default_star":
        return {}  # CORS(app)
    if variant == "star_credentials":
        return {"supports_credentials": True}  # origins default "*"
    if variant == "restricted_methods":
        return {**CORRECT, "methods": ["GET", "POST"]}
    if variant == "regex_prefix":
        return {**CORRECT, "origins": [r"https://.*\.example\.com"]}
    if variant == "no_expose":
        return {k: v for k, v in CORRECT.items() if k != "expose_headers"}
    if variant == "trailing_slash":
        return {**CORRECT, "origins": [ALLOWED_ORIGIN + "/"]}
    if variant in ("session_none", "wtf_csrf"):
        return dict(CORRECT)
    if variant == "no_cors":
        return {}  # unused: no flask-cors at all (a proxy in front adds the CORS headers)
    raise AssertionError(variant)


def create_app(variant: str) -> Flask:
    check("flask", variant)
    app = Flask(f"corsprobe_flask_{variant}")
    app.secret_key = "corsprobe-tests-only-not-secret"
    if variant == "session_none":
        # the session cookie a cross-site page can keep: SameSite=None; Secure (loopback http
        # counts as secure for browsers)
        app.config.update(SESSION_COOKIE_SAMESITE="None", SESSION_COOKIE_SECURE=True)

    @app.post("/api/login")
    def login():
        session["user"] = "alice"
        return jsonify({"user": "alice"})

    @app.get("/api/me")
    def me():
        if "user" not in session:
            return jsonify({"detail": "Not authenticated"}), 401
        return jsonify({"user": session["user"]})

    @app.get("/api/users")
    def list_users():
        resp = jsonify(USERS)
        resp.headers["X-Request-ID"] = "req-1"
        resp.headers["X-Total-Count"] = str(len(USERS))
        return resp

    @app.post("/api/users")
    def create_user():
        return jsonify({"id": 2}), 201

    @app.put("/api/users/<int:user_id>")
    def update_user(user_id: int):
        return jsonify({"id": user_id, "name": "alice"})

    @app.get("/api/boom")
    def boom():
        raise RuntimeError("boom")

    @app.get("/api/private")
    def private():
        if request.headers.get("Authorization") != "Bearer good":
            return jsonify({"detail": "Not authenticated"}), 401, {"WWW-Authenticate": "Bearer"}
        return jsonify({"secret": 42})

    if variant != "no_cors":
        CORS(app, **cors_options(variant))
    if variant == "wtf_csrf":
        # Flask-WTF's CSRFProtect over every view (flask-cors correct): an unsafe request
        # needs the token of the session in a form field or an X-CSRFToken header
        from flask_wtf.csrf import CSRFProtect

        CSRFProtect(app)
    if variant == "correct":
        # flask-cors sends Vary: Origin only for several origins or a regex; with one origin
        # the answer still depends on Origin, so the correct app adds it (corsprobe's fix text).
        @app.after_request
        def vary_origin(resp):
            resp.vary.add("Origin")
            return resp

    return app
