#!/usr/bin/env python
"""manage.py for the test site: CORSPROBE_DJANGO_VARIANT=<variant> python manage.py runserver|check"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # apps/

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
