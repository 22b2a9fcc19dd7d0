"""``[[flows]]`` in the config: steps that run in order and share one cookie jar (no network)."""

from __future__ import annotations

import pytest

from corsprobe.config import Shard, load, shard_of
from corsprobe.errors import UsageError
from corsprobe.runner import units

FLOW = '''
base_url = "https://api.example.com"
origin = "https://app.example.com"

[[checks]]
name = "users"
url = "/users"

[[flows]]
name = "session"
tags = ["smoke"]
third_party_cookies = "block"

[[flows.steps]]
name = "login"
url = "/login"
method = "POST"
headers = { "Content-Type" = "application/json" }
body = "{}"
send_actual = true

[[flows.steps]]
url = "/me"
expect_status = 200
readable = ["X-Request-ID"]
'''


def write(tmp_path, text):
    path = tmp_path / "corsprobe.toml"
    path.write_text(text)
    return path


def test_flow_steps_follow_the_checks_in_order_named_flow_and_step(tmp_path):
    cfg = load(write(tmp_path, FLOW))
    checks = list(cfg.checks())
    assert cfg.count == 3
    assert [(c.index, c.name, c.group, c.flow) for c in checks] == [
        (0, "users", "users", None),
        (1, "session › login", "session", "session"),
        (2, "session › GET /me", "session", "session"),
    ]
    login, me = checks[1:]
    assert login.tags == me.tags == ("smoke",)
    # a flow is about the session: credentials default to true; the jar's browser setting
    assert login.spec.credentials and me.spec.credentials
    assert login.spec.third_party_cookies == me.spec.third_party_cookies == "block"
    assert checks[0].spec.third_party_cookies == "allow" and not checks[0].spec.credentials
    assert me.expect_status == (200,) and me.expectation.status == (200,)
    assert login.spec.origin == me.spec.origin == "https://app.example.com"
    assert [c.line for c in checks] == [5, 14, 22]


def test_units_gather_each_flow_into_one_item(tmp_path):
    text = FLOW + '\n[[flows]]\nname = "other"\n[[flows.steps]]\nurl = "/a"\n'
    items = list(units(load(write(tmp_path, text)).checks()))
    assert [i.name if not isinstance(i, list) else [c.name for c in i] for i in items] == [
        "users", ["session › login", "session › GET /me"], ["other › GET /a"]]


def test_a_flow_lands_in_one_shard_by_its_name(tmp_path):
    steps = [c for c in load(write(tmp_path, FLOW)).checks() if c.flow]
    for n in (2, 3, 5):
        held = {Shard(shard_of("session", n), n).holds(c) for c in steps}
        assert held == {True}


def test_third_party_cookies_and_expect_status_on_plain_checks(tmp_path):
    cfg = load(write(tmp_path, 'third_party_cookies = "block"\n[[checks]]\nurl = '
                     '"https://a.example/x"\norigin = "https://b.example"\nexpect_status = '
                     '[200, 204]\n[[checks]]\nurl = "https://a.example/y"\norigin = '
                     '"https://b.example"\nthird_party_cookies = "allow"\n'))
    one, two = cfg.checks()
    assert one.spec.third_party_cookies == "block" and one.expect_status == (200, 204)
    assert two.spec.third_party_cookies == "allow" and two.expect_status == ()


def test_a_config_of_flows_alone_is_valid(tmp_path):
    text = FLOW.split("[[checks]]")[0] + "[[flows]]" + FLOW.split("[[flows]]")[1]
    assert [c.name for c in load(write(tmp_path, text)).checks()] == [
        "session › login", "session › GET /me"]


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: t.replace('name = "session"\n', ""), "flow #1: key 'name': missing"),
    (lambda t: t.replace('url = "/me"', 'url = "/me"\norigin = "https://x.example"'),
     "flow 'session': step #2: key 'origin': the steps of a flow are one page in one browser"),
    (lambda t: t.replace('url = "/me"', 'urls = ["/me"]'),
     "step #2: key 'urls': a step is one request"),
    (lambda t: t.replace('url = "/me"', 'url = "/me"\ntags = ["x"]'), "key 'tags'"),
    (lambda t: t.replace('url = "/me"', 'url = "/me"\nname = "login"'),
     "the flow has two steps named 'login'"),
    (lambda t: t.replace('name = "session"', 'name = "users"'),
     "flow 'users': key 'name': the name is already used by check #1"),
    (lambda t: t.replace('tags = ["smoke"]', 'tag = ["smoke"]'),
     "flow 'session': key 'tag': unknown key (did you mean 'tags'?)"),
    (lambda t: t.replace('expect_status = 200', 'expect_status = "200"'),
     "key 'expect_status': expected an HTTP status"),
    (lambda t: t.replace('third_party_cookies = "block"', 'third_party_cookies = "deny"'),
     "key 'third_party_cookies': 'deny' is not one of: allow, block"),
    (lambda t: t.replace('origin = "https://app.example.com"\n', ""),
     "flow 'session': key 'origin': missing: a flow is one page"),
    (lambda t: t.split("[[flows.steps]]")[0], "flow 'session': key 'steps': expected at least one"),
])
def test_flow_mistakes_are_usage_errors_naming_the_flow_and_key(tmp_path, edit, message):
    text = edit(FLOW)
    if "origin = " not in text.split("[[checks]]")[0]:  # keep the plain check valid
        text = text.replace('url = "/users"', 'url = "/users"\norigin = "https://app.example.com"')
    with pytest.raises(UsageError) as err:
        load(write(tmp_path, text))
    assert message in str(err.value)


def test_flow_in_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.corsprobe]\norigin = "https://app.example.com"\n'
        '[[tool.corsprobe.flows]]\nname = "f"\ncredentials = false\n'
        '[[tool.corsprobe.flows.steps]]\nurl = "https://api.example.com/a"\n'
        '[[tool.corsprobe.flows.steps]]\nname = "b"\nurl = "https://api.example.com/b"\n'
        'credentials = true\n')
    a, b = load(cwd=tmp_path).checks()
    assert (a.name, a.spec.credentials, a.line) == ("f › GET https://api.example.com/a", False, 6)
    assert (b.name, b.spec.credentials, b.line) == ("f › b", True, 8)
