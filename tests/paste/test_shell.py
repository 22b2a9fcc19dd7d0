"""The two shells DevTools quotes for: bash (shlex after ANSI-C $'...') and cmd.exe + the
C runtime's argv rules."""

from __future__ import annotations

import pytest

from corsprobe.paste.shell import ansi_c, bash_words, cmd_lines, cmd_words, crt_words


@pytest.mark.parametrize("body,value", [
    (r"it\'s", "it's"), (r"a\nb\r", "a\nb\r"), (r"\u0021", "!"), (r"\x21\041", "!!"),
    (r"back\\slash", "back\\slash"), (r"\u00e9t\u00E9", "été"), (r"tab\there", "tab\there"),
    (r"\q", r"\q"),
])
def test_ansi_c(body, value):
    assert ansi_c(body) == value


def test_bash_chromium_form():
    text = ("curl 'http://a.test/x?y=1' \\\n  -H $'x-note: it\\'s \\u0021' \\\n"
            "  --data-raw $'{\"a\":\"b\\nc\"}' \\\n  --compressed")
    assert bash_words(text) == [["curl", "http://a.test/x?y=1", "-H", "x-note: it's !",
                                 "--data-raw", '{"a":"b\nc"}', "--compressed"]]


def test_bash_several_commands():
    assert bash_words("curl 'http://a' ;\ncurl 'http://b'") == [["curl", "http://a"],
                                                                ["curl", "http://b"]]


def test_bash_double_quotes_and_escapes():
    assert bash_words('curl "http://a/\\"q\\"" -H x\\ y') == [["curl", 'http://a/"q"', "-H", "x y"]]


@pytest.mark.parametrize("line,words", [
    ('a "b c" d', ["a", "b c", "d"]),
    (r'"a\"b"', ['a"b']),
    (r'"a\\"', ["a\\"]),
    (r'a\\b', [r"a\\b"]),
    ('"say ""hi"""', ['say "hi"']),
    ('""', [""]),
    ('  a\t b  ', ["a", "b"]),
])
def test_crt_rules(line, words):
    assert crt_words(line) == words


def test_cmd_carets_and_quotes():
    # cmd: ^ escapes outside quotes, is literal inside them
    assert cmd_lines('echo a^&b "c^d"') == ['echo a&b "c^d"']
    # a caret before the line break continues the line; the next character is literal
    assert cmd_lines("curl ^\n  -I") == ["curl   -I"]
    assert cmd_lines('x ^"a^\n\nb^"') == ['x "a\nb"']


def test_cmd_chromium_form():
    text = ('curl ^"http://a.test/x?y=1^&z=2^" ^\n  -H ^"x-q: \\^"hi\\^" 100^%^a^" ^\n'
            '  --data-raw ^"line1^\n\nline2^" &\r\ncurl ^"http://b^"')
    assert cmd_words(text) == [
        ["curl", "http://a.test/x?y=1&z=2", "-H", 'x-q: "hi" 100%a', "--data-raw",
         "line1\nline2"],
        ["curl", "http://b"],
    ]


def test_crt_devtools_halves_every_backslash_run():
    # DevTools doubles each backslash for cmd; the page's value had one
    assert crt_words(r'"a\\nb" "c\\\"d"', devtools=True) == ["a\\nb", 'c\\"d']
    assert crt_words(r'"a\\nb"') == ["a\\\\nb"]
