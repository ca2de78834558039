"""A small, plausible set of field reports and problems for the demo, made through the same
actions users trigger. Idempotent: fixed client ids, and the follow-up steps run only when an
example is first created."""

import datetime as dt
import uuid

from django.contrib.auth import get_user_model

from pantau.demo.scheduled import add_scheduled_reports
from pantau.instruction.models import Agency, Category, Checklist
from pantau.lib.clock import WIB
from pantau.monitoring.actions import do_store_report, prepare_report
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

# Problems: username, region, WIB time reported, title, category, severity, suggestion, and the
# follow-up steps (actor, action, extra, minutes after the report). Voting day is the busiest.
PROBLEMS = [
    (
        "camat-kraksaan",
        "35.13.14",
        "2024-11-21 10:00",
        "Alat peraga kampanye terpasang di pohon dan tiang listrik",
        "kampanye-apk",
        "sedang",
        "Satpol PP menertibkan bersama Panwascam setelah pemberitahuan kepada tim kampanye.",
        [
            ("camat-kraksaan", "verify", {}, 60),
            ("camat-kraksaan", "refer", {"agency": "satpolpp", "note": "Mohon penertiban"}, 90),
            (
                "camat-kraksaan",
                "resolve",
                {"solution": "Satpol PP menurunkan 37 APK pada 22 November 2024."},
                60 * 26,
            ),
        ],
    ),
    (
        "camat-besuk",
        "35.13.13",
        "2024-11-22 09:30",
        "Kepala desa hadir di kampanye pasangan calon",
        "netralitas-asn",
        "tinggi",
        "Laporkan kepada Bawaslu; Inspektorat mengingatkan kepala desa tentang netralitas.",
        [
            ("camat-besuk", "verify", {}, 45),
            ("camat-besuk", "refer", {"agency": "bawaslu", "note": "Mohon kajian"}, 60),
            ("bawaslu", "comment", {"note": "Panwascam Besuk memanggil kepala desa."}, 60 * 5),
            (
                "camat-besuk",
                "resolve",
                {"solution": "Kepala desa diberi teguran tertulis; Bawaslu mencatat pelanggaran."},
                60 * 30,
            ),
        ],
    ),
    (
        "desa-3513012001",
        "35.13.01.2001",
        "2024-11-26 15:30",
        "Surat suara TPS 004 kurang 12 lembar",
        "logistik",
        "tinggi",
        "PPK Sukapura mengirim surat suara cadangan sebelum pukul 06.00.",
        [
            ("desa-3513012001", "verify", {}, 20),
            ("desa-3513012001", "escalate", {"note": "Desa tidak punya kendaraan ke PPK"}, 40),
            (
                "camat-sukapura",
                "resolve",
                {"solution": "Camat mengantar 12 surat suara cadangan dari PPK pukul 05.30."},
                60 * 14,
            ),
        ],
    ),
    (
        "camat-sukapura",
        "35.13.01",
        "2024-11-26 17:00",
        "Longsor menutup jalan ke Desa Ngadas",
        "bencana-cuaca",
        "kritis",
        "Minta BPBD membuka jalan; siapkan jalur alternatif lewat Jetak.",
        [
            ("camat-sukapura", "verify", {}, 15),
            ("camat-sukapura", "refer", {"agency": "bpbd", "note": "Alat berat ke Ngadas"}, 30),
            ("camat-sukapura", "start", {"note": "Logistik lewat Jetak dengan ojek"}, 60 * 3),
        ],
    ),
    (
        "camat-paiton",
        "35.13.12",
        "2024-11-27 06:40",
        "Dugaan politik uang di dua dusun",
        "politik-uang",
        "kritis",
        "Libatkan Panwascam dan Polsek untuk patroli malam.",
        [
            ("camat-paiton", "verify", {}, 10),
            ("camat-paiton", "refer", {"agency": "bawaslu", "note": "Mohon penelusuran"}, 20),
            ("bawaslu", "comment", {"note": "Panwascam Paiton menelusuri; belum ada bukti."}, 240),
        ],
    ),
    (
        "pemantau-kraksaan",
        "35.13.14.1003",
        "2024-11-27 07:15",
        "Pengawas TPS 012 datang terlambat",
        "lainnya",
        "rendah",
        "Koordinasi jadwal dengan Panwascam.",
        [
            ("camat-kraksaan", "verify", {}, 10),
            ("camat-kraksaan", "start", {}, 15),
            (
                "camat-kraksaan",
                "resolve",
                {"solution": "Pengawas tiba 07.20; Panwascam menegur."},
                30,
            ),
        ],
    ),
    (
        "camat-gading",
        "35.13.09",
        "2024-11-27 08:30",
        "Nama pemilih tidak ada di DPT di TPS 007 Gading",
        "daftar-pemilih",
        "sedang",
        "Pemilih dengan KTP-el setempat dilayani sebagai DPTb satu jam sebelum TPS ditutup.",
        [
            ("camat-gading", "verify", {}, 15),
            (
                "camat-gading",
                "resolve",
                {"solution": "KPPS melayani 9 pemilih DPTb pukul 12.00–13.00 sesuai aturan."},
                60 * 5,
            ),
        ],
    ),
    (
        "camat-tiris",
        "35.13.07",
        "2024-11-27 11:20",
        "Petugas KPPS kelelahan di TPS 003 Tiris",
        "kesehatan-petugas",
        "tinggi",
        "Siapkan tim kesehatan keliling dari Dinkes.",
        [
            ("camat-tiris", "verify", {}, 10),
            ("camat-tiris", "refer", {"agency": "dinkes", "note": "Tim kesehatan keliling"}, 20),
            ("camat-tiris", "start", {"note": "Puskesmas Tiris siaga di TPS 003"}, 40),
        ],
    ),
    (
        "camat-krucil",
        "35.13.08",
        "2024-11-27 12:00",
        "Listrik padam di enam TPS Krucil",
        "akses-infrastruktur",
        "sedang",
        "Minta PLN memulihkan listrik; KPPS menyiapkan lampu darurat untuk penghitungan.",
        [
            ("camat-krucil", "verify", {}, 10),
            (
                "camat-krucil",
                "resolve",
                {"solution": "Listrik pulih pukul 15.40; penghitungan berjalan dengan genset."},
                60 * 4,
            ),
        ],
    ),
    (
        "camat-tiris",
        "35.13.07",
        "2024-11-27 14:00",
        "Kerumunan massa di TPS 011 Tiris saat penghitungan",
        "keamanan",
        "kritis",
        "Polsek dan Koramil menambah personel; camat menemui tokoh masyarakat.",
        [
            ("camat-tiris", "verify", {}, 5),
            ("camat-tiris", "escalate", {"note": "Perlu keputusan Asisten"}, 15),
        ],
    ),
    (
        "camat-maron",
        "35.13.17",
        "2024-11-27 19:30",
        "Kabar bohong tentang kotak suara tertukar beredar di WhatsApp",
        "sara-hoaks",
        "sedang",
        "Diskominfo menerbitkan klarifikasi bersama KPU.",
        [
            ("camat-maron", "verify", {}, 20),
            ("camat-maron", "refer", {"agency": "diskominfo", "note": "Mohon klarifikasi"}, 30),
        ],
    ),
    (
        "camat-dringu",
        "35.13.19",
        "2024-11-28 09:00",
        "Saksi menolak menandatangani hasil di TPS 002 Dringu",
        "lainnya",
        "sedang",
        "PPK memfasilitasi penyampaian keberatan di rapat pleno kecamatan.",
        [("camat-dringu", "verify", {}, 30)],
    ),
    (
        "camat-sumber",
        "35.13.02",
        "2024-11-29 10:00",
        "Kotak suara disimpan di rumah warga sebelum rekapitulasi",
        "logistik",
        "tinggi",
        "Pindahkan ke gudang PPK dengan pengawalan polisi.",
        [
            ("camat-sumber", "verify", {}, 20),
            (
                "camat-sumber",
                "resolve",
                {"solution": "Kotak suara dipindahkan ke gudang PPK pukul 13.00, dikawal polisi."},
                180,
            ),
        ],
    ),
]


