"""The formula guard every CSV and XLSX download goes through."""

import io

from openpyxl import Workbook, load_workbook

from pantau.lib.spreadsheet import TextSheet, csv_cell, is_formula, stream_csv


def test_it_marks_text_that_a_spreadsheet_would_run():
    for value in ("=1+1", "+62 812", "-5", "@SUM(A1)"):
        assert is_formula(value)
        assert csv_cell(value) == "'" + value
    for value in ("Aman", "", 5, -5, None):
        assert not is_formula(value)
        assert csv_cell(value) == value


def test_it_marks_the_full_width_signs_the_pipe_and_hidden_starts():
    for value in ("\uff1dcmd|' /C calc'!A0", "\uff0b1", "\uff20SUM(A1)", "|calc", " =1+1"):
        assert is_formula(value), value
        assert csv_cell(value) == "'" + value
    for value in ("\tx", "\rx", "\uff0d5", "\uff5cx"):
        assert is_formula(value)
    for value in ("a = b", "TPS 003 | aman", "１２"):  # not at the start, full-width digits
        assert not is_formula(value)


def test_it_writes_a_formula_as_a_text_cell():
    workbook = Workbook(write_only=True)
    sheet = TextSheet(workbook.create_sheet("s"))
    sheet.append(['=HYPERLINK("x")', 3, "aman"])
    out = io.BytesIO()
    workbook.save(out)
    row = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())
    assert [c.value for c in row] == ['=HYPERLINK("x")', 3, "aman"]
    assert row[0].data_type == "s"


def test_it_streams_a_csv_with_a_bom_and_guarded_cells():
    response = stream_csv(iter([["a", "b"], ["=cmd", 2]]), "stem")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body == "\ufeffa,b\r\n'=cmd,2\r\n"
    assert response["Content-Disposition"].startswith('attachment; filename="stem-')
