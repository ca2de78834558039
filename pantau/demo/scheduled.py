"""The demo's scheduled reports: the officials the instruction file's `reporting:` rules make
due send them from the day the instruction was signed (20 November 2024) to the last day of a
rule, most on time, some late, some not at all, so that the reporting compliance and the
periodic reports' compliance section show believable figures for the demo's days.

Who owes what comes from the same module that counts it (`compliance.selectors.schedule` and
`expected_slots`): a rule changed in the instruction file changes the demo with it. Each slot's
fate is drawn from a generator seeded by the slot, so every set-up makes the same story:

- most officials report on time, a few minutes before the deadline;
- the hill and border kecamatan far from the regency's seat (weak signal, long roads) miss or
  send late more often; so do the Kepala OPD, who report for kecamatan that are not their desk;
- on voting day (five deadlines a camat) the camat of kecamatan in trouble miss the deadlines
  while they deal with it (Tiris's crowd, Krucil's power cut, Sukapura's landslide);
- a report says the situation the demo's problems describe (rawan, waspada) on their days.

Reports are stored through the same `prepare_report` and insert as every channel's, received
at their time in 2024 (compliance counts a report by when it arrived). The audit log keeps the
moment of set-up (a hash chain is never rewritten)."""

import datetime as dt
import random
import uuid

from django.db import transaction
from django.utils import timezone

from pantau.compliance.selectors import expected_slots, schedule
from pantau.instruction.models import Checklist, Operation, Role
from pantau.lib.clock import WIB
from pantau.monitoring.actions import do_insert_report, prepare_report
from pantau.monitoring.models import Channel, Report
from pantau.regions.models import Region

NAMESPACE = uuid.UUID("0b6c2f4e-91a3-4d2e-8f0a-5c7e1d3b9a24")
FIRST_DAY = dt.date(2024, 11, 20)  # the Instruksi Bupati is dated 20 November 2024

# Kecamatan whose officials miss or are late more often: the hills below Bromo and Argopuro and
# the far east, long roads and weak signal (an invented, plausible pattern).
REMOTE = {"Sukapura", "Lumbang", "Tiris", "Krucil", "Kotaanyar", "Pakuniran"}

# (kecamatan, from, until (WIB), situation): what the reports say, after the demo's problems.
TROUBLE = [
    ("Kraksaan", "2024-11-21 09:00", "2024-11-22 12:00", "waspada"),  # APK
    ("Besuk", "2024-11-22 09:00", "2024-11-23 23:59", "waspada"),  # kepala desa
    ("Sukapura", "2024-11-26 14:00", "2024-11-27 23:59", "waspada"),  # logistik, longsor
    ("Paiton", "2024-11-26 18:00", "2024-11-27 23:59", "waspada"),  # politik uang
    ("Tiris", "2024-11-27 11:00", "2024-11-27 13:30", "waspada"),  # petugas kelelahan
    ("Tiris", "2024-11-27 13:30", "2024-11-28 23:59", "rawan"),  # kerumunan massa
    ("Krucil", "2024-11-27 11:30", "2024-11-27 16:00", "waspada"),  # listrik padam
    ("Maron", "2024-11-27 19:00", "2024-11-28 23:59", "waspada"),  # hoaks
    ("Dringu", "2024-11-28 08:30", "2024-11-28 23:59", "waspada"),  # saksi menolak
]

# (kecamatan, from, until): the camat is at the scene and sends nothing for these deadlines.
BUSY = [
    ("Tiris", "2024-11-27 13:30", "2024-11-27 21:00"),  # at TPS 011 (its 16:00 is an example)
    ("Krucil", "2024-11-27 12:00", "2024-11-27 14:00"),
    ("Sukapura", "2024-11-27 06:00", "2024-11-27 08:00"),
]

NARRATIVE = {
    "aman": [
        "Situasi kondusif, tidak ada gangguan.",
        "Kegiatan berjalan lancar dan tertib.",
        "Tidak ada kejadian menonjol.",
    ],
    "waspada": [
        "Ada kejadian yang sedang ditangani; situasi terkendali.",
        "Perlu perhatian: kejadian sudah dilaporkan sebagai masalah.",
    ],
    "rawan": ["Situasi rawan; aparat keamanan di lokasi, camat memantau langsung."],
}


def _wib(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=WIB)


def situation_at(kecamatan: str, at: dt.datetime) -> str:
    found = "aman"
    for name, start, end, situation in TROUBLE:
        if name == kecamatan and _wib(start) <= at <= _wib(end):
            found = situation  # the later line wins
    return found


def _busy(kecamatan: str, due: dt.datetime) -> bool:
    return any(name == kecamatan and _wib(start) <= due <= _wib(end) for name, start, end in BUSY)


