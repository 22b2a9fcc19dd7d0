"""Config discovery, validation, matrix expansion and ${VAR} expansion (no network)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corsprobe.config import discover, load
from corsprobe.errors import UsageError

CHECK = '[[checks]]\nname = "users"\nurl = "https://api.example.com/users"\norigin = "https://app.example.com"\n'


def test_discovery_walks_up_to_corsprobe_toml(tmp_path):
    (tmp_path / "corsprobe.toml").write_text(CHECK)
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert discover(deep) == tmp_path / "corsprobe.toml"
    cfg = load(cwd=deep)
    assert [c.name for c in cfg.checks()] == ["users"]


def test_discovery_uses_pyproject_tool_table_and_skips_pyprojects_without_one(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.corsprobe]\nbrowser = "firefox"\n\n'
        + CHECK.replace("[[checks]]", "[[tool.corsprobe.checks]]"))
    sub = tmp_path / "pkg"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[project]\nname = "inner"\n')  # no [tool.corsprobe]
    assert discover(sub) == tmp_path / "pyproject.toml"
    cfg = load(cwd=sub)
    check = next(cfg.checks())
    assert check.spec.browser == "firefox" and check.line == 7


def test_corsprobe_toml_wins_over_pyproject_in_the_same_directory(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.corsprobe]\n" + CHECK.replace(
        "[[checks]]", "[[tool.corsprobe.checks]]"))
    (tmp_path / "corsprobe.toml").write_text(CHECK)
    assert discover(tmp_path) == tmp_path / "corsprobe.toml"


def test_no_config_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no config found"):
        load(cwd=tmp_path)


def test_explicit_config_overrides_discovery(tmp_path):
    (tmp_path / "corsprobe.toml").write_text(CHECK)
    other = tmp_path / "ci.toml"
    other.write_text(CHECK.replace('"users"', '"other"'))
    assert [c.name for c in load(other, cwd=tmp_path).checks()] == ["other"]


def test_matrix_is_urls_times_origins_with_distinct_names(tmp_path):
    (tmp_path / "corsprobe.toml").write_text(
        'base_url = "https://api.example.com/v1"\nheaders = { "X-Client" = "web" }\n'
        '[[checks]]\nname = "m"\nurls = ["/a", "b"]\n'
        'origins = ["https://one.example", "https://two.example", "https://three.example"]\n'
        'headers = { "X-Extra" = "1" }\ntags = ["smoke"]\n')
    checks = list(load(cwd=tmp_path).checks())
    assert len(checks) == 6
    assert len({c.name for c in checks}) == 6
    assert {c.spec.url for c in checks} == {"https://api.example.com/v1/a",
                                            "https://api.example.com/v1/b"}
    assert {c.spec.origin for c in checks} == {"https://one.example", "https://two.example",
                                               "https://three.example"}
    assert checks[0].name == "m [/a from https://one.example]"
    assert all(c.group == "m" and c.tags == ("smoke",) for c in checks)
    assert checks[0].spec.headers == (("X-Client", "web"), ("X-Extra", "1"))
    assert [c.index for c in checks] == list(range(6))


def test_env_expansion_collects_secrets(tmp_path):
    (tmp_path / "corsprobe.toml").write_text(
        'base_url = "${API_URL}"\n[[checks]]\nname = "n"\nurl = "/x?key=${KEY}"\n'
        'origin = "https://app.example.com"\nheaders = { Authorization = "Bearer ${TOKEN}" }\n'
        'body = "literal $${NOT_A_VAR}"\nmethod = "POST"\n')
    env = {"API_URL": "https://api.example.com", "TOKEN": "t0k3n-value", "KEY": "k3y-value"}
    cfg = load(cwd=tmp_path, env=env)
    check = next(cfg.checks())
    assert check.spec.url == "https://api.example.com/x?key=k3y-value"
    assert ("Authorization", "Bearer t0k3n-value") in check.spec.headers
    assert check.spec.body == b"literal ${NOT_A_VAR}"
    assert set(cfg.secrets) == {"https://api.example.com", "t0k3n-value", "k3y-value"}


def test_a_config_is_read_as_toml_1_1(tmp_path):
    """tomli, on every Python: an inline table may span lines and end with a comma (TOML
    1.1; the standard library's tomllib of Python 3.11-3.14 refuses both)."""
    (tmp_path / "corsprobe.toml").write_text(
        '[[checks]]\nname = "multi"\nurl = "https://a.example/x"\norigin = "https://b.example"\n'
        'method = "PUT"\nheaders = {\n  "Content-Type" = "application/json",\n  "X-Trace" = "1",\n}\n')
    check = next(load(cwd=tmp_path, env={}).checks())
    assert check.spec.headers == (("Content-Type", "application/json"), ("X-Trace", "1"))


@pytest.mark.parametrize(
    "body,fragments",
    [
        # unknown key, in a check and at the top
        ('[[checks]]\nname = "c1"\nurl = "https://a.example/x"\norigin = "https://b.example"\nmethdo = "GET"\n',
         ["check 'c1'", "key 'methdo'", "did you mean 'method'"]),
        ('timout = 3\n[[checks]]\nurl = "https://a.example/x"\norigin = "https://b.example"\n',
         ["key 'timout'", "did you mean 'timeout'"]),
        # wrong types
        ('[[checks]]\nname = "c2"\nurl = "https://a.example/x"\norigin = "https://b.example"\ncredentials = "yes"\n',
         ["check 'c2'", "key 'credentials'", "expected a boolean"]),
        ('timeout = "10"\n[[checks]]\nurl = "https://a.example/x"\norigin = "https://b.example"\n',
         ["key 'timeout'", "expected a number"]),
        ('[[checks]]\nname = "c3"\nurl = "https://a.example/x"\norigin = "https://b.example"\nheaders = { X-N = 1 }\n',
         ["check 'c3'", "key 'headers'", "table of strings"]),
        ('[[checks]]\nurl = "https://a.example/x"\norigin = "https://b.example"\ntags = "smoke"\n',
         ["check #1", "key 'tags'", "list of strings"]),
        # bad URL / origin / values
        ('[[checks]]\nname = "c4"\nurl = "ftp://a.example/x"\norigin = "https://b.example"\n',
         ["check 'c4'", "key 'url'", "http and https"]),
        ('[[checks]]\nname = "c5"\nurl = "/x"\norigin = "https://b.example"\n',
         ["check 'c5'", "key 'url'", "no base_url"]),
        ('[[checks]]\nname = "c6"\nurl = "https://a.example/x"\norigin = "https://b.example/"\n',
         ["check 'c6'", "key 'origin'", "slash"]),
        ('[[checks]]\nname = "c7"\nurl = "https://a.example/x"\norigins = ["https://b.example", "b.example"]\n',
         ["check 'c7'", "key 'origins'", "no scheme"]),
        ('[[checks]]\nname = "c8"\nurl = "https://a.example/x"\norigin = "https://b.example"\nexpect = "denied"\n',
         ["check 'c8'", "key 'expect'", "allowed, blocked"]),
        ('[[checks]]\nname = "c9"\nurl = "https://a.example/x"\norigin = "https://b.example"\nexpect_error = "MissingAllowOrigin"\n',
         ["check 'c9'", "key 'expect_error'", "MissingAllowOriginHeader"]),
        ('[[checks]]\nname = "c10"\nurl = "https://a.example/x"\norigin = "https://b.example"\nmethod = "TRACE"\n',
         ["check 'c10'", "key 'method'", "forbidden"]),
        ('[[checks]]\nname = "c11"\nurl = "https://a.example/x"\n', ["check 'c11'", "key 'origin'", "missing"]),
        ('[[checks]]\nname = "c12"\nurl = "https://a.example/x"\norigin = "https://b.example"\nbody = "x"\n',
         ["check 'c12'", "key 'body'", "GET"]),
        ('[[checks]]\nname = "c13"\nurl = "https://a.example/x?k=${NOPE_UNSET}"\norigin = "https://b.example"\n',
         ["check 'c13'", "key 'url'", "NOPE_UNSET is not set"]),
        ('[[checks]]\nname = "d"\nurl = "https://a.example/x"\norigin = "https://b.example"\n'
         '[[checks]]\nname = "d"\nurl = "https://a.example/y"\norigin = "https://b.example"\n',
         ["check 'd'", "key 'name'", "unique"]),
        ('checks = 3\n', ["key 'checks'", "array of tables"]),
        ('browser = "chrome"\n', ["key 'checks'", "no checks"]),
        ('[[checks]\n', ["not valid TOML"]),
    ],
)
def test_config_errors_name_file_check_and_key(tmp_path, body, fragments):
    (tmp_path / "corsprobe.toml").write_text(body)
    with pytest.raises(UsageError) as info:
        load(cwd=tmp_path, env={})
    message = str(info.value)
    assert message.startswith("corsprobe.toml: "), message
    for fragment in fragments:
        assert fragment in message, message


def test_config_error_never_shows_an_env_value(tmp_path):
    (tmp_path / "corsprobe.toml").write_text(
        '[[checks]]\nname = "c"\nurl = "https://a.example/${SECRET_PATH}"\norigin = "https://b.example"\n'
        'headers = { "X-Key" = "${SECRET_KEY}" }\nexpect = "${SECRET_KEY}"\n')
    with pytest.raises(UsageError) as info:
        load(cwd=tmp_path, env={"SECRET_PATH": "p", "SECRET_KEY": "sk-123456789"})
    assert "sk-123456789" not in str(info.value) and "REDACTED" in str(info.value)


def test_page_space_is_a_default_and_a_check_key(tmp_path):
    (tmp_path / "corsprobe.toml").write_text(
        'page_space = "public"\n'
        '[[checks]]\nname = "a"\nurl = "http://127.0.0.1:8000/x"\norigin = "https://app.example"\n'
        '[[checks]]\nname = "b"\nurl = "http://127.0.0.1:8000/x"\norigin = "https://app.example"\n'
        'page_space = "private"\ntarget_space = "local"\n')
    a, b = load(cwd=tmp_path).checks()
    assert (a.spec.page_space, a.spec.target_space) == ("public", None)
    assert (b.spec.page_space, b.spec.target_space) == ("private", "local")


def test_page_space_must_be_a_space(tmp_path):
    (tmp_path / "corsprobe.toml").write_text(
        'page_space = "internet"\n[[checks]]\nurl = "https://a.example/x"\norigin = "https://b.example"\n')
    with pytest.raises(UsageError, match="'internet' is not one of: public, private, local"):
        load(cwd=tmp_path)


def test_run_resolves_the_page_space_and_blocks_by_local_network_access(tmp_path):
    import json

    from tests.clihelp import cli

    (tmp_path / "corsprobe.toml").write_text(
        'resolve = ["app.test:443:203.0.113.7"]\n'
        '[[checks]]\nname = "public page"\nurl = "http://127.0.0.1:9/x"\norigin = "https://app.test"\n'
        'expect = "blocked"\nexpect_error = "LocalNetworkAccessPermissionDenied"\n'
        '[[checks]]\nname = "said private"\nurl = "http://127.0.0.1:9/x"\norigin = "https://app.test"\n'
        'page_space = "private"\nexpect = "blocked"\n')
    ran = cli("run", "--format", "json", cwd=tmp_path, code=(0, 1, 3))
    results = json.loads(ran.out)["results"]
    public, private = (r["report"] for r in results)
    assert public["blocked_at"] == "local-network-access"
    assert any("app.test connects to 203.0.113.7" in n for n in public["notes"])
    assert private["blocked_at"] is None and private["error"]["kind"] == "connect"  # nothing listens on :9


# -- the line of each check's header (what a message names) ------------------------------------

_HEADER_BITS = ["[[checks]]", "[[ checks ]]", "[[tool.corsprobe.checks]]", "[[flows]]",
                "[[flows.steps]]", "[[ flows . steps ]]", "[[\nchecks]]", "[[checksx]]",
                "x = [[1]]", "[checks]", "[[", "]]", "  ", "\t", "\n", "a = 1", "# [[checks]]",
                "\"[[checks]]\"", "[[checks]] [[checks]]", "[[[checks]]]"]


def _lines_by_scan(text):
    """The reference: every line start tried with each header's regex (re.M)."""
    import re

    def lines(pattern):
        found, line, pos = [], 1, 0
        for m in re.finditer(pattern, text, re.M):
            line += text.count("\n", pos, m.start())
            pos = m.start()
            found.append(line)
        return found

    prefix = r"^[ \t]*\[\[\s*(?:tool\s*\.\s*corsprobe\s*\.\s*)?"
    return (lines(prefix + r"checks\s*\]\]"),
            (lines(prefix + r"flows\s*\]\]"), lines(prefix + r"flows\s*\.\s*steps\s*\]\]")))


@given(st.lists(st.sampled_from(_HEADER_BITS), max_size=40))
@settings(max_examples=400, deadline=None)
def test_header_lines_are_those_of_a_scan_of_every_line_start(bits):
    from corsprobe.config import _header_lines

    text = "".join(bits)
    assert _header_lines(text) == _lines_by_scan(text)


# -- one check table validated once per shape (config._Loader.check) ----------------------------

_SHAPES = [
    # one shape, many names and URLs (a URL with ${VAR}: a secret in a check that hits)
    "".join(f'[[checks]]\nname = "c{i}"\nurl = "/u/{i}${{TOKEN}}"\nmethod = "PUT"\n'
            f'headers = {{ "Content-Type" = "application/json", "X-A" = "1" }}\n'
            for i in range(4)),
    # the same tables but for a value's type, the order of headers, one key more
    '[[checks]]\nurl = "/a"\nmax_redirects = 1\n[[checks]]\nurl = "/b"\nmax_redirects = 1\n'
    '[[checks]]\nurl = "/c"\nheaders = { "X-B" = "2", "X-A" = "1" }\n'
    '[[checks]]\nurl = "/d"\nheaders = { "X-A" = "1", "X-B" = "2" }\n'
    '[[checks]]\nurl = "/e"\ncredentials = true\n[[checks]]\nurl = "/f"\n',
    # the same step tables in two flows with different defaults (origin, headers)
    '[[flows]]\nname = "one"\norigin = "https://one.example"\n'
    '[[flows.steps]]\nurl = "/x"\n[[flows.steps]]\nname = "s2"\nurl = "/y"\n'
    '[[flows]]\nname = "two"\norigin = "https://two.example"\nheaders = { "X-F" = "2" }\n'
    '[[flows.steps]]\nurl = "/x"\n[[flows.steps]]\nname = "s2"\nurl = "/y"\n',
    # errors in a table of a known shape: its name, its URL; and 1.0 where 1 passed
    '[[checks]]\nname = "ok"\nurl = "/a"\n[[checks]]\nname = " "\nurl = "/b"\n',
    '[[checks]]\nname = "ok"\nurl = "/a"\n[[checks]]\nname = "bad"\nurl = "http://[::1/"\n',
    '[[checks]]\nurl = "/a"\nmax_redirects = 1\n[[checks]]\nurl = "/b"\nmax_redirects = 1.0\n',
    '[[checks]]\nname = "d"\nurl = "/a"\n[[checks]]\nname = "d"\nurl = "/b"\n',
]


def _loaded(tmp_path, body):
    (tmp_path / "corsprobe.toml").write_text(
        f'base_url = "https://api.example"\norigin = "https://app.example"\n{body}')
    try:
        return load(cwd=tmp_path, env={"TOKEN": "s3cr3t-token"})
    except UsageError as exc:
        return str(exc)


@pytest.mark.parametrize("body", _SHAPES)
def test_a_table_of_a_known_shape_loads_as_when_validated_whole(tmp_path, monkeypatch, body):
    import corsprobe.config as config

    class Forgetful(dict):  # keeps no shape: every table validated whole
        def __setitem__(self, key, value):
            pass

    init = config._Loader.__init__

    def without_shapes(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self._checked = Forgetful()

    once = _loaded(tmp_path, body)
    monkeypatch.setattr(config._Loader, "__init__", without_shapes)
    assert once == _loaded(tmp_path, body)
    if not isinstance(once, str):
        assert once.count == len(list(once.checks()))
