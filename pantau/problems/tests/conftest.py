import uuid

import pytest

from pantau.instruction.models import Category
from pantau.problems.actions import do_create_problem, do_problem_action
from pantau.regions.models import Region


@pytest.fixture
def new_problem(users):
    """Create a problem the way a user does; defaults: Ngadisari, by its village account."""

    def _new(username="desa-3513012001", region="35.13.01.2001", severity="tinggi", **kw):
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
