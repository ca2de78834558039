"""The territory rule is said once: the bulk form (`territories`, what the compliance count
uses for everyone who owes reports) gives each user the territory that `territory` gives them
alone, in one query per role however many users."""

from django.contrib.auth import get_user_model

from pantau.accounts import access
from pantau.instruction.models import Operation


def fresh(users):
    return list(
        get_user_model().objects.filter(pk__in=[u.pk for u in users]).select_related("position")
    )


def test_it_gives_everyone_their_own_territory(users, django_assert_max_num_queries):
    everyone = fresh(users.values())
    alone = {u.pk: access.territory(u) for u in fresh(users.values())}
    roles = {u.role for u in everyone}
    with django_assert_max_num_queries(len(roles)):
        together = access.territories(everyone)
    assert together == alone
    assert access.EVERYWHERE in together.values() and len(set(together.values())) > 5


def test_inside_one_operation_only_its_regions_count(users):
    operation = Operation.objects.get(region__code="35.13")
    everyone = fresh(users.values())
    inside = access.territories(everyone, operation=operation)
    assert inside[users["camat-tongas"].pk].roots == {"35.13.23"}
    assert inside[users["bupati"].pk].roots == {"35.13"}
    other = Operation(pk=operation.pk + 1000, region=operation.region)
    elsewhere = access.territories(fresh([users["camat-tongas"], users["bupati"]]), operation=other)
    assert not elsewhere[users["camat-tongas"].pk] and not elsewhere[users["bupati"].pk]
