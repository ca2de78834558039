"""`pantau backup` and `pantau restore`, run as an operator runs them: a demo installation with an
uploaded photo is backed up and restored into an empty data directory (and database)."""

import ast
import gzip
import io
import json
import subprocess
import tarfile
from pathlib import Path

import pytest

from pantau.conftest import pantau_script
from pantau.lib.backup import BackupError, check_archive
from pantau.tests.helpers import own_database

ADD_DATA = """
import io, uuid, datetime as dt
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pantau.accounts.models import User
from pantau.instruction.models import Category
from pantau.monitoring.actions import do_add_photo, do_submit_report
from pantau.problems.actions import do_create_problem
from pantau.regions.models import Region
user = User.objects.get(username="desa-3513012001")
village = Region.objects.get(code="35.13.01.2001")
report, _ = do_submit_report(acting_user=user, client_id=uuid.uuid4(), region=village,
    situation="aman", observed_at=dt.datetime(2024, 10, 10, 9, 0))
buf = io.BytesIO(); Image.new("RGB", (240, 120), "red").save(buf, "PNG")
photo = do_add_photo(report, acting_user=user, upload=SimpleUploadedFile("a.png", buf.getvalue()))
do_create_problem(acting_user=user, client_id=uuid.uuid4(), region=village,
    title="Kotak suara belum tiba", category=Category.objects.get(code="logistik"),
    severity="tinggi")
print(photo.original.name)
"""

COUNTS = """
from pantau.accounts.models import User
from pantau.audit.models import AuditEntry
from pantau.monitoring.models import Photo, Report
from pantau.problems.models import Problem
from pantau.regions.models import Region
print([M.objects.count() for M in (Region, Report, Problem, User, AuditEntry, Photo)])
"""
MARK = "Region.objects.filter(code='99')"


def pantau(env, *args, check=True):
    result = subprocess.run(
        [pantau_script(), *map(str, args)], env=env, capture_output=True, text=True, timeout=120
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def shell(env, code):
    return pantau(env, "shell", "--no-imports", "-c", code).stdout.strip().splitlines()[-1]


def damage_dump(archive: Path, damaged: Path) -> None:
    """The same archive (manifest included) with a few bytes of the database dump flipped."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src:
            data = bytearray(src.extractfile(member).read())
            if member.name.startswith("database/"):
                for i in range(len(data) // 2, len(data) // 2 + 4):
                    data[i] ^= 0xFF
            dst.addfile(member, io.BytesIO(bytes(data)))


def test_it_restores_a_backup_into_an_empty_data_directory(scratch_env, tmp_path_factory):
    a = Path(scratch_env["PANTAU_DATA_DIR"])
    pantau(scratch_env, "setup-demo")
    upload = shell(scratch_env, ADD_DATA)
    assert upload.startswith("incoming/")  # tasks are not immediate here: still the original
    counts = shell(scratch_env, COUNTS)
    archive = tmp_path_factory.mktemp("backups") / "pantau.tar.gz"
    done = pantau(scratch_env, "backup", "--output", archive)
    progress = done.stdout.splitlines()
    assert len(progress) >= 3 and progress[0].endswith("...")  # progress lines, then the result
    assert str(archive) in progress[-1]
    assert archive.exists() and not list(archive.parent.glob("*.part"))

    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert "secret_key" not in names and f"media/{upload}" in names
    assert manifest["files"] == 1 and manifest["format"] == 1
    assert ["audit", "0001_initial"] in manifest["migrations"]

    b = tmp_path_factory.mktemp("restored")
    with own_database(b) as (env_b, _url):
        pantau(env_b, "restore", archive)  # exits 0 only when the audit chain verifies
        assert shell(env_b, COUNTS) == counts
        assert (b / "media" / upload).read_bytes() == (a / "media" / upload).read_bytes()
        assert pantau(env_b, "verifyaudit").returncode == 0

        again = pantau(env_b, "restore", archive, check=False)
        assert again.returncode != 0 and "--force" in again.stderr

        # A row added after the restore: a damaged archive must leave it (and all else) alone.
        shell(
            env_b,
            "from pantau.regions.models import Region; Region.objects.create("
            "code='99', name='marker', level='kabupaten'); print(1)",
        )
        marker = f"from pantau.regions.models import Region; print({MARK}.count())"
        damaged = archive.with_name("damaged.tar.gz")
        damage_dump(archive, damaged)
        refused = pantau(env_b, "restore", damaged, "--force", check=False)
        assert refused.returncode != 0 and str(damaged) in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr
        assert shell(env_b, marker) == "1"
        regions, *rest = ast.literal_eval(counts)
        assert ast.literal_eval(shell(env_b, COUNTS)) == [regions + 1, *rest]  # just the marker

        truncated = archive.with_name("truncated.tar.gz")
        truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
        refused = pantau(env_b, "restore", truncated, "--force", check=False)
        assert refused.returncode != 0 and str(truncated) in refused.stderr, refused.stderr

        assert pantau(env_b, "restore", archive, "--force").returncode == 0
        assert shell(env_b, COUNTS) == counts and shell(env_b, marker) == "0"


def _archive(path: Path, members: list[tarfile.TarInfo]) -> Path:
    with gzip.open(path, "wb") as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        for member in members:
            tar.addfile(member, io.BytesIO(b"x" * member.size) if member.isfile() else None)
    return path


@pytest.mark.parametrize(
    "name,kind",
    [
        ("media/../../etc/passwd", tarfile.REGTYPE),
        ("/etc/passwd", tarfile.REGTYPE),
        ("media/link", tarfile.SYMTYPE),
        ("media/hard", tarfile.LNKTYPE),
        ("elsewhere.txt", tarfile.REGTYPE),
    ],
)
def test_it_refuses_members_that_would_escape_the_media(tmp_path, settings, name, kind):
    settings.MEDIA_ROOT = tmp_path / "media"
    member = tarfile.TarInfo(name)
    member.type = kind
    member.size = 1 if kind == tarfile.REGTYPE else 0
    member.linkname = "/etc/passwd" if kind != tarfile.REGTYPE else ""
    with pytest.raises(BackupError):
        check_archive(_archive(tmp_path / "evil.tar.gz", [member]), "sqlite")
    assert not (tmp_path / "media").exists()
