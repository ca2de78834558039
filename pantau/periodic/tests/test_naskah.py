"""The kabupaten report of the demo's Pilkada period as an official letter (naskah dinas), read
back from the PDF and the DOCX as a reader would: the letter's parts, the demo's problems with
their suggestions and solutions, no word split, the signature with the closing text, the annex."""

import datetime as dt
import io
import re

import pytest
from django.db import transaction
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from pantau.demo.examples import PROBLEMS
from pantau.instruction.loader import SHIPPED, apply_instruction
from pantau.instruction.models import Operation
from pantau.lib.errors import InputFileError
from pantau.periodic import content, numbering, render
from pantau.periodic.actions import do_request_report
from pantau.periodic.models import Scope
from pantau.regions.models import Region

pytestmark = pytest.mark.django_db

START, END = dt.date(2024, 11, 27), dt.date(2024, 11, 28)
PARTS = [
    "PEMERINTAH KABUPATEN PROBOLINGGO",
    "SEKRETARIAT DAERAH",
    "Telepon (0335) 841111",
    "Nomor",
    "Sifat",
    "Lampiran",
    "1 (satu) berkas",
    "Hal",
    "Yth. Penjabat Bupati Probolinggo",
    "LAPORAN BERKALA",
    "I. PENDAHULUAN",
    "Dasar",
    "Maksud dan Tujuan",
    "Ruang Lingkup",
    "II. PELAKSANAAN",
    "III. HASIL",
    "IV. PERMASALAHAN, SARAN DAN SOLUSI",
    "V. SIMPULAN DAN REKOMENDASI",
    "VI. PENUTUP",
    "Sekretaris Daerah Kabupaten Probolinggo",
    "Pembina Utama Madya (IV/d)",
    "NIP. 19700101 199503 1 001",
    "Tembusan",
    "Ketua Bawaslu Kabupaten Probolinggo",
    "LAMPIRAN",
]


def _in_period(when: str) -> bool:
    return START <= dt.date.fromisoformat(when[:10]) <= END


# the demo's problems of the period (reported on voting day or open in it), and their texts
IN_PERIOD = [p for p in PROBLEMS if _in_period(p[2]) or not any(s[1] == "resolve" for s in p[7])]


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text))


@pytest.fixture(scope="module")
def files(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        operation = Operation.objects.get(code="pilkada-2024-probolinggo")
        spec = content.Spec(
            operation=operation,
            scope=Scope.KABUPATEN,
            region=Region.objects.get(code="35.13"),
            cluster=None,
            start=START,
            end=END,
        )
        data = content.build(spec)
        return data, render.render(data, "pdf"), render.render(data, "docx")


def test_the_pdf_is_a_letter_with_the_demos_problems_and_no_split_word(files):
    data, pdf_bytes, _docx = files
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf_bytes)).pages]
    text = "\n".join(pages)
    flat = " ".join(text.split())
    for part in PARTS:
        assert part in flat, part
    assert f"Kraksaan, {data['signature']['date']}" in flat  # the place and date of the letter
    # every demo problem of the period with its suggestion, and the solution of the solved
    words = _words(text)
    for _user, _code, _when, title, _cat, _sev, suggestion, steps in IN_PERIOD:
        solutions = [s[2]["solution"] for s in steps if s[1] == "resolve"]
        for piece in [title, suggestion, *solutions]:
            assert " ".join(piece.split()) in flat, piece
            # no word broken across lines: each of its words is whole in the text
            assert _words(piece) <= words, piece
    assert not re.search(r"\w-\n\w", text), "a word hyphenated at a line end"
    # the figures agree, or say why they differ
    reports, comp = data["totals"]["reports"], data["compliance"]
    assert f"{reports} laporan lapangan" in flat
    assert f"Dari {comp['expected']} laporan wajib" in flat and "berbeda dari" in flat
    # recommendations are never an empty heading
    assert data["recommendations"]["lines"] and "Tindak lanjuti" in flat
    # the signature stays with the closing text; the annex starts a page of its own
    closing = next(i for i, p in enumerate(pages) if "VI. PENUTUP" in p)
    assert "NIP. 19700101" in pages[closing]
    annex = next(i for i, p in enumerate(pages) if p.lstrip().startswith("LAMPIRAN"))
    assert annex > closing and "Batas waktu" in pages[annex]
    # the list of who did not report is in the annex, not in the body
    assert "DAFTAR LAPORAN TERJADWAL YANG BELUM DITERIMA" in pages[annex]
    assert all("Batas waktu" not in p for p in pages[:annex])


def test_the_docx_has_the_same_letter(files):
    _data, _pdf, docx_bytes = files
    doc = Document(io.BytesIO(docx_bytes))
    paragraphs = [p.text for p in doc.paragraphs]
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    flat = " ".join(" ".join(paragraphs + cells).split())
    for part in PARTS:
        assert part in flat, part
    for _user, _code, _when, title, _cat, _sev, suggestion, steps in IN_PERIOD:
        assert any(c.startswith(title) for c in cells), title
        assert suggestion in cells, suggestion
        for step in steps:
            if step[1] == "resolve":
                assert step[2]["solution"] in cells
    # every table repeats its header row on each page
    for table in doc.tables[1:]:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    # the closing heading, text and signature are kept on one page
    closing = paragraphs.index("VI. PENUTUP")
    nip = next(i for i, p in enumerate(paragraphs) if p.startswith("NIP."))
    kept = doc.paragraphs[closing:nip]
    assert kept and all(p.paragraph_format.keep_with_next for p in kept)


