"""The database round trips of one OpenRosa submission, as a server runs it (the per-process
look-ups of pantau.monitoring.lookups warm, as outside a test's transaction). On voting day
hundreds of phones send at once and every statement is a round trip; inside the write
transaction each is one more moment the write lock is held. A change that adds statements to
this path fails here: raise a bound only knowingly."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pantau.monitoring.models import Photo, Report
from pantau.odk.models import OdkSubmission
from pantau.odk.tests.helpers import jpeg
from pantau.odk.tests.test_submission import PHOTO, instance_xml, version

pytestmark = pytest.mark.django_db

# Before the transaction: the user and whether the instanceID is stored (a seen one is then
# read whole: a retry costs one more); the territory, the user's form (regions, checklist) and
# the region's boundary are kept per process (pantau.lib.kept). Inside: the report and its
# audit entry, each photo and its audit entry, the submission row. The transaction: BEGIN
# IMMEDIATE and COMMIT on SQLite (psycopg sends neither as a statement); in a test, the
# savepoint and its release.
READS = 2
WRITES = 3
PER_PHOTO = 2
TRANSACTION = 2


@pytest.fixture
def phone(collect, monkeypatch):
    from pantau.audit import sequencer
    from pantau.lib import kept
    from pantau.monitoring import actions

    # The sequencer (its own thread in a server) and the photo's re-encoding (the task
    # queue) are not the request's round trips: counted elsewhere, kept out of this count.
    monkeypatch.setattr(sequencer, "wake", lambda: None)
    monkeypatch.setattr(actions, "_process_later", lambda photo_id: None)
    # Inside the test's transaction the kept look-ups are off; a server uses them.
    kept.clear_all()
    monkeypatch.setattr(kept, "enabled", lambda: True)
    yield collect("desa-3513012001")
    kept.clear_all()


def post(phone, xml: bytes, photos: dict[str, bytes]):
    data = {"xml_submission_file": SimpleUploadedFile("instance.xml", xml, "text/xml")}
    for name, content in photos.items():
        data[name] = SimpleUploadedFile(name, content, "image/jpeg")
    with CaptureQueriesContext(connection) as queries:
        response = phone.send("POST", "/odk/submission", data)
    return response, queries


@pytest.mark.parametrize("photos", [0, 1])
def test_a_new_submission_takes_a_bounded_number_of_round_trips(phone, photos):
    form_version = version(phone)
    phone.submit(instance_xml(uuid.uuid4(), form_version), {PHOTO: jpeg()})  # warm
    instance_id = uuid.uuid4()
    xml = instance_xml(instance_id, form_version, photo=PHOTO if photos else "")
    response, queries = post(phone, xml, {PHOTO: jpeg()} if photos else {})
    assert response.status_code == 201, response.content
    report = Report.objects.get(client_id=instance_id)
    assert Photo.objects.filter(report=report).count() == photos
    assert OdkSubmission.objects.get(instance_id=instance_id).report == report
    statements = [q["sql"] for q in queries.captured_queries]
    bound = READS + WRITES + PER_PHOTO * photos + TRANSACTION
    assert len(statements) <= bound, "\n".join(s[:160] for s in statements)
    savepoints = [s for s in statements if s.startswith("SAVEPOINT")]
    assert len(savepoints) == 1, "a new report needs no savepoint but the transaction's"


def test_the_same_submission_again_is_still_stored_once_and_answered_202(phone):
    instance_id = uuid.uuid4()
    xml = instance_xml(instance_id, version(phone))
    assert phone.submit(xml, {PHOTO: jpeg()}).status_code == 201
    again, _queries = post(phone, xml, {PHOTO: jpeg()})
    assert again.status_code == 202
    assert Report.objects.filter(client_id=instance_id).count() == 1
    assert Photo.objects.filter(report__client_id=instance_id).count() == 1
