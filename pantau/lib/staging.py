"""Files written to storage before the transaction that records them.

Writing an upload (to disk or to object storage) inside a write transaction holds the
transaction's locks, on SQLite the whole database's write lock, for as long as the write takes.
`Staging` writes first, under the name the model's field would give it, and then removes what
the transaction did not record: every file when the block fails, the files not `keep`-t when it
succeeds.
"""

from django.db.models import FileField


class Staging:
    def __init__(self):
        self._written: list[tuple[object, str]] = []  # (storage, name)
        self._kept: set[str] = set()

    def put(self, field: FileField, upload) -> str:
        """Write `upload` to `field`'s storage under a fresh name of its upload_to."""
        upload.seek(0)
        name = field.storage.save(
            field.generate_filename(None, upload.name or "upload"),
            upload,
            max_length=field.max_length,
        )
        self._written.append((field.storage, name))
        return name

    def keep(self, name: str) -> None:
        """`name` is recorded by the transaction: leave it when the block succeeds."""
        self._kept.add(name)

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        for storage, name in self._written:
            if exc_type is not None or name not in self._kept:
                storage.delete(name)
