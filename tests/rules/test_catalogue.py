"""Every rule is documented with the fixed headings and has a unique id and name."""

import re

from corsprobe.rules import DOC_HEADINGS, all_rules


def test_rules_exist():
    assert len(all_rules()) >= 10


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
