"""The framework suite's Django site as a project's asgi.py would expose it
(``--app tests.inprocess.django_asgi``); the variant comes from $CORSPROBE_DJANGO_VARIANT."""

import os
import sys
from pathlib import Path

APPS = Path(__file__).resolve().parents[1] / "frameworks" / "apps"
if str(APPS) not in sys.path:
    sys.path.insert(0, str(APPS))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_site.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
