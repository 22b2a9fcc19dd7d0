"""Every kind of cross-origin request: fonts, modules, images, scripts, stylesheets, beacons,
fetch()'s no-cors and same-origin modes (:mod:`corsprobe.fetch.kinds`)."""

from __future__ import annotations

from collections.abc import Iterator

from ..fetch.kinds import ELEMENT_KINDS, LABELS, of
from . import Context, Hit, rule

_ASSETS = ("font", "module", *ELEMENT_KINDS)
_EXT = {"font": r"woff2?|ttf|otf", "module": r"m?js", "script": r"js", "img": r"png|jpe?g|gif|webp|svg",
        "stylesheet": r"css"}


def _asset_fix(kind: str, origin: str, credentialed: bool) -> dict[str, str]:
    """Static files and CDNs first (where fonts and modules live), then the app frameworks."""
    value = origin if credentialed or origin == "null" else "*"
    creds = " and Access-Control-Allow-Credentials: true (with Vary: Origin)" if credentialed else ""
    ext = _EXT[kind]
    generic = (
        f"Send Access-Control-Allow-Origin: {value}{creds} on the {LABELS[kind]} response "
        f"itself, wherever the file is served from. nginx: location ~* \\.({ext})$ {{ add_header "
        f"Access-Control-Allow-Origin \"{value}\" always;"
        + (" add_header Access-Control-Allow-Credentials \"true\" always; add_header Vary "
           "Origin always;" if credentialed else "")
        + " }. An S3 bucket: a CORS configuration [{\"AllowedOrigins\": [\""
        + (origin if credentialed else origin) + "\"], \"AllowedMethods\": [\"GET\", \"HEAD\"], "
        "\"AllowedHeaders\": [\"*\"]}] (the Permissions tab, or aws s3api put-bucket-cors). "
        "Google Cloud Storage: gsutil cors set cors.json gs://BUCKET with [{\"origin\": [\""
        + origin + "\"], \"method\": [\"GET\", \"HEAD\"], \"responseHeader\": [\"Content-Type\"], "
        "\"maxAgeSeconds\": 3600}]. Behind a CDN (CloudFront, Fastly, Cloudflare): forward the "
        "Origin header to the bucket or add the header with a response-headers policy, and key "
        "the cache on Origin (or send the same `*` to everyone) so one origin's answer is not "
        "served to another."
    )
    mount = "/static" if kind != "module" else "/js"
    return {
        "generic": generic,
        "nginx": (f"location ~* \\.({ext})$ {{ add_header Access-Control-Allow-Origin "
                  f"\"{value}\" always; }}"),
        "cdn": ("S3: put-bucket-cors with AllowedOrigins [\"" + origin + "\"] and "
                "AllowedMethods [\"GET\", \"HEAD\"]; GCS: gsutil cors set; CloudFront: an "
                "origin request policy forwarding Origin, or a response headers policy adding "
                "Access-Control-Allow-Origin."),
        "fastapi": (f"The static files of StaticFiles pass through the app's middleware: "
                    f"app.add_middleware(CORSMiddleware, allow_origins=[\"{origin}\"]"
                    + (", allow_credentials=True" if credentialed else "")
                    + f") covers app.mount(\"{mount}\", StaticFiles(...))."),
        "django": ("The static files WhiteNoise serves carry Access-Control-Allow-Origin: * by "
                   "default (WHITENOISE_ALLOW_ALL_ORIGINS = True); behind nginx or a bucket, "
                   "add the header there (django-cors-headers covers only Django's own "
                   "responses, and CORS_URLS_REGEX must match the path)."),
        "flask": (f"CORS(app, resources={{r\"{mount}/*\": {{\"origins\": \"{value}\""
                  + (", \"supports_credentials\": True" if credentialed else "")
                  + "}}) (Flask's static route goes through flask-cors)."),
        "express": (f"app.use('{mount}', cors({{ origin: '{value}'"
                    + (", credentials: true" if credentialed else "")
                    + " }), express.static('public')) — cors before express.static."),
    }


