"""PostgreSQL estimates a region's subtree (the code prefix every territory and dashboard filter
uses) at its size among a province's regions: estimated at 1% of the regions, a kecamatan's
reports were read by scanning the whole reports table (regions migration 0002)."""

import json
import re

import pytest
from django.db import connection

from pantau.regions.models import Region

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the planner's estimates are PostgreSQL's"
)


def estimated_and_actual(code: str) -> tuple[int, int]:
    sql, params = Region.objects.filter(Region.subtree_q(code, "code")).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    top = plan[0]["Plan"]
    return top["Plan Rows"], top["Actual Rows"]


@pytest.mark.django_db
def test_a_kecamatan_is_estimated_at_its_size_among_thousands_of_regions():
    kabupaten = [
        Region(code=f"35.{k:02}", name=f"Kabupaten {k}", level="kabupaten") for k in range(40, 70)
    ]
    Region.objects.bulk_create(kabupaten)
    kecamatan = Region.objects.bulk_create(
        [
            Region(code=f"{kab.code}.{n:02}", name=f"Kecamatan {n}", level="kecamatan", parent=kab)
            for kab in kabupaten
            for n in range(1, 21)
        ]
    )
    Region.objects.bulk_create(
        [
            Region(code=f"{kec.code}.{2000 + n}", name=f"Desa {n}", level="desa", parent=kec)
            for kec in kecamatan
            for n in range(1, 15)
        ],
        batch_size=2000,
    )
    assert Region.objects.count() > 8_000
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE regions_region")  # (as loadregions does after loading)
    for code in ("35.13.23", "35.55.07"):  # Tongas (Probolinggo's real one), a made-up one
        estimated, actual = estimated_and_actual(code)
        assert re.fullmatch(r"35\.\d\d\.\d\d", code) and actual >= 14
        assert estimated <= 3 * actual, (code, estimated, actual)
