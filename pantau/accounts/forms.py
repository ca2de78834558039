from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )

    def __init__(self, *args, backup: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if backup:  # letters and digits: the phone's full keyboard
            field = self.fields["code"]
            field.label = _("Backup code")
            field.widget.attrs.update(inputmode="text", autocomplete="off", autocapitalize="none")
