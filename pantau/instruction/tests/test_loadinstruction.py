from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation

from pantau.instruction.loader import SHIPPED, apply_instruction
from pantau.instruction.models import (
    Agency,
    Assignment,
    Checklist,
    Cluster,
    Operation,
    Position,
    Stage,
)
from pantau.lib.errors import InputFileError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English here; the command tests check the Indonesian."""
    with translation.override("en"):
        yield


SEED = Path(__file__).resolve().parents[3].parent / "shared" / "seed"
# The three clusters exactly as the instruction lists them.
CLUSTERS = {
    "Asisten Pemerintahan dan Kesejahteraan Rakyat": (
        "Tongas Wonomerto Sumberasih Sukapura Sumber Lumbang Kuripan Bantaran"
    ),
    "Asisten Administrasi Umum": (
        "Leces Tegalsiwalan Dringu Tiris Krucil Banyuanyar Maron Gending"
    ),
    "Asisten Perekonomian dan Pembangunan": (
        "Pajarakan Gading Pakuniran Krejengan Kraksaan Besuk Kotaanyar Paiton"
    ),
}


def state():
    """Everything an instruction file sets, as comparable values."""
    return (
        list(Operation.objects.values_list("code", "name", "signed_on", "region__code")),
        list(Stage.objects.values_list("code", "starts_on", "ends_on", "is_active")),
        list(Position.objects.values_list("code", "role", "region__code", "is_active")),
        sorted(
            (c.code, tuple(k.code for k in c.kecamatan.order_by("code")))
            for c in Cluster.objects.all()
        ),
        sorted(Assignment.objects.values_list("kecamatan__code", "agency__code")),
        list(
            get_user_model()
            .objects.order_by("username")
            .values_list("username", "role", "position__code")
        ),
    )


def edited(tmp_path, old: str, new: str) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "instruksi.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_shipped_instruction_has_the_three_clusters_of_the_seed():
    operation = Operation.objects.get(code="pilkada-2024-probolinggo")
    assert str(operation.signed_on) == "2024-11-20"
    assert operation.region.code == "35.13"
    clusters = {
        c.coordinator.title: " ".join(k.name for k in c.kecamatan.all().order_by())
        for c in operation.clusters.all()
    }
    got = {title: set(names.split()) for title, names in clusters.items()}
    assert got == {title: set(names.split()) for title, names in CLUSTERS.items()}
    if SEED.exists():  # and the seed really says so
        seed = (SEED / "instruksi-bupati-probolinggo-2024.txt").read_text()
        for names in CLUSTERS.values():
            for name in names.split():
                assert name in seed


def test_every_kecamatan_has_its_camat_and_assigned_opd_and_the_file_says_it_is_invented():
    assert Position.objects.filter(role="camat", is_active=True).count() == 24
    tongas = Position.objects.get(code="camat-tongas")
    assert tongas.region.name == "Tongas"
    assert tongas.holders.get().username == "camat-tongas"
    assert Assignment.objects.values("kecamatan").distinct().count() == 24
    assert Agency.objects.get(code="bawaslu").kind == "external"
    assert {"kpu", "bawaslu", "polres", "kodim", "satpolpp", "bpbd"} <= set(
        Agency.objects.values_list("code", flat=True)
    )
    assert "INVENTED" in SHIPPED.read_text()


def test_applying_the_same_file_twice_changes_nothing():
    before = state()
    result = apply_instruction(SHIPPED)
    assert not any(result.counts.values()), result.counts
    assert state() == before


def test_a_changed_file_updates_in_place_and_keeps_what_others_refer_to(tmp_path):
    stage_pk = Stage.objects.get(code="rekapitulasi").pk
    path = edited(
        tmp_path,
        """  - code: rekapitulasi
    name: Rekapitulasi hasil penghitungan suara
    starts_on: 2024-11-29
    ends_on: 2024-12-16