def test_the_number_follows_the_pattern_with_a_yearly_sequence_and_no_gap(users):
    camat = users["camat-tongas"]
    tongas = Region.objects.get(code="35.13.23")
    first = do_request_report(acting_user=camat, scope=None, region=tongas, start=START, end=END)
    with pytest.raises(RuntimeError), transaction.atomic():
        do_request_report(acting_user=camat, scope=None, region=tongas, start=START, end=END)
        raise RuntimeError("the request fails after taking a number")
    second = do_request_report(acting_user=camat, scope=None, region=tongas, start=START, end=END)
    assert second.number_year == first.number_year
    assert second.number_seq == first.number_seq + 1  # the failed one gave its number back
    assert re.fullmatch(rf"000\.1\.5/{second.number_seq:03d}/426\.102/\d{{4}}", second.number)
    data = content.build(content.spec_of(second))
    assert data["letter"]["number"] == second.number
    # a preview (the command line) leaves the sequence open
    assert numbering.preview_number("{seq:03d}/X/{year}", day=START, scope="kab") == "…/X/2024"


def edited(tmp_path, old: str, new: str):
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "instruksi.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "old,new,expected",
    [
        ('number: "000.1.5/{seq:03d}/426.102/{year}"', 'number: "000/{year}"', "{seq}"),
        ('number: "000.1.5/{seq:03d}/426.102/{year}"', 'number: "{seq}/{tahun}"', "tahun"),
        ('emblem: ""', "emblem: lambang.png", "lambang.png"),
    ],
)
def test_a_bad_letter_section_is_refused_with_its_line(tmp_path, old, new, expected):
    with pytest.raises(InputFileError) as info:
        apply_instruction(edited(tmp_path, old, new))
    assert any(
        re.match(r"instruksi\.yaml:\d+: letter\.", str(e)) and expected in str(e)
        for e in info.value.errors
    ), info.value.errors


def test_an_emblem_named_in_the_file_is_printed_in_the_kop(tmp_path):
    from PIL import Image

    path = edited(tmp_path, 'emblem: ""', "emblem: lambang.png")
    Image.new("RGB", (40, 48), (200, 30, 30)).save(tmp_path / "lambang.png")
    operation = apply_instruction(path).operation
    assert operation.letter["kop"]["emblem_data"].startswith("data:image/png;base64,")
    spec = content.Spec(
        operation=operation,
        scope=Scope.KABUPATEN,
        region=operation.region,
        cluster=None,
        start=START,
        end=START,
    )
    data = content.build(spec)
    first = PdfReader(io.BytesIO(render.render(data, "pdf"))).pages[0]
    assert list(first.images), "the emblem is an image on the first page"
    doc = Document(io.BytesIO(render.render(data, "docx")))
    assert doc.inline_shapes, "the emblem is a picture in the DOCX"


@pytest.mark.parametrize(
    "scope,code,username",
    [(Scope.KECAMATAN, "35.13.07", "camat-tiris"), (Scope.CLUSTER, "adum", "asisten-adum")],
)
def test_the_camat_and_asisten_sign_with_jabatan_nama_pangkat_and_nip(users, scope, code, username):
    """The signature block of a kecamatan and a cluster report: the signer's position, name,
    rank and NIP from their account (the demo's invented ones; set on the profile page)."""
    from pantau.instruction.models import Cluster

    cluster = Cluster.objects.get(code=code) if scope == Scope.CLUSTER else None
    region = cluster.operation.region if cluster else Region.objects.get(code=code)
    spec = content.Spec(
        operation=Operation.objects.get(code="pilkada-2024-probolinggo"),
        scope=scope,
        region=region,
        cluster=cluster,
        start=START,
        end=END,
    )
    signer = users[username]
    assert signer.rank and re.fullmatch(r"\d{8} \d{6} [12] \d{3}", signer.nip)
    sig = content.build(spec)["signature"]
    assert sig["title"] == signer.position.title and sig["name"] == signer.full_name
    assert (sig["rank"], sig["nip"]) == (signer.rank, signer.nip)
    text = " ".join(
        " ".join(
            p.extract_text()
            for p in PdfReader(io.BytesIO(render.render(content.build(spec), "pdf"))).pages
        ).split()
    )
    assert f"{signer.rank} NIP. {signer.nip}" in text and "NIP. ….." not in text


def test_the_letter_is_dated_as_asked_and_its_subject_names_the_period(users, login):
    """Dated the day it is issued unless the requester gives a date (not before the period's
    end, not in the future); the subject (hal) says what period the letter covers."""
    client = login("camat-tongas")
    page = client.post(
        "/laporan-berkala/",
        {
            "target": "kecamatan:35.13.23",
            "period_start": "2024-11-27",
            "period_end": "2024-11-28",
            "letter_date": "2024-11-29",
        },
    )
    assert page.status_code == 302
    from pantau.periodic.models import PeriodicReport

    report = PeriodicReport.objects.latest("pk")
    assert report.letter_date == dt.date(2024, 11, 29) and report.number.endswith("/2024")
    data = content.build(content.spec_of(report))
    assert data["signature"]["date"] == "29 November 2024"
    assert data["letter"]["hal"].endswith("Kecamatan Tongas, 27 November 2024 – 28 November 2024")
    for bad in ("2024-11-26", "2999-01-01"):
        refused = client.post(
            "/laporan-berkala/",
            {
                "target": "kecamatan:35.13.23",
                "period_start": "2024-11-27",
                "period_end": "2024-11-28",
                "letter_date": bad,
            },
        )
        assert refused.status_code == 400
        assert "antara akhir periode dan hari ini" in refused.content.decode()
