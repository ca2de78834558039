import multiprocessing
import os
import time
from unittest import mock

from pantau.lib.cache import CULL_EVERY, FileCache


def test_the_file_cache_lists_its_directory_now_and_then_and_still_stays_small(tmp_path):
    cache = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 10, "CULL_FREQUENCY": 2}})
    with mock.patch.object(cache, "_list_cache_files", wraps=cache._list_cache_files) as listing:
        for n in range(3 * CULL_EVERY):
            cache.set(f"key-{n}", n, 300)
    assert listing.call_count == 3  # once in CULL_EVERY writes, not on every write
    assert len(list(tmp_path.glob("*.djcache"))) <= 10 + CULL_EVERY
    assert cache.get(f"key-{3 * CULL_EVERY - 1}") == 3 * CULL_EVERY - 1


def _hit_many(location: str, key: str, n: int) -> None:
    cache = FileCache(location, {})
    for _ in range(n):
        cache.hit(key, 60)


def test_counts_from_several_processes_at_once_lose_no_hit(tmp_path):
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        pool.starmap(_hit_many, [(str(tmp_path), "api-write:7:0", 250)] * 4)
    cache = FileCache(str(tmp_path), {})
    assert cache.hit("api-write:7:0", 60) == 1001
    assert cache.hit("api-write:8:0", 60) == 1  # another user's count is its own


def test_ended_counters_are_removed_and_clear_empties_them(tmp_path):
    cache = FileCache(str(tmp_path), {})
    cache.hit("old", 60)
    [old] = (tmp_path / "counters").iterdir()
    os.utime(old, (time.time() - 120, time.time() - 120))  # last hit two minutes ago
    for _ in range(CULL_EVERY):
        cache.hit("new", 60)
    assert not old.exists()
    assert cache.hit("new", 60) == CULL_EVERY + 1  # the live one stays
    cache.clear()
    assert cache.hit("new", 60) == 1
