"""The task queue for real: jobs enqueued by one process and run by a Huey consumer in another,
on SQLite (the default: the consumer that `pantau serve` starts) and on Redis."""

import subprocess
import time

import pytest

from pantau.conftest import pantau_script, redis_url

SUBMIT_PHOTO = """
import io, uuid, datetime as dt
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pantau.accounts.models import User
from pantau.monitoring.actions import do_add_photo, do_submit_report
from pantau.regions.models import Region
user = User.objects.get(username="desa-3513012001")
report, _ = do_submit_report(acting_user=user, client_id=uuid.uuid4(),
    region=Region.objects.get(code="35.13.01.2001"), situation="aman",
    observed_at=dt.datetime(2024, 10, 10, 9, 0))
buf = io.BytesIO(); Image.new("RGB", (2400, 1200)).save(buf, "PNG")
photo = do_add_photo(report, acting_user=user, upload=SimpleUploadedFile("a.png", buf.getvalue()))
print(photo.pk)
"""


def shell(env, code):
    result = subprocess.run(
        [pantau_script(), "shell", "--no-imports", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def wait_until_processed(env, photo_id, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = shell(
            env,
            "from pantau.monitoring.models import Photo; "
            f"p = Photo.objects.get(pk={photo_id}); print(p.status, p.width)",
        )
        if status != "pending None":
            return status
        time.sleep(0.5)
    return "still pending"


def test_the_server_runs_its_own_consumer_on_sqlite(demo_server):
    photo_id = shell(demo_server["env"], SUBMIT_PHOTO)
    assert wait_until_processed(demo_server["env"], photo_id) == "ready 1600"


def test_consumers_on_redis_run_what_another_process_enqueued(demo_server):
    import redis

    url = redis_url(15)
    redis.Redis.from_url(url).flushdb()
    env = {**demo_server["env"], "PANTAU_REDIS_URL": url}
    photo_id = shell(env, SUBMIT_PHOTO)
    assert redis.Redis.from_url(url).dbsize() > 0  # the job waits in Redis, not in SQLite
    consumer = subprocess.Popen([pantau_script(), "run_huey", "--quiet"], env=env)
    try:
        assert wait_until_processed(env, photo_id) == "ready 1600"
    finally:
        consumer.terminate()
        consumer.wait(timeout=15)


@pytest.mark.parametrize("flag", ["--no-tasks"])
def test_serve_can_leave_the_tasks_to_consumers_elsewhere(flag):
    result = subprocess.run([pantau_script(), "serve", "--help"], capture_output=True, text=True)
    assert flag in result.stdout
