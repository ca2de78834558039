import pytest
import time_machine

from pantau.lib import counters


def test_a_rate_reads_as_django_ratelimit_writes_it():
    assert counters.parse_rate("600/m") == (600, 60)
    assert counters.parse_rate("4/h") == (4, 3600)
    assert counters.parse_rate("100/5m") == (100, 300)
    with pytest.raises(ValueError, match="600/m"):
        counters.parse_rate("600 per minute")


@pytest.mark.parametrize(
    "backend", ["pantau.lib.cache.FileCache", "django.core.cache.backends.locmem.LocMemCache"]
)
def test_hits_count_up_within_a_window_and_start_again_in_the_next(settings, tmp_path, backend):
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": str(tmp_path)}}  # a new one
    with time_machine.travel(1_800_000_010, tick=False):  # 10 s into a minute
        assert counters.hit("u1", 60) == (1, 50)
        assert counters.hit("u1", 60) == (2, 50)
        assert counters.hit("u2", 60) == (1, 50)
    with time_machine.travel(1_800_000_070, tick=False):
        assert counters.hit("u1", 60) == (1, 50)


def test_a_cache_that_fails_counts_nothing_and_says_so(settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    count, _left = counters.hit("u1", 60)
    assert count is None
    assert "not counted" in caplog.text


def test_a_write_rate_that_cannot_be_read_stops_the_server_at_its_start(settings):
    from pantau.api.apps import check_write_rate

    settings.API_WRITE_RATE = "600 a minute"
    [error] = check_write_rate()
    assert "PANTAU_API_WRITE_RATE" in error.msg and "600/m" in error.msg
    settings.API_WRITE_RATE = "600/m"
    assert check_write_rate() == []
