"""Gates the browser applies before CORS: no CORS header can open them."""

from __future__ import annotations

from collections.abc import Iterator

from ..fetch.gates import CHROMIUM_SPACE
from . import Context, Hit, rule


@rule("CORS001", "mixed-content", "error", "An https page fetches an http:// URL: blocked as mixed content")
def mixed_content(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The page is served over https and the request (or a redirect hop) goes to an http://
        URL whose host is not loopback (Chrome and Firefox exempt localhost, 127.0.0.0/8 and
        [::1]; Safari exempts none of them).

    Why it matters:
        The browser refuses the request before anything leaves: the server is never asked,
        so no CORS header on it can help. DevTools shows the blocked reason mixed-content,
        fetch() rejects with a TypeError, and the console says "Mixed Content: ... This
        request has been blocked" (Chrome) or "Blocked loading mixed active content" (Firefox).

    Example:
        page https://app.example.com   fetch('http://api.example.com/users')
        (nothing is sent)

    Fix:
        Serve the API over https and call it with an https:// URL (a redirect from https to
        http is blocked the same way: make every hop https).
    """
    t = ctx.trace
    if t.blocked_at != "mixed-content":
        return
    url = t.final_url or t.spec.url
    hop = "a redirect hop to " if t.actuals else ""
    yield Hit(
        f"The page {t.origin_sent} is served over https and the request goes to {hop}{url}: "
        "the browser blocks it as mixed content before sending anything. The server was never "
        "asked, and no CORS header can fix this.",
        {"exchange": f"actual[{len(t.actuals)}] (not sent)", "url": url,
         "origin": t.origin_sent, "blocked_reason": t.blocked_reason},
        {"generic": f"Serve the API over https and request "
                    f"{url.replace('http://', 'https://', 1)}; every redirect hop must stay on "
                    "https too. For local development, serve the page over http as well, or "
                    "the API on localhost (Chrome and Firefox allow http://localhost from an "
                    "https page)."},
    )


@rule("CORS002", "local-network-access", "error", "A public page fetches a private or loopback address: Local Network Access")
def local_network_access(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The page is served from a public address (--page-space, or what its host resolves to)
        and the request goes to a private (10/8, 172.16/12, 192.168/16, fc00::/7, ...) or
        loopback address (--target-space, or the address corsprobe connected to).

    Why it matters:
        Chrome 142 and later ask the user's permission for it (Local Network Access). Without
        the permission (denied, or headless, where nobody is asked) the request is refused
        before it is sent: LocalNetworkAccessPermissionDenied, or InsecureLocalNetwork when the
        page is not a secure context (http). Firefox asks too and fails the request when the
        prompt is not answered. The server never sees the request, so no CORS header helps;
        Access-Control-Allow-Private-Network (the old Private Network Access preflight) does
        nothing any more.

    Example:
        page https://app.example.com (public)   fetch('http://192.168.1.20/api/status')
        (nothing is sent) Permission was denied for this request to access the `local`
        address space.

    Fix:
        Serve the page and the API from the same address space (put the API behind the public
        site, or test against a public deployment). When the local access is intended: serve
        the page over https (only secure contexts can ask), let the user grant the permission,
        delegate it to iframes with allow="local-network-access", and in managed browsers
        pre-approve the site with the LocalNetworkAccessAllowedForUrls enterprise policy.
    """
    t = ctx.trace
    if t.blocked_at != "local-network-access" or t.failure is None:
        return
    url = t.final_url or t.spec.url
    space = t.failure.hint
    insecure = t.failure.error == "InsecureLocalNetwork"
    why = ("the page is not a secure context (http), so the browser cannot even ask the user's "
           "permission" if insecure else "the user's permission is needed, and without it "
           "(denied, or headless) the browser refuses it")
    fix = ("Serve the page from the same address space as the API, or test against a public "
           "deployment of the API. If the page is meant to reach the local network: serve it "
           "over https (only secure contexts can ask for the permission), have the user grant "
           "it (iframes need allow='local-network-access'; managed browsers can pre-approve "
           "the site with the LocalNetworkAccessAllowedForUrls policy). "
           "Access-Control-Allow-Private-Network no longer helps.")
    yield Hit(
        f"The page {t.origin_sent} is served from a public address and {url} is in the "
        f"{space} address space: {why}. The server was never asked, and no CORS header can "
        "fix this.",
        {"exchange": f"actual[{len(t.actuals)}] (not sent)", "url": url,
         "origin": t.origin_sent, "page_space": "public",
         "target_space": {v: k for k, v in CHROMIUM_SPACE.items()}.get(space or "", space),
         "browser_error": t.failure.error},
        {"generic": fix},
    )
