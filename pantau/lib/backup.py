"""Backups of the database and the uploaded files in one tar.gz, and their restore.

The archive holds `manifest.json`, the database (`database/db.sqlite3`, a copy made with SQLite's
online backup API, or `database/db.pgdump`, `pg_dump --format=custom`), the files under
`MEDIA_ROOT` as `media/<path>` and, only when asked, the secret key as `secret_key`.

Uploads in an S3-compatible bucket (PANTAU_S3_BUCKET) are not copied: the bucket is kept by the
object store's own versioning and replication, and the result says so (`media_elsewhere`)
instead of producing an archive that looks complete. Restoring an archive that holds files on
such a deployment puts them into the bucket through the storage API.

Consistency while the server runs: the database copy is one snapshot (SQLite's backup API copies
a consistent state of the file, pg_dump reads in one transaction); the media files are read after
it, so every file the snapshot refers to and that still exists is in the archive (files uploaded
later are extra and harmless; a file deleted in between is reported, not invented).
"""

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils.translation import gettext as _

from pantau.lib.errors import PantauError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMPS = {"sqlite": "database/db.sqlite3", "postgresql": "database/db.pgdump"}
MEDIA = "media/"
SECRET_KEY = "secret_key"
# Tables that `migrate` fills by itself: an empty, migrated database is still empty.
MIGRATE_TABLES = {"django_migrations", "django_content_type", "auth_permission"}
CHUNK = 1024 * 1024

Progress = Callable[[str], None]


class BackupError(PantauError):
    code = "backup"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    files: int
    skipped: list[str]
    media_elsewhere: str = ""  # where the uploads are when not in the archive (the bucket)


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict
    files: int
    secret_key: bool
    missing_migrations: list[tuple[str, str]]


def _quiet(message: str) -> None:
    pass


def default_output() -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.DATA_DIR) / "backups" / f"pantau-{stamp}.tar.gz"


def create_backup(
    output: Path | None = None, *, with_secret_key: bool = False, progress: Progress = _quiet
) -> BackupResult:
    """Write a backup to `output` (a temporary name first, renamed when complete)."""
    vendor = _vendor()
    output = Path(output or default_output()).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, part_name = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".part", dir=output.parent)
    os.close(fd)
    part = Path(part_name)
    try:
        with tempfile.TemporaryDirectory(prefix="pantau-backup-") as workdir:
            dump = Path(workdir) / "dump"
            progress(_("Copying the database (%(vendor)s) ...") % {"vendor": vendor})
            _dump_database(vendor, dump)
            digest = _sha256_file(dump)
            migrations = sorted(MigrationRecorder(connection).applied_migrations())
            with tarfile.open(part, "w:gz") as tar:
                tar.add(dump, arcname=DUMPS[vendor], recursive=False)
                elsewhere = media_elsewhere()
                if elsewhere:
                    files, skipped = 0, []
                else:
                    progress(_("Adding the uploaded files ..."))
                    files, skipped = _add_media(tar, exclude={part, output}, progress=progress)
                if with_secret_key:
                    _add_bytes(tar, SECRET_KEY, settings.SECRET_KEY.encode(), mode=0o600)
                manifest = {
                    "format": FORMAT_VERSION,
                    "created_at": dt.datetime.now(dt.UTC).isoformat(),
                    "database": vendor,
                    "migrations": [list(key) for key in migrations],
                    "files": files,
                    "database_sha256": digest,
                    "secret_key": with_secret_key,
                    "media_elsewhere": elsewhere,
                }
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
        os.replace(part, output)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return BackupResult(output, files, skipped, elsewhere)


def media_elsewhere() -> str:
    """Where the uploads live when not on this machine's disk ("s3://bucket"), else ""."""
    if isinstance(default_storage, FileSystemStorage):
        return ""
    bucket = getattr(default_storage, "bucket_name", "")
    return f"s3://{bucket}" if bucket else type(default_storage).__name__


