"""The framework suite's FastAPI and Flask apps (tests/frameworks/apps/) as module
attributes, for ``--app tests.inprocess.targets:fastapi_correct`` (FRAMEWORK_VARIANT).
Each app is built on first access, from the same factory the real servers use."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

APPS = Path(__file__).resolve().parents[1] / "frameworks" / "apps"
if str(APPS) not in sys.path:
    sys.path.insert(0, str(APPS))

_BUILT: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    framework, _, variant = name.partition("_")
    if framework not in ("fastapi", "flask") or not variant:
        raise AttributeError(name)
    if name not in _BUILT:
        if framework == "fastapi":
            from fastapi_app import create_app
        else:
            from flask_app import create_app
        _BUILT[name] = create_app(variant)
    return _BUILT[name]
