from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from ..models import ImportJob, OnDuplicate
from .mapping import TARGET_FIELDS
from .services import check_upload, max_upload_bytes


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    supplier = forms.CharField(
        label=_("Supplier"),
        max_length=200,
        required=False,
        help_text=_("Who gave you this file (an event, a partner, a list broker): recorded as each contact's source."),
    )
    on_duplicate = forms.ChoiceField(
        label=_("When a contact already exists (same email, phone or external id)"),
        choices=OnDuplicate.choices,
        initial=OnDuplicate.SKIP,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = filesizeformat(max_upload_bytes())
        self.fields["file"].help_text = _(
            "CSV (comma or semicolon) or Excel .xlsx, column names on the first line, up to %(limit)s."
        ) % {"limit": limit}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        check_upload(upload)
        return upload


class ImportMappingForm(forms.Form):
    """One select per column of the file; the initial choice is the suggested target."""

    def __init__(self, *args: Any, job: ImportJob, samples: dict[str, list[str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.job = job
        choices = [("", _("— ignore this column —")), *((key, label) for key, label in TARGET_FIELDS.items())]
        for position, column in enumerate(job.columns):
            initial = job.mapping.get(column, "")
            field = forms.ChoiceField(label=column, choices=choices, required=False, initial=initial)
            field.samples = (samples or {}).get(column, [])
            self.fields[f"column_{position}"] = field

    def rows(self) -> list[tuple[str, forms.BoundField]]:
        return [(column, self[f"column_{position}"]) for position, column in enumerate(self.job.columns)]

    def mapping(self) -> dict[str, str]:
        data = self.cleaned_data
        return {column: data.get(f"column_{position}", "") for position, column in enumerate(self.job.columns)}

    def add_mapping_errors(self, error: ValidationError) -> None:
        for message in error.messages:
            self.add_error(None, message)