def _wib(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M")


def _dated(items, at: dt.datetime) -> None:
    """Date what an example's step just wrote (events, referrals, notifications) at `at`."""
    from pantau.notify.models import Notification
    from pantau.problems.models import ProblemEvent, Referral

    problem, since = items
    ProblemEvent.objects.filter(problem=problem, at__gte=since).update(at=at)
    Referral.objects.filter(problem=problem, referred_at__gte=since).update(referred_at=at)
    Referral.objects.filter(problem=problem, answered_at__gte=since).update(answered_at=at)
    Notification.objects.filter(created_at__gte=since).update(created_at=at)


def add_examples() -> int:
    """Create the example reports and problems that do not exist yet; returns how many.

    They are made through the actions users trigger, then dated at the example's time within
    the operation's stages (the actions take the time of the call): the problems' times and
    deadlines, their events, referrals and notifications; a report is observed at its time.
    A report is received a few minutes after it was observed (the reporting compliance counts
    it by when it arrived); beside these, the officials' scheduled reports (`scheduled.py`).
    The audit log keeps the moment the demo was set up (a hash chain is never rewritten)."""
    from django.utils import timezone

    from pantau.problems.models import Problem

    users = {u.username: u for u in get_user_model().objects.all()}
    created_count = 0
    for i, (username, code, when, situation, answers, narrative) in enumerate(REPORTS):
        counting = "penghitungan_mulai" in answers
        report = prepare_report(
            acting_user=users[username],
            client_id=uuid.uuid5(NAMESPACE, f"report-{i}"),
            region=Region.objects.get(code=code),
            observed_at=_wib(when),
            situation=situation,
            answers=answers,
            narrative=narrative,
            checklist=Checklist.objects.get(code="penghitungan") if counting else None,
        )
        report.received_at = report.observed_at + dt.timedelta(minutes=4)
        _report, created = do_store_report(report)
        created_count += created
    created_count += add_scheduled_reports(report.operation, users)
    for i, (username, code, when, title, category, severity, suggestion, steps) in enumerate(
        PROBLEMS
    ):
        since = timezone.now()
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
        if not created:
            continue
        at = _wib(when).replace(tzinfo=WIB)
        shift = at - problem.created_at
        Problem.objects.filter(pk=problem.pk).update(
            created_at=at,
            updated_at=at,
            acknowledge_due_at=problem.acknowledge_due_at + shift,
            resolve_due_at=problem.resolve_due_at + shift,
        )
        _dated((problem, since), at)
        last = at
        for actor, action, extra, minutes in steps:
            if "agency" in extra:
                extra = {**extra, "agency": Agency.objects.get(code=extra["agency"])}
            since = timezone.now()
            do_problem_action(problem.pk, acting_user=users[actor], action=action, **extra)
            last = at + dt.timedelta(minutes=minutes)
            _dated((problem, since), last)
        done = Problem.objects.get(pk=problem.pk)
        Problem.objects.filter(pk=problem.pk).update(
            updated_at=last, resolved_at=last if done.resolved_at else None
        )
        _mark_overdue(problem.pk)
    if created_count:
        # the reports were received in 2024, behind the rollups' watermark (if they ever ran:
        # their first run counts everything anyway): count them again
        from pantau.rollups.compute import refresh, watermark

        if watermark() is not None:
            refresh(full=True)
    return created_count


def _mark_overdue(problem_id: int) -> None:
    """Run the deadline job for a problem at each deadline it passed, dated then: its overdue
    events fall in the stages (and the running job does not mark them again at set-up time)."""
    from django.utils import timezone

    from pantau.problems.actions import do_mark_overdue
    from pantau.problems.models import Problem, Status

    for _step in range(2):  # the verification deadline, then the resolution deadline
        problem = Problem.objects.get(pk=problem_id)
        if problem.status == Status.BARU and not problem.acknowledge_escalated:
            deadline = problem.acknowledge_due_at
        elif not problem.resolve_escalated:
            deadline = problem.resolve_due_at
        else:
            return
        since = timezone.now()
        if deadline > since or not do_mark_overdue(problem_id, now=deadline):
            return
        _dated((problem, since), deadline)
