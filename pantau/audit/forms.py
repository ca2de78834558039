import datetime as dt

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]
# Far enough either side for any election; keeps day arithmetic away from year 1 and 9999.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class DateFilterField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, **kwargs):
        super().__init__(
            required=False,
            input_formats=DATE_FORMATS,
            error_messages={"invalid": _("Enter a date such as 2024-11-27.")},
            **kwargs,
        )

    def validate(self, value):
        super().validate(value)
        if value and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise forms.ValidationError(
                _("Enter a date between %(first)d and %(last)d."),
                code="out_of_range",
                params={"first": FIRST_YEAR, "last": LAST_YEAR},
            )


class AuditFilterForm(forms.Form):
    """The filters of the audit page (GET). Empty fields do not filter."""

    actor = forms.CharField(label=_("User (username)"), max_length=150, required=False)
    action = forms.CharField(
        label=_("Action"),
        max_length=64,
        required=False,
        help_text=_("e.g. problem.escalate, or problem for every action on problems"),
    )
    object_type = forms.CharField(label=_("Object type"), max_length=64, required=False)
    object_id = forms.CharField(label=_("Object id"), max_length=64, required=False)
    region = forms.CharField(
        label=_("Region code"),
        max_length=32,
        required=False,
        help_text=_("the region and everything under it, e.g. 35.13.23"),
        validators=[RegexValidator(r"^\d+(\.\d+)*$", _("Enter a region code such as 35.13.23."))],
    )
    date_from = DateFilterField(label=_("From (date, WIB)"))
    date_to = DateFilterField(label=_("To (date, WIB)"))

    def clean_object_type(self) -> str:
        return self.cleaned_data["object_type"].lower()

    def clean(self):
        data = super().clean()
        start: dt.date | None = data.get("date_from")
        end: dt.date | None = data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def is_filtering(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)
