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
