"""``--app module:attr``: find an ASGI or WSGI application to check in-process.

The target is imported the way uvicorn and gunicorn do it: ``package.module:app`` (the
attribute may be dotted), with the current directory on ``sys.path``. Without ``:attr``
the module's ``application`` (Django's wsgi.py/asgi.py name), then ``app``, is used; a
Django *settings* module is accepted too (``DJANGO_SETTINGS_MODULE`` is set to it and
Django's WSGI handler built). A function that takes no arguments is called as a factory.

Which interface: an ``async def __call__`` (or async function) is ASGI 3 (Starlette,
FastAPI, Django's ASGIHandler, Quart); a sync callable with two parameters is WSGI (Flask,
Django's WSGIHandler). The requests go through :mod:`corsprobe.net` (httpx's ASGI/WSGI
transports); nothing here imports httpx.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from dataclasses import dataclass
from typing import Any, Literal

from .errors import UsageError

# Relative URLs (``check /api/users --app ...``) are sent to this origin: a host that
# Django's ALLOWED_HOSTS admits by default when DEBUG is on. Give a full URL for another.
APP_BASE_URL = "http://localhost"


@dataclass(frozen=True)
class LoadedApp:
    app: Any
    interface: Literal["asgi", "wsgi"]
    name: str  # what the user named, e.g. "mysite.asgi:application"

    @property
    def framework(self) -> str | None:
        """fastapi, django or flask, from the package the app object's class comes from."""
        root = (type(self.app).__module__ or "").split(".")[0]
        return {"fastapi": "fastapi", "starlette": "fastapi", "django": "django",
                "flask": "flask"}.get(root)

    @property
    def note(self) -> str:
        via = "httpx.ASGITransport" if self.interface == "asgi" else "httpx.WSGITransport"
        return (f"sent in-process to {self.name} ({self.interface.upper()}, via {via}): no "
                "server and no socket, so headers a server or proxy adds are absent")


def check_target(target: str) -> str | None:
    """Why ``target`` is not ``module[:attr]`` syntax, or None."""
    module, _, attr = target.partition(":")
    parts = module.split(".") + (attr.split(".") if attr else [])
    if not module or (":" in target and not attr) or not all(p.isidentifier() for p in parts):
        return (f"'{target}' is not module:attribute; e.g. --app myproject.main:app or "
                "--app mysite.wsgi")
    return None


