from pathlib import Path

from django import forms
from django.conf import settings

from imports.services import KINDS

ACCEPTED_SUFFIXES = (".csv", ".xlsx")


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(name, kind.label) for name, kind in KINDS.items()], label="What to import"
    )
    file = forms.FileField(label="CSV (UTF-8) or Excel file")
    dry_run = forms.BooleanField(
        required=False, label="Only check the file, import nothing", initial=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ACCEPTED_SUFFIXES:
            raise forms.ValidationError("Upload a .csv or .xlsx file.")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size // 1_000_000} MB; split it into files under "
                f"{limit // 1_000_000} MB."
            )
        return upload
