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
