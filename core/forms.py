"""What every form of the project shares: fields refused as secrets emptied rather than sent back,
and a search box that refuses nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django import forms
from django.http import QueryDict

# The mixin goes before a Form or ModelForm; the type checker is told so, Python sees a plain mixin.
if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object

_Kind = TypeVar("_Kind")


def field_of(fields: Mapping[str, object], name: str, kind: type[_Kind]) -> _Kind:
    """`fields[name]` as the kind of field it is declared as. A form's `fields` (a filter set's
    `filters`) are typed as plain fields; setting a queryset or choices needs the kind."""
    field = fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field


class ForgetSecretsMixin(_FormBase):
    """A field refused because it looks like a password is emptied, so the page sent back does not repeat it."""

    def full_clean(self) -> None:
        super().full_clean()
        refused = [name for name, errors in self.errors.as_data().items() if any(e.code == "secret" for e in errors)]
        if refused:
            # A bound form's data is the request's QueryDict (a plain dict in tests); both copy mutable.
            data = cast("QueryDict | dict[str, Any]", self.data).copy()
            for name in refused:
                data[self.add_prefix(name)] = ""
            self.data = data


class SearchForm(forms.Form):
    """A search box: anything a CharField refuses (a NUL byte, over-long text) means no search."""

    q = forms.CharField(max_length=100, required=False)

    def query(self) -> str:
        return self.cleaned_data["q"].strip() if self.is_valid() else ""
