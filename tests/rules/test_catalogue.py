"""Every rule is documented with the fixed headings and has a unique id and name."""

import re
from collections import Counter

from corsprobe.rules import DOC_HEADINGS, FAMILIES, all_rules

# The catalogue: how many rules each family has. Adding or removing a rule changes this table
# (and the README's and `corsprobe rules`' counts) on purpose.
PER_FAMILY = {"origin": 11, "credentials": 3, "preflight": 6, "response": 3, "redirects": 3,
              "exposure": 2, "caching": 5, "security": 5, "scan": 18,
              "cookies": 7, "gates": 2, "kinds": 4}
# An id's number says its family: the hundreds follow FAMILIES, and the 8xx block is shared by
# security (801-809) and scan (810-899).
ID_RANGES = {"origin": (101, 199), "credentials": (201, 299), "preflight": (301, 399),
             "response": (401, 499), "redirects": (501, 599), "exposure": (601, 699),
             "caching": (701, 799), "security": (801, 809), "scan": (810, 899),
             "cookies": (901, 999),
             "gates": (1, 49), "kinds": (50, 99)}


def test_rules_exist():
    rules = all_rules()
    assert len(rules) == 69 == sum(PER_FAMILY.values())
    assert Counter(r.family for r in rules) == PER_FAMILY
    assert set(PER_FAMILY) == set(FAMILIES) == set(ID_RANGES)
    assert [r.id for r in rules] == sorted(r.id for r in rules)
    assert all_rules() == rules  # asking twice registers nothing twice


def test_ids_follow_the_family_numbering():
    for r in all_rules():
        low, high = ID_RANGES[r.family]
        assert low <= int(r.id[4:]) <= high, f"{r.id} is numbered outside {r.family} ({low}-{high})"
        assert r.check.__module__ == f"corsprobe.rules.{r.family}", (r.id, r.check.__module__)


def test_ids_and_names_unique_and_well_formed():
    rules = all_rules()
    assert len({r.id for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)
    for r in rules:
        assert re.fullmatch(r"CORS\d{3}", r.id), r.id
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", r.name), r.name
        assert r.severity in ("error", "warning", "info")
        assert r.title and not r.title.endswith(".")


def test_every_rule_doc_has_the_headings_in_order():
    for r in all_rules():
        positions = [r.doc.find(h + ":") for h in DOC_HEADINGS]
        assert all(p >= 0 for p in positions), f"{r.id} lacks a heading: {positions}"
        assert positions == sorted(positions), f"{r.id} headings out of order"
        for heading in DOC_HEADINGS:
            body = r.doc.split(heading + ":", 1)[1].strip()
            assert body and not any(body.startswith(h + ":") for h in DOC_HEADINGS), (
                f"{r.id}: empty '{heading}'"
            )
