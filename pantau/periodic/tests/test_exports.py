"""CSV and XLSX exports of the lists: the filters and the territory apply, CSV streams."""

import csv
import io

from openpyxl import load_workbook

from pantau.periodic.tests.conftest import ESCALATED, OVERDUE, RESOLVED


def _csv(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_problem_exports_keep_the_territory_and_filters(inventory, login):
    rows = _csv(login("camat-tongas").get("/masalah/ekspor.csv"))
    titles = {r[4] for r in rows[1:]}
    assert {RESOLVED, ESCALATED} <= titles and OVERDUE not in titles
    assert all(r[1] != "Paiton" for r in rows[1:])
    everyone = {r[4] for r in _csv(login("bupati").get("/masalah/ekspor.csv"))[1:]}
    assert {RESOLVED, ESCALATED, OVERDUE} <= everyone
    solved = _csv(login("bupati").get("/masalah/ekspor.csv?status=selesai"))
    assert RESOLVED in {r[4] for r in solved[1:]} and ESCALATED not in {r[4] for r in solved[1:]}

    response = login("camat-tongas").get("/masalah/ekspor.xlsx?status=open")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    xlsx_titles = {r[4] for r in list(wb.active.iter_rows(values_only=True))[1:]}
    assert ESCALATED in xlsx_titles and RESOLVED not in xlsx_titles and OVERDUE not in xlsx_titles


def test_report_exports_keep_the_territory(inventory, login):
    rows = _csv(login("camat-paiton").get("/laporan/ekspor.csv"))
    assert rows[1:] and {r[1] for r in rows[1:]} == {"Paiton"}
    response = login("bupati").get("/laporan/ekspor.xlsx")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    kecamatan = {r[1] for r in list(wb.active.iter_rows(values_only=True))[1:]}
    assert {"Tongas", "Paiton"} <= kecamatan


def test_a_formula_from_the_field_stays_text(new_problem, login):
    new_problem("camat-tongas", "35.13.23", title='=HYPERLINK("http://x")')
    rows = _csv(login("camat-tongas").get("/masalah/ekspor.csv"))
    assert '\'=HYPERLINK("http://x")' in {r[4] for r in rows[1:]}


def test_the_list_pages_link_the_exports_with_their_filters(users, login):
    page = login("camat-tongas").get("/masalah/?status=open")
    assert b"/masalah/ekspor.csv?status=open" in page.content
    assert b"/laporan/ekspor.xlsx" in login("camat-tongas").get("/laporan/").content
