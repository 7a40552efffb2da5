"""What every form of the project shares: fields refused as secrets emptied rather than sent back,
a search box that refuses nothing, and a select that renders a long list quickly."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django import forms
from django.db.models import Model, QuerySet
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

# The mixin goes before a Form or ModelForm; the type checker is told so, Python sees a plain mixin.
if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object

_Kind = TypeVar("_Kind")
_Model = TypeVar("_Model", bound=Model)


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


class PickerInput(forms.TextInput):
    """A text box that suggests as you type (the WAI-ARIA combobox pattern, static/js/picker.js): the
    suggestions come from `url` as an HTML fragment, one option per match; choosing one writes its text
    into the box. Without JavaScript it stays a text box and the server resolves what was typed."""

    def __init__(self, url: str | Promise = "", attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"class": "form-control", "autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.url = url

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs or {})
        field_id = str(final.get("id") or f"id_{name}")
        listbox, status = f"{field_id}-options", f"{field_id}-status"
        final.update(
            {
                "type": "text",
                "name": name,
                "id": field_id,
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": listbox,
                "data-picker-url": str(self.url),
                "data-picker-status": status,
            }
        )
        shown = self.format_value(value)
        if shown is not None:
            final["value"] = shown
        attributes = "".join(
            f' {escape(key)}="{escape(str(v))}"' for key, v in final.items() if v is not None and v is not False
        )
        return mark_safe(  # noqa: S308  # nosec B308 B703  # every part escaped above
            f'<div class="picker"><input{attributes}>'
            f'<ul class="picker-options list-group shadow-sm" id="{escape(listbox)}" role="listbox" hidden></ul>'
            f'<div class="visually-hidden" id="{escape(status)}" role="status" aria-live="polite"></div></div>'
        )


MAX_PICKED_TEXT = 500  # longer than any e-mail address or name with its school


class PickerField(forms.ModelChoiceField[_Model]):
    """One row of `queryset` chosen by its text: the picker's suggestion, an e-mail address or an exact
    name typed by hand. `exact(queryset, text)` finds it; several found or none is an error that names
    the field. The queryset says what may be chosen, as with any ModelChoiceField; `text_of` is the text
    a chosen row is shown as (and typed back as)."""

    def __init__(
        self,
        *,
        queryset: QuerySet[_Model] | None = None,
        exact: Callable[[QuerySet[_Model], str], QuerySet[_Model]],
        text_of: Callable[[_Model], str],
        url: str | Promise = "",
        not_found: str | Promise = "",
        accepts_key: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("widget", PickerInput(url=url))
        super().__init__(queryset=queryset, **kwargs)
        self.exact = exact
        self.text_of = text_of
        self.accepts_key = accepts_key  # digits alone may also be the row's key (where a select sent it)
        self.not_found = not_found or gettext_lazy("%(field)s: nothing you may choose matches “%(text)s”.")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Model):
            return self.text_of(cast("_Model", value))
        if isinstance(value, int) and self.queryset is not None:  # a model form's initial value: the key
            found = self.queryset.filter(pk=value).first()
            return self.text_of(found) if found is not None else ""
        return value

    def to_python(self, value: Any) -> _Model | None:
        if isinstance(value, Model):
            return cast("_Model", value)
        text = " ".join(str(value or "").split())
        if not text or self.queryset is None:
            return None
        details = {"field": str(self.label or ""), "text": text[:100]}
        if "\x00" in text or len(text) > MAX_PICKED_TEXT:  # nothing is named so (and PostgreSQL refuses NUL)
            raise forms.ValidationError(str(self.not_found), code="invalid_choice", params=details)
        found = list(self.exact(self.queryset, text)[:2])
        if not found and self.accepts_key and text.isdigit():  # the key, as the select this replaced sent it
            found = list(self.queryset.filter(pk=int(text))[:1])
        if len(found) > 1:
            raise forms.ValidationError(
                gettext_lazy("%(field)s: more than one matches “%(text)s”; choose from the suggestions or type more."),
                code="ambiguous",
                params=details,
            )
        if not found:
            raise forms.ValidationError(str(self.not_found), code="invalid_choice", params=details)
        return found[0]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return str(self.prepare_value(initial) or "") != " ".join(str(data or "").split())
