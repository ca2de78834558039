"""The `pantau` console script: Django's manage.py with Pantau's settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pantau.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