""",
        "",
    )
    # its checklist goes with it (the last block of the file)
    path.write_text(path.read_text().split("  - code: rekapitulasi-ppk")[0])
    tongas = "    camat: {username: camat-tongas, name: %s}\n    opd: [%s]"
    path.write_text(
        path.read_text().replace(
            tongas % ("Camat Tongas", "bakesbangpol, dispendukcapil"),
            tongas % ("Budi Santoso", "dinkes"),
        )
    )
    apply_instruction(path)
    stage = Stage.objects.get(code="rekapitulasi")
    assert stage.pk == stage_pk and not stage.is_active  # kept for the reports that use it
    assert not Checklist.objects.get(code="rekapitulasi-ppk").is_active
    assert get_user_model().objects.get(username="camat-tongas").full_name == "Budi Santoso"
    assert list(
        Assignment.objects.filter(kecamatan__name="Tongas").values_list("agency__code", flat=True)
    ) == ["dinkes"]


BAD = [
    (
        "operation:\n  code: x\n  name: y\n  region: '35.13'\n  colour: red\n",
        "instruksi.yaml:5: operation.colour: unknown key",
    ),
    ("operation:\n  code: x\n  region: '35.13'\n", "instruksi.yaml:1: operation.name: required"),
    (
        "operation:\n  code: x\n  name: y\n  region: '35.13'\nstages:\n  - code: a\n    name: A\n"
        "    starts_on: 27-11-2024\n    ends_on: 2024-11-28\n",
        "instruksi.yaml:8: stages[0].starts_on: must be a date",
    ),
    (
        "operation:\n  code: x\n  name: y\n  region: '35.13'\npositions:\n"
        "  - {code: p, title: P, role: camat}\n",
        "instruksi.yaml:6: positions[0].role: must be one of",
    ),
    (
        "operation:\n  code: x\n  name: y\n  region: '35.13'\npositions:\n"
        "  - {code: a, title: A, role: coordinator}\nclusters:\n"
        "  - code: c1\n    name: C1\n    coordinator: a\n    kecamatan: [Tongas, Atlantis]\n",
        "instruksi.yaml:11: clusters[0].kecamatan[1]: no kecamatan 'Atlantis'",
    ),
    (
        "operation:\n  code: x\n  name: y\n  region: '35.13'\npositions:\n"
        "  - {code: a, title: A, role: coordinator}\nclusters:\n"
        "  - {code: c1, name: C1, coordinator: a, kecamatan: [Tongas]}\n"
        "  - {code: c2, name: C2, coordinator: a, kecamatan: [tongas]}\n",
        "instruksi.yaml:9: clusters[1].kecamatan[0]: kecamatan Tongas is already in cluster c1",
    ),
    (
        "operation:\n  code: x\n  name: y\n  region: '35.13'\nclusters:\n"
        "  - {code: c1, name: C1, coordinator: nobody, kecamatan: [Tongas]}\n",
        "instruksi.yaml:6: clusters[0].coordinator",
    ),
    (
        "operation:\n  code: x\n  name: y\n  region: '99.99'\n",
        "instruksi.yaml:4: operation.region: region 99.99 is not loaded",
    ),
    ("operation:\n  code: x\n  name: [unclosed\n", "instruksi.yaml:4:"),
]


@pytest.mark.parametrize("text,expected", BAD)
def test_a_bad_file_is_refused_naming_key_and_line_and_changes_nothing(tmp_path, text, expected):
    path = tmp_path / "instruksi.yaml"
    path.write_text(text)
    before = state()
    with pytest.raises(InputFileError) as info:
        apply_instruction(path)
    assert any(str(e).startswith(expected) for e in info.value.errors), info.value.errors
    assert state() == before


def test_the_command_checks_applies_and_fails_with_a_clear_message(tmp_path, capsys):
    call_command("loadinstruction", str(SHIPPED), "--check")
    assert "instruksi-probolinggo-2024.yaml" in capsys.readouterr().out
    path = tmp_path / "instruksi.yaml"
    path.write_text(BAD[0][0])
    with pytest.raises(CommandError) as info:
        call_command("loadinstruction", str(path))
    assert "instruksi.yaml:5" in str(info.value)
    assert "tidak ada yang diubah" in str(info.value).lower()
