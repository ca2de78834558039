from pantau.api.tests.conftest import error_shape
from pantau.periodic.tests.conftest import PAITON, TONGAS


def test_it_requests_a_report_through_the_api(api_as, today):
    api = api_as("camat-tongas")
    response = api.post(
        "/periodic-reports",
        {"scope": "kecamatan", "region": TONGAS, "period_start": str(today),
         "period_end": str(today)},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "generating"
    assert body["files"] == {"pdf": None, "docx": None, "xlsx": None}
    again = api.get(f"/periodic-reports/{body['id']}")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert [r["id"] for r in api.get("/periodic-reports").json()["results"]] == [body["id"]]
    error_shape(api_as("camat-paiton").get(f"/periodic-reports/{body['id']}"), 404)


def test_the_api_refuses_what_is_outside_or_wrong(api_as, today):
    api = api_as("camat-tongas")
    day = str(today)
    outside = {"scope": "kecamatan", "region": PAITON, "period_start": day, "period_end": day}
    error_shape(api.post("/periodic-reports", outside), 404, "not_found")
    wrong = {"scope": "kabupaten", "region": TONGAS, "period_start": day, "period_end": day}
    error_shape(api.post("/periodic-reports", wrong), 400, "invalid")
    backwards = {
        "scope": "kecamatan", "region": TONGAS, "period_start": day, "period_end": "2020-01-01"
    }  # fmt: skip
    error_shape(api.post("/periodic-reports", backwards), 400, "invalid")


def test_the_api_gives_file_urls_when_ready(inventory, generated, api_as):
    report = generated("camat-tongas", "kecamatan", TONGAS)
    body = api_as("camat-tongas").get(f"/periodic-reports/{report.pk}").json()
    assert body["status"] == "draft"
    assert body["files"]["pdf"].endswith(f"/laporan-berkala/{report.pk}/berkas.pdf")
    submitted = api_as("camat-tongas").post(f"/periodic-reports/{report.pk}/submit")
    assert submitted.status_code == 200 and submitted.json()["frozen"] is True
    received = api_as("bupati").post(f"/periodic-reports/{report.pk}/receive")
    assert received.status_code == 200 and received.json()["status"] == "received"


def test_the_api_takes_a_letter_date_from_the_periods_end_to_today(api_as):
    api = api_as("camat-tongas")
    body = {"scope": "kecamatan", "region": TONGAS, "period_start": "2024-11-27",
            "period_end": "2024-11-28"}  # fmt: skip
    dated = api.post("/periodic-reports", {**body, "letter_date": "2024-11-29"})
    assert dated.status_code == 201, dated.content
    assert dated.json()["letter_date"] == "2024-11-29" and dated.json()["number"].endswith("2024")
    error_shape(api.post("/periodic-reports", {**body, "letter_date": "2024-11-20"}), 400)
