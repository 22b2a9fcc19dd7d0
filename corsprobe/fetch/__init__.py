"""The browser, pure: the Fetch Standard's CORS steps as Chromium implements them.

Nothing in this package performs I/O or imports httpx. Each module is one step:

- ``urls``: origins and URLs, parsed, validated and serialized as a browser does;
- ``safelist``: method normalisation, CORS-safelisted methods and request headers,
  forbidden request headers, and why a request needs a preflight;
- ``access``: the CORS check of a response (Access-Control-Allow-Origin / -Credentials);
- ``preflight``: the preflight request Chromium sends and its check, in Chromium's order;
- ``redirect``: one redirect hop as a browser follows it (taint, method rewrite, Location rules);
- ``exposure``: the response headers the page's JavaScript can read;
- ``messages``: Chromium's console text for a ``Network.CorsError``;
- ``browsers``: per-browser limits (preflight cache defaults and caps).
"""