@rule("CORS050", "asset-cors-blocked", "error", "A font, module or crossorigin element from another origin is refused by CORS")
def asset_cors_blocked(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        An @font-face font, a <script type=module>, or an <img>, <script> or
        <link rel=stylesheet> with a crossorigin attribute, loaded from another origin (a CDN,
        a bucket, an API host) whose response the browser refuses: no or the wrong
        Access-Control-Allow-Origin, or `*` with crossorigin="use-credentials".

    Why it matters:
        These kinds are always fetched in cors mode (fonts and modules by the standard, the
        elements because of their crossorigin attribute). When the check fails the font is
        silently not used (the text falls back to another font), the module and everything
        importing it does not run, and img.onerror / script.onerror / link.onerror fire. The
        console says "Access to font at ..." (or script, image, CSS stylesheet), and static
        file hosts rarely send CORS headers unless told to.

    Example:
        page https://app.example.com   @font-face { src: url(https://cdn.example.net/a.woff2) }
        < HTTP/1.1 200 OK   (no Access-Control-Allow-Origin)
        Access to font at 'https://cdn.example.net/a.woff2' from origin
        'https://app.example.com' has been blocked by CORS policy: No
        'Access-Control-Allow-Origin' header is present on the requested resource.

    Fix:
        Have the static host, bucket or CDN send Access-Control-Allow-Origin on the file
        (`*` is fine for fonts and anonymous modules: they carry no cookies): an nginx
        location for the file type, the bucket's CORS configuration (S3, GCS), the CDN's
        response-headers policy with Origin forwarded or in the cache key.
    """
    t = ctx.trace
    kind = t.spec.kind
    if kind not in _ASSETS or t.failure is None or t.blocked_at not in ("actual", "redirect"):
        return
    k = of(t.spec)
    if k.no_cors:
        return
    url = t.final_url or t.spec.url
    shape = k.page_sees(False, False)
    why = {"font": "fonts are always fetched in cors mode",
           "module": "module scripts are always fetched in cors mode"}.get(
        kind, f"its crossorigin=\"{t.spec.crossorigin}\" attribute makes it a cors request")
    yield Hit(
        f"The {k.label} {url} is refused by CORS ({t.failure.error}): {why}, and the response "
        f"does not allow the origin {t.origin_sent}"
        + (" with credentials (crossorigin=\"use-credentials\")" if k.include else "")
        + f". What the page sees: {shape}.",
        ctx.evidence("Access-Control-Allow-Origin", kind=kind, mode=k.mode,
                     credentials_mode=k.credentials_mode),
        _asset_fix(kind, t.origin_sent, k.include),
    )


@rule("CORS051", "opaque-response", "info", "A no-cors request loads, but its response is opaque to the page")
def opaque_response(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A cross-origin request made in no-cors mode: an <img>, <script> or
        <link rel=stylesheet> without a crossorigin attribute, fetch(url, {mode: "no-cors"}),
        or a sendBeacon() with a safelisted body. It is allowed, but the response is opaque.

    Why it matters:
        Nothing is blocked and no CORS header is consulted, so the console shows no CORS
        error, yet the page cannot read the result: a canvas the image is drawn on is tainted
        ("The canvas has been tainted by cross-origin data" from getImageData/toDataURL), a
        classic script's errors are muted to "Script error.", cssRules throws SecurityError,
        and fetch() gets type "opaque", status 0, no headers and an empty body.

    Example:
        page https://app.example.com   <img src="https://cdn.example.net/a.png">
        canvas.getContext('2d').drawImage(img, 0, 0); canvas.toDataURL()
        SecurityError: The canvas has been tainted by cross-origin data.

    Fix:
        Ask for it in cors mode: crossorigin="anonymous" on the element (or fetch() without
        mode: "no-cors"), and have the server answer with Access-Control-Allow-Origin.
    """
    t = ctx.trace
    if not t.opaque:
        return
    k = of(t.spec)
    url = t.final_url or t.spec.url
    if k.name == "font":  # Safari: fonts are no-cors there, and used all the same
        yield Hit(
            f"Safari fetches the font {url} in no-cors mode and uses it without any CORS "
            "header; Chrome and Firefox fetch fonts in cors mode and refuse it unless the "
            "response carries Access-Control-Allow-Origin.",
            {"exchange": "actual", "url": url, "kind": k.name, "mode": k.mode,
             "response_type": "opaque"},
            {"generic": f"For the other browsers, have the server answer with "
                        f"Access-Control-Allow-Origin: {t.origin_sent} (or `*`); check with "
                        "--browser all."},
        )
        return
    how = ("drop mode: \"no-cors\" (cors is fetch()'s default)" if k.name == "fetch" else
           "send the beacon as text/plain (it stays no-cors: nothing to read anyway)"
           if k.name == "beacon" else f"add crossorigin=\"anonymous\" to the {k.label}")
    yield Hit(
        f"The {k.label} {url} is a no-cors request: it is allowed, but unreadable (opaque). "
        f"What the page sees: {k.page_sees(True, True)}.",
        {"exchange": "actual", "url": url, "kind": k.name, "mode": k.mode,
         "response_type": "opaque"},
        {"generic": f"To read it, {how}, and have the server answer with "
                    f"Access-Control-Allow-Origin: {t.origin_sent} (or `*`)."},
    )


@rule("CORS052", "same-origin-mode", "error", "fetch() with mode 'same-origin' to another origin: refused before sending")
def same_origin_mode(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        fetch(url, {mode: "same-origin"}) where url (or a redirect hop) is on another origin.

    Why it matters:
        The browser refuses it before anything is sent: fetch() rejects with TypeError: Failed
        to fetch, and the console says 'Request mode is "same-origin" but the URL's origin is
        not same as the request origin'. The server is never asked, so no CORS header helps.

    Example:
        page https://app.example.com   fetch('https://api.example.com/x', {mode: 'same-origin'})
        (nothing is sent)

    Fix:
        Use mode "cors" (fetch()'s default) and have the server allow the origin, or call the
        API through the page's own origin (a reverse proxy path such as /api).
    """
    t = ctx.trace
    if t.blocked_at != "request-mode":
        return
    url = t.final_url or t.spec.url
    yield Hit(
        f"fetch() with mode 'same-origin' refuses {url} from {t.origin_sent} before sending it: "
        "the server was never asked, and no CORS header can fix this.",
        {"exchange": "actual[0] (not sent)", "url": url, "origin": t.origin_sent,
         "mode": "same-origin"},
        {"generic": "Drop mode: 'same-origin' (cors is the default) and have the server send "
                    f"Access-Control-Allow-Origin: {t.origin_sent}; or serve the API under the "
                    "page's origin (e.g. a reverse-proxy path /api)."},
    )


@rule("CORS053", "beacon-preflight-blocked", "error", "A sendBeacon() with a non-safelisted type fails its credentialed preflight")
def beacon_preflight_blocked(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        navigator.sendBeacon(url, new Blob([...], {type: "application/json"})) (any type but
        the three CORS-safelisted ones) whose preflight the server refuses.

    Why it matters:
        Such a beacon is a cors request with credentials mode include: it is preflighted, and
        the preflight must allow the exact origin with Access-Control-Allow-Credentials: true
        (`*` is refused) and the content-type header. When it fails the beacon is never
        delivered, yet sendBeacon() already returned true: the page is not told, only the
        console says "Access to resource at ...".

    Example:
        page https://app.example.com   navigator.sendBeacon('https://t.example.net/e',
          new Blob(['{}'], {type: 'application/json'}))
        > OPTIONS /e   Access-Control-Request-Headers: content-type
        < HTTP/1.1 204   Access-Control-Allow-Origin: *

    Fix:
        Send the beacon as text/plain (a string body) or FormData / URLSearchParams: it stays
        no-cors, no preflight. Or answer the preflight with the exact origin,
        Access-Control-Allow-Credentials: true and Access-Control-Allow-Headers: content-type.
    """
    t = ctx.trace
    if t.spec.kind != "beacon" or t.blocked_at != "preflight" or t.failure is None:
        return
    url = t.final_url or t.spec.url
    yield Hit(
        f"The beacon to {url} has a non-safelisted Content-Type, so it is a credentialed cors "
        f"request; its preflight is refused ({t.failure.error}). sendBeacon() returned true, "
        "but the beacon is never delivered.",
        ctx.evidence("Access-Control-Allow-Origin", kind="beacon", mode="cors",
                     credentials_mode="include"),
        {"generic": "Send the beacon body as a string (text/plain), FormData or "
                    "URLSearchParams: no preflight. Or answer the OPTIONS with "
                    f"Access-Control-Allow-Origin: {t.origin_sent}, "
                    "Access-Control-Allow-Credentials: true and Access-Control-Allow-Headers: "
                    "content-type.",
         "fastapi": f"CORSMiddleware(..., allow_origins=[\"{t.origin_sent}\"], "
                    "allow_credentials=True, allow_methods=[\"POST\"], "
                    "allow_headers=[\"content-type\"])",
         "django": f"CORS_ALLOWED_ORIGINS = [\"{t.origin_sent}\"] and CORS_ALLOW_CREDENTIALS = "
                   "True (content-type is in django-cors-headers' default headers)",
         "flask": f"CORS(app, origins=[\"{t.origin_sent}\"], supports_credentials=True)",
         "express": f"app.use(cors({{ origin: ['{t.origin_sent}'], credentials: true }})) "
                    "before the routes (it answers the preflight)"},
    )
