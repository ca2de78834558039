"""Who owns a problem at each level, as the instruction says: the village account, the camat of
the kecamatan, the Asisten of its cluster, the Pj Bupati."""

from django.contrib.auth import get_user_model

from pantau.instruction.models import Cluster, Operation, Role
from pantau.problems.models import LEVELS, Level
from pantau.regions.models import Level as RegionLevel
from pantau.regions.models import Region


def kecamatan_of(region: Region) -> Region:
    return region if region.level == RegionLevel.KECAMATAN else region.parent


def owner_at(level: str, region: Region, operation: Operation):
    """The person responsible at `level` for a problem in `region`, or None if nobody is.

    A seat is its position's code in the operation's region: the camat of Tongas or the
    Asisten Pemkesra of the Pilkada holds the same seat in a Pilkades there (a user has one
    position; the instruction files name the seats, not the people, twice)."""
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    kecamatan = kecamatan_of(region)
    if level == Level.DESA:
        if region.level != RegionLevel.DESA:
            return None
        return users.filter(role=Role.VILLAGE, regions=region).first()
    if level == Level.KECAMATAN:
        return users.filter(
            role=Role.CAMAT,
            position__region=kecamatan,
            position__is_active=True,
            position__operation__region_id=operation.region_id,
        ).first()
    if level == Level.KOORDINATOR:
        cluster = Cluster.objects.filter(operation=operation, kecamatan=kecamatan).first()
        if cluster is None:
            return None
        return users.filter(
            position__code=cluster.coordinator.code,
            position__operation__region_id=operation.region_id,
            position__is_active=True,
        ).first()
    return users.filter(
        role=Role.BUPATI,
        position__operation__region_id=operation.region_id,
        position__is_active=True,
    ).first()


def responsible(level: str, region: Region, operation: Operation):
    """The owner at `level`, or the first one above it when that seat is empty."""
    for higher in LEVELS[LEVELS.index(level) :]:
        owner = owner_at(higher, region, operation)
        if owner is not None:
            return owner
    return None
