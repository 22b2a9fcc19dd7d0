"""Site vs origin: schemeful same-site through the Public Suffix List (corsprobe.fetch.site)."""

from __future__ import annotations

import pytest

from corsprobe.fetch.site import registrable_domain, relation, same_site, site_of


@pytest.mark.parametrize(("page", "target", "site_p", "site_t", "same_s", "same_o"), [
    ("https://app.example.com", "https://api.example.com/me", "https://example.com",
     "https://example.com", True, False),
    ("https://example.com", "https://example.com:8443/me", "https://example.com",
     "https://example.com", True, False),  # the port does not count for the site
    ("http://app.example.com", "https://api.example.com/me", "http://example.com",
     "https://example.com", False, False),  # schemeful: http and https are two sites
    ("https://alice.github.io", "https://bob.github.io/", "https://alice.github.io",
     "https://bob.github.io", False, False),  # a private suffix in the list
    ("https://a.example.co.uk", "https://b.example.co.uk/", "https://example.co.uk",
     "https://example.co.uk", True, False),
    ("http://localhost:5173", "http://localhost:8000/api", "http://localhost",
     "http://localhost", True, False),
    ("http://localhost:5173", "http://127.0.0.1:8000/api", "http://localhost",
     "http://127.0.0.1", False, False),
    ("http://[::1]:3000", "http://[::1]:8000/", "http://[::1]", "http://[::1]", True, False),
    ("http://app.test:8080", "http://api.test:8080/s", "http://app.test", "http://api.test",
     False, False),  # an unknown TLD counts as a public suffix, as in the browsers
    ("https://api.example.com", "https://api.example.com/x", "https://example.com",
     "https://example.com", True, True),
    ("null", "https://api.example.com/x", "null", "https://example.com", False, False),
])
def test_relation(page, target, site_p, site_t, same_s, same_o) -> None:
    rel = relation(page, target)
    assert (rel.page, rel.target, rel.same_site, rel.same_origin) == (
        site_p, site_t, same_s, same_o)
    assert same_site(page, target) is same_s


def test_registrable_domain() -> None:
    assert registrable_domain("WWW.Example.COM.") == "example.com"
    assert registrable_domain("co.uk") == "co.uk"  # a bare suffix is its own site
    assert registrable_domain("10.0.0.1") == "10.0.0.1"
    assert site_of("https://user:pw@api.example.com/x") == "https://example.com"


def _hosts_from_the_list() -> list[str]:
    """For every rule of the shipped list: the rule's own name, one and two labels under it
    (a wildcard's star filled in), in Unicode and in punycode where it is an IDN."""
    from publicsuffixlist import PSLFILE

    hosts: list[str] = ["localhost", "test", "app.test", "a.b.test", "com", "example.com"]
    with open(PSLFILE, encoding="utf-8") as f:
        for line in f:
            rule = line.strip()
            if not rule or rule.startswith("//"):
                continue
            name = rule.lstrip("!").replace("*", "star")
            for host in (name, f"x.{name}", f"y.x.{name}"):
                hosts.append(host)
                try:
                    hosts.append(host.encode("idna").decode("ascii"))
                except UnicodeError:
                    pass
    return hosts


def test_public_suffix_lookup_agrees_with_the_publicsuffixlist_package() -> None:
    """Our lookup (read lazily, no per-rule IDN encoding) gives the package's answers for
    every rule of the list, wildcards and exceptions included, in both spellings."""
    from publicsuffixlist import PublicSuffixList

    from corsprobe.fetch import site

    known, listed = PublicSuffixList(), PublicSuffixList(accept_unknown=False)
    hosts = _hosts_from_the_list()
    assert len(hosts) > 30_000
    wrong = []
    for host in hosts:
        lowered = host.lower()
        if (site.registrable_domain(host) != (known.privatesuffix(lowered) or lowered)
                or site.listed_registrable_domain(host) != listed.privatesuffix(lowered)
                or site.is_public_suffix(host) != known.is_public(lowered)):
            wrong.append(host)
    assert wrong == []
