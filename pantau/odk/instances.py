"""Reading a form instance that ODK Collect sends, and turning its values into the arguments of
the report and problem actions. Nothing here writes."""

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from pantau.instruction.models import Category
from pantau.lib.errors import Forbidden, Invalid
from pantau.odk.xforms import CHECKLIST_GROUP, NO, PHOTO_FIELDS, YES, OdkForm

MAX_XML_BYTES = 512 * 1024  # a filled form is a few kB; photos come as separate parts
MAX_DEPTH = 16  # Pantau's forms nest three deep (data/checklist/question); a bomb nests thousands


@dataclass(frozen=True)
class Instance:
    """A filled form: its form id and version, its instanceID and its values by path
    ("region", "checklist/tps_siap", "meta/instanceID"), empty elements left out."""

    form_id: str
    version: str
    instance_id: uuid.UUID
    values: dict[str, str]

    def get(self, path: str) -> str:
        return self.values.get(path, "").strip()

    @property
    def attachments(self) -> list[str]:
        """The file names of the photos the instance refers to, in order."""
        return [self.get(name) for name in PHOTO_FIELDS if self.get(name)]


class _Reader:
    """The parser's target: the root's attributes and the text of every leaf element by its
    path below the root, in document order (the first of a repeated path), without building
    the tree. Nesting deeper than MAX_DEPTH is refused while parsing."""

    def __init__(self):
        self.root: dict | None = None
        self.values: dict[str, str] = {}
        self.path: list[str] = []
        self.text: list[str] = []
        self.leaf = False  # the innermost open element has no child (yet)

    def start(self, tag: str, attrib: dict) -> None:
        if self.root is None:
            self.root = attrib
        self.path.append(tag.rsplit("}", 1)[-1])  # "{namespace}name" -> "name"
        if len(self.path) > MAX_DEPTH:
            raise Invalid(
                _("The form is nested too deeply to be one of Pantau's forms."),
                code="invalid_xml",
            )
        self.text = []
        self.leaf = True

    def data(self, text: str) -> None:
        self.text.append(text)

    def end(self, tag: str) -> None:
        if self.leaf and len(self.path) > 1:
            text = "".join(self.text)
            if text.strip():
                self.values.setdefault("/".join(self.path[1:]), text)
        self.leaf = False
        self.path.pop()

    def close(self) -> "_Reader":
        return self


def _read(data: bytes) -> _Reader:
    """Invalid for malformed XML, a DTD or entities (defusedxml), or nesting too deep."""
    parser = DefusedXMLParser(target=_Reader(), forbid_dtd=True)
    try:
        parser.feed(data)
        reader = parser.close()
    except (ParseError, DefusedXmlException, ValueError):
        reader = None
    if reader is None or reader.root is None:
        raise Invalid(_("The form could not be read (malformed XML)."), code="invalid_xml")
    return reader


def parse_instance(data: bytes) -> Instance:
    """Parse the `xml_submission_file`; Invalid for anything that is not a form instance."""
    if len(data) > MAX_XML_BYTES:
        raise Invalid(_("The form is too large."), code="too_large")
    reader = _read(data)
    values = reader.values
    form_id = (reader.root.get("id") or "").strip()
    if not form_id:
        raise Invalid(_("The form has no form ID."), code="invalid_xml")
    raw_id = values.get("meta/instanceID", "").strip()
    try:
        instance_id = uuid.UUID(raw_id.removeprefix("uuid:"))
    except ValueError:
        raise Invalid(
            _("The form has no valid instanceID."),
            code="invalid_xml",
            fields={"meta/instanceID": _("a uuid:... instance ID")},
        ) from None
    return Instance(
        form_id=form_id,
        version=(reader.root.get("version") or "").strip(),
        instance_id=instance_id,
        values=values,
    )


def files_by_name(files) -> dict[str, UploadedFile]:
    """The uploaded parts by part name and by file name: ODK Collect names each part after its
    file, as the instance refers to it."""
    found: dict[str, UploadedFile] = {}
    for key, upload in files.items():
        found[key] = upload
        if upload.name:
            found.setdefault(upload.name, upload)
    return found


def report_fields(user, form: OdkForm, instance: Instance) -> dict:
    """The keyword arguments of `do_submit_report` (besides acting_user, client_id, channel)."""
    answers = {}
    for q in form.checklist.questions or []:
        value = instance.get(f"{CHECKLIST_GROUP}/{q['code']}")
        if not value:
            continue
        if q["type"] == "yes_no":
            value = {YES: True, NO: False}.get(value, value)
        elif q["type"] == "choice":
            value = form.choice_texts.get(q["code"], {}).get(value, value)
        answers[q["code"]] = value
    lat, lon = _geopoint(instance.get("location"))
    return {
        "region": _region(form, instance),
        "tps": instance.get("tps"),
        "observed_at": _observed_at(instance),
        "situation": instance.get("situation"),
        "operation": form.checklist.operation,  # the form's operation, not a guess
        "stage": form.checklist.stage,
        "checklist": form.checklist,
        "answers": answers,
        "narrative": instance.get("narrative"),
        "lat": lat,
        "lon": lon,
    }


def problem_fields(user, form: OdkForm, instance: Instance) -> dict:
    """The keyword arguments of `do_create_problem` (besides acting_user and client_id)."""
    code = instance.get("category")
    category = Category.objects.filter(code=code, is_active=True).first() if code else None
    if category is None:
        raise Invalid(
            _("Choose one of the problem categories."),
            fields={"category": _("unknown category")},
        )
    lat, lon = _geopoint(instance.get("location"))
    return {
        "region": _region(form, instance),
        "tps": instance.get("tps"),
        "title": instance.get("title"),
        "category": category,
        "severity": instance.get("severity"),
        "description": instance.get("description"),
        "suggestion": instance.get("suggestion"),
        "lat": lat,
        "lon": lon,
    }


def _region(form: OdkForm, instance: Instance):
    """The instance's region, one of those the form offers the user (report_regions)."""
    code = instance.get("region")
    if not code:
        raise Invalid(_("Choose a kecamatan or a village."), fields={"region": _("required")})
    region = next((r for r in form.regions if r.code == code), None)
    if region is None:
        # Missing or elsewhere alike: nothing about other territories is revealed.
        raise Forbidden(_("Region not found, or outside your territory."), code="outside_territory")
    return region


def _observed_at(instance: Instance) -> dt.datetime:
    """When the form was opened (ODK's `start`, with the phone's offset); now without it."""
    raw = instance.get("start")
    if not raw:
        return timezone.now()
    try:
        moment = parse_datetime(raw)
    except ValueError:
        moment = None
    if moment is None:
        raise Invalid(
            _("The time of the form could not be read."), fields={"start": _("not a time")}
        )
    return moment


def _geopoint(raw: str) -> tuple[float | None, float | None]:
    """ODK's geopoint "lat lon altitude accuracy" -> (lat, lon)."""
    if not raw:
        return None, None
    parts = raw.split()
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except (IndexError, ValueError):
        raise Invalid(
            _("The location could not be read."), fields={"location": _("not a geopoint")}
        ) from None
    return lat, lon


def attachments_to_store(
    instance: Instance, stored: list[str], files: Mapping[str, UploadedFile]
) -> list[tuple[str, UploadedFile]]:
    """The instance's attachments that arrived with this request and are not stored yet."""
    return [
        (name, files[name]) for name in instance.attachments if name not in stored and name in files
    ]