def restore_backup(
    path: Path, *, force: bool = False, progress: Progress = _quiet
) -> RestoreResult:
    """Restore a backup into the configured database and MEDIA_ROOT.

    Everything in the archive is checked first (manifest, the dump's sha256, the member names);
    a damaged or foreign archive is refused before anything is touched. The server must be
    stopped while this runs.
    """
    path = Path(path)
    vendor = _vendor()
    progress(_("Checking %(path)s ...") % {"path": path})
    manifest = check_archive(path, vendor)
    if not force:
        tables = tables_with_data()
        if tables:
            raise BackupError(
                _(
                    "The database already holds data (%(tables)s). Restore into an empty "
                    "database, or add --force to replace its contents."
                )
                % {"tables": ", ".join(tables[:5]) + (" ..." if len(tables) > 5 else "")}
            )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    applied = {tuple(key) for key in manifest["migrations"]}
    unknown = sorted(applied - known)
    if unknown:
        raise BackupError(
            _(
                "The backup was made by a newer Pantau (unknown migration %(app)s.%(name)s): "
                "install that version before restoring."
            )
            % {"app": unknown[0][0], "name": unknown[0][1]}
        )
    with tarfile.open(path, "r:gz") as tar, tempfile.TemporaryDirectory() as workdir:
        dump = Path(workdir) / "dump"
        secret_key = False
        files = 0
        for member in tar:
            if member.name == DUMPS[vendor]:
                _extract_to(tar, member, dump)
                progress(_("Restoring the database ..."))
                _load_database(vendor, dump)
            elif member.name.startswith(MEDIA) and media_elsewhere():
                _store(tar, member)
                files += 1
            elif member.name.startswith(MEDIA):
                _extract_to(tar, member, _media_target(member.name))
                files += 1
            elif member.name == SECRET_KEY:
                key = Path(settings.DATA_DIR) / SECRET_KEY
                _extract_to(tar, member, key, mode=0o600)
                secret_key = True
        progress(_("%(n)d uploaded files restored.") % {"n": files})
    missing = sorted(known - applied) if applied else []
    return RestoreResult(manifest, files, secret_key, missing)


def check_archive(path: Path, vendor: str) -> dict:
    """Read the whole archive once and return its manifest, or raise BackupError."""
    try:
        with tarfile.open(path, "r:gz") as tar:
            manifest, digest, files, names = None, None, 0, set()
            for member in tar:
                _check_member(member)
                if member.name in names:
                    raise BackupError(_("Member %(name)s appears twice.") % {"name": member.name})
                names.add(member.name)
                if member.name == MANIFEST:
                    manifest = json.loads(tar.extractfile(member).read())
                elif member.name in DUMPS.values():
                    digest = _sha256_stream(tar.extractfile(member))
                elif member.name.startswith(MEDIA):
                    files += 1
    except FileNotFoundError as exc:
        raise BackupError(_("No such backup file: %(path)s") % {"path": path}) from exc
    except (tarfile.TarError, zlib.error, EOFError, OSError, ValueError) as exc:
        raise BackupError(
            _("%(path)s is damaged or not a Pantau backup (%(error)s); nothing was changed.")
            % {"path": path, "error": exc}
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise BackupError(
            _("%(path)s has no manifest of a known format; nothing was changed.") % {"path": path}
        )
    if manifest.get("database") != vendor:
        raise BackupError(
            _("The backup holds a %(theirs)s database, this installation uses %(ours)s.")
            % {"theirs": manifest.get("database"), "ours": vendor}
        )
    if DUMPS[vendor] not in names:
        raise BackupError(_("%(path)s holds no database; nothing was changed.") % {"path": path})
    if digest != manifest.get("database_sha256") or files != manifest.get("files"):
        raise BackupError(
            _(
                "%(path)s is damaged: its contents do not match the manifest (checksum or file "
                "count); nothing was changed."
            )
            % {"path": path}
        )
    return manifest


def tables_with_data() -> list[str]:
    """Tables of the configured database that hold at least one row (besides migrate's own)."""
    qn = connection.ops.quote_name
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in MIGRATE_TABLES:
                continue
            # The name comes from introspection, quoted: not user input.
            cursor.execute(f"SELECT 1 FROM {qn(table)} LIMIT 1")
            if cursor.fetchone():
                found.append(table)
    return found


# The database.


def _vendor() -> str:
    vendor = connection.vendor
    if vendor not in DUMPS:
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(v)s.") % {"v": vendor})
    return vendor


def _dump_database(vendor: str, dump: Path) -> None:
    if vendor == "sqlite":
        # A consistent copy even while other processes write (WAL or not).
        src = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        dst = sqlite3.connect(dump)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dst.close()
            src.close()
    else:
        _run_pg("pg_dump", "--format=custom", "--no-owner", f"--file={dump}")


def _load_database(vendor: str, dump: Path) -> None:
    connection.close()
    if vendor == "sqlite":
        # The backup API again: replaces every page of the database in one transaction and
        # leaves no stale WAL behind, unlike copying over the file.
        src = sqlite3.connect(dump)
        dst = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=30)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    else:
        _run_pg(
            "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", str(dump)
        )


