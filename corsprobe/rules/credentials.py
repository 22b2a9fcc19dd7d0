"""Credentials: cookies and HTTP auth across origins need an exact origin and ``true``."""

from __future__ import annotations

from collections.abc import Iterator

from . import Context, Hit, rule

ACAC = "Access-Control-Allow-Credentials"


def _credentials_fix(origin: str) -> dict[str, str]:
    shown = origin if origin != "null" else "https://app.example.com"
    return {
        "generic": (
            f"For credentialed requests send Access-Control-Allow-Origin: {shown} (the exact "
            "origin, never *) and Access-Control-Allow-Credentials: true (lower case), with "
            "Vary: Origin."
        ),
        "fastapi": (
            f'app.add_middleware(CORSMiddleware, allow_origins=["{shown}"], allow_credentials=True)'
            ' — not allow_origins=["*"].'
        ),
        "django": (
            f'CORS_ALLOWED_ORIGINS = ["{shown}"] and CORS_ALLOW_CREDENTIALS = True '
            "(not CORS_ALLOW_ALL_ORIGINS)."
        ),
        "flask": f'CORS(app, origins=["{shown}"], supports_credentials=True)',
        "express": f"app.use(cors({{ origin: ['{shown}'], credentials: true }})) — not origin: '*'.",
    }


@rule("CORS201", "wildcard-origin-with-credentials", "error", "Allow-Origin * on a credentialed request")
def wildcard_with_credentials(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A request made with credentials (`credentials: 'include'`) is answered with
        Access-Control-Allow-Origin: `*`.

    Why it matters:
        `*` means "any origin, without credentials". With cookies or HTTP auth involved the
        browser requires the exact origin and refuses `*` even when
        Access-Control-Allow-Credentials is `true` (WildcardOriginNotAllowed).

    Example:
        fetch(url, {credentials: 'include'})
        Access-Control-Allow-Origin: *
        Access-Control-Allow-Credentials: true

    Fix:
        Echo the request's origin after checking it against an allow list, add
        Access-Control-Allow-Credentials: true and Vary: Origin.
    """
    if ctx.error in ("WildcardOriginNotAllowed", "PreflightWildcardOriginNotAllowed"):
        yield Hit(
            "The request includes credentials, so Access-Control-Allow-Origin: * is refused; "
            f"the server must name the origin '{ctx.origin}'.",
            ctx.evidence("Access-Control-Allow-Origin", credentials=True),
            _credentials_fix(ctx.origin),
        )


@rule("CORS202", "allow-credentials-missing", "error", "Access-Control-Allow-Credentials is missing")
def allow_credentials_missing(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A credentialed request whose response allows the origin but has no
        Access-Control-Allow-Credentials header.

    Why it matters:
        With `credentials: 'include'` the browser hands the response to the page only when
        Access-Control-Allow-Credentials is exactly `true` (InvalidAllowCredentials). On a
        preflight the header is required as well, although the preflight carries no cookies.

    Example:
        fetch(url, {credentials: 'include'})
        Access-Control-Allow-Origin: https://app.example.com      <- no -Allow-Credentials

    Fix:
        Enable credentials in the CORS configuration (and keep the exact origin).
    """
    if ctx.error in ("InvalidAllowCredentials", "PreflightInvalidAllowCredentials") and (
        ctx.header(ACAC) is None
    ):
        yield Hit(
            "The request includes credentials but the response has no "
            "Access-Control-Allow-Credentials: true.",
            ctx.evidence(ACAC, credentials=True),
            _credentials_fix(ctx.origin),
        )


@rule("CORS203", "allow-credentials-not-true", "error", "Access-Control-Allow-Credentials is not exactly true")
def allow_credentials_not_true(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        Access-Control-Allow-Credentials is present but is not exactly the lower-case `true`:
        `True`, `TRUE`, `1`, `yes`, or `true, true` (two layers each adding the header).

    Why it matters:
        The comparison is exact and case-sensitive; anything else is refused
        (InvalidAllowCredentials).

    Example:
        Access-Control-Allow-Credentials: True

    Fix:
        Send `Access-Control-Allow-Credentials: true` once, from one layer.
    """
    value = ctx.header(ACAC)
    if ctx.error in ("InvalidAllowCredentials", "PreflightInvalidAllowCredentials") and (
        value is not None
    ):
        why = "two layers each add the header" if "," in value else "only the lower-case 'true' counts"
        yield Hit(
            f"Access-Control-Allow-Credentials is '{value}', not 'true': {why}.",
            ctx.evidence(ACAC, credentials=True),
            _credentials_fix(ctx.origin),
        )
