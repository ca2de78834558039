import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pantau.instruction.models import Agency
from pantau.problems.models import Attachment, Problem
from pantau.web.tests.helpers import PDF, SUKAPURA, png_bytes

pytestmark = pytest.mark.django_db


def offered(response) -> set[str]:
    return set(
        re.findall(
            r'<details class="action action-\w+" data-action="(\w+)"', response.content.decode()
        )
    )


def state(problem):
    problem = Problem.objects.get(pk=problem.pk)
    return problem.status, problem.level, problem.version, problem.events.count()


def test_the_village_is_offered_exactly_what_it_may_do_on_its_new_problem(login, new_problem):
    problem = new_problem()
    response = login("desa-3513012001").get(f"/masalah/{problem.pk}/")
    assert response.status_code == 200
    assert offered(response) == {"verify", "reject", "duplicate", "escalate", "refer", "comment"}
    page = response.content.decode()
    assert 'name="version" value="1"' in page
    assert f'action="/masalah/{problem.pk}/lampiran/"' in page  # may attach


def test_an_outsider_gets_404_everywhere(login, new_problem):
    problem = new_problem()
    client = login("camat-paiton")
    assert client.get(f"/masalah/{problem.pk}/").status_code == 404
    before = state(problem)
    assert (
        client.post(f"/masalah/{problem.pk}/aksi/", {"action": "verify", "version": 1}).status_code
        == 404
    )
    assert (
        client.post(
            f"/masalah/{problem.pk}/lampiran/", {"file": SimpleUploadedFile("a.pdf", PDF)}
        ).status_code
        == 404
    )
    assert state(problem) == before


def test_a_lower_level_reader_may_only_comment(login, new_problem, act):
    problem = act(new_problem(), "desa-3513012001", "escalate", note="Perlu kecamatan")
    response = login("desa-3513012001").get(f"/masalah/{problem.pk}/")
    assert response.status_code == 200 and offered(response) == {"comment"}
    camat = login("camat-sukapura").get(f"/masalah/{problem.pk}/")
    assert offered(camat) == {"verify", "reject", "duplicate", "escalate", "refer", "comment"}


def test_the_page_shows_fields_source_report_referrals_and_timeline(
    login, new_report, new_problem, act
):
    report = new_report()
    problem = new_problem(report=report, suggestion="Kirim cadangan dari PPK")
    act(problem, "desa-3513012001", "verify")
    act(
        problem,
        "desa-3513012001",
        "refer",
        agency=Agency.objects.get(code="bawaslu"),
        note="Mohon dicek",
    )
    act(problem, "bawaslu", "answer", note="Panwascam menuju lokasi")
    page = login("camat-sukapura").get(f"/masalah/{problem.pk}/").content.decode()
    assert "Kirim cadangan dari PPK" in page
    assert f'id="source-report" href="/laporan/{report.pk}/"' in page
    assert "Panwascam menuju lokasi" in page and "Mohon dicek" in page
    assert page.count('class="ev ev-') == 4  # create, verify, refer, answer
    assert "ev-create" in page and "ev-answer" in page and " WIB" in page


def test_an_agency_sees_a_referred_problem_and_may_answer(login, new_problem, act):
    problem = new_problem()
    assert login("bawaslu").get(f"/masalah/{problem.pk}/").status_code == 404
    act(problem, "desa-3513012001", "refer", agency=Agency.objects.get(code="bawaslu"))
    response = login("bawaslu").get(f"/masalah/{problem.pk}/")
    assert offered(response) == {"answer", "comment"}
    assert 'id="source-report"' not in response.content.decode()
    response = login("bawaslu").post(
        f"/masalah/{problem.pk}/aksi/", {"action": "answer", "note": "Sudah ditindaklanjuti"}
    )
    assert response.status_code == 302
    assert problem.referrals.get().answer == "Sudah ditindaklanjuti"


def test_an_action_posted_without_htmx_redirects_with_a_message(login, new_problem):
    problem = new_problem()
    response = login("desa-3513012001").post(
        f"/masalah/{problem.pk}/aksi/", {"action": "verify", "version": 1}, follow=True
    )
    assert response.redirect_chain == [(f"/masalah/{problem.pk}/", 302)]
    assert len(response.context["messages"]) == 1
    assert Problem.objects.get(pk=problem.pk).status == "diverifikasi"


