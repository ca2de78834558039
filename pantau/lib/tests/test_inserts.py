import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.db.models.signals import post_save, pre_save
from django.forms.models import model_to_dict

from pantau.audit.models import AuditEntry
from pantau.lib.inserts import insert
from pantau.monitoring.actions import prepare_report
from pantau.monitoring.models import Channel, Photo, Report
from pantau.odk.models import OdkSubmission
from pantau.regions.models import Region

pytestmark = pytest.mark.django_db

# The models the ingest paths insert with lib.inserts (no signals are sent for them).
INSERTED = (Report, AuditEntry, OdkSubmission, Photo)


@pytest.mark.parametrize("model", INSERTED, ids=lambda m: m.__name__)
def test_nobody_listens_to_the_saves_of_what_is_inserted_without_signals(model):
    assert not pre_save.has_listeners(model) and not post_save.has_listeners(model)


def _report(user) -> Report:
    return prepare_report(
        acting_user=user,
        client_id=uuid.uuid4(),
        channel=Channel.ODK,
        region=Region.objects.get(code="35.13.01.2001"),
        observed_at=dt.datetime(2024, 11, 26, 10, 0),
        situation="waspada",
        answers={"logistik_tiba": True, "kondisi_logistik": "kurang", "tps_siap": True},
        narrative="Kotak suara tiba pukul 06.00",
        lat=-7.91,
        lon=112.95,
    )


def test_an_inserted_row_is_the_row_save_would_store(users):
    user = users["desa-3513012001"]
    saved, inserted = _report(user), _report(user)
    saved.save()
    insert(inserted)
    assert inserted.pk and inserted.pk != saved.pk and not inserted._state.adding
    stored = {r.pk: r for r in Report.objects.filter(pk__in=[saved.pk, inserted.pk])}

    def columns(report):
        row = model_to_dict(stored[report.pk])
        return {k: v for k, v in row.items() if k not in ("id", "client_id", "received_at")}

    assert columns(inserted) == columns(saved)
    assert stored[inserted.pk].answers == {
        "logistik_tiba": True,
        "kondisi_logistik": "kurang",
        "tps_siap": True,
    }
    submission = OdkSubmission(
        instance_id=uuid.uuid4(), user=user, form_id="f", report=inserted, attachment_names=["a"]
    )
    insert(submission)
    assert OdkSubmission.objects.get(report=inserted).attachment_names == ["a"]


def test_a_refused_insert_fails_the_transaction_and_stores_nothing(users):
    user = users["desa-3513012001"]
    taken = uuid.uuid4()
    insert(OdkSubmission(instance_id=taken, user=user, form_id="f"))
    with pytest.raises(IntegrityError), transaction.atomic():
        insert(OdkSubmission(instance_id=uuid.uuid4(), user=user, form_id="g"))
        insert(OdkSubmission(instance_id=taken, user=user, form_id="h"))
    assert list(OdkSubmission.objects.values_list("form_id", flat=True)) == ["f"]
