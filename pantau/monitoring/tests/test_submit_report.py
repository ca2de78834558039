import datetime as dt
import uuid

import pytest
from django.utils import timezone

from pantau.instruction.models import Checklist, Stage
from pantau.lib.errors import Conflict, Invalid, NotFound
from pantau.monitoring.actions import do_submit_report
from pantau.monitoring.models import Report
from pantau.regions.models import Region

pytestmark = pytest.mark.django_db
VOTING_DAY = dt.datetime(2024, 11, 27, 9, 30)  # naive: WIB, as a phone in the field sends it


def submit(users, username="desa-3513012001", region="35.13.01.2001", **kw):
    kw.setdefault("client_id", uuid.uuid4())
    kw.setdefault("observed_at", VOTING_DAY)
    kw.setdefault("situation", "aman")
    kw.setdefault(
        "answers", {"tps_buka_tepat": "ya", "surat_suara_cukup": True, "gangguan": "tidak ada"}
    )
    return do_submit_report(
        acting_user=users[username], region=Region.objects.get(code=region), **kw
    )


def test_it_stores_a_report_with_stage_checklist_and_times(users):
    report, created = submit(
        users,
        tps="3",
        narrative="  TPS 003 buka 07.05  ",
        answers={
            "tps_buka_tepat": "tidak",
            "jam_buka": "07.05",
            "surat_suara_cukup": "ya",
            "gangguan": "tidak ada",
            "pemilih_hadir": "120",
        },
    )
    assert created
    assert report.stage.code == "pemungutan" and report.checklist.code == "pemungutan"
    assert report.answers == {
        "tps_buka_tepat": False,
        "jam_buka": "07.05",
        "surat_suara_cukup": True,
        "gangguan": "tidak ada",
        "pemilih_hadir": 120,
    }
    assert report.tps == "003" and report.narrative == "TPS 003 buka 07.05"
    assert report.observed_at == dt.datetime(2024, 11, 27, 2, 30, tzinfo=dt.UTC)  # stored UTC
    assert report.received_at <= timezone.now() and report.channel == "web"
    assert report.operation.code == "pilkada-2024-probolinggo"


def test_the_stage_follows_the_time_observed_and_can_be_chosen(users):
    h_minus_1, _ = submit(
        users,
        observed_at=dt.datetime(2024, 11, 26, 15, 0),
        answers={"logistik_tiba": True, "kondisi_logistik": "baik dan lengkap", "tps_siap": True},
    )
    assert h_minus_1.stage.code == "masa-tenang"
    assert h_minus_1.checklist.code == "h-1-logistik-tps"
    counting = Checklist.objects.get(code="penghitungan")
    chosen, _ = submit(
        users,
        checklist=counting,
        stage=Stage.objects.get(code="pemungutan"),
        answers={"penghitungan_mulai": True, "gangguan": "ringan"},
    )
    assert chosen.checklist == counting


def test_the_same_report_sent_five_times_is_stored_once(users):
    client_id = uuid.uuid4()
    results = [submit(users, client_id=client_id) for _ in range(5)]
    assert [created for _, created in results] == [True, False, False, False, False]
    assert len({report.pk for report, _ in results}) == 1
    assert Report.objects.filter(client_id=client_id).count() == 1
    with pytest.raises(Conflict):  # another account cannot take over that id
        submit(users, username="camat-sukapura", region="35.13.01", client_id=client_id)


@pytest.mark.parametrize(
    "username,region",
    [
        ("desa-3513012001", "35.13.01.2002"),  # the neighbouring village
        ("camat-tongas", "35.13.12"),
        ("bawaslu", "35.13.01.2001"),
    ],
)
def test_nobody_reports_outside_their_territory(users, username, region):
    before = Report.objects.count()
    with pytest.raises(NotFound):
        submit(users, username=username, region=region)
    assert Report.objects.count() == before


@pytest.mark.parametrize(
    "kw,field",
    [
        ({"answers": {"tps_buka_tepat": "mungkin"}}, "answers.tps_buka_tepat"),
        ({"answers": {"tps_buka_tepat": True, "surat_suara_cukup": True}}, "answers.gangguan"),
        (
            {"answers": {"tps_buka_tepat": True, "surat_suara_cukup": True, "gangguan": "perang"}},
            "answers.gangguan",
        ),
        (
            {
                "answers": {
                    "tps_buka_tepat": True,
                    "surat_suara_cukup": True,
                    "gangguan": "ringan",
                    "pemilih_hadir": "banyak",
                }
            },
            "answers.pemilih_hadir",
        ),
        (
            {
                "answers": {
                    "tps_buka_tepat": True,
                    "surat_suara_cukup": True,
                    "gangguan": "ringan",
                    "warna_kotak": "biru",
                }
            },
            "answers.warna_kotak",
        ),
        ({"situation": "genting"}, "situation"),
        ({"tps": "abc"}, "tps"),
        ({"client_id": "not-a-uuid"}, "client_id"),
        ({"observed_at": dt.datetime.now() + dt.timedelta(days=2)}, "observed_at"),
        ({"lat": 95.0, "lon": 113.0}, "lat"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(users, kw, field):
    before = Report.objects.count()
    with pytest.raises(Invalid) as info:
        submit(users, **kw)
    assert field in info.value.fields
    assert Report.objects.count() == before


def test_a_location_far_outside_the_region_is_flagged(users):
    inside, _ = submit(users, lat=-7.9105, lon=112.9520)  # in Ngadisari
    assert not inside.location_flagged and inside.location_distance_km == 0
    far, _ = submit(users, lat=-7.7500, lon=113.2200)  # by the coast, far from the hills
    assert far.location_flagged and far.location_distance_km > 10


def test_a_copy_sent_again_after_its_stage_closed_gets_the_stored_report(users):
    report, _ = submit(users)
    Stage.objects.filter(pk=report.stage_id).update(is_active=False)
    Checklist.objects.filter(stage_id=report.stage_id).update(is_active=False)
    again, created = submit(users, client_id=report.client_id, answers={"nope": 1})
    assert not created and again.pk == report.pk
    assert Report.objects.filter(client_id=report.client_id).count() == 1
