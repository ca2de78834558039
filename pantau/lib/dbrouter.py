"""Read replicas: reads go to a replica only where a view asked for it, never by default.

`PANTAU_REPLICA_URLS` adds the aliases `replica1`, `replica2`, ... (settings.py). The rule:

- Outside a `replica_reads()` context every query goes to `default` (the primary), so a replica's
  lag can never make a user miss what they have just written.
- Inside `replica_reads()` (the read-mostly views: dashboard, compliance, exports) reads go to
  one replica, chosen once per context, except a read inside a transaction on the primary or
  after a write in the same context: those go to the primary.
- Writes and migrations always go to the primary.

`replica_reads` is a context manager and a view decorator; as a decorator it also covers the
iteration of a streaming response (an export streams its rows after the view has returned).
"""

import contextvars
import functools
import random

from django.conf import settings
from django.db import connections
from django.http import FileResponse, StreamingHttpResponse

PRIMARY = "default"

# The replica chosen for the current context, or None outside replica_reads(); and whether the
# context has written (its later reads then go to the primary).
_replica: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "pantau_replica", default=None
)
_wrote: contextvars.ContextVar[bool] = contextvars.ContextVar("pantau_wrote", default=False)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias != PRIMARY]


def _in_transaction() -> bool:
    """A transaction opened on the primary (not the test case's own wrapper)."""
    conn = connections[PRIMARY]
    return any(not getattr(block, "_from_testcase", False) for block in conn.atomic_blocks)


class replica_reads:  # noqa: N801 - used like contextlib's lower-case context managers
    """Send the reads of this block (or view) to a read replica, when one is configured."""

    def __enter__(self):
        aliases = replica_aliases()
        # Nested: keep the outer choice.
        alias = _replica.get() or (random.choice(aliases) if aliases else None)  # noqa: S311
        self._tokens = (_replica.set(alias), _wrote.set(_wrote.get()))
        return alias

    def __exit__(self, *exc_info):
        replica_token, wrote_token = self._tokens
        _wrote.reset(wrote_token)
        _replica.reset(replica_token)
        return False

    def __call__(self, view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            with replica_reads():
                response = view(*args, **kwargs)
            if (
                isinstance(response, StreamingHttpResponse)
                and not isinstance(response, FileResponse)  # made already, or a stored file
                and not response.is_async
            ):
                response.streaming_content = _iterate_on_replica(response.streaming_content)
            return response

        return wrapped


def _iterate_on_replica(iterable):
    with replica_reads():
        yield from iterable


class ReplicaRouter:
    """The database router of settings.DATABASE_ROUTERS (see the module's docstring)."""

    def db_for_read(self, model, **hints):
        alias = _replica.get()
        if alias is None or _wrote.get() or _in_transaction():
            return PRIMARY
        return alias

    def db_for_write(self, model, **hints):
        if _replica.get() is not None:
            _wrote.set(True)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
