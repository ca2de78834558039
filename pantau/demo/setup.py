"""`pantau setup-demo`: a working Pantau for Kabupaten Probolinggo in one idempotent step."""

import os
from collections.abc import Callable
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, is_password_usable, make_password
from django.core.management import call_command
from django.db import transaction
from django.utils.translation import gettext as _

from pantau.demo.examples import add_examples
from pantau.instruction.loader import SHIPPED, apply_instruction
from pantau.instruction.models import Agency, Role
from pantau.regions.loader import load_regions
from pantau.regions.models import Region

REGION_DATA = Path(__file__).resolve().parents[1] / "regions" / "data" / "probolinggo"
DEMO_VILLAGE = "35.13.01.2001"  # Ngadisari, Sukapura: a hill village below Bromo
MONITOR_VILLAGES = ["35.13.14.1003", "35.13.14.1007", "35.13.14.2001"]  # in Kraksaan

# Accounts the instruction does not name: they exist to show every role in the demo.
EXTRA_ACCOUNTS = [
    {"username": "admin", "full_name": "Administrator Diskominfo", "role": Role.ADMIN},
    {
        "username": "desa-" + DEMO_VILLAGE.replace(".", ""),
        "full_name": "Kepala Desa Ngadisari",
        "role": Role.VILLAGE,
        "regions": [DEMO_VILLAGE],
    },
    {
        "username": "bawaslu",
        "full_name": "Bawaslu Kabupaten Probolinggo",
        "role": Role.AGENCY,
        "agency": "bawaslu",
    },
    {
        "username": "pemantau-kraksaan",
        "full_name": "Pemantau Lapangan Kraksaan",
        "role": Role.MONITOR,
        "regions": MONITOR_VILLAGES,
    },
]


# Demo phone numbers (listed in the README): to try WhatsApp, Telegram and SMS reports, message
# from a phone whose number an account carries. Camat: +62812300010 + the kecamatan's two digits
# (35.13.01 Sukapura: +6281230001001); Kepala OPD: +62812300020 + their order by username.
DEMO_PHONES = {
    "admin": "+6281230000001",
    "bupati": "+6281230000002",
    "asisten-pemkesra": "+6281230000011",
    "asisten-adum": "+6281230000012",
    "asisten-ekbang": "+6281230000013",
    "desa-" + DEMO_VILLAGE.replace(".", ""): "+6281230000021",
    "pemantau-kraksaan": "+6281230000022",
    "bawaslu": "+6281230000023",
}


def demo_phones(users) -> dict[str, str]:
    """The demo number of each demo account, by username."""
    phones = dict(DEMO_PHONES)
    opd = sorted(u.username for u in users if u.role == Role.OPD)
    for user in users:
        if user.role == Role.CAMAT and user.position_id and user.position.region_id:
            phones[user.username] = "+62812300010" + user.position.region.code[-2:]
        elif user.role == Role.OPD:
            phones[user.username] = f"+62812300020{opd.index(user.username) + 1:02d}"
    return {u.username: phones[u.username] for u in users if u.username in phones}


def _set_demo_phones(users) -> None:
    phones = demo_phones(users)
    changed = [u for u in users if u.phone != phones.get(u.username, u.phone)]
    User = get_user_model()
    # free the numbers first: the instruction may have given one to another account
    User.objects.filter(phone__in=list(phones.values())).exclude(
        username__in=[u.username for u in users]
    ).update(phone="")
    User.objects.filter(pk__in=[u.pk for u in changed]).update(phone="")
    for user in changed:
        user.phone = phones[user.username]
    User.objects.bulk_update(changed, ["phone"])


# Demo ranks and NIPs (INVENTED, like the officials' placeholder names) for the signature blocks
# of the letters they sign: a camat signs the kecamatan report, an Asisten the cluster's. The
# regency gives the real ones in the instruction file (`pangkat:`, `nip:` of a person) or the
# officials on their profile page. The Pj Bupati, a real person, is left without one.
DEMO_RANKS = {
    Role.CAMAT: "Pembina (IV/a)",
    Role.COORDINATOR: "Pembina Utama Muda (IV/c)",
    Role.OPD: "Pembina Tingkat I (IV/b)",
}


