"""Reading a pasted command line into words, as the shell it was copied for would.

Two shells, because DevTools copies a cURL command for one of them:

- **bash** ("Copy as cURL" on Linux and macOS, "Copy as cURL (bash)" on Windows): single
  quotes, and ANSI-C ``$'...'`` quoting for values with a quote, ``!`` or a control character
  (Chromium writes ``\\uXXXX``, Firefox ``\\xHH``/``\\uXXXX``). :func:`bash_words` turns each
  ``$'...'`` into plain single quotes, then lets :func:`shlex.split` do the rest.
- **cmd** ("Copy as cURL (cmd)"): cmd.exe first (``^`` escapes the next character outside
  double quotes; ``^`` before a line break continues the line and takes the next character
  literally, which is how DevTools writes a newline inside a value: ``^`` + two line breaks),
  then the Microsoft C runtime's argument rules (``"`` toggles quoting, ``\\"`` is a quote,
  backslashes double only before a quote, ``""`` inside quotes is one quote).

Several commands pasted at once ("Copy all as cURL") come back as one word list each: bash
separates them with ``;`` (or ``&&``), cmd with ``&``.
"""

from __future__ import annotations

import re
import shlex

_ANSI_SIMPLE = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n",
                "r": "\r", "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}
_ANSI_NUMBER = re.compile(r"x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}")


def ansi_c(body: str) -> str:
    """The value of bash's ``$'body'`` (the escapes bash documents for ANSI-C quoting)."""
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\" or i + 1 == len(body):
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1]
        m = _ANSI_NUMBER.match(body, i + 1)
        if nxt in _ANSI_SIMPLE:
            out.append(_ANSI_SIMPLE[nxt])
            i += 2
        elif m:
            digits = m.group()
            out.append(chr(int(digits, 8) if digits[0] in "01234567" else int(digits[1:], 16)))
            i = m.end()
        elif nxt == "c" and i + 2 < len(body):  # \cX: control-X
            out.append(chr(ord(body[i + 2]) & 0x1F))
            i += 3
        else:
            out.append(c + nxt)
            i += 2
    return "".join(out)


def _without_ansi_c(text: str) -> str:
    """``text`` with every ``$'...'`` outside other quotes rewritten as ``'...'`` (a quote
    inside becomes ``'\\''``), and backslash-newline continuations removed."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n:
            if text[i + 1] == "\n":
                i += 2
            elif text[i + 1] == "\r" and text[i + 2:i + 3] == "\n":
                i += 3
            else:
                out.append(text[i:i + 2])
                i += 2
        elif c == "'":
            end = text.find("'", i + 1)
            end = n - 1 if end < 0 else end
            out.append(text[i:end + 1])
            i = end + 1
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif c == "$" and text[i + 1:i + 2] == "'":
            j = i + 2
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            value = ansi_c(text[i + 2:j])
            out.append("'" + value.replace("'", "'\\''") + "'")
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def bash_words(text: str) -> list[list[str]]:
    """The words of each command in ``text`` read as bash would (ValueError: unbalanced
    quotes)."""
    lexer = shlex.shlex(_without_ansi_c(text), posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = ""
    commands: list[list[str]] = [[]]
    for word in lexer:
        if word in (";", "&&", "&", "||", "|"):
            commands.append([])
        else:
            commands[-1].append(word)
    return [c for c in commands if c]


def cmd_lines(text: str) -> list[str]:
    """cmd.exe's pass: carets resolved, one command line per command (``&`` standing alone,
    or a line break that no caret continues, ends a command)."""
    lines: list[str] = []
    cur: list[str] = []
    quoted = False
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "^" and not quoted and i + 1 < n:
            nxt = text[i + 1]
            if nxt in "\r\n":  # a continued line: the break goes, the next character is literal
                i += 3 if text[i + 1:i + 3] == "\r\n" else 2
                if i < n:
                    if text[i:i + 2] == "\r\n":
                        cur.append("\n")
                        i += 2
                    else:
                        cur.append(text[i])
                        i += 1
                continue
            cur.append(nxt)
            i += 2
            continue
        if c == '"':
            quoted = not quoted
        elif not quoted and (c in "\r\n" or (c == "&" and (not cur or cur[-1] in " \t"))):
            lines.append("".join(cur))
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    lines.append("".join(cur))
    return [line for line in lines if line.strip()]


def crt_words(line: str, devtools: bool = False) -> list[str]:
    """One command line split as the Microsoft C runtime splits ``argv``.

    ``devtools``: undo DevTools' escaping instead where the two differ. Chromium and Firefox
    double *every* backslash before quoting for cmd; the C runtime halves them only before a
    quote, so curl.exe would send ``\\n`` where the page sent ``\n``. The page's value is
    what a check needs, so a run of backslashes not before a quote is halved too."""
    words: list[str] = []
    cur: list[str] = []
    started = quoted = False
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c == "\\":
            j = i
            while j < n and line[j] == "\\":
                j += 1
            count = j - i
            if j < n and line[j] == '"':
                cur.append("\\" * (count // 2))
                if count % 2:
                    cur.append('"')
                    j += 1
            else:
                cur.append("\\" * ((count + 1) // 2 if devtools else count))
            started, i = True, j
        elif c == '"':
            if quoted and line[i + 1:i + 2] == '"':
                cur.append('"')
                i += 2
            else:
                quoted, started = not quoted, True
                i += 1
        elif c in " \t\r\n" and not quoted:
            if started:
                words.append("".join(cur))
                cur, started = [], False
            i += 1
        else:
            cur.append(c)
            started = True
            i += 1
    if started:
        words.append("".join(cur))
    return words


def cmd_words(text: str) -> list[list[str]]:
    """The words of each command in ``text`` read as cmd.exe and then curl.exe would."""
    return [w for w in (crt_words(line, devtools=True) for line in cmd_lines(text)) if w]


def looks_like_cmd(text: str) -> bool:
    """DevTools' cmd form: values in ``^"...^"`` or lines continued with a trailing ``^``."""
    return '^"' in text or bool(re.search(r"\^\r?\n", text))
