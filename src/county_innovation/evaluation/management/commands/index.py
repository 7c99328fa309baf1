"""`county-innovation index`: the engine on COINr's iData/iMeta files, writing every step's table.

A thin wrapper for ``call_command`` and ``manage.py``: the console script runs the same command without
Django (``county_innovation.cli`` dispatches to ``county_innovation.engine.command``), and both share its
options and :func:`~county_innovation.engine.command.run`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from county_innovation.engine import EngineError
from county_innovation.engine.command import HELP, add_arguments, run


class Command(BaseCommand):
    help = HELP
    # Pure engine work: no database, so Django's system checks (which load every URL and view) are skipped.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run(
                options,
                say=self.stdout.write,
                warn=lambda note: self.stderr.write(self.style.WARNING(note)),
            )
        except EngineError as exc:
            raise CommandError(str(exc)) from None