def demo_officials(users) -> dict[str, tuple[str, str]]:
    """(rank, NIP) of each demo official, by username: the NIP's four groups are a birth date
    in the 1970s, an appointment in the early 2000s, 1 or 2, and a sequence (all invented)."""
    found = {}
    ranked = sorted((u for u in users if u.role in DEMO_RANKS), key=lambda u: u.username)
    for i, user in enumerate(ranked):
        born = f"19{70 + i % 10}{1 + i % 12:02d}{1 + (7 * i) % 28:02d}"
        appointed = f"{1998 + i % 8}{1 + (5 * i) % 12:02d}"
        nip = f"{born} {appointed} {1 + i % 2} {i + 1:03d}"
        found[user.username] = (DEMO_RANKS[user.role], nip)
    return found


def _set_demo_officials(users) -> None:
    officials = demo_officials(users)
    changed = []
    for user in users:
        rank, nip = officials.get(user.username, (user.rank, user.nip))
        if (user.rank, user.nip) != (rank, nip):
            user.rank, user.nip = rank, nip
            changed.append(user)
    get_user_model().objects.bulk_update(changed, ["rank", "nip"])


def demo_password() -> str:
    return os.environ.get("PANTAU_DEMO_PASSWORD") or "pantau-demo"


def setup_demo(progress: Callable[[str], None] = lambda m: None) -> list:
    """Migrate, load regions and the shipped instruction, create the demo accounts.

    Returns the demo users, in the order a newcomer should meet them.
    """
    progress(_("Preparing the database ..."))
    call_command("migrate", interactive=False, verbosity=0)
    load_regions(REGION_DATA, progress=progress)
    operation = apply_instruction(SHIPPED, progress=progress).operation
    progress(_("Creating demo accounts ..."))
    User = get_user_model()
    with transaction.atomic():
        for spec in EXTRA_ACCOUNTS:
            spec = dict(spec)
            regions = spec.pop("regions", [])
            agency = spec.pop("agency", None)
            spec["agency"] = Agency.objects.get(code=agency) if agency else None
            spec["is_staff"] = spec["is_superuser"] = spec["role"] == Role.ADMIN
            user, _created = User.objects.update_or_create(
                username=spec.pop("username"), defaults=spec
            )
            found = list(Region.objects.filter(code__in=regions))
            assert len(found) == len(regions), f"demo regions missing: {regions}"
            user.regions.set(found)
        users = list(
            User.objects.filter(position__operation=operation)
            | User.objects.filter(username__in=[a["username"] for a in EXTRA_ACCOUNTS])
        )
        _set_demo_password(users)
        _set_demo_phones(users)
        _set_demo_officials(users)
    progress(_("Adding example reports and problems ..."))
    add_examples()
    progress(_("Collecting static files ..."))
    call_command("collectstatic", interactive=False, verbosity=0)
    order = {role: i for i, role in enumerate(Role.values)}
    return sorted(users, key=lambda u: (order.get(u.role, 99), u.username))


def _set_demo_password(users) -> None:
    """One hash for all demo accounts: they share a public password, and hashing once keeps
    setup quick. A salt shared by public demo accounts hides nothing that the README does not
    already say."""
    password = demo_password()
    # only usable hashes: Django checks a password against an unusable one by hashing it anyway
    # (against timing attacks), a quarter of a second per new account
    current = {u.password for u in users if u.password and is_password_usable(u.password)}
    encoded = next((h for h in current if check_password(password, h)), None)
    encoded = encoded or make_password(password)
    stale = [u for u in users if u.password != encoded]
    for user in stale:
        user.password = encoded
    get_user_model().objects.bulk_update(stale, ["password"])
