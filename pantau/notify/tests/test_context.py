import pytest
from django.test import RequestFactory

from pantau.notify.context import unread
from pantau.notify.service import notify

pytestmark = pytest.mark.django_db


def test_it_counts_the_users_unread_notifications_in_one_query(users, django_assert_num_queries):
    notify([users["camat-tongas"]], event="create", title="Masalah baru")
    notify([users["camat-tongas"]], event="escalate", title="Masalah dieskalasi")
    request = RequestFactory().get("/")
    request.user = users["camat-tongas"]
    with django_assert_num_queries(1):
        assert unread(request) == {"unread_notifications": 2}
    request.user = users["bupati"]
    assert unread(request) == {"unread_notifications": 0}


def test_it_adds_nothing_for_anonymous_visitors(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread(request) == {}
