"""Indexes added to the large tables after the first release are built without blocking
writes on PostgreSQL (CREATE INDEX CONCURRENTLY), so an upgrade does not stop ingest."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from pantau.lib.migrations import AddIndexOnline

pytestmark = pytest.mark.django_db

LATER_INDEXES = [
    ("monitoring", "0002_report_monitoring__receive_02825d_idx"),
    ("monitoring", "0003_report_observed_index"),
    ("monitoring", "0004_report_author_received"),
    ("problems", "0002_problem_problems_pr_updated_ec80b2_idx"),
    ("problems", "0003_problem_open_indexes"),
]


@pytest.mark.parametrize(("app", "name"), LATER_INDEXES)
def test_a_later_index_is_built_online(app, name):
    migration = MigrationLoader(connection).disk_migrations[(app, name)]
    assert not migration.atomic
    assert all(isinstance(op, AddIndexOnline) for op in migration.operations)
    if connection.vendor != "postgresql":
        return  # a plain AddIndex (and SQLite cannot show it inside a test transaction)
    out = io.StringIO()
    call_command("sqlmigrate", app, name, stdout=out)
    sql = out.getvalue()
    assert sql.count("CREATE INDEX") == len(migration.operations)
    assert sql.count("CREATE INDEX CONCURRENTLY") == len(migration.operations)
    out = io.StringIO()
    call_command("sqlmigrate", app, name, backwards=True, stdout=out)
    assert out.getvalue().count("DROP INDEX CONCURRENTLY") == len(migration.operations)
