"""The command line: one module per command, imported only when that command runs.

``corsprobe --help`` lists the commands from :data:`COMMANDS` (name, module, summary) without
importing any of them; :class:`LazyGroup` imports a command's module the first time click
asks for it. Every command module builds its command with typer ``Annotated`` options
(:mod:`.options` holds the shared ones).

Shell completion (typer's ``--install-completion`` / ``--show-completion``, and the
``_CORSPROBE_COMPLETE`` requests the installed script makes) completes command names from the
same table, so it imports a command's module only to complete that command's options.

:func:`main` is the one place that maps exceptions to exit statuses: every
:class:`~corsprobe.errors.CorsprobeError` is one line on stderr and its exit code (2 usage,
3 unreachable); a click usage error is one line with an example of the command; nothing
ever prints a traceback.
"""

from __future__ import annotations

import importlib
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from ..errors import CorsprobeError
from ..version import __version__

# name -> ("module:typer app" in corsprobe.cli, the command's summary: the first paragraph
# of its docstring, which ``corsprobe --help`` shortens as click would; tests/cli checks that
# they match)
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check:app", "Check one request, as a page at ORIGIN would make it with fetch(URL, {...})."),
    "rules": ("catalogue:rules_app", "List the rule catalogue."),
    "explain": ("catalogue:explain_app", "Show one rule's documentation."),
    "demo": ("demo:app", "Start a small built-in API with typical CORS mistakes, check it, and show "
             "the reports."),
    "har": ("har:app", "Diagnose the cross-origin requests recorded in a HAR file, offline."),
    "run": ("run:app", "Run the checks of a config file concurrently, with expectations, for CI."),
    "merge": ("merge:app", "Combine the JSON results of several corsprobe run jobs into one report "
              "and one exit code."),
    "scan": ("scan:app", "Find dangerous CORS policies: try origins an attacker can own (reflection, "
             "null,\nprefix/suffix, unescaped dots, subdomains, http, special characters, ...) "
             "with GET and\nOPTIONS only, and report what a browser would let each of them read."),
    "paste": ("paste:app", "Check what the browser said: a console CORS error, 'Copy as cURL' or "
              "'Copy as fetch'."),
}

USAGE_EXAMPLES = {
    "check": "corsprobe check https://api.example.com/users --origin https://app.example.com",
    "run": "corsprobe run --config corsprobe.toml",
    "explain": "corsprobe explain CORS101",
    "merge": "corsprobe merge shard-1.json shard-2.json shard-3.json --junit cors.xml",
    "scan": "corsprobe scan https://api.example.com/me --origin https://app.example.com",
    "har": "corsprobe har session.har --failed-only",
    "rules": "corsprobe rules --format json",
    "demo": "corsprobe demo",
    "paste": "corsprobe paste \"$(xclip -o)\"",
}


SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")  # typer's completion scripts
COMPLETION_FLAGS = {"--show-completion": "show_completion",
                    "--install-completion": "install_completion"}


def _short_help(summary: str, limit: int) -> str:
    try:  # typer >= 0.28 vendors click
        from typer._click.utils import make_default_short_help
    except ImportError:  # pragma: no cover - older typer uses the click package
        from click.utils import make_default_short_help
    return make_default_short_help(summary, limit).strip()


def _named_shell(args: list[str]) -> tuple[str, str] | None:
    """``("--show-completion", "zsh")`` for ``--show-completion zsh`` (or ``=zsh``) among the
    group's own options; None when no completion flag names a shell."""
    for i, arg in enumerate(args):
        if not arg.startswith("-"):
            return None  # a command name: what follows is that command's
        flag, eq, value = arg.partition("=")
        if flag in COMPLETION_FLAGS:
            if not eq:
                value = args[i + 1] if i + 1 < len(args) else ""
            elif value not in SHELLS:
                raise typer.BadParameter(f"unknown shell {value!r} (one of {', '.join(SHELLS)})",
                                         param_hint=f"'{flag}'")
            return (flag, value) if value in SHELLS else None
    return None


def load_command(name: str) -> Any:
    """The click command ``name``, built from the one-command typer app of its module."""
    module_name, _, attr = COMMANDS[name][0].partition(":")
    module = importlib.import_module(f"{__name__}.{module_name}")
    return typer.main.get_command(getattr(module, attr))


