"""A small, plausible set of field reports and problems for the demo, made through the same
actions users trigger. Idempotent: fixed client ids, and the follow-up steps run only when an
example is first created."""

import datetime as dt
import uuid

from django.contrib.auth import get_user_model

from pantau.instruction.models import Agency, Category, Checklist
from pantau.monitoring.actions import do_submit_report
from pantau.problems.actions import do_create_problem, do_problem_action
from pantau.regions.models import Region

NAMESPACE = uuid.UUID("6f1d7a52-3c1e-4b8e-9a57-2a0c5d0e7b11")

REPORTS = [  # username, region, WIB time observed, situation, answers, narrative
    # (the counting checklist is chosen where the answers are about counting)
    (
        "desa-3513012001",
        "35.13.01.2001",
        "2024-11-26 15:00",
        "waspada",
        {
            "logistik_tiba": True,
            "kondisi_logistik": "kurang",
            "surat_suara_kurang": 12,
            "tps_siap": True,
            "akses_tps": "sulit",
            "listrik_sinyal": False,
        },
        "Logistik tiba pukul 14.30, surat suara TPS 004 kurang 12 lembar. Jalan ke Dusun "
        "Cemara licin setelah hujan, sinyal hilang di atas pukul 15.00.",
    ),
    (
        "camat-tongas",
        "35.13.23",
        "2024-11-27 08:10",
        "aman",
        {
            "tps_buka_tepat": True,
            "dpt_ditempel": True,
            "surat_suara_cukup": True,
            "gangguan": "tidak ada",
            "pemilih_hadir": 2300,
        },
        "Seluruh TPS di Kecamatan Tongas dibuka tepat waktu.",
    ),
    (
        "camat-paiton",
        "35.13.12",
        "2024-11-27 10:00",
        "waspada",
        {
            "tps_buka_tepat": True,
            "surat_suara_cukup": True,
            "gangguan": "ringan",
            "politik_uang": True,
        },
        "Beredar kabar pembagian amplop di dua dusun; Panwascam sudah diberi tahu.",
    ),
    (
        "pemantau-kraksaan",
        "35.13.14.1003",
        "2024-11-27 13:00",
        "aman",
        {
            "penghitungan_mulai": True,
            "saksi_hadir": True,
            "pengawas_hadir": True,
            "gangguan": "tidak ada",
        },
        "Penghitungan di TPS 012 Semampir berjalan tertib.",
    ),
    (
        "camat-tiris",
        "35.13.07",
        "2024-11-27 16:00",
        "rawan",
        {"penghitungan_mulai": True, "gangguan": "ringan", "kesehatan_petugas": True},
        "Dua petugas KPPS kelelahan; satu dibawa ke Puskesmas Tiris.",
    ),
]

PROBLEMS = [  # username, region, title, category, severity, suggestion, follow-up steps
    (
        "desa-3513012001",
        "35.13.01.2001",
        "Surat suara TPS 004 kurang 12 lembar",
        "logistik",
        "tinggi",
        "PPK Sukapura mengirim surat suara cadangan sebelum pukul 06.00.",
        [
            ("desa-3513012001", "verify", {}),
            ("desa-3513012001", "escalate", {"note": "Desa tidak punya kendaraan ke PPK"}),
        ],
    ),
    (
        "camat-paiton",
        "35.13.12",
        "Dugaan politik uang di dua dusun",
        "politik-uang",
        "kritis",
        "Libatkan Panwascam dan Polsek untuk patroli malam.",
        [
            ("camat-paiton", "verify", {}),
            ("camat-paiton", "refer", {"agency": "bawaslu", "note": "Mohon penelusuran"}),
            ("bawaslu", "comment", {"note": "Panwascam Paiton menelusuri; belum ada bukti."}),
        ],
    ),
    (
        "pemantau-kraksaan",
        "35.13.14.1003",
        "Pengawas TPS 012 datang terlambat",
        "lainnya",
        "rendah",
        "Koordinasi jadwal dengan Panwascam.",
        [
            ("camat-kraksaan", "verify", {}),
            ("camat-kraksaan", "start", {}),
            ("camat-kraksaan", "resolve", {"solution": "Pengawas tiba 07.20; Panwascam menegur."}),
        ],
    ),
    (
        "camat-tiris",
        "35.13.07",
        "Petugas KPPS kelelahan di TPS 003 Tiris",
        "kesehatan-petugas",
        "tinggi",
        "Siapkan tim kesehatan keliling dari Dinkes.",
        [("camat-tiris", "verify", {}), ("camat-tiris", "start", {"note": "Puskesmas siaga"})],
    ),
    (
        "camat-sukapura",
        "35.13.01",
        "Longsor menutup jalan ke Desa Ngadas",
        "bencana-cuaca",
        "kritis",
        "Minta BPBD membuka jalan; siapkan jalur alternatif lewat Jetak.",
        [],
    ),
]


def _wib(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M")


def add_examples() -> int:
    """Create the example reports and problems that do not exist yet; returns how many."""
    users = {u.username: u for u in get_user_model().objects.all()}
    created_count = 0
    for i, (username, code, when, situation, answers, narrative) in enumerate(REPORTS):
        counting = "penghitungan_mulai" in answers
        _report, created = do_submit_report(
            acting_user=users[username],
            client_id=uuid.uuid5(NAMESPACE, f"report-{i}"),
            region=Region.objects.get(code=code),
            observed_at=_wib(when),
            situation=situation,
            answers=answers,
            narrative=narrative,
            checklist=Checklist.objects.get(code="penghitungan") if counting else None,
        )
        created_count += created
    for i, (username, code, title, category, severity, suggestion, steps) in enumerate(PROBLEMS):
        problem, created = do_create_problem(
            acting_user=users[username],
            client_id=uuid.uuid5(NAMESPACE, f"problem-{i}"),
            region=Region.objects.get(code=code),
            title=title,
            category=Category.objects.get(code=category),
            severity=severity,
            suggestion=suggestion,
        )
        created_count += created
        for actor, action, extra in steps if created else []:
            if "agency" in extra:
                extra = {**extra, "agency": Agency.objects.get(code=extra["agency"])}
            do_problem_action(problem.pk, acting_user=users[actor], action=action, **extra)
    return created_count
