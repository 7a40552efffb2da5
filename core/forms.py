"""What every form of the project shares: fields refused as secrets emptied rather than sent back,
a search box that refuses nothing, and a select that renders a long list quickly."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django import forms
from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe

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


class LongSelect(forms.Select):
    """A select rendered in one pass, for lists of hundreds or thousands of choices (the schools of
    the largest district): Django's per-option templates cost about 0.2 ms an option, 400 ms for
    1,870 schools on every list page. Same markup, every value and label escaped, the chosen one
    selected."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        chosen = {str(v) for v in self.format_value(value)}
        final = {"name": name, **self.build_attrs(self.attrs, attrs or {})}
        attributes = "".join(f' {escape(key)}="{escape(str(v))}"' for key, v in final.items() if v is not None)
        options = []
        for option_value, label in self.choices:
            key = "" if option_value is None else str(option_value)
            selected = " selected" if key in chosen else ""
            options.append(f'<option value="{escape(key)}"{selected}>{escape(str(label))}</option>')
        return mark_safe(f"<select{attributes}>{''.join(options)}</select>")  # noqa: S308  # nosec B308 B703  # every part escaped above
