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


def test_a_kept_territory_is_forgotten_when_who_works_where_changes(users, monkeypatch):
    """Outside a transaction (as a server runs) a territory is kept per process; a change of
    the user's regions, of their position or of the instruction's rows is seen at once."""
    from pantau.lib import kept
    from pantau.regions.models import Region

    kept.clear_all()
    monkeypatch.setattr(kept, "enabled", lambda: True)
    village = get_user_model().objects.get(username="desa-3513012001")
    assert access.territory(fresh([village])[0]).roots == {"35.13.01.2001"}
    village.regions.add(Region.objects.get(code="35.13.01.2002"))
    assert access.territory(fresh([village])[0]).roots == {"35.13.01.2001", "35.13.01.2002"}
    camat = fresh([users["camat-tongas"]])[0]
    assert access.territory(camat).roots == {"35.13.23"}
    camat.position.region = Region.objects.get(code="35.13.01")
    camat.position.save()
    assert access.territory(fresh([camat])[0]).roots == {"35.13.01"}
    camat.position.is_active = False
    camat.position.save()
    assert not access.territory(fresh([camat])[0])
    kept.clear_all()
