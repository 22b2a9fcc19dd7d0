"""Per-browser limits that are not part of the verdict algorithm itself."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BrowserLimits:
    name: str
    label: str
    max_age_default: int  # seconds a preflight is cached without Access-Control-Max-Age
    max_age_cap: int  # the largest Max-Age honoured


BROWSERS = {
    "chrome": BrowserLimits("chrome", "Chrome", 5, 7200),
    "firefox": BrowserLimits("firefox", "Firefox", 5, 86400),
    "safari": BrowserLimits("safari", "Safari", 5, 600),
}


def limits(name: str) -> BrowserLimits:
    return BROWSERS[name]
