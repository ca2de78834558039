"""Helpers of the production-profile tests: an S3-compatible server (moto's, on 127.0.0.1 and a
free port, in a thread of the test process, so that every process of a test, the servers it
starts included, can reach it) and a database of a test's own for `pantau` processes."""

import contextlib
import os
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
import pytest

from pantau.conftest import free_port, subprocess_env

REGION = "us-east-1"
KEYS = {"PANTAU_S3_ACCESS_KEY": "pantau-test", "PANTAU_S3_SECRET_KEY": "pantau-test-secret"}


@pytest.fixture(scope="session")
def s3_server():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_server):
    """A new, empty bucket: its name, the boto3 client and the PANTAU_S3_* environment."""
    import boto3

    name = f"pantau-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name=REGION,
        aws_access_key_id=KEYS["PANTAU_S3_ACCESS_KEY"],
        aws_secret_access_key=KEYS["PANTAU_S3_SECRET_KEY"],
    )
    client.create_bucket(Bucket=name)
    env = {
        "PANTAU_S3_BUCKET": name,
        "PANTAU_S3_ENDPOINT_URL": s3_server,
        "PANTAU_S3_REGION": REGION,
        **KEYS,
    }
    return {"name": name, "client": client, "env": env, "url": s3_server}


def keys_in(bucket: dict, prefix: str = "") -> list[str]:
    listed = bucket["client"].list_objects_v2(Bucket=bucket["name"], Prefix=prefix)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def object_bytes(bucket: dict, key: str) -> bytes:
    return bucket["client"].get_object(Bucket=bucket["name"], Key=key)["Body"].read()


def on_postgresql() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def _server(url: str) -> dict:
    """psycopg's connection arguments for the maintenance database of `url`'s server."""
    config = dj_database_url.parse(url)
    return dict(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def server_sql(url: str, statement: str) -> None:
    """Run `statement` (CREATE / DROP DATABASE) on the PostgreSQL server of `url`."""
    import psycopg

    with psycopg.connect(**_server(url)) as conn:
        conn.execute(statement)


def database_url(url: str, name: str) -> str:
    """`url` with its database replaced by `name`."""
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


@contextlib.contextmanager
def own_database(data_dir: Path):
    """The environment of `pantau` commands on an empty database of their own (SQLite in
    `data_dir`, or a new PostgreSQL database when the suite runs on PostgreSQL, dropped after),
    for tests that run several processes without touching the test database; any fixture
    scope (conftest's `scratch_env` is the per-test fixture). Yields (environment, URL)."""
    url = os.environ.get("DATABASE_URL", "")
    if not on_postgresql():
        yield subprocess_env(data_dir), f"sqlite:///{data_dir / 'pantau.sqlite3'}"
        return
    name = f"pantau_scratch_{uuid.uuid4().hex[:12]}"
    server_sql(url, f'CREATE DATABASE "{name}"')
    own = database_url(url, name)
    try:
        yield subprocess_env(data_dir, DATABASE_URL=own), own
    finally:
        server_sql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def page_message(response) -> str:
    """A page's own part, without the layout (which carries the path and a per-page token)."""
    html = response.content.decode()
    return html[html.index("<main>") : html.index("</main>")]
