"""``corsprobe`` as a process of its own: ``python -m corsprobe`` and the installed script.

:func:`corsprobe.cli.main` runs a command; this entry point owns the process around it, so it
may also decide how the process spends its first and last milliseconds (a test suite or a
notebook that calls ``corsprobe.cli.main`` keeps its own collector untouched):

- No garbage collection while the command line is imported (typer and click allocate
  thousands of objects, none garbage, and the collector would walk them a dozen times).
  :mod:`corsprobe.collector` then governs the command itself, as everywhere.
- What exists when the command ends is frozen, so that the interpreter's exit, which
  collects the whole heap before it clears the modules and again after, has nothing to walk.
"""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()
    try:
        from .cli import main as command

        command()
    finally:
        gc.freeze()


if __name__ == "__main__":
    main()
