"""Fix texts in the layer in front of the app: nginx, Apache httpd (mod_headers), Caddy,
Varnish and CDNs, keyed by layer name (:data:`corsprobe.stack.KNOWN`).

Each function returns the fixes for one cause; a rule merges them into its finding's fix
next to the app frameworks' (:mod:`corsprobe.rules.fixes`), and the text report leads with
the fix of the layer the wire (or ``--stack``) names. The behaviour each text relies on was
observed on the Debian packages in ``tests/stacks`` (nginx 1.22, Apache 2.4, Caddy 2.6,
Varnish 7.1): nginx's ``add_header`` skips error statuses without ``always`` and is inherited
only by blocks that have none of their own; Apache's ``Header set`` reaches the app's answers
(its 500 too) but not Apache's own 503, and ``Header always set`` adds a line before the
app's; Caddy's ``header`` too; Varnish and nginx's proxy_cache key on the URL, honour
``Vary``, and store a refusal (a 200 without Allow-Origin) like any answer.
"""

from __future__ import annotations


def duplicate(header: str) -> dict[str, str]:
    """Two layers add ``header``: keep one."""
    return {
        "nginx": (f"The app already sends {header}: delete nginx's `add_header {header} ...`, "
                  f"or keep nginx's and drop the app's copy with `proxy_hide_header {header};` "
                  "in the same block."),
        "apache": (f"The app already sends {header}: remove Apache's `Header always set "
                   f"{header} ...` (it adds its line before the app's), or remove the app's CORS "
                   "middleware and let Apache answer alone."),
        "caddy": (f"The app already sends {header}: remove Caddy's `header {header} ...`, or "
                  f"strip the app's copy: `reverse_proxy ... {{ header_down -{header} }}`."),
        "varnish": (f"Varnish passes both copies through: remove one at its source, or in "
                    f"`sub vcl_deliver {{ unset resp.http.{header}; }}` before setting it once."),
        "cdn": f"Remove the CDN's response-header rule for {header}, or the app's own.",
    }


def always(status: int) -> dict[str, str]:
    """CORS headers set by the proxy are missing on an error status."""
    return {
        "nginx": (f"If nginx adds the CORS headers: `add_header` skips {status} responses "
                  "unless it ends in `always` — write `add_header Access-Control-Allow-Origin "
                  "$cors_origin always;` for every CORS header (and for errors nginx makes "
                  "itself: 502, 504, 413). If they are already `always`, an `add_header` in "
                  "this `location` or `if` block has dropped the inherited ones: repeat them "
                  "there."),
        "apache": ("If Apache adds the CORS headers: `Header set` covers the app's answers, "
                   "error statuses included, but not the errors Apache writes itself (a 503 "
                   "when the app is down); `Header always set Access-Control-Allow-Origin ...` "
                   "covers those too."),
    }


def proxy_error(layer: str, status: int) -> dict[str, str]:
    """The proxy wrote this error page itself: the app never answered."""
    texts = {
        "nginx": (f"nginx wrote this {status} itself (the app never answered: see nginx's "
                  "error_log — 502/504 an upstream that is down or slow, 413 "
                  "client_max_body_size). Fix that cause; to let the page read the status, "
                  "add the CORS headers with `always`."),
        "apache": (f"Apache wrote this {status} itself (mod_proxy could not reach the app, or "
                   "LimitRequestBody): see Apache's error log; `Header always set` puts CORS "
                   "headers on Apache's own error pages."),
        "caddy": (f"Caddy answered {status} itself (the reverse_proxy upstream failed): see "
                  "Caddy's log. Caddy's `header` directives reach its own errors too, so the "
                  "CORS headers here come from the app alone: fix the upstream, or set them in "
                  "Caddy instead of the app."),
        "varnish": (f"Varnish answered {status} itself (its backend failed: 'Guru "
                    "Meditation'); add the CORS headers in `sub vcl_synth` / "
                    "`vcl_backend_error` if the page must read it."),
    }
    return {layer: texts[layer]} if layer in texts else {}


