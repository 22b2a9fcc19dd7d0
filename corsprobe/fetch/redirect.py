"""One redirect hop, followed as a browser follows it (Fetch #http-redirect-fetch,
Chromium ``CorsURLLoader::OnReceiveRedirect`` and ``cors::CheckRedirectLocation``).

- the redirect response itself gets the CORS check first (done by the caller);
- a Location whose scheme is not CORS-enabled (ftp:, javascript:): CorsDisabledScheme; data: and
  other non-HTTP(S) CORS schemes, an unparsable Location, or the 21st redirect: network error;
- a Location with user:password, when the request is cross-origin or tainted: RedirectContainsCredentials;
- a hop from a URL that is already cross-origin to the page, to yet another origin, taints the
  request: from then on its origin serializes as ``null``;
- 301/302 turn POST into GET, 303 turns anything but GET/HEAD into GET (body and body headers dropped);
- a hop to another origin drops Authorization.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urljoin

from ..model import CorsFailure, HeaderList, HttpResponse, NetError, joined
from .urls import InvalidInput, Origin, Url, parse_url, same_origin

# Chromium's SchemeRegistry::ListOfCorsEnabledURLSchemes(), as its console message lists them.
CORS_ENABLED_SCHEMES = (
    "chrome", "chrome-experimental-site-token-provider", "chrome-extension", "chrome-untrusted",
    "data", "http", "https", "isolated-app",
)
BODY_HEADERS = ("content-encoding", "content-language", "content-location", "content-type")


@dataclass(frozen=True)
class Hop:
    """The request as it stands before a hop is sent."""

    url: Url
    method: str
    headers: HeaderList
    body: bytes | None
    tainted: bool = False


def location_of(response: HttpResponse) -> str | None:
    return joined(response.headers, "location")


def follow(
    hop: Hop, response: HttpResponse, page: Origin, redirects_so_far: int, max_redirects: int
) -> Hop | CorsFailure | NetError:
    """The next hop after ``response`` (a 3xx with Location), or why the browser stops."""
    raw = (location_of(response) or "").strip(" \t")
    target = urljoin(hop.url.text, raw)
    scheme = target.split(":", 1)[0].lower() if ":" in target else ""
    if scheme not in ("http", "https"):
        if scheme in CORS_ENABLED_SCHEMES:
            return NetError(
                "unsafe_redirect",
                f"redirect to a non-HTTP(S) location '{raw}' (net::ERR_UNSAFE_REDIRECT)",
            )
        return CorsFailure("CorsDisabledScheme", target)
    try:
        new_url = parse_url(target, "redirect location")
    except InvalidInput as exc:
        return NetError("invalid_redirect", f"{exc} (net::ERR_INVALID_REDIRECT)")
    if redirects_so_far + 1 > max_redirects:
        return NetError(
            "too_many_redirects",
            f"more than {max_redirects} redirects (net::ERR_TOO_MANY_REDIRECTS)",
        )
    if new_url.has_credentials and (hop.tainted or not same_origin(page, new_url.origin)):
        return CorsFailure("RedirectContainsCredentials", "")  # Chromium prints an empty hint
    tainted = hop.tainted or (
        not same_origin(hop.url.origin, new_url.origin) and not same_origin(page, hop.url.origin)
    )
    method, headers, body = hop.method, hop.headers, hop.body
    if (response.status in (301, 302) and method == "POST") or (
        response.status == 303 and method not in ("GET", "HEAD")
    ):
        method, body = "GET", None
        headers = tuple((k, v) for k, v in headers if k.lower() not in BODY_HEADERS)
    if not same_origin(hop.url.origin, new_url.origin):
        headers = tuple((k, v) for k, v in headers if k.lower() != "authorization")
    return replace(hop, url=new_url, method=method, headers=headers, body=body, tainted=tainted)
