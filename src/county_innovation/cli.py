"""The `county-innovation` console script: Django's management commands under one name.

`county-innovation regions load`, `county-innovation demo --no-serve`, `county-innovation migrate` …
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "county_innovation.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    execute_from_command_line(["county-innovation", *args])


if __name__ == "__main__":
    main()