def dropped(header: str = "Access-Control-Allow-Origin") -> dict[str, str]:
    """The proxy's CORS headers are missing on a successful answer."""
    return {
        "nginx": (f"If nginx adds {header}: an `add_header` inside this `location` (or an "
                  "`if`) drops every `add_header` inherited from the server block — nginx "
                  "inherits them only into blocks with none of their own. Repeat the CORS "
                  "lines in that block, or keep them in a file and `include` it in each block."),
        "apache": (f"If Apache adds {header}: check the `Header` lines apply to this path "
                   "(a <Location> or <Directory> that does not match, or `Header set` where "
                   "`Header always set` is needed)."),
        "caddy": (f"If Caddy adds {header}: check the `header` directive's matcher covers this "
                  "path and is not inside another `handle` block."),
    }


def options_answered(missing: str) -> dict[str, str]:
    """The proxy answers preflights itself with its own, drifted, lists."""
    return {
        "nginx": ("nginx answers OPTIONS itself (`if ($request_method = OPTIONS) { add_header "
                  f"...; return 204; }}`) and its lists drifted from the app's ({missing}): "
                  "delete that block and let OPTIONS through to the app, or keep one copy of "
                  "the lists (a `map` or an `include`) shared by both."),
        "apache": ("Apache answers OPTIONS itself (a RewriteRule to [R=204] or a <Limit "
                   f"OPTIONS>), with lists that drifted ({missing}): let OPTIONS through to "
                   "the app."),
        "caddy": ("Caddy answers OPTIONS itself (`@preflight method OPTIONS` with `respond "
                  f"204`), with lists that drifted ({missing}): remove it and let "
                  "reverse_proxy pass OPTIONS to the app."),
    }


def redirect(location: str, slash: bool, upgrade: bool) -> dict[str, str]:
    """The proxy issued a redirect before any CORS layer."""
    why = ("a `location /api/ { proxy_pass ... }` answers /api with its own 301 to /api/"
           if slash else "`return 301 https://$host$request_uri;` in the http server"
           if upgrade else "a `return 30x` or `rewrite ... redirect`")
    return {
        "nginx": (f"nginx issued this redirect itself ({why}). Call {location} directly; or add "
                  "an exact `location = /api { proxy_pass ...; }`; nginx puts CORS headers on "
                  "its own redirects only with `add_header ... always`."),
        "apache": (f"Apache issued this redirect itself (mod_dir's DirectorySlash, Redirect or "
                   f"RewriteRule [R]): call {location} directly; `Header always set` puts "
                   "CORS headers on Apache's redirects."),
        "caddy": (f"Caddy issued this redirect itself (a `redir` directive, or the automatic "
                  f"http->https redirect): call {location} directly."),
    }


def vary(preflight: bool = False) -> dict[str, str]:
    """A shared cache must keep one copy per Origin."""
    extra = (" and the Access-Control-Request-Method / -Headers request headers"
             if preflight else "")
    return {
        "nginx": ("nginx's proxy_cache honours the app's `Vary: Origin`; without it, key the "
                  "cache on the origin: `proxy_cache_key \"$scheme$proxy_host$request_uri"
                  "$http_origin\";`" + (" (and $http_access_control_request_headers for "
                                          "OPTIONS)" if preflight else "")
                  + ", or `add_header Vary Origin always;` where nginx adds the CORS headers."),
        "apache": ("mod_cache honours `Vary: Origin`: `Header merge Vary Origin` where Apache "
                   "adds the CORS headers, or make the app send it."),
        "caddy": "`header +Vary Origin` where Caddy adds the CORS headers (a cache in front honours it).",
        "varnish": ("Varnish hashes only the URL and Host (and honours Vary): add "
                    "`sub vcl_hash { hash_data(req.http.Origin); }`"
                    + (" plus `hash_data(req.http.Access-Control-Request-Method); "
                       "hash_data(req.http.Access-Control-Request-Headers);` for OPTIONS"
                       if preflight else "")
                    + ", or make the app send `Vary: Origin` on every answer, refusals included."),
        "cdn": (f"Put the Origin request header{extra} in the CDN's cache key (CloudFront: the "
                "cache policy's headers; Cloudflare: a Cache Rule's custom key; Fastly: Vary "
                "or a vcl_hash), or have the origin server send Vary: Origin on every answer."),
    }


def for_layers(fix: dict[str, str], layers: dict[str, str]) -> dict[str, str]:
    """``fix`` with the layers' texts added (a key already there wins)."""
    return {**fix, **{k: v for k, v in layers.items() if k not in fix}}
