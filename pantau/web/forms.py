"""Forms of the web pages: they parse and check the shape of what a person typed. What it means
(territory, state machine, deadlines) is decided by the actions and selectors they hand it to."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pantau.accounts import access
from pantau.instruction.models import Agency, Category, Checklist, Stage
from pantau.lib import limits
from pantau.lib.clock import WIB
from pantau.lib.errors import NotFound
from pantau.monitoring import selectors as reports
from pantau.monitoring.models import MAX_PHOTOS, Situation
from pantau.problems import selectors as problems
from pantau.problems.models import Level, Severity, Status
from pantau.regions.models import Level as RegionLevel

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
TPS_FIELD = {
    "required": False,
    "max_length": 3,
    "regex": r"^\d{1,3}$",
    "error_messages": {"invalid": _("a number from 1 to 999")},
}


def region_choices(user) -> list:
    """The user's kecamatan and villages for a select, grouped by kecamatan."""
    groups: list = []
    index: dict[str, list] = {}
    for region in reports.report_regions(user).only("code", "name", "level", "kind"):
        if region.level == RegionLevel.KECAMATAN:
            options = [(region.code, region.title)]
            index[region.code] = options
            groups.append((region.title, options))
        else:
            kecamatan = region.code.rsplit(".", 1)[0]
            if kecamatan not in index:  # a village account: its village without its kecamatan
                index[kecamatan] = []
                groups.append((_("Villages"), index[kecamatan]))
            index[kecamatan].append((region.code, region.title))
    return groups


def offer_stages(field: forms.ModelChoiceField) -> None:
    """The stage select of a new report or problem: it offers the active operations' stages,
    grouped by operation when there are several (two elections at once: the stage chosen
    names its operation), and takes a closed operation's stage too, so that a form sent late
    (the phone's outbox) is refused by the action saying the operation is closed, not as an
    unknown choice."""
    offered = list(reports.writable_stages())
    field.queryset = reports.stages()
    if len({s.operation_id for s in offered}) > 1:
        groups: dict[str, list] = {}
        for s in offered:
            groups.setdefault(s.operation.name, []).append((s.pk, s.name))
        field.choices = [("", field.empty_label), *groups.items()]
        # a closed select shows the stage's name only: the label says they are grouped
        field.label = _("Stage (grouped by monitoring operation)")
    else:
        field.choices = [("", field.empty_label), *((s.pk, s.name) for s in offered)]


class RegionField(forms.ChoiceField):
    """A kecamatan or village of the user's territory; cleans to the Region."""

    def __init__(self, *, user, **kwargs):
        super().__init__(choices=[("", "---------"), *region_choices(user)], **kwargs)
        self.user = user

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        region = reports.report_regions(self.user).filter(code=code).first()
        if region is None:
            raise ValidationError(_("Choose a region of your territory."), code="invalid_choice")
        return region


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe); the contents are checked by
    the action that stores them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def now_local() -> str:
    return timezone.localtime(timezone.now(), WIB).strftime(DATETIME_LOCAL)


