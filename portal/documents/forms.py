"""The documents pages' forms, rendered field by field with `<c-field>`. The checks of a file are the service's
(`documents_upload`); these forms only describe the fields."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from portal.documents.models import Category, Folder

ORDERS = [
    ("-updated_at", _("Recently updated")),
    ("updated_at", _("Least recently updated")),
    ("title", _("Title, A to Z")),
]


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


def folder_label(folder: Folder) -> str:
    return f"{folder.name} ({_('internal')})" if folder.internal else folder.name


class FolderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return folder_label(obj)


class DocumentFilters(forms.Form):
    q = forms.CharField(
        label=_("Search titles and descriptions"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )  # fmt: skip
    folder = forms.TypedChoiceField(label=_("Folder"), required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Category.choices]
    )
    order = forms.ChoiceField(label=_("Sort by"), required=False, choices=ORDERS)

    def __init__(self, *args: Any, folders: QuerySet[Folder], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(folder.pk, folder_label(folder)) for folder in folders]
        self.fields["folder"].choices = [("", _("All folders")), *choices]  # type: ignore[attr-defined]

    def filtering(self) -> bool:
        """Whether any filter narrows the list (an empty list then says "nothing matches", not "nothing yet")."""
        self.is_valid()
        data = self.cleaned_data
        return bool(data.get("q") or data.get("folder") or data.get("category") or self.errors)


class UploadForm(forms.Form):
    """Publishing files into a folder: the plain form, which upload.js turns into drag and drop with progress."""

    folder = FolderChoiceField(label=_("Folder"), queryset=Folder.objects.none(), empty_label=None)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices, initial=Category.OTHER)

    def __init__(self, *args: Any, folders: QuerySet[Folder], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "upload-%s")
        super().__init__(*args, **kwargs)
        self.fields["folder"].queryset = folders  # type: ignore[attr-defined]
        # Added here: declared on the class, a field named `files` would shadow the form's uploaded data.
        self.fields["files"] = forms.FileField(
            label=_("Files"), widget=MultipleFileInput,
            help_text=_("Each file becomes a document. Files are checked for their type, size and malware first."),
        )  # fmt: skip


class FolderForm(forms.Form):
    name = forms.CharField(label=_("Folder name"), max_length=120, help_text=_("For example Reports or Contracts."))
    internal = forms.BooleanField(
        label=_("Internal to staff"), required=False,
        help_text=_("Its documents are never shown to the client's contacts."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "folder-%s")
        super().__init__(*args, **kwargs)


class VersionForm(forms.Form):
    file = forms.FileField(
        label=_("New file"),
        help_text=_("It becomes the latest version; earlier versions stay listed and can still be downloaded."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "version-%s")
        super().__init__(*args, **kwargs)
