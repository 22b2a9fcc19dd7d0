"""The candidate attacker origins: every class, derived from the target and the trusted origin."""

import pytest

from corsprobe.fetch.urls import InvalidInput
from corsprobe.scan.origins import CLASSES, by_class, candidates, registrable_domain, sendable

TRUSTED = "https://app.example.com"


def test_every_class_is_derived_for_an_https_target():
    groups = by_class(candidates("https://api.example.com/me", TRUSTED))
    assert set(groups) == set(CLASSES)
    origins = {c.origin for g in groups.values() for c in g}
    for expected in (
        "https://attacker.invalid", "null", "https://app.example.com.attacker.invalid",
        "https://attackerexample.com", "https://attacker-example.com", "https://appxexample.com",
        "https://app.examplexcom", "https://attacker.example.com", "http://app.example.com",
        "https://app.example.com_.attacker.invalid", "https://app.example.com`.attacker.invalid",
        "https://attacker.invalid@app.example.com", "https://app.example.com:443",
        "https://app.example.com:80", "https://APP.EXAMPLE.COM", "http://localhost",
        "http://127.0.0.1", "https://codepen.io", "https://jsfiddle.net",
    ):
        assert expected in origins, expected


def test_special_characters_of_the_issue_are_all_tried():
    special = [c.origin for c in candidates("https://api.example.com/", TRUSTED)
               if c.cls == "special-chars"]
    for ch in "_`!$&'()*+,;=~-":
        assert f"https://app.example.com{ch}.attacker.invalid" in special, ch


def test_no_duplicates_and_never_the_trusted_origin():
    items = candidates("https://api.example.com/me", TRUSTED)
    values = [c.origin for c in items]
    assert len(values) == len(set(values))
    assert TRUSTED not in values


def test_without_a_trusted_origin_the_targets_own_is_the_base():
    values = {c.origin for c in candidates("https://api.shop.co.uk:8443/x")}
    assert "https://api.shop.co.uk.attacker.invalid:8443" in values
    assert "https://attackershop.co.uk:8443" in values
    assert "https://attacker.shop.co.uk:8443" in values
    assert "http://api.shop.co.uk:8443" in values  # an https target: the http origin


def test_http_class_only_when_https_is_involved():
    items = candidates("http://api.example.com/", "http://app.example.com")
    assert not [c for c in items if c.cls == "http"]


def test_loopback_ip_target():
    groups = by_class(candidates("http://127.0.0.1:8000/api"))
    assert "https" not in "".join(c.origin for c in groups["reflect"])
    assert groups["prefix"][0].origin == "http://127.0.0.1.attacker.invalid:8000"
    assert registrable_domain("127.0.0.1") is None
    assert registrable_domain("api.example.com") == "example.com"


def test_sendable_tells_browser_origins_from_loose_spellings():
    assert sendable("https://app.example.com_.attacker.invalid")
    assert sendable("null")
    for value in ("https://APP.EXAMPLE.COM", "https://app.example.com:443",
                  "https://attacker.invalid@app.example.com",
                  "https://app.example.com`.attacker.invalid"):
        assert not sendable(value), value


@pytest.mark.parametrize("url, trusted", [("api.example.com", None),
                                          ("https://api.example.com/", "https://app.example.com/"),
                                          ("https://api.example.com/", "null")])
def test_bad_input_is_refused(url, trusted):
    with pytest.raises(InvalidInput):
        candidates(url, trusted)


def test_every_class_has_candidates_tried_by_default():
    groups = by_class(candidates("https://api.example.com/me", TRUSTED))
    for cls, group in groups.items():
        assert [c for c in group if not c.rare], cls
    rare = {c.origin for g in groups.values() for c in g if c.rare}
    assert "https://app.example.com!.attacker.invalid" in rare  # tried with --all
    assert "https://app.example.com_.attacker.invalid" not in rare
