"""The audit page says who did what to which problem in words, in Indonesian: not the codes
the log stores (`problem.create`, `observed_at`, `owner_id`)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_page_says_who_did_what_to_which_problem(login, new_problem, act, users):
    problem = new_problem(title="Kotak suara belum tiba di TPS 3")
    act(problem, "camat-sukapura", "verify", note="Sudah dicek")
    client = login("bupati")
    client.cookies["django_language"] = "id"
    html = client.get("/audit/", {"object_type": "problem", "object_id": problem.pk}).content
    html = html.decode()
    camat, desa = users["camat-sukapura"], users["desa-3513012001"]
    said = html[html.index('data-action="problem.verify"') :]
    said = said[: said.index("</p>")]
    link = f'<a href="/masalah/{problem.pk}/">'
    assert f">{camat.get_full_name()}</a>\n    memverifikasi {link}" in said
    assert f"masalah #{problem.pk} «Kotak suara belum tiba di TPS 3»</a>" in said
    created = html[html.index('data-action="problem.create"') :]
    assert desa.get_full_name() in created[: created.index("</p>")]
    # the fields by name; the code itself stays a small filter link
    assert ">observed_at<" not in html and ">owner_id<" not in html
