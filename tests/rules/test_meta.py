"""Every rule of the catalogue fires in a case of the tables and stays quiet in another.

The cases are the tables of cases.py (the same the family tests assert on), run through the
real replay, probes and engine: a rule counts as firing only in a case built for it (its
``rule``) where the engine really reports it, and as quiet in a case of its own family (a case
built for a sibling rule, or a correct exchange declared for the family) where the engine
does not report it. A new rule without such cases fails here, by id.
"""

from __future__ import annotations

import pytest

from corsprobe.rules import FAMILIES, all_rules

from .cases import ALL_CASES, Case

FAMILY = {r.id: r.family for r in all_rules()}


def families_of(case: Case) -> tuple[str, ...]:
    return (FAMILY[case.rule],) if case.rule else case.families


def uncovered(runs: list[tuple[Case, set[str]]], family: dict[str, str]) -> tuple[list[str], list[str]]:
    """The rule ids with no case that makes them fire, and those never quiet in their family."""
    fires = {case.rule for case, fired in runs if case.rule in fired}
    quiet = {rule for rule, fam in family.items()
             for case, fired in runs if fam in families_of(case) and rule not in fired}
    return sorted(set(family) - fires), sorted(set(family) - quiet)


@pytest.fixture(scope="module")
def runs() -> list[tuple[Case, set[str]]]:
    return [(case, set(case.fired())) for case in ALL_CASES]


def test_the_tables_name_only_real_rules_and_families():
    assert not [c.rule for c in ALL_CASES if c.rule and c.rule not in FAMILY]
    for case in ALL_CASES:
        if case.rule is None:
            assert case.families and set(case.families) <= set(FAMILIES), case.families


def test_every_rule_fires_in_a_case_built_for_it(runs):
    no_case = sorted(set(FAMILY) - {c.rule for c in ALL_CASES})
    assert not no_case, f"rules without a case in tests/rules/cases.py: {', '.join(no_case)}"
    silent = sorted({c.rule for c, fired in runs if c.rule and c.rule not in fired})
    assert not silent, f"rules that do not fire in a case built for them: {', '.join(silent)}"
    never, _ = uncovered(runs, FAMILY)
    assert not never, f"rules that fire in no case: {', '.join(never)}"


def test_every_rule_stays_quiet_in_a_case_of_its_family(runs):
    _, never_quiet = uncovered(runs, FAMILY)
    assert not never_quiet, f"rules quiet in no case of their family: {', '.join(never_quiet)}"


def test_every_family_has_a_correct_exchange(runs):
    correct = {fam for c, fired in runs if c.rule is None and not fired for fam in c.families}
    assert correct == set(FAMILIES), sorted(set(FAMILIES) - correct)


def test_uncovered_names_the_missing_rules():
    """The check itself: a rule with no case, and one that fires everywhere, are named."""
    family = {"CORS101": "origin", "CORS102": "origin", "CORS103": "origin", "CORS999": "origin"}
    a = Case("CORS101", {})
    b = Case("CORS102", {})
    correct = Case(None, {}, families=("origin",))
    runs = [(a, {"CORS101", "CORS103"}), (b, {"CORS102", "CORS103"}), (correct, {"CORS103"})]
    assert uncovered(runs, family) == (["CORS103", "CORS999"], ["CORS103"])
