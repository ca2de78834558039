from django import forms
from django.utils.translation import gettext_lazy as _

from pantau.instruction.models import Cluster
from pantau.periodic import selectors
from pantau.periodic.models import Scope
from pantau.regions.models import Region


class RequestForm(forms.Form):
    scope = forms.ChoiceField(label=_("Scope"), choices=Scope.choices)
    region = forms.ModelChoiceField(
        label=_("Kecamatan or kabupaten"),
        queryset=Region.objects.none(),
        required=False,
        to_field_name="code",
    )
    cluster = forms.ModelChoiceField(
        label=_("Cluster"), queryset=Cluster.objects.none(), required=False, to_field_name="code"
    )
    period_start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = selectors.requestable_regions(user)
        self.fields["cluster"].queryset = selectors.requestable_clusters(user)

    def clean(self):
        data = super().clean()
        if data.get("scope") == Scope.CLUSTER and not data.get("cluster"):
            self.add_error("cluster", _("Choose the cluster."))
        if data.get("scope") in (Scope.KECAMATAN, Scope.KABUPATEN) and not data.get("region"):
            self.add_error("region", _("Choose the region."))
        return data


class RecommendationsForm(forms.Form):
    recommendations = forms.CharField(
        label=_("Recommendations"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One recommendation a line."),
    )