def _run_pg(program: str, *args: str) -> None:
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            _(
                "%(program)s was not found on PATH: install the Debian package "
                "postgresql-client (apt install postgresql-client) in the server's version."
            )
            % {"program": program}
        )
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    result = subprocess.run(
        [executable, *args, f"--dbname={db['NAME']}"], env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": program, "error": result.stderr.strip()[-2000:]}
        )


# The files.


def _walk(directory: Path) -> Iterator[os.DirEntry]:
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return
    for entry in sorted(entries, key=lambda e: e.name):
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        elif entry.is_file(follow_symlinks=False):
            yield entry


def _add_media(tar: tarfile.TarFile, *, exclude: set[Path], progress: Progress):
    root = Path(settings.MEDIA_ROOT)
    files, skipped = 0, []
    for entry in _walk(root):
        path = Path(entry.path)
        if path.resolve() in exclude:
            continue
        name = MEDIA + path.relative_to(root).as_posix()
        try:
            with open(path, "rb") as fh:
                stat = os.fstat(fh.fileno())
                info = tarfile.TarInfo(name)
                info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o644
                tar.addfile(info, fh)
        except FileNotFoundError:  # deleted while the backup ran
            skipped.append(name)
            continue
        files += 1
        if files % 500 == 0:
            progress(_("%(n)d files ...") % {"n": files})
    return files, skipped


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), mode
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def _check_member(member: tarfile.TarInfo) -> None:
    """Only regular files with plain relative names: nothing that could land outside."""
    name = member.name
    parts = PurePosixPath(name).parts
    if (
        not member.isfile()
        or name.startswith("/")
        or "\\" in name
        or not parts
        or any(part in ("", ".", "..") for part in name.split("/"))
    ):
        raise BackupError(_("Refused archive member %(name)r (unsafe).") % {"name": name})
    if name not in (MANIFEST, SECRET_KEY, *DUMPS.values()) and not (
        name.startswith(MEDIA) and len(parts) > 1
    ):
        raise BackupError(_("Unexpected archive member %(name)r.") % {"name": name})
    if name.startswith(MEDIA):
        _media_target(name)


def _media_target(name: str) -> Path:
    root = Path(settings.MEDIA_ROOT).resolve()
    target = (root / name[len(MEDIA) :]).resolve()  # follows links already on disk
    if not target.is_relative_to(root) or target == root:
        raise BackupError(
            _("Refused archive member %(name)r (outside the media).") % {"name": name}
        )
    return target


def _extract_to(
    tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path, mode: int = 0o644
) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, part = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(tar.extractfile(member), out, CHUNK)
            os.fchmod(out.fileno(), mode)
        os.replace(part, target)
    except BaseException:
        Path(part).unlink(missing_ok=True)
        raise


def _store(tar: tarfile.TarFile, member: tarfile.TarInfo) -> None:
    """A file of the archive into the configured storage (the bucket), under its own name."""
    name = member.name[len(MEDIA) :]
    with tempfile.TemporaryFile() as tmp:
        shutil.copyfileobj(tar.extractfile(member), tmp, CHUNK)
        tmp.seek(0)
        if default_storage.exists(name):
            default_storage.delete(name)
        stored = default_storage.save(name, File(tmp, name=name))
    if stored != name:  # pragma: no cover - the name was free a moment ago
        raise BackupError(_("Could not store %(name)s under its own name.") % {"name": name})


def _sha256_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return _sha256_stream(fh)


def _sha256_stream(stream) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()
