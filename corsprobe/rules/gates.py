"""Gates the browser applies before CORS: no CORS header can open them."""

from __future__ import annotations

from collections.abc import Iterator

from . import Context, Hit, rule


@rule("CORS901", "mixed-content", "error", "An https page fetches an http:// URL: blocked as mixed content")
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
