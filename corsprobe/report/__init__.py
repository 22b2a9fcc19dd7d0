"""Reports: :mod:`.build` makes the ``corsprobe/report/v1`` dict once; :mod:`.compare`
builds the ``corsprobe/compare/v1`` dict of ``--browser all`` from one report per browser.

Both are pure and import no renderer: every format (text, JSON, JUnit, SARIF, Markdown,
GitHub) lives in :mod:`corsprobe.render`, which renders these dicts and the *result* dicts
that ``corsprobe run`` and ``scan`` stream (the check's name, tags and expectations,
``status``, ``failures`` and ``report``).
"""
