"""The session's demo database written out as an SQLite file, for tests that run commands as subprocesses."""

from pathlib import Path

import pytest
from django.db import connection


def session_database_write(path: Path) -> None:
    """Write the session's database to ``path``; skip the test when the session does not run on SQLite.

    Only an SQLite database can be handed to a subprocess as a file. On PostgreSQL the same commands are
    covered against scratch databases (``test_postgresql_backup_with_pg_dump_restores_into_a_migrated_empty_database``).
    """
    if connection.vendor != "sqlite":
        pytest.skip("copies the session's SQLite database to a file; this run uses " + connection.vendor)
    connection.ensure_connection()
    path.write_bytes(connection.connection.serialize())
