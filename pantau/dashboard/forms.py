"""The dashboard's filters: stage, period (everything, today, the stage, from-to) and category."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pantau.dashboard import selectors
from pantau.lib.clock import WIB


class FilterForm(forms.Form):
    PERIODS = [
        ("", _("everything")),
        ("today", _("today")),
        ("stage", _("the stage")),
        ("range", _("from - to")),
    ]

    region = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    stage = forms.ModelChoiceField(
        label=_("Stage"),
        queryset=selectors.stages(),
        to_field_name="code",
        required=False,
        empty_label=_("all stages"),
    )
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=selectors.categories(),
        to_field_name="code",
        required=False,
        empty_label=_("all categories"),
    )

    def __init__(self, *args, operation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if operation is not None:  # the chosen operation's stages (codes repeat across them)
            self.fields["stage"].queryset = selectors.stages().filter(operation=operation)

    def filters(self, now: dt.datetime | None = None) -> dict:
        """since, until, stage and category for the selectors (what is valid of the input)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        now = now or timezone.now()
        stage = data.get("stage")
        since = until = None
        match data.get("period"):
            case "today":
                since = selectors.start_of_today(now)
            case "stage" if stage is not None:
                since, until = selectors.stage_period(stage)
            case "range":
                if data.get("start"):
                    since = dt.datetime.combine(data["start"], dt.time.min, tzinfo=WIB)
                if data.get("end"):
                    until = dt.datetime.combine(
                        data["end"] + dt.timedelta(days=1), dt.time.min, tzinfo=WIB
                    )
        return {"since": since, "until": until, "stage": stage, "category": data.get("category")}
