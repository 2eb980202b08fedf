"""The people import's forms: the file to preview, and the previewed file's reference to apply."""

from django import forms
from django.conf import settings

from integrations.people_import.services import too_large


class PeopleFileForm(forms.Form):
    """A CSV file of people; refused before it is read when it is larger than the import accepts."""

    file = forms.FileField(
        label="CSV file of people",
        help_text=(
            "Columns: email, name, title, org_unit, manager_email, active; saved as CSV UTF-8, "
            f"at most {settings.PEOPLE_IMPORT_MAX_MB} MB. Nothing changes until you apply the preview, and a file "
            "with any row in error is not applied at all."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        refusal = too_large(upload.size)
        if refusal:
            raise forms.ValidationError(refusal)
        return upload


class ApplyForm(forms.Form):
    """The previewed file, named by the signed reference the preview page carries."""

    reference = forms.CharField(widget=forms.HiddenInput, max_length=2000)
