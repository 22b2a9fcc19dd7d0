"""``corsprobe scan``: find CORS policies that trust origins an attacker can own.

- :mod:`.origins`  the candidate attacker origins for a URL and its trusted origin (pure)
- :mod:`.steps`    the scan of one URL as a sans-I/O step generator over the check engine
- :mod:`.run`      targets from the command line or a file, and the job the concurrent runner
                   of ``corsprobe run`` executes per target (its text report:
                   :mod:`corsprobe.render.scan`)

Findings come from the rule family :mod:`corsprobe.rules.scan` (CORS810-CORS827).
"""
