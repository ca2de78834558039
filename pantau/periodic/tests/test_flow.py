"""draft -> submitted -> received, each on the audit log; the submitted files are frozen and
hashed, and a frozen file changed on disk is refused."""

import pytest

from pantau.audit.models import AuditEntry
from pantau.instruction.models import Cluster
from pantau.lib.errors import Conflict, Forbidden, NotFound
from pantau.periodic import actions, selectors
from pantau.periodic.models import ReportStatus
from pantau.periodic.tests.conftest import PAITON, TONGAS


def _audit(report):
    return list(
        AuditEntry.objects.filter(object_type="periodicreport", object_id=str(report.pk))
        .order_by("id")
        .values_list("action", "actor_username", "after")
    )


def test_it_runs_the_flow_with_frozen_hashes(inventory, generated, users, login,
                                             django_capture_on_commit_callbacks):  # fmt: skip
    report = generated("camat-tongas", "kecamatan", TONGAS)
    assert report.status == ReportStatus.DRAFT
    first = {f.format: f.sha256 for f in report.files.all()}

    with django_capture_on_commit_callbacks(execute=True):
        actions.do_update_recommendations(
            report, acting_user=users["camat-tongas"], recommendations="Tambah armada logistik"
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.revision == 2
    second = {f.format: f.sha256 for f in report.files.all()}
    assert second["pdf"] != first["pdf"]

    with pytest.raises(Forbidden):  # the Asisten does not sign a kecamatan's report
        actions.do_submit_report(report, acting_user=users["asisten-pemkesra"])
    actions.do_submit_report(report, acting_user=users["camat-tongas"])
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert all(f.frozen for f in report.files.all())
    with pytest.raises(Conflict):
        actions.do_update_recommendations(
            report, acting_user=users["camat-tongas"], recommendations="x"
        )
    with pytest.raises(Forbidden):
        actions.do_receive_report(report, acting_user=users["asisten-pemkesra"])
    actions.do_receive_report(report, acting_user=users["bupati"])
    report.refresh_from_db()
    assert report.status == ReportStatus.RECEIVED and report.received_by == users["bupati"]

    entries = _audit(report)
    assert [e[0] for e in entries] == [
        "periodic.request",
        "periodic.recommendations",
        "periodic.submit",
        "periodic.receive",
    ]
    assert entries[2][1] == "camat-tongas" and entries[2][2]["sha256"] == second
    assert entries[3][1] == "bupati" and entries[3][2]["sha256"] == second

    # The download gives the frozen bytes; once they change on disk, it is refused.
    client = login("bupati")
    pdf = report.files.get(format="pdf")
    response = client.get(pdf.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    with open(pdf.file.path, "ab") as fh:
        fh.write(b"tampered")
    assert client.get(pdf.get_absolute_url()).status_code == 409
    assert (
        login("camat-tongas").get(report.files.get(format="xlsx").get_absolute_url()).status_code
        == 200
    )


def test_a_file_changed_before_submission_stops_the_submission(inventory, generated, users):
    report = generated("camat-paiton", "kecamatan", PAITON)
    item = report.files.get(format="docx")
    with open(item.file.path, "ab") as fh:
        fh.write(b"x")
    with pytest.raises(Conflict):
        actions.do_submit_report(report, acting_user=users["camat-paiton"])
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_who_may_request_and_see(users, generated):
    cluster = Cluster.objects.get(code="pemkesra")
    with pytest.raises(NotFound):  # a camat: not another kecamatan
        generated("camat-paiton", "kecamatan", TONGAS)
    with pytest.raises(NotFound):  # an Asisten: not another cluster
        generated("asisten-ekbang", "cluster", "35.13", cluster=cluster)
    with pytest.raises(NotFound):
        generated("bawaslu", "kecamatan", TONGAS)
    report = generated("asisten-pemkesra", "cluster", "35.13", cluster=cluster)
    assert report.status == ReportStatus.DRAFT and report.region.code == "35.13"
    assert selectors.permissions(users["asisten-pemkesra"], report).submit
    assert not selectors.permissions(users["asisten-ekbang"], report).submit
    assert not selectors.permissions(users["bupati"], report).submit
    visible = {u: selectors.reports_for(users[u]).filter(pk=report.pk).exists() for u in users}
    assert visible["bupati"] and visible["admin"] and visible["asisten-pemkesra"]
    assert not visible["asisten-ekbang"] and not visible["camat-tongas"]
    assert not visible["bawaslu"]
    # the kabupaten report: any Asisten submits it, the Pj Bupati receives it
    kab = generated("asisten-ekbang", "kabupaten", "35.13")
    assert selectors.permissions(users["asisten-adum"], kab).submit
    assert not selectors.permissions(users["camat-tongas"], kab).submit
    assert not selectors.reports_for(users["camat-tongas"]).filter(pk=kab.pk).exists()
