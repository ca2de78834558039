"""The instruction file's `reporting:` and `periodic_reports:` sections."""

import pytest
from django.utils import translation

from pantau.instruction.loader import SHIPPED, apply_instruction
from pantau.instruction.models import PeriodicSchedule, ReportingRule
from pantau.lib.errors import InputFileError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_the_shipped_file_has_the_schedule_of_the_campaign_and_the_voting_day():
    rules = {
        r.code: (r.role, r.stage.code if r.stage else None, r.times, r.grace_minutes,
                 r.remind_minutes_before)
        for r in ReportingRule.objects.filter(is_active=True)
    }  # fmt: skip
    assert rules == {
        "camat-harian-kampanye": ("camat", "kampanye", ["16:00"], 60, 60),
        "camat-hari-pemungutan": (
            "camat",
            "pemungutan",
            ["07:00", "10:00", "13:00", "16:00", "20:00"],
            30,
            30,
        ),
        "opd-harian-kampanye": ("opd", "kampanye", ["17:00"], 60, None),
        "opd-harian-masa-tenang": ("opd", "masa-tenang", ["17:00"], 60, None),
    }
    schedules = {
        s.code: (s.scope, s.time, s.formats)
        for s in PeriodicSchedule.objects.filter(is_active=True)
    }
    assert schedules == {
        "klaster-harian": ("cluster", "18:00", ["pdf", "docx", "xlsx"]),
        "kabupaten-harian": ("kabupaten", "20:00", ["pdf", "docx", "xlsx"]),
    }


def test_a_changed_schedule_updates_in_place_and_deactivates_what_disappeared(tmp_path):
    text = SHIPPED.read_text(encoding="utf-8")
    block = text[text.index("  - code: opd-harian-masa-tenang") : text.index("periodic_reports:")]
    text = text.replace(block, "\n").replace(
        'times: ["07:00", "10:00", "13:00", "16:00", "20:00"]', 'times: ["08:00", "20:00"]'
    )
    text = text.replace('    time: "18:00"', '    time: "19:00"')
    path = tmp_path / "instruksi.yaml"
    path.write_text(text, encoding="utf-8")
    pk = ReportingRule.objects.get(code="camat-hari-pemungutan").pk
    result = apply_instruction(path)
    rule = ReportingRule.objects.get(code="camat-hari-pemungutan")
    assert rule.pk == pk and rule.times == ["08:00", "20:00"]
    assert not ReportingRule.objects.get(code="opd-harian-masa-tenang").is_active
    assert PeriodicSchedule.objects.get(code="klaster-harian").time == "19:00"
    assert any("masa tenang" in name for name in result.deactivated)
    # and back: reactivated, nothing else changes on a second run
    apply_instruction(SHIPPED)
    assert ReportingRule.objects.get(code="opd-harian-masa-tenang").is_active
    assert not any(apply_instruction(SHIPPED).counts.values())


HEAD = (
    "operation:\n  code: x\n  name: y\n  region: '35.13'\n"
    "stages:\n  - {code: a, name: A, starts_on: 2024-11-27, ends_on: 2024-11-28}\n"
)
BAD = [
    (
        "reporting:\n  - code: r\n    name: R\n    role: camat\n    times: ['07:00', '25:00']\n",
        "instruksi.yaml:11: reporting[0].times: must be a time of day written as HH:MM",
    ),
    (
        "reporting:\n  - {code: r, name: R, role: camat, times: ['7.30']}\n",
        "instruksi.yaml:8: reporting[0].times: must be a time of day",
    ),
    (
        "reporting:\n  - {code: r, name: R, role: camat, times: ['07:00'], stage: b}\n",
        "instruksi.yaml:8: reporting[0].stage: no stage with code 'b'",
    ),
    (
        "reporting:\n  - {code: r, name: R, role: bupati, times: ['07:00']}\n",
        "instruksi.yaml:8: reporting[0].role: must be one of",
    ),
    (
        "reporting:\n  - {code: r, name: R, role: camat, times: ['07:00']}\n"
        "  - {code: r, name: S, role: opd, times: ['08:00']}\n",
        "instruksi.yaml:9: reporting[1].code: duplicate code 'r'",
    ),
    (
        "reporting:\n  - {code: r, name: R, role: camat, times: ['07:00', '07:00']}\n",
        "instruksi.yaml:8: reporting[0].times: a time is listed twice",
    ),
    (
        "periodic_reports:\n  - {code: p, name: P, scope: cluster, time: '18:60'}\n",
        "instruksi.yaml:8: periodic_reports[0].time: must be a time of day",
    ),
    (
        "periodic_reports:\n  - {code: p, name: P, scope: desa, time: '18:00'}\n",
        "instruksi.yaml:8: periodic_reports[0].scope: must be one of",
    ),
    (
        "periodic_reports:\n  - {code: p, name: P, scope: cluster, time: '18:00',"
        " formats: [odt]}\n",
        "instruksi.yaml:8: periodic_reports[0].formats[0]: must be one of",
    ),
]


@pytest.mark.parametrize("text,expected", BAD)
def test_a_bad_schedule_is_refused_naming_key_and_line(tmp_path, text, expected):
    path = tmp_path / "instruksi.yaml"
    path.write_text(HEAD + text)
    before = list(ReportingRule.objects.values_list("code", "times", "is_active"))
    with pytest.raises(InputFileError) as info:
        apply_instruction(path)
    assert any(str(e).startswith(expected) for e in info.value.errors), info.value.errors
    assert list(ReportingRule.objects.values_list("code", "times", "is_active")) == before


def test_an_unquoted_time_is_read_as_a_time(tmp_path):
    # YAML 1.1 reads 16:00 as the number 960 (base 60): the loader takes it back to "16:00".
    path = tmp_path / "instruksi.yaml"
    path.write_text(
        HEAD + "reporting:\n  - {code: r, name: R, role: camat, stage: a, times: [16:00, 07:30]}\n"
    )
    apply_instruction(path)
    assert ReportingRule.objects.get(code="r").times == ["07:30", "16:00"]
