"""Validate an instruction file and apply it: `pantau loadinstruction FILE`.

Applying is an upsert keyed by codes, in one transaction: a changed file updates the operation
in place. What disappeared from the file is deactivated (stages, positions, agencies) or
removed (cluster membership, OPD assignments), never deleted when something refers to it, so
reports and problems keep their stage and their history.

`STEPS` is the order of applying: mostly `Table`s (one section of the file into one model:
upsert by code, then retire what is gone), and a few functions for what is not a table (the
OPD annex, the deadlines, the people). A new section is one more entry there.
"""

import base64
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import ValidationError

from pantau.audit import log as audit
from pantau.instruction import routing
from pantau.instruction.models import (
    Agency,
    Assignment,
    Category,
    Checklist,
    Cluster,
    Election,
    Operation,
    PeriodicSchedule,
    Position,
    ReportingRule,
    Role,
    Stage,
)
from pantau.instruction.schema import InstructionFile, slug
from pantau.lib import yamlfile
from pantau.lib.errors import InputFileError, SourceError
from pantau.regions.models import Level, Region

EMBLEM_MAX_BYTES = 1 << 20
SHIPPED = Path(__file__).resolve().parent / "data" / "instruksi-probolinggo-2024.yaml"
# an invented second election beside it (docs/next-election.md)
PILKADES = SHIPPED.parent / "pilkades-probolinggo-2025.yaml"


