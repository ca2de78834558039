"""The nation: an unsaved node above the provinces whose subtree is every region."""

import pytest
from django.db.models import Q

from pantau.monitoring.models import Report
from pantau.regions.models import NATION_CODE, NATIONAL, Region, level_of_code, within

pytestmark = pytest.mark.django_db


def test_it_is_an_unsaved_node_above_the_provinces():
    nation = Region.nation()
    assert nation.pk is None and nation.parent_id is None and nation.geometry is None
    assert (nation.code, nation.level) == (NATION_CODE, NATIONAL)
    assert nation.is_nation and not Region.objects.get(code="35.13").is_nation
    assert nation.title == nation.name
    # no region row can take its code: the loader accepts Kemendagri codes only
    assert level_of_code(NATION_CODE) is None
    assert not Region.objects.filter(code=NATION_CODE).exists()


def test_everything_lies_within_the_nation_and_the_nation_within_nothing_else():
    for code in ("35", "35.13", "35.13.01.2001", "35.13.01.2001.003"):
        assert within(code, NATION_CODE)
        assert Region(code=code).is_within(NATION_CODE)
    assert within("35.13.01", "35.13") and not within("35.130", "35.13")
    assert not Region.nation().is_within("35")


def test_its_subtree_is_every_region_and_every_report(new_report):
    new_report()
    everything = Region.subtree_q(NATION_CODE)
    assert Region.objects.filter(everything).count() == Region.objects.count()
    # still everything when OR-ed with another condition (an empty Q would vanish)
    assert Region.objects.filter(everything | Q(pk__in=[])).count() == Region.objects.count()
    reports = Report.objects.filter(Region.subtree_q(NATION_CODE, "region__code"))
    assert reports.count() == Report.objects.count() > 0
    assert "JOIN" not in str(reports.query)  # the foreign key itself, not the region's code


def test_a_region_s_subtree_is_its_code_prefix():
    codes = set(Region.objects.filter(Region.subtree_q("35.13.01")).values_list("code", flat=True))
    assert "35.13.01" in codes and "35.13.01.2001" in codes
    assert all(c == "35.13.01" or c.startswith("35.13.01.") for c in codes)
