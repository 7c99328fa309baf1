"""The setup every benchmark shares: Django on a fresh database (a new SQLite file unless a URL is given)."""

import os
import tempfile


def fresh_django(database_url: str = "") -> None:
    """Point the settings at a new var/ folder and ``database_url`` (default: SQLite in it), then set Django up.

    Call before importing any model; migrate afterwards (``call_command("migrate")``).
    """
    os.environ["COUNTY_INNOVATION_VAR"] = tempfile.mkdtemp()
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "county_innovation.settings")
    import django

    django.setup()
