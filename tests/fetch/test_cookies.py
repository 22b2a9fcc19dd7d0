"""corsprobe.fetch.cookies: each browser's judgement of a Set-Cookie (recorded in
tests/browser/test_cookies.py; these pin the model, including its unrecorded https branches)."""

from __future__ import annotations

import pytest

from corsprobe.fetch.browsers import BROWSERS
from corsprobe.fetch.cookies import judge, parse_set_cookie
from corsprobe.redact import header_value

PAGE = "https://app.example.com"
CROSS = "https://api.other.com/login"
SAME = "https://api.example.com/login"


def verdict(line: str, url: str, browser: str, third_party: str = "allow"):
    v = judge(line, url, PAGE, BROWSERS[browser], third_party)
    assert v is not None
    return v.stored, list(v.blocked_reasons), v.partitioned, v.sent_on_next


@pytest.mark.parametrize(("line", "url", "browser", "tp", "expected"), [
    # the login: no SameSite, cross-site
    ("session=abc; Path=/; HttpOnly", CROSS, "chrome", "allow",
     (False, ["SchemefulSameSiteUnspecifiedTreatedAsLax"], False, False)),
    ("session=abc; Path=/; HttpOnly", CROSS, "firefox", "allow", (True, [], True, True)),
    ("session=abc; Path=/; HttpOnly", CROSS, "safari", "allow",
     (False, ["ThirdPartyPhaseout"], False, False)),
    ("session=abc; Path=/; SameSite=None", CROSS, "chrome", "allow",
     (False, ["SameSiteNoneInsecure"], False, False)),
    ("session=abc; Path=/; SameSite=None; Secure", CROSS, "chrome", "allow",
     (True, [], False, True)),
    ("session=abc; Path=/; SameSite=None; Secure", CROSS, "chrome", "block",
     (False, ["UserPreferences"], False, False)),
    ("session=abc; Path=/; SameSite=None; Secure; Partitioned", CROSS, "chrome", "block",
     (True, [], True, True)),
    ("session=abc; Path=/; SameSite=Lax", CROSS, "firefox", "allow",
     (False, ["SchemefulSameSiteLax"], False, False)),
    ("session=abc; Path=/; SameSite=Strict", CROSS, "chrome", "allow",
     (False, ["SchemefulSameSiteStrict"], False, False)),
    # http under an https page is another site (schemeful): both refusals
    ("session=abc; Path=/; Secure", "http://api.example.com/login", "chrome", "allow",
     (False, ["SecureOnly", "SchemefulSameSiteUnspecifiedTreatedAsLax"], False, False)),
    ("session=abc; Domain=evil.com", SAME, "chrome", "allow",
     (False, ["InvalidDomain"], False, False)),
    ("session=abc; Domain=com", "https://example.com/x", "firefox", "allow",
     (False, ["InvalidDomain"], False, False)),
    ("__Host-s=abc; Path=/; Secure; Domain=example.com", SAME, "chrome", "allow",
     (False, ["InvalidPrefix"], False, False)),
    ("__Host-s=abc; Path=/; Secure", SAME, "chrome", "allow", (True, [], False, True)),
    # same-site (another origin on the site): Lax is kept and sent
    ("session=abc; Path=/; SameSite=Lax", SAME, "chrome", "allow", (True, [], False, True)),
    ("session=abc; Path=/; SameSite=Lax", SAME, "safari", "allow", (True, [], False, True)),
    # a Path that does not cover the next request
    ("session=abc; Path=/admin", SAME, "chrome", "allow", (True, [], False, False)),
])
def test_judge(line, url, browser, tp, expected) -> None:
    assert verdict(line, url, browser, tp) == expected


def test_parse_keeps_no_value() -> None:
    ck = parse_set_cookie("sid=s3cr3t; Domain=.Example.com; secure; SameSite=none; Partitioned")
    assert ck is not None
    assert "s3cr3t" not in repr(ck)
    assert ck.attributes() == ["Domain=example.com", "Secure", "Partitioned", "SameSite=None"]


def test_set_cookie_value_redacted() -> None:
    assert header_value("Set-Cookie", "sid=s3cr3t; Path=/; HttpOnly", frozenset()) == \
        "sid=REDACTED; Path=/; HttpOnly"
