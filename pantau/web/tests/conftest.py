"""Fixtures of the web tests: data made through the actions, as users make it."""

import uuid

import pytest

from pantau.instruction.models import Category
from pantau.monitoring.actions import do_submit_report
from pantau.problems.actions import do_create_problem, do_problem_action
from pantau.regions.models import Region
from pantau.web.tests.helpers import NGADISARI, VOTING_ANSWERS, VOTING_DAY


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def new_report(users):
    def _new(username="desa-3513012001", region=NGADISARI, **kw):
        report, _created = do_submit_report(
            acting_user=users[username],
            client_id=kw.pop("client_id", uuid.uuid4()),
            region=Region.objects.get(code=region),
            observed_at=kw.pop("observed_at", VOTING_DAY),
            situation=kw.pop("situation", "aman"),
            answers=kw.pop("answers", VOTING_ANSWERS),
            **kw,
        )
        return report

    return _new


@pytest.fixture
def new_problem(users):
    def _new(username="desa-3513012001", region=NGADISARI, severity="tinggi", **kw):
        problem, _created = do_create_problem(
            acting_user=users[username],
            client_id=kw.pop("client_id", uuid.uuid4()),
            region=Region.objects.get(code=region),
            title=kw.pop("title", "Kotak suara belum tiba"),
            category=Category.objects.get(code=kw.pop("category", "logistik")),
            severity=severity,
            **kw,
        )
        return problem

    return _new


@pytest.fixture
def act(users):
    def _act(problem, username, action, **kw):
        return do_problem_action(problem.pk, acting_user=users[username], action=action, **kw)

    return _act