def test_an_action_under_htmx_swaps_the_panel(login, new_problem):
    problem = new_problem()
    response = login("desa-3513012001").post(
        f"/masalah/{problem.pk}/aksi/", {"action": "verify", "version": 1}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith('<div id="problem-panel"') and "<html" not in page
    assert 'data-status="diverifikasi"' in page and 'class="notice"' in page
    # a verified problem may be solved at once (the start is implicit)
    assert offered(response) == {"start", "resolve", "reject", "duplicate", "escalate", "refer"} | {
        "comment"
    }


def test_a_transition_not_allowed_is_a_conflict_and_changes_nothing(login, new_problem):
    problem = new_problem()
    before = state(problem)
    client = login("desa-3513012001")
    response = client.post(
        f"/masalah/{problem.pk}/aksi/", {"action": "resolve", "solution": "x", "version": 1}
    )
    assert response.status_code == 409
    assert 'data-code="invalid_transition"' in response.content.decode()
    assert state(problem) == before
    response = client.post(
        f"/masalah/{problem.pk}/aksi/",
        {"action": "reopen", "note": "x", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409 and response.content.decode().startswith(
        '<div id="problem-panel"'
    )
    assert state(problem) == before


def test_the_second_of_two_stale_posts_gets_a_conflict_and_keeps_its_text(login, new_problem):
    problem = new_problem(username="camat-sukapura", region=SUKAPURA)
    seen = problem.version
    first = login("camat-sukapura").post(
        f"/masalah/{problem.pk}/aksi/", {"action": "verify", "version": seen}
    )
    assert first.status_code == 302
    second = login("asisten-pemkesra").post(
        f"/masalah/{problem.pk}/aksi/",
        {"action": "reject", "note": "Tidak relevan untuk pemilihan", "version": seen},
    )
    assert second.status_code == 409
    page = second.content.decode()
    assert 'data-code="stale"' in page
    assert "Tidak relevan untuk pemilihan" in page  # nothing the person typed is lost
    assert f'name="version" value="{seen + 1}"' in page  # the page now shows the new state
    assert Problem.objects.get(pk=problem.pk).status == "diverifikasi"


def test_a_missing_reason_is_400_and_a_level_above_is_403(login, new_problem, act):
    problem = new_problem()
    client = login("desa-3513012001")
    response = client.post(f"/masalah/{problem.pk}/aksi/", {"action": "reject", "version": 1})
    assert response.status_code == 400 and state(problem)[0] == "baru"
    act(problem, "desa-3513012001", "escalate", note="Perlu kecamatan")
    before = state(problem)
    response = client.post(f"/masalah/{problem.pk}/aksi/", {"action": "verify"})
    assert response.status_code == 403 and state(problem) == before


def test_resolve_refer_and_duplicate_take_their_fields(login, new_problem, act):
    original = new_problem(title="Asli")
    problem = new_problem()
    client = login("desa-3513012001")
    client.post(f"/masalah/{problem.pk}/aksi/", {"action": "verify"})
    page = client.get(f"/masalah/{problem.pk}/").content.decode()
    bawaslu = Agency.objects.get(code="bawaslu")
    options = re.findall(r'<option value="(\d+)"', page)
    assert options[0] == str(bawaslu.pk) or Agency.objects.get(pk=options[0]).kind == "external"
    client.post(f"/masalah/{problem.pk}/aksi/", {"action": "refer", "agency": bawaslu.pk})
    assert problem.referrals.get().agency == bawaslu
    client.post(f"/masalah/{problem.pk}/aksi/", {"action": "start"})
    page = client.get(f"/masalah/{problem.pk}/").content.decode()
    assert 'name="solution"' in page
    client.post(f"/masalah/{problem.pk}/aksi/", {"action": "resolve", "solution": "Dikirim"})
    assert Problem.objects.get(pk=problem.pk).solution == "Dikirim"
    other = new_problem()
    client.post(
        f"/masalah/{other.pk}/aksi/", {"action": "duplicate", "duplicate_of": f"#{original.pk}"}
    )
    assert Problem.objects.get(pk=other.pk).duplicate_of == original


def test_an_attachment_is_uploaded_and_downloaded_by_those_who_see_it(login, new_problem):
    problem = new_problem()
    client = login("desa-3513012001")
    response = client.post(
        f"/masalah/{problem.pk}/lampiran/",
        {"file": SimpleUploadedFile('Berita acara "1".pdf', PDF)},
    )
    assert response.status_code == 302
    pdf = problem.attachments.get()
    assert pdf.content_type == "application/pdf"
    response = client.post(
        f"/masalah/{problem.pk}/lampiran/",
        {"file": SimpleUploadedFile("foto.png", png_bytes())},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and 'href="/lampiran/' in response.content.decode()
    page = login("camat-sukapura").get(f"/masalah/{problem.pk}/").content.decode()
    assert f'href="/lampiran/{pdf.pk}/"' in page and "/media/" not in page
    download = login("camat-sukapura").get(f"/lampiran/{pdf.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="Berita acara _1.pdf"' in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF
    assert login("camat-paiton").get(f"/lampiran/{pdf.pk}/").status_code == 404
    assert login("bawaslu").get(f"/lampiran/{pdf.pk}/").status_code == 404


def test_a_file_that_is_neither_photo_nor_pdf_is_refused(login, new_problem):
    problem = new_problem()
    response = login("desa-3513012001").post(
        f"/masalah/{problem.pk}/lampiran/",
        {"file": SimpleUploadedFile("script.pdf", b"#!/bin/sh\necho hi\n")},
    )
    assert response.status_code == 400
    assert not Attachment.objects.filter(problem=problem).exists()