def _import(module_name: str, target: str) -> Any:
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            raise UsageError(f"--app {target}: no module named '{exc.name}' (run corsprobe from "
                             "the project directory, or set PYTHONPATH)") from None
        raise UsageError(f"--app {target}: importing {module_name} failed: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - the user's code: one line, no traceback
        if exc.__class__.__name__ == "ImproperlyConfigured":
            raise UsageError(
                f"--app {target}: Django is not configured ({exc}). Point --app at the "
                "project's wsgi or asgi module (mysite.wsgi), which sets DJANGO_SETTINGS_MODULE, "
                "or set DJANGO_SETTINGS_MODULE yourself") from None
        raise UsageError(f"--app {target}: importing {module_name} raised "
                         f"{exc.__class__.__name__}: {exc}") from None


def _django_from_settings(module: Any, module_name: str) -> Any | None:
    if not (hasattr(module, "ROOT_URLCONF") and hasattr(module, "INSTALLED_APPS")):
        return None
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", module_name)
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def interface_of(obj: Any, target: str) -> Literal["asgi", "wsgi"]:
    if inspect.isclass(obj):
        raise UsageError(f"--app {target} is a class; point at the application object "
                         "(e.g. module:app)")
    if not callable(obj):
        raise UsageError(f"--app {target} is a {type(obj).__name__}, not an ASGI or WSGI app")
    func = obj if inspect.isfunction(obj) or inspect.ismethod(obj) else type(obj).__call__
    if inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(obj):
        return "asgi"
    try:
        params = [p for p in inspect.signature(obj).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    if len(params) == 2:
        return "wsgi"
    if len(params) == 3:
        return "asgi"  # ASGI 3 through a sync wrapper that returns an awaitable
    raise UsageError(f"--app {target}: cannot tell whether it is ASGI (async, scope/receive/"
                     "send) or WSGI (environ/start_response)")


def load(target: str) -> LoadedApp:
    """Import and classify ``target``; every problem is a UsageError naming it."""
    problem = check_target(target)
    if problem:
        raise UsageError(f"--app {problem}")
    module_name, _, attr = target.partition(":")
    module = _import(module_name, target)
    obj: Any = None
    if attr:
        obj = module
        for part in attr.split("."):
            if not hasattr(obj, part):
                raise UsageError(f"--app {target}: {module_name} has no attribute "
                                 f"'{attr}'")
            obj = getattr(obj, part)
    else:
        for name in ("application", "app"):
            if hasattr(module, name):
                obj = getattr(module, name)
                break
        else:
            obj = _django_from_settings(module, module_name)
        if obj is None:
            raise UsageError(f"--app {target}: the module has no 'application' or 'app'; "
                             "name the object: --app module:attribute")
    if inspect.isfunction(obj) and not inspect.iscoroutinefunction(obj):
        required = [p for p in inspect.signature(obj).parameters.values()
                    if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                           p.POSITIONAL_OR_KEYWORD)]
        if not required:  # an application factory, e.g. Flask's create_app()
            obj = obj()
    return LoadedApp(obj, interface_of(obj, target), target)


def resolve(app: Any, name: str | None = None) -> LoadedApp:
    """An app given as a LoadedApp, a ``module:attr`` string, or the object itself."""
    if isinstance(app, LoadedApp):
        return app
    if isinstance(app, str):
        return load(app)
    label = name or getattr(app, "__module__", None) or type(app).__name__
    return LoadedApp(app, interface_of(app, label), label)


class Lifespan:
    """The ASGI lifespan protocol, as uvicorn runs it: ``startup`` before the first request
    (so a FastAPI/Starlette app's startup code and lifespan context run), ``shutdown`` at the
    end. An app that does not speak it (Django's ASGIHandler raises for the scope) is used
    without it, as uvicorn's ``lifespan="auto"`` does."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state: dict[str, Any] = {}
        self._task: Any = None
        self._queue: Any = None
        self._started: Any = None
        self._stopped: Any = None
        self._failed: str | None = None

    async def startup(self) -> None:
        import asyncio

        if self._task is not None:
            return
        self._queue = asyncio.Queue()
        self._started, self._stopped = asyncio.Event(), asyncio.Event()
        await self._queue.put({"type": "lifespan.startup"})
        self._task = asyncio.ensure_future(self._main())
        await self._started.wait()
        if self._failed is not None:
            raise UsageError(f"--app: the application's lifespan startup failed: {self._failed}")

    async def _main(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"},
                 "state": self.state}
        try:
            await self.app(scope, self._queue.get, self._send)
        except Exception:  # noqa: BLE001 - no lifespan support: carry on without it
            pass
        finally:
            self._started.set()
            self._stopped.set()

    async def _send(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "lifespan.startup.failed":
            # Starlette sends the whole traceback; its last line names the exception
            lines = [ln.strip() for ln in str(message.get("message") or "").splitlines()]
            self._failed = next((ln for ln in reversed(lines) if ln), "(no message)")
        if kind in ("lifespan.startup.complete", "lifespan.startup.failed"):
            self._started.set()
        elif kind in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
            self._stopped.set()

    async def shutdown(self) -> None:
        import asyncio

        if self._task is None or self._stopped.is_set():
            return
        await self._queue.put({"type": "lifespan.shutdown"})
        try:
            await asyncio.wait_for(self._stopped.wait(), 5)
        except asyncio.TimeoutError:
            self._task.cancel()