def fate(
    slot, kecamatan: str, role: str, voting_day: dt.date | None
) -> tuple[str, dt.datetime | None]:
    """("on_time" | "late" | "missing", when received) of one slot, the same every set-up."""
    due = slot.due_at.astimezone(WIB)
    draw = random.Random(f"{slot.unit.username}|{slot.unit.code}|{due.isoformat()}")
    if _busy(kecamatan, due):
        return "missing", None
    missing, late = 0.03, 0.05
    if kecamatan in REMOTE:
        missing, late = missing + 0.09, late + 0.08
    if role == Role.OPD:
        missing, late = missing + 0.07, late + 0.05
    if voting_day and due.date() > voting_day and due.hour < 12:  # after a night of counting
        missing, late = missing + 0.2, late + 0.1
    roll = draw.random()
    if roll < missing:
        return "missing", None
    if roll < missing + late:  # after deadline + grace, before the day's next deadline
        return "late", slot.closes_at + dt.timedelta(minutes=draw.randint(8, 80))
    return "on_time", due - dt.timedelta(minutes=draw.randint(3, 55))


def _answers(stage_code: str, checklist_code: str, situation: str) -> dict:
    trouble = situation != "aman"
    if stage_code == "masa-tenang":
        return {
            "logistik_tiba": True,
            "kondisi_logistik": "kurang" if trouble else "baik dan lengkap",
            "tps_siap": True,
            "apk_dibersihkan": True,
        }
    if checklist_code == "penghitungan":
        return {
            "penghitungan_mulai": True,
            "saksi_hadir": True,
            "pengawas_hadir": True,
            "gangguan": {"rawan": "berat", "waspada": "ringan"}.get(situation, "tidak ada"),
        }
    if stage_code == "pemungutan":
        return {
            "tps_buka_tepat": True,
            "surat_suara_cukup": True,
            "gangguan": {"rawan": "berat", "waspada": "ringan"}.get(situation, "tidak ada"),
        }
    return {
        "kegiatan_kampanye": True,
        "keamanan": "ada gangguan kecil" if trouble else "kondusif",
    }


def add_scheduled_reports(operation: Operation, users: dict) -> int:
    """Store the demo's scheduled reports not stored yet; returns how many were added."""
    now = timezone.now()
    stages = {s.pk: s for s in operation.stages.all()}
    last = max((s.ends_on for s in stages.values()), default=FIRST_DAY)
    rules = schedule(operation, FIRST_DAY, last)
    found = expected_slots(operation, rules, [operation.region.code], now)
    roles = {u.pk: u.role for u in users.values()}
    voting_day = max((e.voting_day for e in operation.elections.all()), default=None)
    regions = {r.code: r for r in Region.objects.filter(code__in={s.unit.code for s in found})}
    checklists = {c.code: c for c in Checklist.objects.filter(stage__operation=operation)}
    by_stage = {}
    for checklist in sorted(checklists.values(), key=lambda c: (c.order, c.pk)):
        by_stage.setdefault(checklist.stage_id, checklist)
    stage_of = {rule.pk: rule.stage for rule, _days in rules}
    by_name = {u.username: u for u in users.values()}
    stored = set(
        Report.objects.filter(
            operation=operation, client_id__in=[_client_id(s) for s in found]
        ).values_list("client_id", flat=True)
    )
    added = 0
    with transaction.atomic():
        for slot in sorted(found, key=lambda s: (s.due_at, s.unit.code, s.unit.username)):
            client_id = _client_id(slot)
            if not slot.expected or client_id in stored:
                continue
            region = regions[slot.unit.code]
            role = roles.get(slot.unit.user_id, "")
            _outcome, received = fate(slot, region.name, role, voting_day)
            if received is None:
                continue
            stage = stage_of[slot.rules[0].pk] or _stage_on(stages, received)
            checklist = by_stage.get(stage.pk) if stage else None
            if stage and stage.code == "pemungutan" and received.astimezone(WIB).hour >= 15:
                checklist = checklists.get("penghitungan", checklist)
            situation = situation_at(region.name, received)
            draw = random.Random(str(client_id))
            report = prepare_report(
                acting_user=by_name[slot.unit.username],
                client_id=client_id,
                region=region,
                observed_at=received - dt.timedelta(minutes=draw.randint(2, 15)),
                situation=situation,
                operation=operation,
                stage=stage,
                checklist=checklist,
                channel=Channel.WEB,
                answers=_answers(
                    stage.code if stage else "", checklist.code if checklist else "", situation
                ),
                narrative=draw.choice(NARRATIVE[situation]),
            )
            report.received_at = received
            do_insert_report(report)
            added += 1
    return added


def _stage_on(stages: dict, at: dt.datetime):
    day = at.astimezone(WIB).date()
    return next((s for s in stages.values() if s.starts_on <= day <= s.ends_on), None)


def _client_id(slot) -> uuid.UUID:
    key = f"{slot.unit.username}|{slot.unit.code}|{slot.due_at.astimezone(WIB).isoformat()}"
    return uuid.uuid5(NAMESPACE, key)
