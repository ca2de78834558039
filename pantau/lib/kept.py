"""Answers computed from rows that rarely change, kept in this process for a few seconds.

On voting day hundreds of reports a second ask the same questions: a user's territory, the form
an ODK instance names, a region's boundary. The rows behind them (the instruction, the regions,
positions and assignments) change a few times per election. A `Kept` remembers an answer under
a key for `ttl` seconds. A save or delete of any of its `models` (the admin, the loaders, an
instruction reload), or a change of one of its `m2m` relations, forgets every answer of it in
this process at once; other processes (the other gunicorn workers) see the change within `ttl`
seconds. The kept objects are shared by the threads of the process: treat them as read-only.

Kept answers are only used and stored outside a transaction (autocommit, as the web, the API and
ODK views run), so that they never hold rows of a transaction that may still roll back; inside
one (an outer `atomic`, a test) `build` is called every time, as without keeping.
"""

import threading
import time
from collections.abc import Callable, Hashable, Iterable

from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save

TTL = 10.0  # seconds another process may keep using an answer whose rows changed

_all: list = []  # every Kept, and the clear functions of other per-process copies


def enabled() -> bool:
    """Whether kept answers may be used: only outside a transaction (see the module's doc)."""
    return not connection.in_atomic_block


def clear_all(**kwargs) -> None:
    """Forget every kept answer of this process (and the copies registered with `also_clear`)."""
    for kept in _all:
        kept() if callable(kept) else kept.clear()


def also_clear(forget: Callable[[], None]) -> None:
    """Have `clear_all` call `forget` too: another per-process copy (pantau.monitoring.lookups)."""
    _all.append(forget)


class Kept:
    """Answers by key. `models`: the models whose saves and deletes forget them; `m2m`: the
    many-to-many relations (their through model's label, "accounts.User_regions") whose
    changes forget them."""

    def __init__(
        self,
        name: str,
        *,
        models: Iterable = (),
        m2m: Iterable[str] = (),
        ttl: float = TTL,
        max_size: int = 100_000,
    ):
        self.name, self.ttl, self.max_size = name, ttl, max_size
        self._lock = threading.Lock()
        self._answers: dict[Hashable, tuple[float, object]] = {}
        self._generation = 0  # counts the clears: an answer built across one is not kept
        self._m2m = {label.lower() for label in m2m}
        for model in models:
            uid = f"kept-{name}-{model._meta.label}"
            post_save.connect(self.clear, sender=model, dispatch_uid=uid)
            post_delete.connect(self.clear, sender=model, dispatch_uid=f"{uid}-delete")
        if self._m2m:
            m2m_changed.connect(self._relation_changed, dispatch_uid=f"kept-{name}-m2m")
        _all.append(self)

    def _relation_changed(self, sender, **kwargs) -> None:
        if sender._meta.label_lower in self._m2m:
            self.clear()

    def clear(self, **kwargs) -> None:
        """Forget every answer (a signal receiver: any arguments)."""
        with self._lock:
            self._answers.clear()
            self._generation += 1

    def get(self, key: Hashable, build: Callable[[], object]):
        """The answer kept under `key`, else `build()` (kept when outside a transaction)."""
        if not enabled():
            return build()
        now = time.monotonic()
        found = self._answers.get(key)
        if found is not None and now - found[0] < self.ttl:
            return found[1]
        generation = self._generation
        answer = build()
        with self._lock:
            if generation != self._generation:  # cleared meanwhile: maybe built from old rows
                return answer
            if len(self._answers) >= self.max_size:
                self._answers.clear()
            self._answers[key] = (now, answer)
        return answer
