"""The database settings: SQLite's pragmas, PostgreSQL's session options."""

import pytest
from django.db import connection

from pantau import settings


def test_postgresql_sessions_run_without_jit_and_keep_the_urls_own_options():
    config = settings._database("postgres://pantau@db.example/pantau")
    assert config["OPTIONS"]["options"] == "-c jit=off"
    config = settings._database(
        "postgres://pantau@db.example/pantau?options=-c%20statement_timeout%3D5000"
    )
    assert config["OPTIONS"]["options"] == "-c jit=off -c statement_timeout=5000"
    assert settings._database("sqlite:////tmp/x.sqlite3")["OPTIONS"] == settings.SQLITE_OPTIONS


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL session setting")
def test_the_connection_has_jit_off():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