class LazyGroup(TyperGroup):
    """A group whose commands are imported when invoked, or when their own help is asked."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        if cmd_name not in self.commands:
            self.commands[cmd_name] = load_command(cmd_name)
        return self.commands[cmd_name]

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # the listing from the static table: building it imports no command
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [(name, _short_help(summary, limit)) for name, (_, summary) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def format_options(self, ctx: Any, formatter: Any) -> None:
        params: list[Any] = self.params
        for param in params:  # typer's flags also take a shell name here (see parse_args)
            if param.name == "show_completion":
                param.help = ("Show the completion script for the current shell (or the one "
                              "named: --show-completion zsh), to copy it or customize the "
                              "installation.")
            elif param.name == "install_completion":
                param.help = ("Install completion for the current shell (or the one named: "
                              "--install-completion zsh).")
        super().format_options(ctx, formatter)

    def shell_complete(self, ctx: Any, incomplete: str) -> list[Any]:
        # command names from the static table (TyperGroup's would import every command), then
        # the group's own options
        try:  # typer >= 0.28 vendors click
            completion = importlib.import_module("typer._click.shell_completion")
        except ImportError:  # pragma: no cover - older typer uses the click package
            completion = importlib.import_module("click.shell_completion")
        names = [completion.CompletionItem(name, help=_short_help(summary, 45))
                 for name, (_, summary) in COMMANDS.items() if name.startswith(incomplete)]
        options = super(TyperGroup, self).shell_complete(ctx, incomplete)
        return names + [item for item in options if item.value not in COMMANDS]

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # typer's completion flags take no value (they detect the shell, which fails in a
        # container or under a shell-less parent); `--show-completion zsh` names the shell.
        named = _named_shell(args)
        if named is not None and not ctx.resilient_parsing:
            from typer.completion import install_callback, show_callback

            flag, shell = named
            param = next(p for p in self.params if p.name == COMPLETION_FLAGS[flag])
            callback = show_callback if flag == "--show-completion" else install_callback
            callback(ctx, param, shell)  # prints the script or installs it, then exits 0
        return super().parse_args(ctx, args)


app = typer.Typer(
    name="corsprobe",
    cls=LazyGroup,
    help="Replay what a browser does with a cross-origin request against the real server, "
    "and say what it will do, why, and how to fix it.",
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from ..fetch.browsers import recorded_from

        print(f"corsprobe {__version__} (browser tables from {recorded_from()})")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True,
                           help="Show the version, and the browser builds its tables come from.")
    ] = False,
) -> None:
    """corsprobe: a CORS debugger."""


def _usage_line(exc: Exception) -> str:
    """A click usage error as one line: what is wrong, a valid example, where help is."""
    ctx = getattr(exc, "ctx", None)
    command = ctx.info_name if ctx is not None and ctx.parent is not None else None
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    example = USAGE_EXAMPLES.get(command or "check")
    where = f"corsprobe {command} --help" if command else "corsprobe --help"
    shown = f"; e.g. {example}" if example else ""
    return f"{message.rstrip('.')}{shown} (see {where})"


def main() -> None:
    # httpcore probes for trio at import (~50 ms when installed); this process never uses it.
    sys.modules.setdefault("trio", None)  # type: ignore[arg-type]
    from ..collector import deferred

    try:
        with deferred():  # no garbage collection while a command starts (corsprobe.collector)
            code = app(standalone_mode=False, prog_name="corsprobe")
        sys.exit(code if isinstance(code, int) else 0)
    except CorsprobeError as exc:
        print(f"corsprobe: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("corsprobe: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # click usage errors and anything unexpected: one line, no traceback
        # typer vendors click; its exceptions carry show() and an exit code.
        show = getattr(exc, "show", None)
        if callable(show) and isinstance(getattr(exc, "exit_code", None), int):
            if exc.__class__.__name__ == "NoArgsIsHelpError":
                show()  # bare `corsprobe`: the help itself
            else:
                print(f"corsprobe: {_usage_line(exc)}", file=sys.stderr)
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        if exc.__class__.__name__ == "Abort":
            sys.exit(130)
        print(f"corsprobe: internal error: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        sys.exit(70)