@dataclass
class ApplyResult:
    operation: Operation
    counts: dict[str, int] = field(default_factory=dict)
    deactivated: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _pydantic_message(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    messages = {
        "missing": _("required key is missing"),
        "extra_forbidden": _("unknown key (check its spelling and indentation)"),
        "string_type": _("must be text"),
        "list_type": _("must be a list"),
        "model_type": _("must be a mapping of keys and values"),
        "model_attributes_type": _("must be a mapping of keys and values"),
        "dict_type": _("must be a mapping of keys and values"),
        "date_type": _("must be a date written as YYYY-MM-DD"),
        "date_parsing": _("must be a date written as YYYY-MM-DD"),
        "date_from_datetime_parsing": _("must be a date written as YYYY-MM-DD"),
        "date_from_datetime_inexact": _("must be a date written as YYYY-MM-DD"),
        "string_pattern_mismatch": _(
            "may contain only lower-case letters, digits and hyphens (usernames: also . _ @ +)"
        ),
        "string_too_short": _("must not be empty"),
        "too_short": _("must not be empty"),
        "string_too_long": _("is too long"),
    }
    if kind == "literal_error":
        return _("must be one of: %(choices)s") % {"choices": err["ctx"]["expected"]}
    if kind == "value_error":
        return str(err["ctx"]["error"])
    return messages.get(kind, err["msg"])


def _key(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


class _Checker:
    def __init__(self, source: str, located: yamlfile.LocatedYaml):
        self.source = source
        self.located = located
        self.directory: Path | None = None
        self.errors: list[SourceError] = []

    def error(self, path: tuple, message: str) -> None:
        self.errors.append(
            SourceError(self.source, self.located.line_of(path), f"{_key(path)}: {message}")
        )


def parse_instruction(path: Path | str) -> tuple[InstructionFile, _Checker]:
    path = Path(path)
    source = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(
            _("Cannot read the instruction file"), [SourceError(str(path), None, str(exc))]
        ) from exc
    try:
        located = yamlfile.parse(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise InputFileError(
            _("The instruction file is not valid YAML; nothing was applied."),
            [SourceError(source, line, str(getattr(exc, "problem", None) or exc))],
        ) from exc
    checker = _Checker(source, located)
    checker.directory = path.parent
    if not isinstance(located.data, dict):
        checker.error((), _("the file must be a mapping with at least the key 'operation'"))
        raise _invalid(checker)
    try:
        doc = InstructionFile.model_validate(located.data)
    except ValidationError as exc:
        for err in exc.errors():
            checker.error(tuple(err["loc"]), _pydantic_message(err))
        raise _invalid(checker) from exc
    return doc, checker


def _invalid(checker: _Checker) -> InputFileError:
    return InputFileError(
        _(
            "Instruction not applied: %(n)d problem(s) found, nothing was changed. "
            "Fix the file and run the command again."
        )
        % {"n": len(checker.errors)},
        checker.errors,
    )


def _duplicates(checker: _Checker, path: tuple, items, attr: str = "code") -> None:
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        value = getattr(item, attr)
        if value in seen:
            checker.error(
                (*path, index, attr),
                _("duplicate %(attr)s %(value)r (also at %(key)s)")
                % {"attr": attr, "value": value, "key": _key((*path, seen[value]))},
            )
        else:
            seen[value] = index


class _Resolver:
    """Checks every reference in the document against itself and the stored regions."""

    def __init__(self, doc: InstructionFile, checker: _Checker):
        self.doc, self.checker = doc, checker
        self.region: Region | None = None
        self.kecamatan: dict[str, Region] = {}
        self.by_name: dict[str, Region] = {}
        self.territory: list[str] = []  # region codes; empty: the whole region
        self.emblem = ""

    def check(self) -> None:
        doc, chk = self.doc, self.checker
        for key in (
            "elections",
            "stages",
            "agencies",
            "positions",
            "clusters",
            "categories",
            "checklists",
            "reporting",
            "periodic_reports",
        ):
            _duplicates(chk, (key,), getattr(doc, key))
        _duplicates(chk, ("people",), doc.people, "username")

        self.region = Region.objects.filter(code=doc.operation.region).first()
        if self.region is None:
            chk.error(
                ("operation", "region"),
                _("region %(code)s is not loaded; run `pantau loadregions DIR` first")
                % {"code": doc.operation.region},
            )
            return
        for found in Region.objects.filter(
            level=Level.KECAMATAN, code__startswith=self.region.code + "."
        ):
            self.kecamatan[found.code] = found
            self.by_name[slug(found.name)] = found
        self._check_territory(doc.operation.territory)

        agencies = {a.code: a for a in doc.agencies}
        positions = {p.code: p for p in doc.positions}
        for i, pos in enumerate(doc.positions):
            if pos.agency and pos.agency not in agencies:
                chk.error(("positions", i, "agency"), self._unknown("agency", pos.agency))
            if pos.role in ("opd", "agency") and not pos.agency:
                chk.error(
                    ("positions", i),
                    _("a position with role %(role)s needs an agency") % {"role": pos.role},
                )
        clustered: dict[str, str] = {}
        for i, cluster in enumerate(doc.clusters):
            coord = positions.get(cluster.coordinator)
            if coord is None or coord.role != "coordinator":
                chk.error(
                    ("clusters", i, "coordinator"),
                    _("%(code)r is not a position with role coordinator")
                    % {"code": cluster.coordinator},
                )
            for j, ref in enumerate(cluster.kecamatan):
                kec = self.find_kecamatan(("clusters", i, "kecamatan", j), ref)
                if kec and kec.code in clustered:
                    chk.error(
                        ("clusters", i, "kecamatan", j),
                        _("kecamatan %(name)s is already in cluster %(other)s")
                        % {"name": kec.name, "other": clustered[kec.code]},
                    )
                elif kec:
                    clustered[kec.code] = cluster.code
        seen_kec: set[str] = set()
        for i, entry in enumerate(doc.kecamatan):
            kec = self.find_kecamatan(("kecamatan", i, "kecamatan"), entry.kecamatan)
            if kec and kec.code in seen_kec:
                chk.error(
                    ("kecamatan", i, "kecamatan"),
                    _("kecamatan %(name)s is listed twice") % {"name": kec.name},
                )
            elif kec:
                seen_kec.add(kec.code)
            for j, code in enumerate(entry.opd):
                agency = agencies.get(code)
                if agency is None or agency.kind != "opd":
                    chk.error(
                        ("kecamatan", i, "opd", j),
                        _("%(code)r is not an agency of kind opd") % {"code": code},
                    )
        stages = {st.code for st in doc.stages}
        for i, checklist in enumerate(doc.checklists):
            if checklist.stage not in stages:
                chk.error(("checklists", i, "stage"), self._unknown("stage", checklist.stage))
            _duplicates(chk, ("checklists", i, "questions"), checklist.questions)
        for key in ("reporting", "periodic_reports"):
            for i, item in enumerate(getattr(doc, key)):
                if item.stage is not None and item.stage not in stages:
                    chk.error((key, i, "stage"), self._unknown("stage", item.stage))
        for i, person in enumerate(doc.people):
            if person.position and person.position not in positions:
                chk.error(("people", i, "position"), self._unknown("position", person.position))
            if person.agency and person.agency not in agencies:
                chk.error(("people", i, "agency"), self._unknown("agency", person.agency))
            if person.role == "agency" and not person.agency:
                chk.error(("people", i), _("an account with role agency needs an agency"))
            for j, code in enumerate(person.regions):
                if (
                    not (code == self.region.code or code.startswith(self.region.code + "."))
                    or not Region.objects.filter(code=code).exists()
                ):
                    chk.error(
                        ("people", i, "regions", j),
                        _("region %(code)s is not a loaded region of %(op)s")
                        % {"code": code, "op": self.region.name},
                    )

        self._check_phones()
        routing.check(doc.routing, chk.error)
        self.emblem = self._emblem(doc.letter.kop.emblem)

    def _emblem(self, name: str) -> str:
        """The letterhead's emblem as a data: URI (PNG or JPEG beside the file), or ''."""
        if not name:
            return ""
        path = ("letter", "kop", "emblem")
        file = (self.checker.directory or Path(".")) / name
        kinds = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
        try:
            data = file.read_bytes()
        except OSError:
            message = _("no image file %(name)s beside the instruction file")
            self.checker.error(path, message % {"name": name})
            return ""
        kind = next((k for magic, k in kinds.items() if data.startswith(magic)), None)
        if kind is None:
            self.checker.error(path, _("the emblem must be a PNG or JPEG image"))
            return ""
        if len(data) > EMBLEM_MAX_BYTES:
            self.checker.error(path, _("the emblem is larger than 1 MB"))
            return ""
        return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"

    def _check_phones(self) -> None:
        """A phone number names one person (it says who writes by WhatsApp, Telegram or SMS):
        two people of the file with one number, or a number of an account the file does not
        give it to, are refused here, naming both, rather than failing in the database."""
        people = [
            (("kecamatan", i, "camat", "phone"), entry.camat)
            for i, entry in enumerate(self.doc.kecamatan)
            if entry.camat
        ] + [(("people", i, "phone"), person) for i, person in enumerate(self.doc.people)]
        first: dict[str, tuple[tuple, str]] = {}
        in_file = {person.username: person.phone for _path, person in people}
        for path, person in people:
            if not person.phone:
                continue
            if person.phone in first and first[person.phone][1] != person.username:
                other_path, other = first[person.phone]
                self.checker.error(
                    path,
                    _("%(user)s has the phone number %(phone)s of %(other)s (at %(key)s)")
                    % {
                        "user": person.username,
                        "phone": person.phone,
                        "other": other,
                        "key": _key(other_path),
                    },
                )
                continue
            first.setdefault(person.phone, (path, person.username))
        holders = (
            get_user_model()
            .objects.filter(phone__in=list(first))
            .exclude(username__in=[username for _path, username in first.values()])
        )
        for holder in holders.only("username", "phone"):
            given = in_file.get(holder.username)
            if given and given != holder.phone:
                continue  # the file gives that account another number
            path, username = first[holder.phone]
            self.checker.error(
                path,
                _("%(user)s has the phone number %(phone)s of the account %(other)s")
                % {"user": username, "phone": holder.phone, "other": holder.username},
            )

    def kecamatan_of(self, code: str) -> str:
        """The kecamatan code of a territory entry (a kecamatan's or a village's code)."""
        return next(k for k in self.kecamatan if code == k or code.startswith(k + "."))

    def _check_territory(self, entries) -> None:
        """The operation's `territory`: region codes, a kecamatan's own or its villages'."""
        for i, entry in enumerate(entries):
            path = ("operation", "territory", i)
            kec = self.find_kecamatan((*path, "kecamatan"), entry.kecamatan)
            if kec is None:
                continue
            if not entry.villages:
                self.territory.append(kec.code)
                continue
            villages = Region.objects.filter(parent=kec, level=Level.DESA).only("code", "name")
            by_ref = {v.code: v for v in villages} | {slug(v.name): v for v in villages}
            for j, ref in enumerate(entry.villages):
                village = by_ref.get(ref) or by_ref.get(slug(ref))
                if village is None:
                    self.checker.error(
                        (*path, "villages", j),
                        _("no village %(ref)r in kecamatan %(name)s")
                        % {"ref": ref, "name": kec.name},
                    )
                else:
                    self.territory.append(village.code)

    def _unknown(self, what: str, code: str) -> str:
        return _("no %(what)s with code %(code)r in this file") % {"what": what, "code": code}

    def find_kecamatan(self, path: tuple, ref: str) -> Region | None:
        kec = self.kecamatan.get(ref) or self.by_name.get(slug(ref))
        if kec is None:
            self.checker.error(
                path,
                _("no kecamatan %(ref)r in region %(region)s")
                % {"ref": ref, "region": self.region.code if self.region else ""},
            )
        return kec


def validate_instruction(path: Path | str) -> tuple[InstructionFile, _Resolver]:
    doc, checker = parse_instruction(path)
    resolver = _Resolver(doc, checker)
    resolver.check()
    if checker.errors:
        raise _invalid(checker)
    return doc, resolver


def _upsert(model, lookup: dict, values: dict, counts: dict, label: str):
    obj, created = model.objects.get_or_create(**lookup, defaults=values)
    if created:
        counts[label] = counts.get(label, 0) + 1
        return obj
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.save(update_fields=changed)
        counts[label] = counts.get(label, 0) + 1
    return obj


@dataclass
class Applying:
    """What one apply knows while it runs: the checked file, the operation and, per table,
    the objects stored so far by code (`stored["stages"]["pemungutan"]`)."""

    doc: InstructionFile
    resolver: _Resolver
    operation: Operation
    result: ApplyResult
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return self.result.counts

    def count(self, label: str, n: int = 1) -> None:
        self.counts[label] = self.counts.get(label, 0) + n

    def kecamatan(self, ref: str) -> Region:
        region = self.resolver.find_kecamatan((), ref)
        assert region is not None  # validated before applying
        return region


class Retire(Enum):
    """What becomes of a stored row whose code left the file."""

    KEEP = "keep"  # shared beyond the operation (agencies): left as it is
    DEACTIVATE = "deactivate"  # referred to by reports and problems: kept, inactive
    DELETE = "delete"  # nothing refers to it: removed


@dataclass(frozen=True)
class Row:
    code: str
    values: dict[str, Any]
    entry: Any = None  # the file's entry, for a table's `after`


@dataclass(frozen=True)
class Table:
    """One section of the file synced into one model, keyed by code: every row is upserted (in
    the operation when `per_operation`), then the stored rows whose code is gone are retired.
    `after(applying, obj, row)` completes a stored row (its many-to-many links)."""

    label: str
    model: Any  # a model class with `objects`
    rows: Callable[[Applying], Iterable[Row]]
    retire: Retire
    per_operation: bool = True
    after: Callable[[Applying, Any, Row], None] | None = None
    retire_when: Callable[[Applying], bool] = lambda applying: True

    def __call__(self, applying: Applying) -> None:
        objects = applying.stored.setdefault(self.label, {})
        for row in self.rows(applying):
            lookup: dict[str, Any] = {"code": row.code}
            if self.per_operation:
                lookup["operation"] = applying.operation
            obj = _upsert(self.model, lookup, row.values, applying.counts, self.label)
            objects[row.code] = obj
            if self.after is not None:
                self.after(applying, obj, row)
        if self.retire is Retire.KEEP or not self.retire_when(applying):
            return
        stored = self.model.objects.all()
        if self.per_operation:
            stored = stored.filter(operation=applying.operation)
        gone = stored.exclude(code__in=list(objects))
        if self.retire is Retire.DEACTIVATE:
            applying.result.deactivated += _deactivate(gone)
        else:
            gone.delete()


def _ordered(entries, values: Callable[[Any, int], dict]) -> list[Row]:
    return [Row(e.code, values(e, order), e) for order, e in enumerate(entries)]


def _election_rows(a: Applying) -> list[Row]:
    return _ordered(
        a.doc.elections,
        lambda e, _order: {"name": e.name, "kind": e.kind, "voting_day": e.voting_day},
    )


def _stage_rows(a: Applying) -> list[Row]:
    return _ordered(
        a.doc.stages,
        lambda s, order: {
            "name": s.name,
            "starts_on": s.starts_on,
            "ends_on": s.ends_on,
            "order": order,
            "is_active": True,
        },
    )


def _agency_rows(a: Applying) -> list[Row]:
    return _ordered(
        a.doc.agencies,
        lambda g, _order: {
            "name": g.name,
            "short_name": g.short_name,
            "kind": g.kind,
            "is_active": True,
        },
    )


def _camat_code(kecamatan: Region) -> str:
    return f"camat-{slug(kecamatan.name)}"


def _position_rows(a: Applying) -> list[Row]:
    """The file's positions, then one camat seat per kecamatan of the annex."""
    agencies = a.stored["agencies"]
    rows = [
        Row(
            p.code,
            {
                "title": p.title,
                "role": p.role,
                "agency": agencies.get(p.agency or ""),
                "region": None,
                "is_active": True,
            },
        )
        for p in a.doc.positions
    ]
    for entry in a.doc.kecamatan:
        kec = a.kecamatan(entry.kecamatan)
        values = {
            "title": f"Camat {kec.name}",
            "role": Role.CAMAT,
            "agency": None,
            "region": kec,
            "is_active": True,
        }
        rows.append(Row(_camat_code(kec), values))
    return rows


def _cluster_rows(a: Applying) -> list[Row]:
    positions = a.stored["positions"]
    return _ordered(
        a.doc.clusters,
        lambda c, order: {"name": c.name, "coordinator": positions[c.coordinator], "order": order},
    )


def _cluster_kecamatan(a: Applying, cluster: Cluster, row: Row) -> None:
    wanted = {a.kecamatan(ref).pk for ref in row.entry.kecamatan}
    if set(cluster.kecamatan.values_list("pk", flat=True)) != wanted:
        cluster.kecamatan.set(wanted)
        a.count("clusters")


def _category_rows(a: Applying) -> list[Row]:
    return _ordered(
        a.doc.categories, lambda c, order: {"name": c.name, "order": order, "is_active": True}
    )


def _checklist_rows(a: Applying) -> list[Row]:
    stages = a.stored["stages"]
    return _ordered(
        a.doc.checklists,
        lambda c, order: {
            "stage": stages[c.stage],
            "name": c.name,
            "questions": [q.model_dump() for q in c.questions],
            "order": order,
            "is_active": True,
        },
    )


def _reporting_rows(a: Applying) -> list[Row]:
    stages = a.stored["stages"]
    return _ordered(
        a.doc.reporting,
        lambda r, order: {
            "name": r.name,
            "role": r.role,
            "stage": stages[r.stage] if r.stage else None,
            "times": r.times,
            "grace_minutes": r.grace_minutes,
            "remind_minutes_before": r.remind_minutes_before,
            "order": order,
            "is_active": True,
        },
    )


def _periodic_rows(a: Applying) -> list[Row]:
    stages = a.stored["stages"]
    return _ordered(
        a.doc.periodic_reports,
        lambda p, order: {
            "name": p.name,
            "scope": p.scope,
            "time": p.time,
            "stage": stages[p.stage] if p.stage else None,
            "formats": list(p.formats),
            "order": order,
            "is_active": True,
        },
    )


def _sync_assignments(a: Applying) -> None:
    """The OPD annex: which agency serves which kecamatan; links only, so gone ones go."""
    agencies = a.stored["agencies"]
    wanted = {
        (a.kecamatan(entry.kecamatan).pk, agencies[code].pk)
        for entry in a.doc.kecamatan
        for code in entry.opd
    }
    stored = {(x.kecamatan_id, x.agency_id): x.pk for x in a.operation.assignments.all()}
    Assignment.objects.filter(
        pk__in=[pk for key, pk in stored.items() if key not in wanted]
    ).delete()
    Assignment.objects.bulk_create(
        [
            Assignment(operation=a.operation, kecamatan_id=k, agency_id=g)
            for k, g in sorted(wanted - set(stored))
        ]
    )
    a.counts["assignments"] = len(wanted.symmetric_difference(stored))


def _sync_letter(a: Applying) -> None:
    letter = a.doc.letter.model_dump()
    letter["kop"]["emblem_data"] = a.resolver.emblem
    if a.operation.letter != letter:
        a.operation.letter = letter
        a.operation.save(update_fields=["letter"])
        a.counts["letter"] = 1


def _sync_deadlines(a: Applying) -> None:
    deadlines = a.doc.deadlines.model_dump(exclude_none=True)
    if a.operation.deadlines != deadlines:
        a.operation.deadlines = deadlines
        a.operation.save(update_fields=["deadlines"])
        a.counts["deadlines"] = 1


def _sync_people(a: Applying) -> None:
    """Camat accounts from the annex, then the file's people; never deactivated here."""
    positions, agencies = a.stored["positions"], a.stored["agencies"]
    for entry in a.doc.kecamatan:
        if entry.camat:
            position = positions[_camat_code(a.kecamatan(entry.kecamatan))]
            _apply_person(
                entry.camat,
                position=position,
                role=Role.CAMAT,
                agency=None,
                regions=None,
                counts=a.counts,
            )
    for person in a.doc.people:
        position = positions.get(person.position) if person.position else None
        _apply_person(
            person,
            position=position,
            role=position.role if position else person.role,
            agency=agencies.get(person.agency or "") or (position.agency if position else None),
            regions=list(Region.objects.filter(code__in=person.regions)),
            counts=a.counts,
        )


Step = Callable[[Applying], None]

# The order of applying: a step may use what the steps before it stored (`applying.stored`).
# A new section of the file is one more Table (or function) in the group it belongs to.
STEPS: tuple[tuple[Any, tuple[Step, ...]], ...] = (
    (
        gettext_lazy("Applying elections, stages and agencies ..."),
        (
            Table("elections", Election, _election_rows, Retire.DELETE),
            Table("stages", Stage, _stage_rows, Retire.DEACTIVATE),
            Table("agencies", Agency, _agency_rows, Retire.KEEP, per_operation=False),
        ),
    ),
    (
        gettext_lazy("Applying positions, clusters and the kecamatan annex ..."),
        (
            Table("positions", Position, _position_rows, Retire.DEACTIVATE),
            Table("clusters", Cluster, _cluster_rows, Retire.DELETE, after=_cluster_kecamatan),
            _sync_assignments,
        ),
    ),
    (
        gettext_lazy("Applying categories, deadlines, routing and checklists ..."),
        (
            Table(
                "categories",
                Category,
                _category_rows,
                Retire.DEACTIVATE,
                per_operation=False,
                retire_when=lambda a: bool(a.doc.categories),
            ),
            _sync_deadlines,
            _sync_letter,
            routing.sync,
            Table("checklists", Checklist, _checklist_rows, Retire.DEACTIVATE),
        ),
    ),
    (
        gettext_lazy("Applying the reporting schedule and the periodic reports ..."),
        (
            Table("reporting", ReportingRule, _reporting_rows, Retire.DEACTIVATE),
            Table("periodic_reports", PeriodicSchedule, _periodic_rows, Retire.DEACTIVATE),
        ),
    ),
    (gettext_lazy("Applying people ..."), (_sync_people,)),
)


def _apply_operation(
    doc: InstructionFile, res: _Resolver, path: Path | str, *, draft: bool = False
) -> ApplyResult:
    """Create or update the operation. A new one starts active (a draft with `draft`); an
    update leaves its status alone, and a closed one is not changed (open it first)."""
    counts: dict[str, int] = {}
    op_doc = doc.operation
    stored = Operation.objects.filter(code=op_doc.code).first()
    if stored is not None and stored.status == Operation.Status.CLOSED:
        raise InputFileError(
            _("The operation %(code)s is closed; its instruction is kept as it was.")
            % {"code": op_doc.code},
            [
                SourceError(
                    str(Path(path).name),
                    None,
                    _("to change it, open it first: pantau operation open %(code)s")
                    % {"code": op_doc.code},
                )
            ],
        )
    if stored is None:  # its values are set (and counted) by the upsert below
        assert res.region is not None  # check() refused a file without its region
        stored = Operation(
            code=op_doc.code,
            status=Operation.Status.DRAFT if draft else Operation.Status.ACTIVE,
        )
        stored.region = res.region
        stored.save()
    operation = _upsert(
        Operation,
        {"code": op_doc.code},
        {
            "name": op_doc.name,
            "region": res.region,
            "instruction_title": op_doc.instruction.title,
            "instruction_number": op_doc.instruction.number,
            "signed_on": op_doc.instruction.signed_on,
            "signed_by": op_doc.instruction.signed_by,
            "notes": op_doc.notes,
            "territory": res.territory,
            "source_file": str(Path(path).name),
        },
        counts,
        "operation",
    )
    operation.loaded_at = timezone.now()
    operation.save(update_fields=["loaded_at"])
    return ApplyResult(operation=operation, counts=counts)


def apply_instruction(
    path: Path | str,
    *,
    acting_user=None,
    progress: Callable[[str], None] = lambda m: None,
    draft: bool = False,
) -> ApplyResult:
    """Validate the file, then apply it in one transaction (see the module's docstring). A new
    operation is active at once, or a draft with `draft` (`pantau operation open` starts it)."""
    progress(_("Checking %(file)s ...") % {"file": path})
    doc, res = validate_instruction(path)
    with transaction.atomic():
        result = _apply_operation(doc, res, path, draft=draft)
        applying = Applying(doc=doc, resolver=res, operation=result.operation, result=result)
        for message, steps in STEPS:
            progress(str(message))
            for step in steps:
                step(applying)
        operation = result.operation
        covered = {code for code in res.kecamatan if not res.territory} | {
            res.kecamatan_of(code) for code in res.territory
        }
        unclustered = covered - {
            k.code for c in operation.clusters.all() for k in c.kecamatan.all()
        }
        if unclustered:
            result.warnings.append(
                _("kecamatan in no cluster: %(list)s") % {"list": ", ".join(sorted(unclustered))}
            )
        if any(result.counts.values()) or result.deactivated:
            audit.record(
                actor=acting_user,
                action="instruction.apply",
                obj=operation,
                region_code=operation.region.code,
                after={
                    "changes": {k: v for k, v in result.counts.items() if v},
                    "deactivated": result.deactivated,
                },
                note=str(Path(path).name),
            )
    return result


def _deactivate(queryset) -> list[str]:
    names = [str(obj) for obj in queryset.filter(is_active=True)]
    queryset.update(is_active=False)
    return names


def _apply_person(person, *, position, role, agency, regions, counts) -> None:
    User = get_user_model()
    values = {
        "full_name": person.name,
        "role": role,
        "position": position,
        "agency": agency,
        "email": person.email,
        # a number the file does not give is the person's own (set on the profile page)
        **({"phone": person.phone} if person.phone else {}),
        **({"rank": person.pangkat} if person.pangkat else {}),
        **({"nip": person.nip} if person.nip else {}),
        "is_staff": role == Role.ADMIN,
        "is_superuser": role == Role.ADMIN,
    }
    user = User.objects.filter(username=person.username).first()
    if user is None:
        user = User(username=person.username, **values)
        user.set_unusable_password()  # the administrator or `setup-demo` sets one
        user.save()
        counts["people"] = counts.get("people", 0) + 1
    else:
        changed = [k for k, v in values.items() if getattr(user, k) != v]
        if changed:
            for k in changed:
                setattr(user, k, values[k])
            user.save(update_fields=changed)
            counts["people"] = counts.get("people", 0) + 1
    if regions is not None and set(user.regions.all()) != set(regions):
        user.regions.set(regions)
        counts["people"] = counts.get("people", 0) + 1