class ReportForm(forms.Form):
    """A field report: where, what the situation is, the stage's checklist, what was seen."""

    region = forms.ChoiceField(label=_("Region"))  # replaced per user in __init__
    tps = forms.RegexField(label=_("TPS number (optional)"), **TPS_FIELD)
    situation = forms.ChoiceField(
        label=_("Situation"), choices=Situation.choices, widget=forms.RadioSelect
    )
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none(), required=False)
    checklist = forms.ModelChoiceField(
        label=_("Checklist"), queryset=Checklist.objects.none(), required=False
    )
    narrative = forms.CharField(
        label=_("What did you see?"),
        required=False,
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        # No `capture`: the phone offers the camera and the gallery (photos.js adds a button
        # for each).
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )
    observed_at = forms.DateTimeField(
        label=_("Observed at (WIB)"),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    also_problem = forms.BooleanField(label=_("This is a problem too"), required=False)

    def clean_photos(self):
        photos = self.cleaned_data["photos"]
        if len(photos) > MAX_PHOTOS:
            raise forms.ValidationError(_("A report has at most %(n)d photos.") % {"n": MAX_PHOTOS})
        return photos

    def __init__(self, *args, user, stage: Stage | None = None, checklist=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = RegionField(user=user, label=_("Region"))
        offer_stages(self.fields["stage"])
        self.fields["observed_at"].initial = now_local
        self.fields["client_id"].initial = uuid.uuid4
        self.chosen_stage = self._chosen_stage() or stage
        if self.chosen_stage is not None and not self.is_bound:
            self.initial["stage"] = self.chosen_stage.pk  # the select shows what applies
        self.checklists = reports.stage_checklists(self.chosen_stage)
        self.fields["checklist"].queryset = Checklist.objects.filter(
            pk__in=[c.pk for c in self.checklists]
        )
        self.chosen_checklist = self._chosen_checklist() or checklist
        if self.chosen_checklist not in self.checklists:
            self.chosen_checklist = self.checklists[0] if self.checklists else None
        if self.chosen_checklist is not None and not self.is_bound:
            self.initial["checklist"] = self.chosen_checklist.pk
        # The questions follow the stage (and the checklist, when a stage has several): htmx
        # asks this same form for just its questions fragment.
        swap = {"hx-get": reverse("report-new"), "hx-target": "#questions", "hx-swap": "outerHTML"}
        self.fields["stage"].widget.attrs.update(swap)
        self.fields["checklist"].widget.attrs.update(swap, **{"hx-include": "[name=stage]"})
        self.question_fields = []
        for question in self.chosen_checklist.questions if self.chosen_checklist else []:
            name = f"q_{question['code']}"
            self.fields[name] = question_field(question)
            self.question_fields.append(name)

    def _raw(self, name):
        source = self.data if self.is_bound else self.initial
        value = source.get(name)
        return value.pk if hasattr(value, "pk") else value

    def _chosen_stage(self) -> Stage | None:
        value = self._raw("stage")
        if value and str(value).isdigit():
            return self.fields["stage"].queryset.filter(pk=value).first()
        return None

    def _chosen_checklist(self) -> Checklist | None:
        value = self._raw("checklist")
        if value and str(value).isdigit():
            return next((c for c in self.checklists if c.pk == int(value)), None)
        return None

    def questions(self):
        return [self[name] for name in self.question_fields]

    def answers(self) -> dict:
        return {
            name[2:]: self.cleaned_data[name]
            for name in self.question_fields
            if self.cleaned_data.get(name) not in (None, "")
        }

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lon") is None):
            data["lat"] = data["lon"] = None  # half a location is no location
        return data


def question_field(question: dict) -> forms.Field:
    """A form field for one checklist question (the loader validated its shape)."""
    common = {
        "label": question.get("text") or question["code"],
        "required": bool(question.get("required")),
    }
    kind = question.get("type")
    if kind == "yes_no":
        return forms.ChoiceField(
            choices=[("ya", _("Yes")), ("tidak", _("No"))], widget=forms.RadioSelect, **common
        )
    if kind == "choice":
        return forms.ChoiceField(
            choices=[(c, c) for c in question.get("choices", [])],
            widget=forms.RadioSelect,
            **common,
        )
    if kind == "number":
        return forms.CharField(
            widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": r"[0-9]*[.,]?[0-9]*"}),
            max_length=20,
            **common,
        )
    return forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, **common)


class ProblemForm(forms.Form):
    """A problem for the inventory, with the suggestion the instruction asks for."""

    region = forms.ChoiceField(label=_("Region"))  # replaced per user in __init__
    tps = forms.RegexField(label=_("TPS number (optional)"), **TPS_FIELD)
    title = forms.CharField(label=_("What is the problem? (short)"), max_length=limits.TITLE)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, widget=forms.RadioSelect
    )
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none(), required=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    suggestion = forms.CharField(
        label=_("Suggestion (saran)"),
        required=False,
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    report = forms.IntegerField(required=False, widget=forms.HiddenInput)
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["region"] = RegionField(user=user, label=_("Region"))
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        offer_stages(self.fields["stage"])
        self.fields["client_id"].initial = uuid.uuid4

    def clean_report(self):
        pk = self.cleaned_data.get("report")
        if not pk:
            return None
        try:
            return reports.report_for(self.user, pk)
        except NotFound as exc:
            raise ValidationError(exc.message, code="not_found") from exc


STATUS_FILTER = [("", _("all")), ("open", _("open (not closed)")), *Status.choices]
YES_NO = [("", _("all")), ("yes", _("yes")), ("no", _("no"))]


def kecamatan_choices(user) -> list:
    kecamatan = access.visible_regions(user).filter(level=RegionLevel.KECAMATAN)
    return [("", _("all")), *kecamatan.order_by("name").values_list("code", "name")]


class FilterForm(forms.Form):
    def filters(self) -> dict:
        """The valid filters; an invalid one (a stale link) is dropped, not an error page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            name: data[name]
            for name in self.fields
            if name not in self.errors and data.get(name) not in (None, "")
        }


class ProblemFilterForm(FilterForm):
    """The filters of the problem list (a GET form; invalid values are ignored)."""

    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTER, required=False)
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("all")), *Level.choices], required=False
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=[("", _("all")), *Severity.choices], required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("all"),
    )
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False)
    overdue = forms.ChoiceField(label=_("Overdue"), choices=YES_NO, required=False)
    waiting = forms.ChoiceField(label=_("Waiting for me"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["kecamatan"].choices = kecamatan_choices(user)
        self.fields["waiting"].choices = [("", _("all")), *problems.WAITING]


class ReportFilterForm(FilterForm):
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), required=False)
    situation = forms.ChoiceField(
        label=_("Situation"), choices=[("", _("all")), *Situation.choices], required=False
    )
    stage = forms.ModelChoiceField(
        label=_("Stage"), queryset=Stage.objects.none(), required=False, empty_label=_("all")
    )
    day = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = reports.stages()
        self.fields["kecamatan"].choices = kecamatan_choices(user)


class ProblemActionForm(forms.Form):
    """One action on a problem; `version` is the version the person saw (a stale one is a
    conflict: someone else acted first)."""

    action = forms.CharField(max_length=20)
    note = forms.CharField(required=False, max_length=limits.LONG_TEXT)
    solution = forms.CharField(required=False, max_length=limits.LONG_TEXT)
    suggestion = forms.CharField(required=False, max_length=limits.LONG_TEXT)
    agency = forms.ModelChoiceField(queryset=Agency.objects.filter(is_active=True), required=False)
    duplicate_of = forms.CharField(required=False, max_length=20)
    version = forms.IntegerField(required=False, min_value=1)

    def clean_duplicate_of(self):
        raw = self.cleaned_data.get("duplicate_of", "").strip().lstrip("#")
        if not raw:
            return None
        if not raw.isdigit():
            raise ValidationError(_("the number of a problem, e.g. 12"), code="invalid")
        return int(raw)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File (photo or PDF)"))


class AddPhotosForm(forms.Form):
    """Photos added to one's own report after it was sent (from the page or the outbox)."""

    photos = MultipleFileField(
        label=_("Add photos"), widget=MultipleFileInput(attrs={"accept": "image/*"})
    )
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client_id"].initial = uuid.uuid4
