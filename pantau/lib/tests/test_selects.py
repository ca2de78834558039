import datetime as dt
import threading

import pytest
from django.contrib.auth import get_user_model

from pantau.audit.log import record
from pantau.audit.models import AuditEntry
from pantau.lib.selects import Select

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_kept_select_gives_what_its_queryset_gives_on_every_connection():
    user = get_user_model().objects.create(username="pemantau")
    record(actor=user, action="report.create", obj=user, after={"n": 1, "at": "x"})
    mine = AuditEntry.objects.filter(actor_username="pemantau").order_by("id")
    make = lambda: mine.values_list("id", "at", "after")  # noqa: E731
    kept = Select(make)
    assert kept() == list(make())  # the datetime and the JSON converted as the ORM does
    assert isinstance(kept()[0][1], dt.datetime) and kept()[0][2] == {"n": 1, "at": "x"}
    record(actor=user, action="report.create", obj=user, after={"n": 2})
    assert kept() == list(make())  # the same statement, run again: the new row is there
    other = []
    thread = threading.Thread(target=lambda: other.append(kept()))  # its own connection
    thread.start()
    thread.join()
    assert other == [list(make())]
