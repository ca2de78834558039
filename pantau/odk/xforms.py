"""The blank forms ODK Collect downloads, generated with pyxform from the instruction's data.

Each user gets one form per active checklist of the active operations whose territory holds
some of their regions: `pantau-<checklist code>`, and when an operation loaded before took that
id (a Pilkades beside the Pilkada), `pantau-<operation code>-<checklist code>`, titled with the
operation's name (a single operation's ids are unchanged). Ids are given over every operation
whatever its status, so closing or opening one changes no other's ids; a submission of a
closed operation's form is refused as such (`form_operation`);
and the problem form (`pantau-masalah`), with the kecamatan and villages they may report on as
the region's choices. A form's version is a hash of its whole definition (questions, choices,
labels, the user's regions), so that any change gives a new version and ODK Collect offers the
update; users with the same regions share the same forms (and their cached XML).

The instance ODK Collect sends back is `<data id="FORM ID" version="..."> start, region, tps,
situation, <checklist> the questions by code </checklist>, narrative, photo1..photo3, location,
<meta><instanceID>uuid:...</instanceID></meta></data>` (problem form: title, category, severity,
description, suggestion instead of situation and checklist); see instances.py.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property

from django.core.cache import cache
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pyxform.xls2xform import convert

from pantau.accounts.access import territory_key
from pantau.instruction.models import (
    Assignment,
    Category,
    Checklist,
    Cluster,
    Operation,
    Position,
    Stage,
)
from pantau.instruction.operations import holds
from pantau.lib.kept import Kept
from pantau.monitoring.models import Situation
from pantau.monitoring.selectors import report_regions
from pantau.problems.models import Severity
from pantau.regions.models import Region

FORM_ID_PREFIX = "pantau-"
PROBLEM_FORM_ID = "pantau-masalah"
ROOT = "data"  # the instance's root element
CHECKLIST_GROUP = "checklist"
PHOTO_FIELDS = ("photo1", "photo2", "photo3")
PHOTO_MAX_PIXELS = 1600  # Collect scales photos down before sending (Pantau keeps 1600 px)
AUTOCOMPLETE_FROM = 15  # regions: a searchable list from this many choices
YES, NO = "ya", "tidak"
XML_CACHE_SECONDS = 24 * 3600

REPORT = "report"
PROBLEM = "problem"


@dataclass(eq=False)
class OdkForm:
    """One blank form for one user: its id, title, kind and XLSForm definition."""

    form_id: str
    title: str
    kind: str  # REPORT or PROBLEM
    definition: dict  # an XLSForm workbook as pyxform reads it: survey, choices, settings
    digest: str  # sha256 of the definition
    checklist: Checklist | None = None
    # question code -> {choice name in the form: the checklist's choice text}
    choice_texts: dict[str, dict[str, str]] = field(default_factory=dict)
    # the regions the user may report on (boundaries deferred): a submission's region is one
    regions: list[Region] = field(default_factory=list)

    @property
    def version(self) -> str:
        return self.definition["settings"][0]["version"]

    @cached_property
    def xml(self) -> str:
        """The XForm; generated once per definition and kept in the cache."""
        key = f"odk:xform:{self.digest}"
        xml = cache.get(key)
        if xml is None:
            xml = convert(self.definition, warnings=[], validate=False, form_name=ROOT).xform
            cache.set(key, xml, XML_CACHE_SECONDS)
        return xml

    @property
    def hash(self) -> str:
        """The form list's hash: what ODK Collect compares to see a form has changed."""
        return "md5:" + hashlib.md5(self.xml.encode("utf-8"), usedforsecurity=False).hexdigest()


def _report_form_ids():
    """(checklist, form id, title) of every checklist of every operation, whatever its status,
    in the order the operations were loaded: a form id keeps its meaning when another
    operation opens or closes (the Pilkada's `pantau-pemungutan` stays the Pilkada's after it
    is closed, and a late submission of it is refused as the closed operation's, not taken
    as the Pilkades' form)."""
    taken = {PROBLEM_FORM_ID}
    checklists = (
        Checklist.objects.filter(is_active=True, stage__is_active=True)
        .select_related("operation__region", "stage")
        .defer("operation__region__geometry")
        .order_by("operation_id", "stage__order", "stage__starts_on", "order", "code")
    )
    for checklist in checklists:
        form_id, title = FORM_ID_PREFIX + checklist.code, checklist.name
        if form_id in taken:  # the same code in another operation: it says whose
            form_id = f"{FORM_ID_PREFIX}{checklist.operation.code}-{checklist.code}"
            title = f"{checklist.name} · {checklist.operation.name}"
        taken.add(form_id)
        yield checklist, form_id, title


