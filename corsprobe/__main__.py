"""``corsprobe`` as a process of its own: ``python -m corsprobe`` and the installed script.

:func:`corsprobe.cli.main` runs a command; this entry point owns the process around it, so
the collector is set for the whole process (:func:`corsprobe.collector.whole_process`), from
before the command line is imported to the interpreter's exit. A test suite or a notebook
that calls ``corsprobe.cli.main`` keeps its own collector untouched.
"""

from __future__ import annotations


def main() -> None:
    from .collector import whole_process

    with whole_process():
        from .cli import main as command

        command()


if __name__ == "__main__":
    main()
