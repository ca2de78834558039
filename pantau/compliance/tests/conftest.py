"""The hand-computed fixture of the compliance tests: voting day, 27 November 2024, when every
camat owes a report by 07:00, 10:00, 13:00, 16:00 and 20:00 WIB (30 minutes' grace), in three
kecamatan of the Asisten Administrasi Umum's cluster:

  camat-leces         06:45 (a village of Leces), 09:50, 12:40, 15:55, 20:10 -> 5 on time
  camat-tegalsiwalan  06:50, 09:40, 12:55, -, 20:45 (after 20:30)           -> 3 on time,
                      1 late (for 20:00), 16:00 missing
  camat-dringu        nothing                                              -> 5 missing

Plus two reports that must not count: one by the Kepala Dishub (assigned to Leces: no rule for
OPD on voting day) and one by camat-leces on the 26th (the day before, another stage).
Times are `received_at`: each report is sent inside time_machine.travel at that moment.

The demo holds its own scheduled reports for these days (pantau/demo/scheduled.py; its story is
tested in pantau/demo/tests/test_demo_story.py). These tests count their own: `own_reports`
(the root conftest's `no_demo_reports`) removes the demo's reports inside each test's
transaction (rolled back after it), so every figure below is the fixture's, computed by hand.
"""

import datetime as dt
import uuid

import pytest
import time_machine

from pantau.lib.clock import WIB
from pantau.monitoring.actions import do_submit_report
from pantau.monitoring.models import Report
from pantau.regions.models import Region

DAY = dt.date(2024, 11, 27)
AFTER = dt.datetime(2024, 11, 27, 22, 0, tzinfo=WIB)  # every deadline + grace has passed
ANSWERS = {  # the required questions of each stage's checklist
    "kampanye": {},
    "masa-tenang": {
        "logistik_tiba": "ya",
        "kondisi_logistik": "baik dan lengkap",
        "tps_siap": "ya",
    },
    "pemungutan": {"tps_buka_tepat": "ya", "surat_suara_cukup": "ya", "gangguan": "tidak ada"},
}
STAGE_OF = {dt.date(2024, 11, 26): "masa-tenang", DAY: "pemungutan"}


@pytest.fixture(autouse=True)
def own_reports(request):
    """No report but the test's own: the demo's are deleted in the test's transaction. Not
    for a test without the database (the pure `match`) nor a browser test (it reads a running
    demo server of its own, not the test database)."""
    uses_db = "db" in request.fixturenames or request.node.get_closest_marker("django_db")
    if not uses_db or "browser" in request.fixturenames:
        return
    request.getfixturevalue("no_demo_reports")
    assert not Report.objects.exists()


def wib(hhmm: str, day: dt.date = DAY) -> dt.datetime:
    hour, minute = map(int, hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WIB)


def kecamatan(name: str) -> Region:
    return Region.objects.get(level="kecamatan", name=name)


def send(user, region: Region, at: dt.datetime):
    with time_machine.travel(at, tick=False):
        report, _created = do_submit_report(
            acting_user=user,
            client_id=uuid.uuid4(),
            region=region,
            observed_at=at,
            situation="aman",
            answers=ANSWERS[STAGE_OF.get(at.date(), "kampanye")],
        )
    assert report.received_at == at
    return report


@pytest.fixture
def voting_day(users):
    leces, tegalsiwalan, dringu = (kecamatan(n) for n in ("Leces", "Tegalsiwalan", "Dringu"))
    village = Region.objects.filter(parent=leces, level="desa").order_by("code").first()
    send(users["camat-leces"], village, wib("06:45"))
    for hhmm in ("09:50", "12:40", "15:55", "20:10"):
        send(users["camat-leces"], leces, wib(hhmm))
    for hhmm in ("06:50", "09:40", "12:55", "20:45"):
        send(users["camat-tegalsiwalan"], tegalsiwalan, wib(hhmm))
    send(users["opd-dishub"], leces, wib("15:00"))
    send(users["camat-leces"], leces, wib("15:00", DAY - dt.timedelta(days=1)))
    return {"leces": leces, "tegalsiwalan": tegalsiwalan, "dringu": dringu}
