from django import forms
from django.utils.translation import gettext_lazy as _

from pantau.periodic import selectors
from pantau.periodic.models import Scope
from pantau.regions.models import Level as RegionLevel


def _clusters(user, operation):
    clusters = selectors.requestable_clusters(user)
    return clusters if operation is None else clusters.filter(operation=operation)


def target_choices(user, operation=None) -> list:
    """What the user may ask a report about, in one list grouped by scope: the kabupaten, the
    clusters (of `operation` when the desk chose one), the kecamatan. A value is `scope:code`."""
    regions = list(selectors.requestable_regions(user))
    clusters = list(_clusters(user, operation))
    groups = [
        (
            _("Kabupaten"),
            [
                (f"{Scope.KABUPATEN}:{r.code}", r.title)
                for r in regions
                if r.level == RegionLevel.KABUPATEN
            ],
        ),
        (_("Coordination cluster"), [(f"{Scope.CLUSTER}:{c.code}", c.name) for c in clusters]),
        (
            _("Kecamatan"),
            [
                (f"{Scope.KECAMATAN}:{r.code}", r.name)
                for r in regions
                if r.level == RegionLevel.KECAMATAN
            ],
        ),
    ]
    return [(label, options) for label, options in groups if options]


class RequestForm(forms.Form):
    """One choice of what the report covers (the scope follows from it) and the period."""

    target = forms.ChoiceField(label=_("Report on"))
    period_start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    letter_date = forms.DateField(
        label=_("Letter date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("empty: today"),
    )

    def __init__(self, *args, user, operation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.operation = operation  # the desk's choice (figures.desk), None with one operation
        self.fields["target"].choices = target_choices(user, operation)

    def clean_target(self) -> dict:
        """{scope, region, cluster} of the chosen value (the choices are the user's own)."""
        scope, _sep, code = self.cleaned_data["target"].partition(":")
        if scope == Scope.CLUSTER:
            cluster = _clusters(self.user, self.operation).get(code=code)
            return {"scope": scope, "region": cluster.operation.region, "cluster": cluster}
        region = selectors.requestable_regions(self.user).get(code=code)
        return {"scope": scope, "region": region, "cluster": None, "operation": self.operation}


class RecommendationsForm(forms.Form):
    recommendations = forms.CharField(
        label=_("Recommendations"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One recommendation a line."),
    )
