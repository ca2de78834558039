"""Read replicas (PANTAU_REPLICA_URLS, pantau.lib.dbrouter): which database each query uses.

Run as a deployment runs it: a `pantau` process whose settings come from the environment, with
PANTAU_REPLICA_URLS naming the very database of DATABASE_URL a second time (alias `replica1`: a
replica with no lag), on a database of its own (`scratch_env`: SQLite, or a new PostgreSQL
database when the suite runs on PostgreSQL). Django's test client makes the requests inside that
process and CaptureQueriesContext records the queries of each alias. The test database's own
transaction would hide the rule (every read inside a transaction goes to the primary), hence the
separate process."""

import json
import subprocess

import pytest

from pantau.conftest import pantau_script
from pantau.tests.helpers import own_database

PROBE = r"""
import json, uuid
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pantau.accounts.models import User
from pantau.api.actions import do_issue_token
from pantau.lib.dbrouter import replica_reads
from pantau.monitoring.models import Report

def probe(fn):
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections["replica1"]) as replica:
        out = fn()
    return {"out": out, "primary": [q["sql"] for q in primary.captured_queries],
            "replica": [q["sql"] for q in replica.captured_queries]}

def get(username, path):
    client = Client()  # logged in through the login page, as a user is
    client.post("/masuk/", {"username": username, "password": "pantau-demo"})
    def fn():
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)  # an export reads its rows while streaming
        return response.status_code
    return fn

def api_get(username, path):
    key, _ = do_issue_token(User.objects.get(username=username))
    client = Client(headers={"Authorization": f"Bearer {key}"})
    return lambda: client.get(path).status_code

def post_report():
    key, _ = do_issue_token(User.objects.get(username="desa-3513012001"))
    body = {"client_id": str(uuid.uuid4()), "region": "35.13.01.2001", "status": "aman",
            "observed_at": "2024-11-27T09:30:00", "answers": {"tps_buka_tepat": "ya",
            "surat_suara_cukup": "ya", "gangguan": "tidak ada"}}
    response = Client().post("/api/v1/reports", json.dumps(body),
                             content_type="application/json",
                             headers={"Authorization": f"Bearer {key}"})
    return [response.status_code, response.content.decode()[:500]]

def write_then_read():
    with replica_reads():
        before = Report.objects.count()
        User.objects.filter(username="bupati").update(full_name="Pj Bupati")
        after = Report.objects.count()
    return [before, after]

def in_transaction():
    with replica_reads(), transaction.atomic():
        return Report.objects.count()

def outside():
    return Report.objects.count()

print(json.dumps({
    "dashboard": probe(get("bupati", "/dasbor/")),
    "map": probe(get("bupati", "/dasbor/peta.geojson")),
    "compliance": probe(get("bupati", "/kepatuhan/?date=2024-11-27")),
    "export": probe(get("bupati", "/laporan/ekspor.csv")),
    "api_dashboard": probe(api_get("bupati", "/api/v1/dashboard")),
    "api_map": probe(api_get("bupati", "/api/v1/map.geojson")),
    "api_compliance": probe(api_get("bupati", "/api/v1/compliance?date=2024-11-27")),
    "report_list": probe(get("bupati", "/laporan/")),
    "write": probe(post_report),
    "write_then_read": probe(write_then_read),
    "in_transaction": probe(in_transaction),
    "outside": probe(outside),
}))
"""


def pantau(env, *args):
    result = subprocess.run(
        [pantau_script(), *args], env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    """The demo set up on a database of its own, then the probe with a replica configured."""
    with own_database(tmp_path_factory.mktemp("replica")) as (env, url):
        pantau(env, "setup-demo")
        env = {**env, "PANTAU_REPLICA_URLS": url, "PANTAU_ALLOWED_HOSTS": "testserver"}
        yield json.loads(pantau(env, "shell", "--no-imports", "-c", PROBE).splitlines()[-1])


def touches(queries, *tables) -> bool:
    return any(table in sql for sql in queries for table in tables)


READ_MOSTLY = ["dashboard", "map", "compliance", "export"]


@pytest.mark.parametrize("view", [*READ_MOSTLY, *(f"api_{v}" for v in READ_MOSTLY[:3])])
def test_the_read_mostly_views_read_from_the_replica(probed, view):
    seen = probed[view]
    assert seen["out"] == 200
    assert touches(seen["replica"], "regions_region")
    assert touches(seen["replica"], "monitoring_report", "problems_problem")
    # the primary only for the login itself (session or token and user, before the view runs)
    assert not touches(seen["primary"], "monitoring_report", "problems_problem", "regions_")


def test_other_pages_and_every_write_use_the_primary(probed):
    for name in ("report_list", "write", "outside"):
        assert probed[name]["replica"] == [], name
    assert probed["report_list"]["out"] == 200
    assert probed["write"]["out"][0] == 201, probed["write"]["out"]
    assert touches(probed["write"]["primary"], 'INSERT INTO "monitoring_report"')


def test_after_a_write_the_reads_of_the_same_request_go_to_the_primary(probed):
    seen = probed["write_then_read"]
    replica_reads = [sql for sql in seen["replica"] if "monitoring_report" in sql]
    primary_reads = [sql for sql in seen["primary"] if "monitoring_report" in sql]
    assert len(replica_reads) == 1 and len(primary_reads) == 1  # before, after the write
    assert touches(seen["primary"], "UPDATE")


def test_inside_a_transaction_reads_go_to_the_primary(probed):
    assert probed["in_transaction"]["replica"] == []
    assert touches(probed["in_transaction"]["primary"], "monitoring_report")
