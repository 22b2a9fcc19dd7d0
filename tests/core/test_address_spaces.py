"""Local Network Access: the page's and the target's address spaces, filled in by the core."""

from corsprobe.core import address_spaces
from corsprobe.model import RequestSpec
from corsprobe.net import TransportOptions

RESOLVE = TransportOptions(resolve=(("app.test", 443, "203.0.113.9"), ("api.test", 8000, "127.0.0.1")))


def test_names_are_resolved_as_the_transport_would_and_the_notes_say_so():
    spec, notes = address_spaces(RequestSpec("http://api.test:8000/x", "https://app.test"), RESOLVE)
    assert (spec.page_space, spec.target_space) == ("public", "local")
    assert any("page is taken to be in the public address space (app.test connects to "
               "203.0.113.9)" in n for n in notes)
    assert any("--target-space" in n for n in notes)


def test_given_spaces_and_literals_are_kept_and_nothing_is_said_for_a_public_target():
    spec = RequestSpec("http://127.0.0.1:8000/x", "https://app.test", page_space="private")
    assert address_spaces(spec, RESOLVE) == (spec, ())
    public = RequestSpec("https://app.test/x", "https://app.test")
    filled, notes = address_spaces(public, RESOLVE)
    assert (filled.page_space, filled.target_space, notes) == ("public", "public", ())


def test_a_name_that_does_not_resolve_stays_unknown():
    spec = RequestSpec("http://127.0.0.1:8000/x", "https://app.corsprobe.invalid")
    assert address_spaces(spec, RESOLVE) == (spec, ())
