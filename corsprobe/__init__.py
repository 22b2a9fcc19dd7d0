"""corsprobe: what a browser will do with a cross-origin request, why, and how to fix it."""

__version__ = "0.1.0"
