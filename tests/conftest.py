"""Suite-wide settings.

Hypothesis' per-example deadline (200 ms) measures the machine's load, not corsprobe: on a
2-core CI machine running browsers beside the property tests it fails at random. The number
of examples stays as each test sets it; only the wall-clock deadline goes.
"""

from hypothesis import settings

settings.register_profile("corsprobe", deadline=None)
settings.load_profile("corsprobe")
