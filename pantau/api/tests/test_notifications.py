"""GET /notifications, POST /notifications/{id}/read and /notifications/read-all: the caller's
own notifications, the same rows as the web page, nobody else's."""

import pytest

from pantau.api.tests.conftest import error_shape
from pantau.notify.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quiet(db):
    Notification.objects.all().delete()  # forget the demo's own examples


@pytest.fixture
def filed(new_problem, django_capture_on_commit_callbacks):
    """A tinggi problem of Ngadisari, filed by its village: its camat is told."""
    with django_capture_on_commit_callbacks(execute=True):
        return new_problem(title="Kotak suara rusak di TPS 03")


def test_a_village_problem_is_in_its_camats_notifications(api_as, filed, login):
    response = api_as("camat-sukapura").get("/notifications")
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["unread"], body["next"]) == (1, 1, None)
    (item,) = body["items"]
    assert set(item) == {
        "id",
        "kind",
        "title",
        "body",
        "url",
        "problem",
        "report",
        "read",
        "created_at",
    }
    assert item["kind"] == "create" and item["problem"] == filed.pk and item["report"] is None
    assert item["body"] == "Kotak suara rusak di TPS 03" and item["read"] is False
    assert item["url"].endswith(filed.get_absolute_url())
    # the web page lists the same row
    page = login("camat-sukapura").get("/notifikasi/").content.decode()
    assert item["title"] in page and filed.get_absolute_url() in page
    # and the village head who filed it hears nothing of his own act
    assert api_as("desa-3513012001").get("/notifications").json()["count"] == 0


def test_newest_first_and_paged(api_as, users):
    from django.utils import timezone

    from pantau.notify.service import notify

    camat = users["camat-sukapura"]
    for i in range(55):
        notify([camat], event="comment", title=f"Catatan {i}", url="/masalah/")
    Notification.objects.filter(user=camat).update(created_at=timezone.now())  # same moment
    first = api_as("camat-sukapura").get("/notifications").json()
    assert first["count"] == 55 and len(first["items"]) == 50
    assert first["items"][0]["title"] == "Catatan 54"  # the latest, by id at the same moment
    assert "page=2" in first["next"]
    second = api_as("camat-sukapura").get("/notifications", {"page": 2}).json()
    assert [i["title"] for i in second["items"]] == [f"Catatan {i}" for i in range(4, -1, -1)]
    assert second["next"] is None
    error_shape(api_as("camat-sukapura").get("/notifications", {"page": 0}), 400)


def test_marking_one_and_all_read(api_as, filed, users, login):
    from pantau.notify.service import notify

    notify([users["camat-sukapura"]], event="comment", title="Catatan", url="/masalah/")
    camat = api_as("camat-sukapura")
    older, newer = sorted(i["id"] for i in camat.get("/notifications").json()["items"])
    response = camat.post(f"/notifications/{older}/read")
    assert response.status_code == 200
    assert response.json()["read"] is True and response.json()["id"] == older
    assert camat.get("/notifications").json()["unread"] == 1
    assert Notification.objects.get(pk=older).read_at is not None  # the row the page reads
    assert camat.post(f"/notifications/{older}/read").status_code == 200  # again: no change
    response = camat.post("/notifications/read-all")
    assert response.status_code == 200 and response.json() == {"marked": 1}
    assert camat.get("/notifications").json()["unread"] == 0
    assert Notification.objects.get(pk=newer).read_at is not None


def test_someone_elses_notification_is_not_found(api_as, filed):
    theirs = Notification.objects.get(user__username="camat-sukapura").pk
    for username in ("camat-paiton", "asisten-pemkesra"):
        error_shape(api_as(username).post(f"/notifications/{theirs}/read"), 404, "not_found")
    assert Notification.objects.get(pk=theirs).read_at is None
    api_as("camat-paiton").post("/notifications/read-all")
    assert Notification.objects.get(pk=theirs).read_at is None
    error_shape(api_as("camat-paiton").post("/notifications/999999/read"), 404, "not_found")
    error_shape(api_as("camat-paiton").post("/notifications/abc/read"), 400)
    error_shape(api_as(None).get("/notifications"), 401)


def test_a_kritis_problem_reaches_the_pj_bupati_in_the_api(
    api_as, new_problem, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        problem = new_problem(severity="kritis")
    items = api_as("bupati").get("/notifications").json()["items"]
    assert [(i["kind"], i["problem"]) for i in items] == [("create", problem.pk)]


def test_a_read_request_with_a_body_is_refused_and_marks_nothing(api_as, filed):
    camat = api_as("camat-sukapura")
    mine = Notification.objects.get(user__username="camat-sukapura").pk
    for path in ("/notifications/read-all", f"/notifications/{mine}/read"):
        body = error_shape(camat.post(path, {"ids": [mine]}), 400, "invalid")
        assert "body" in body["detail"] or "isi" in body["detail"]
        error_shape(camat.post(path, b"not json"), 400, "invalid")
    assert Notification.objects.get(pk=mine).read_at is None
    assert camat.post("/notifications/read-all", {}).status_code == 200  # an empty object is empty