def forms_for(user, only: str | None = None) -> list[OdkForm]:
    """The blank forms `user` may fill: nothing for someone who may not report anywhere.
    `only`: just the form of that id (a submission's), the others' definitions not built."""
    regions = list(report_regions(user).defer("geometry"))
    if not regions:
        return []
    forms: list[OdkForm] = []
    for checklist, form_id, title in _report_form_ids():
        if checklist.operation.status != Operation.Status.ACTIVE:
            continue
        inside = [r for r in regions if holds(checklist.operation, r)]
        if not inside:
            continue
        if only is None or form_id == only:
            forms.append(_report_form(form_id, checklist, inside, title=title))
            forms[-1].regions = regions
    if only is not None and only != PROBLEM_FORM_ID:
        return forms
    categories = list(Category.objects.filter(is_active=True))
    if categories:
        forms.append(_problem_form(regions, categories))
        forms[-1].regions = regions
    return forms


# The form a submission names, kept per process (pantau.lib.kept): every submission asks for
# it, and building it reads the user's regions and the checklists. Forgotten at once here when
# the instruction, the regions or who works where change; within the TTL in other processes.
_kept_forms = Kept(
    "odk-forms",
    models=(Operation, Stage, Checklist, Category, Region, Position, Cluster, Assignment),
    m2m=("accounts.User_regions",),
)


def find_form(user, form_id: str) -> OdkForm | None:
    """The form `form_id` of `user`'s forms, or None. The answer is shared by the threads of
    the process: read-only."""

    def build():
        return next((f for f in forms_for(user, only=form_id) if f.form_id == form_id), None)

    key = territory_key(user)
    if key is None:
        return build()
    return _kept_forms.get((*key, form_id, get_language()), build)


def form_operation(user, form_id: str) -> Operation | None:
    """The operation whose report form `form_id` is, when it is one of `user`'s regions'
    but no longer (closed) or not yet (draft) offered: a late submission is refused with
    what happened to its operation rather than as an unknown form."""
    regions = list(report_regions(user).defer("geometry"))
    for checklist, found, _title in _report_form_ids():
        if found == form_id:
            operation = checklist.operation
            if any(holds(operation, r) for r in regions):
                return operation
            return None
    return None


def choice_name(text: str) -> str:
    """A choice value safe in an XForm (no spaces): 'ada gangguan kecil' -> 'ada_gangguan_kecil'."""
    return slugify(re.sub(r"[\W_]+", " ", text)).replace("-", "_") or "pilihan"


def choice_names(choices: list[str]) -> dict[str, str]:
    """{safe name: original text} for a checklist question's choices, the names unique."""
    names: dict[str, str] = {}
    for text in choices:
        name, n = choice_name(text), 1
        while name in names:
            n += 1
            name = f"{choice_name(text)}_{n}"
        names[name] = text
    return names


