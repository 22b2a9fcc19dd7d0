"""Names of every (framework, variant) test server.  No framework imports here:
the pytest process reads this to validate names without loading the apps."""

ALLOWED_ORIGIN = "https://app.example.com"

VARIANTS: dict[str, tuple[str, ...]] = {
    "fastapi": (
        "correct",
        "trailing_slash",
        "default_methods",
        "star_credentials",
        "no_expose",
        "unanchored_regex",
        "auth_options_401",
        "starlette_csrf",
    ),
    "django": (
        "correct",
        "cors_after_common",
        "allow_all_credentials",
        "regex_prefix",
        "no_expose",
        "trailing_slash",
        "csrf_session",
        "drf_session",
    ),
    "flask": (
        "correct",
        "default_star",
        "star_credentials",
        "restricted_methods",
        "regex_prefix",
        "no_expose",
        "trailing_slash",
        "session_none",
        "no_cors",
        "wtf_csrf",
    ),
}

# Django variants whose settings fail runserver's system checks, so they are
# served by django.core.servers.basehttp.run directly (runserver minus checks).
DJANGO_NO_CHECKS = ("trailing_slash",)


def check(framework: str, variant: str) -> None:
    if framework not in VARIANTS:
        raise ValueError(f"unknown framework {framework!r}; known: {sorted(VARIANTS)}")
    if variant not in VARIANTS[framework]:
        raise ValueError(
            f"unknown {framework} variant {variant!r}; known: {', '.join(VARIANTS[framework])}"
        )
