"""Forms of reuse: which agenda to preview or copy (another session's, or a template), and the
name of a new template."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ReuseChoiceForm(forms.Form):
    """Which agenda to copy from: another session of the dialogue, or one of its templates
    (one of the two). Read from the address to preview, posted to copy."""

    source = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    template = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if bool(data.get("source")) == bool(data.get("template")):
            raise forms.ValidationError(_("Choose one agenda to copy: a session's or a template."))
        return data


class TemplateSaveForm(forms.Form):
    name = forms.CharField(
        label=_("Template name"),
        max_length=100,
        help_text=_("Unique in this dialogue, e.g. “Two-day round”."),
    )
