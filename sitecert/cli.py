"""The `sitecert` command: what manage.py does, with dashed command names (import-registry)."""

import os
import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import execute_from_command_line


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sitecert.settings")
    argv = list(sys.argv)
    # The command name, and the one `help` is asked about.
    for i in (1, 2) if argv[1:2] == ["help"] else (1,):
        if len(argv) > i and not argv[i].startswith("-"):
            argv[i] = argv[i].replace("-", "_")
    try:
        settings.INSTALLED_APPS  # noqa: B018 (reads the environment: settings.py refuses what is missing or malformed)
    except ImproperlyConfigured as exc:
        print(f"sitecert: {exc}", file=sys.stderr)  # the setting named, not a traceback around it
        sys.exit(2)
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
