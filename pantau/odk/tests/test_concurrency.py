"""The same submission arriving several times at once (a phone retrying on a slow network while
the first request is still being stored), in several processes the way gunicorn workers take
them. They run the `pantau` console script against a demo database of their own (a SQLite file,
or a fresh PostgreSQL database when the suite runs on PostgreSQL): the test database lives in a
transaction that other processes cannot see."""

import subprocess
import uuid

import pytest

from pantau.conftest import pantau_script

WORKERS = 4

WORKER = """
import base64, io, pathlib, time
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
image = io.BytesIO()
Image.new("RGB", (32, 32), (10, 20, 30)).save(image, "JPEG")
xml = {xml!r}
auth = "Basic " + base64.b64encode(b"desa-3513012001:pantau-demo").decode()
client = Client(HTTP_HOST="127.0.0.1", HTTP_X_OPENROSA_VERSION="1.0", HTTP_AUTHORIZATION=auth)
pathlib.Path({ready!r}).touch()
while not pathlib.Path({go!r}).exists():
    time.sleep(0.005)
response = client.post("/odk/submission", {{
    "xml_submission_file": SimpleUploadedFile("instance.xml", xml, "text/xml"),
    "a.jpg": SimpleUploadedFile("a.jpg", image.getvalue(), "image/jpeg"),
}})
print("STATUS", response.status_code)
"""

SUMMARY = """
from pantau.monitoring.models import Photo, Report
from pantau.odk.models import OdkSubmission
print("COUNTS", Report.objects.filter(client_id={id!r}).count(),
      Photo.objects.filter(report__client_id={id!r}).count(),
      OdkSubmission.objects.filter(instance_id={id!r}).count())
"""


def pantau(*args, env) -> str:
    result = subprocess.run(
        [pantau_script(), *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def demo_env(scratch_env):
    """`pantau setup-demo` on a database of its own."""
    pantau("setup-demo", env=scratch_env)
    return scratch_env


def test_the_same_submission_at_once_is_stored_once_with_one_photo(demo_env, tmp_path):
    instance_id = str(uuid.uuid4())
    xml = (
        '<?xml version=\'1.0\' ?><data id="pantau-pemungutan" version="x">'
        "<start>2024-11-27T09:30:00.000+07:00</start><region>35.13.01.2001</region>"
        "<situation>aman</situation><checklist><tps_buka_tepat>ya</tps_buka_tepat>"
        "<surat_suara_cukup>ya</surat_suara_cukup><gangguan>tidak_ada</gangguan></checklist>"
        f"<photo1>a.jpg</photo1><meta><instanceID>uuid:{instance_id}</instanceID></meta></data>"
    ).encode()
    go = tmp_path / "go"
    workers = []
    for w in range(WORKERS):
        ready = tmp_path / f"ready-{w}"
        code = WORKER.format(xml=xml, ready=str(ready), go=str(go))
        proc = subprocess.Popen(
            [pantau_script(), "shell", "-c", code],
            env=demo_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        workers.append((ready, proc))
    statuses = []
    try:
        for ready, proc in workers:
            while not ready.exists():
                assert proc.poll() is None, proc.communicate()[1]
        go.touch()  # all at once
        for _, proc in workers:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            statuses.append(int(out.split("STATUS")[-1].split()[0]))
    finally:
        for _, proc in workers:
            if proc.poll() is None:
                proc.kill()
    assert sorted(statuses) == [201] + [202] * (WORKERS - 1)
    counts = pantau("shell", "-c", SUMMARY.format(id=instance_id), env=demo_env)
    assert counts.split("COUNTS")[-1].split() == ["1", "1", "1"]