def _report_form(
    form_id: str, checklist: Checklist, regions: list[Region], *, title: str
) -> OdkForm:
    survey = [
        {"type": "start", "name": "start"},
        *_place_rows(regions),
        {
            "type": "select_one situasi",
            "name": "situation",
            "label": _("Situation"),
            "required": "yes",
        },
    ]
    choices = [*_region_choices(regions), *_choices("situasi", Situation.choices)]
    choice_texts: dict[str, dict[str, str]] = {}
    questions = checklist.questions or []
    if questions:
        survey.append({"type": "begin group", "name": CHECKLIST_GROUP, "label": checklist.name})
        has_yes_no = False
        for q in questions:
            row = {"name": q["code"], "label": q["text"]}
            if q.get("required"):
                row["required"] = "yes"
            match q["type"]:
                case "yes_no":
                    row["type"] = "select_one ya_tidak"
                    has_yes_no = True
                case "choice":
                    names = choice_names(q.get("choices") or [])
                    choice_texts[q["code"]] = names
                    row["type"] = f"select_one q_{q['code']}"
                    choices += [
                        {"list_name": f"q_{q['code']}", "name": name, "label": text}
                        for name, text in names.items()
                    ]
                case "number":
                    row.update(type="decimal", constraint=". >= 0")
                case _:
                    row["type"] = "text"
            survey.append(row)
        survey.append({"type": "end group", "name": CHECKLIST_GROUP})
        if has_yes_no:
            choices += _choices("ya_tidak", [(YES, _("Yes")), (NO, _("No"))])
    survey += [
        {
            "type": "text",
            "name": "narrative",
            "label": _("What did you see? (narrative)"),
            "appearance": "multiline",
        },
        *_photo_rows(),
        {"type": "geopoint", "name": "location", "label": _("Location")},
    ]
    return _form(
        form_id,
        title,
        REPORT,
        survey,
        choices,
        checklist=checklist,
        choice_texts=choice_texts,
    )


def _problem_form(regions: list[Region], categories: list[Category]) -> OdkForm:
    survey = [
        {"type": "start", "name": "start"},
        *_place_rows(regions),
        {"type": "text", "name": "title", "label": _("Problem (short title)"), "required": "yes"},
        {
            "type": "select_one kategori",
            "name": "category",
            "label": _("Category"),
            "required": "yes",
        },
        {
            "type": "select_one keparahan",
            "name": "severity",
            "label": _("Severity"),
            "required": "yes",
        },
        {
            "type": "text",
            "name": "description",
            "label": _("Description"),
            "appearance": "multiline",
        },
        {
            "type": "text",
            "name": "suggestion",
            "label": _("Suggestion (saran)"),
            "appearance": "multiline",
        },
        *_photo_rows(),
        {"type": "geopoint", "name": "location", "label": _("Location")},
    ]
    choices = [
        *_region_choices(regions),
        *_choices("kategori", [(c.code, c.name) for c in categories]),
        *_choices("keparahan", Severity.choices),
    ]
    return _form(PROBLEM_FORM_ID, _("Problem report"), PROBLEM, survey, choices)


def _place_rows(regions: list[Region]) -> list[dict]:
    region = {
        "type": "select_one wilayah",
        "name": "region",
        "label": _("Region (kecamatan or village)"),
        "required": "yes",
    }
    if len(regions) >= AUTOCOMPLETE_FROM:
        region["appearance"] = "autocomplete"
    return [
        region,
        {
            "type": "integer",
            "name": "tps",
            "label": _("TPS number (if about one TPS)"),
            "constraint": ". >= 1 and . <= 999",
            "constraint_message": _("a number from 1 to 999"),
        },
    ]


def _region_choices(regions: list[Region]) -> list[dict]:
    return [{"list_name": "wilayah", "name": r.code, "label": r.title} for r in regions]


def _choices(list_name: str, pairs) -> list[dict]:
    return [{"list_name": list_name, "name": str(v), "label": str(label)} for v, label in pairs]


def _photo_rows() -> list[dict]:
    rows = []
    for i, name in enumerate(PHOTO_FIELDS):
        row = {
            "type": "image",
            "name": name,
            "label": _("Photo %(n)d") % {"n": i + 1},
            "parameters": f"max-pixels={PHOTO_MAX_PIXELS}",
        }
        if i:  # the next photo is asked once the previous one is taken
            row["relevant"] = f"${{{PHOTO_FIELDS[i - 1]}}} != ''"
        rows.append(row)
    return rows


def _form(form_id, title, kind, survey, choices, **extra) -> OdkForm:
    definition = {
        "survey": survey,
        "choices": choices,
        "settings": [{"form_id": form_id, "form_title": title}],
    }
    content = hashlib.sha256(
        json.dumps(definition, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()
    definition["settings"][0]["version"] = content[:12]
    return OdkForm(
        form_id=form_id,
        title=title,
        kind=kind,
        definition=definition,
        digest=content,
        **extra,
    )
