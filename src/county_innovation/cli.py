"""The `county-innovation` console script: Django's management commands under one name.

`county-innovation regions load`, `county-innovation demo --no-serve`, `county-innovation migrate` …
"""

import os
import sys

# Pure-engine commands run before (and without) Django: no settings, no system checks, no URL conf, so they
# start in the time numpy and pandas take to import. Their Django management commands stay for call_command.
ENGINE_COMMANDS = {"index": "county_innovation.engine.command"}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ENGINE_COMMANDS:
        from importlib import import_module

        sys.exit(import_module(ENGINE_COMMANDS[args[0]]).main(args[1:], prog=f"county-innovation {args[0]}"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "county_innovation.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["county-innovation", *args])


if __name__ == "__main__":
    main()
