"""The CORS check and the preflight check, in Chromium's order."""

import pytest

from corsprobe.fetch import access, exposure, preflight
from corsprobe.model import HttpResponse

ORIGIN = "https://app.example.com"


def resp(status=200, *headers):
    return HttpResponse(status, "", tuple(headers))


@pytest.mark.parametrize(
    "headers,credentials,expected",
    [
        ((("Access-Control-Allow-Origin", ORIGIN),), False, None),
        ((("access-control-allow-origin", ORIGIN),), False, None),
        ((("Access-Control-Allow-Origin", "*"),), False, None),
        ((("Access-Control-Allow-Origin", "*"),), True, ("WildcardOriginNotAllowed", None)),
        ((), False, ("MissingAllowOriginHeader", None)),
        ((("Access-Control-Allow-Origin", ORIGIN + "/"),), False, ("AllowOriginMismatch", ORIGIN + "/")),
        ((("Access-Control-Allow-Origin", "null"),), False, ("AllowOriginMismatch", "null")),
        ((("Access-Control-Allow-Origin", "foo"),), False, ("InvalidAllowOriginValue", "foo")),
        ((("Access-Control-Allow-Origin", ""),), False, ("InvalidAllowOriginValue", "")),
        ((("Access-Control-Allow-Origin", f"{ORIGIN}, https://b.example"),), False,
         ("MultipleAllowOriginValues", f"{ORIGIN}, https://b.example")),
        ((("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Origin", ORIGIN)), False,
         ("MultipleAllowOriginValues", f"{ORIGIN}, {ORIGIN}")),
        ((("Access-Control-Allow-Origin", ORIGIN),), True, ("InvalidAllowCredentials", "")),
        ((("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Credentials", "True")), True,
         ("InvalidAllowCredentials", "True")),
        ((("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Credentials", "true")), True, None),
        ((("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Credentials", "true"),
          ("Access-Control-Allow-Credentials", "true")), True, ("InvalidAllowCredentials", "true, true")),
    ],
)
def test_cors_check(headers, credentials, expected):
    failure = access.cors_check(tuple(headers), ORIGIN, credentials)
    assert (None if failure is None else (failure.error, failure.hint)) == expected


def test_null_origin_matches_null():
    assert access.cors_check((("Access-Control-Allow-Origin", "null"),), "null", False) is None


def _check(response, method="PUT", names=(), credentials=False):
    failure = preflight.check(response, method, list(names), ORIGIN, credentials)
    return None if failure is None else (failure.error, failure.hint)


def test_preflight_redirect_is_checked_first():
    r = resp(301, ("Location", "/x"))
    assert _check(r) == ("PreflightDisallowedRedirect", None)


def test_preflight_401_without_cors_is_missing_allow_origin():
    assert _check(resp(401)) == ("PreflightMissingAllowOriginHeader", None)


def test_preflight_401_with_allow_origin_is_invalid_status():
    assert _check(resp(401, ("Access-Control-Allow-Origin", ORIGIN))) == ("PreflightInvalidStatus", None)


def test_preflight_invalid_allow_methods():
    r = resp(200, ("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Methods", "PUT;"))
    assert _check(r) == ("InvalidAllowMethodsPreflightResponse", None)


def test_preflight_method_case_sensitive():
    r = resp(200, ("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Methods", "PATCH"))
    assert _check(r, "patch") == ("MethodDisallowedByPreflightResponse", "patch")
    assert _check(r, "PATCH") is None


def test_preflight_star_methods_only_without_credentials():
    r = resp(200, ("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Credentials", "true"),
             ("Access-Control-Allow-Methods", "*"))
    assert _check(r, "PUT", credentials=False) is None
    assert _check(r, "PUT", credentials=True) == ("MethodDisallowedByPreflightResponse", "PUT")


def test_preflight_headers_case_insensitive_and_star():
    r = resp(200, ("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Methods", "PUT"),
             ("Access-Control-Allow-Headers", "X-CUSTOM, Content-Type"))
    assert _check(r, names=["content-type", "x-custom"]) is None
    assert _check(r, names=["x-other"]) == ("HeaderDisallowedByPreflightResponse", "x-other")
    star = resp(200, ("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Credentials", "true"), ("Access-Control-Allow-Headers", "*"))
    assert _check(star, names=["authorization"]) is None  # Chromium still lets * cover it
    assert _check(star, names=["x-a"], credentials=True) == ("HeaderDisallowedByPreflightResponse", "x-a")


def test_preflight_list_parsing_skips_empty_items():
    assert preflight.parse_list("PUT,,GET , ") == ["PUT", "GET"]
    assert preflight.parse_list("(bad)") is None


def test_preflight_request_headers_are_chromiums():
    headers = dict(preflight.request_headers("PUT", ["x-b", "content-type"], ORIGIN))
    assert headers["Access-Control-Request-Method"] == "PUT"
    assert headers["Access-Control-Request-Headers"] == "content-type,x-b"
    assert headers["Origin"] == ORIGIN
    assert "Cookie" not in headers and "Authorization" not in headers


@pytest.mark.parametrize(
    "headers,credentials,expected",
    [
        ((("Content-Type", "a"), ("X-Id", "1")), False, ("content-type",)),
        ((("X-Id", "1"), ("Access-Control-Expose-Headers", "x-id")), False,
         ("x-id",)),
        ((("X-Id", "1"), ("Access-Control-Expose-Headers", "*")), False,
         ("access-control-expose-headers", "x-id")),
        ((("X-Id", "1"), ("Access-Control-Expose-Headers", "*")), True, ()),
        ((("Set-Cookie", "a=b"), ("Access-Control-Expose-Headers", "Set-Cookie")), False, ()),
        ((("X-A", "1"), ("X-B", "2"), ("Access-Control-Expose-Headers", "X-A"),
          ("Access-Control-Expose-Headers", "X-B")), False, ("x-a", "x-b")),
    ],
)
def test_readable_headers(headers, credentials, expected):
    assert exposure.readable_headers(tuple(headers), credentials) == expected


@pytest.mark.parametrize("credentials", [False, True])
def test_same_origin_response_has_no_cors_filter(credentials):
    # tests/browser same-origin-*: every header is readable but Set-Cookie/Set-Cookie2.
    headers = (("ETag", '"v1"'), ("X-Request-ID", "1"), ("Content-Type", "text/plain"),
               ("Set-Cookie", "a=b"), ("Set-Cookie2", "c=d"), ("Connection", "close"))
    assert exposure.readable_headers(headers, credentials, cors=False) == (
        "connection", "content-type", "etag", "x-request-id"
    )
