"""The pages: requesting does not wait for the files, the panel offers only what is allowed,
an outsider gets 404."""

from pantau.periodic.models import PeriodicReport, ReportStatus
from pantau.periodic.tests.conftest import TONGAS


def test_it_requests_from_the_page_without_waiting(users, login, today):
    client = login("camat-tongas")
    response = client.post(
        "/laporan-berkala/",
        {"target": f"kecamatan:{TONGAS}", "period_start": today, "period_end": today},
    )
    assert response.status_code == 302
    report = PeriodicReport.objects.get()
    # (on_commit does not run inside the test's transaction: the report is still generating)
    assert report.status == ReportStatus.GENERATING
    page = client.get(report.get_absolute_url())
    assert b'hx-trigger="every 3s"' in page.content
    assert client.get("/laporan-berkala/").status_code == 200


def test_one_choice_says_what_the_report_covers(users, login, today):
    """The kabupaten, each cluster and each kecamatan the user may ask about, in one list; a
    value outside it is refused with a message, never a 500."""
    bupati = login("bupati")
    page = bupati.get("/laporan-berkala/").content.decode()
    assert page.count('name="target"') == 1 and 'name="scope"' not in page
    assert 'value="kabupaten:35.13"' in page and 'value="cluster:' in page
    assert f'value="kecamatan:{TONGAS}"' in page
    response = bupati.post(
        "/laporan-berkala/",
        {"target": "kabupaten:35.13", "period_start": today, "period_end": today},
    )
    assert response.status_code == 302
    report = PeriodicReport.objects.get()
    assert (report.scope, report.region.code, report.cluster) == ("kabupaten", "35.13", None)
    camat = login("camat-tongas").get("/laporan-berkala/").content.decode()
    assert f'value="kecamatan:{TONGAS}"' in camat and 'value="kabupaten:' not in camat
    refused = login("camat-tongas").post(
        "/laporan-berkala/",
        {"target": "kabupaten:35.13", "period_start": today, "period_end": today},
    )
    assert refused.status_code == 400 and PeriodicReport.objects.count() == 1


def test_the_panel_offers_only_what_is_allowed(inventory, generated, login):
    report = generated("camat-tongas", "kecamatan", TONGAS)
    own = login("camat-tongas").get(report.get_absolute_url())
    assert b'value="submit"' in own.content and b'value="recommendations"' in own.content
    boss = login("bupati").get(report.get_absolute_url())
    assert boss.status_code == 200 and b'value="submit"' not in boss.content
    assert b'value="receive"' not in boss.content
    assert login("camat-paiton").get(report.get_absolute_url()).status_code == 404
    url = report.files.get(format="pdf").get_absolute_url()
    assert login("camat-paiton").get(url).status_code == 404
    client = login("camat-tongas")
    response = client.post(f"/laporan-berkala/{report.pk}/aksi/", {"action": "submit"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    boss = login("bupati").get(report.get_absolute_url())
    assert b'value="receive"' in boss.content
    refused = login("camat-tongas").post(
        f"/laporan-berkala/{report.pk}/aksi/", {"action": "receive"}
    )
    assert refused.status_code == 403
