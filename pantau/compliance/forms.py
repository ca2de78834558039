from django import forms
from django.utils.translation import gettext_lazy as _

from pantau.accounts import access
from pantau.regions.models import Level


class ComplianceForm(forms.Form):
    """The filters of the compliance page: one day or a range, and a region of the territory.

    The region is free text checked by `accounts.access` (a code outside the territory is a
    404, as for every page), offered as a list of the user's kabupaten and kecamatan."""

    date = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = forms.CharField(label=_("Region"), required=False, max_length=32)
    page = forms.IntegerField(
        min_value=1, max_value=10**6, required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = (
            access.visible_regions(user)
            .filter(level__in=[Level.KABUPATEN, Level.KECAMATAN])
            .order_by("level", "name")
            .values_list("code", "name")
        )
        self.fields["region"].widget = forms.Select(choices=[("", _("my territory")), *regions])
