"""What every form of the project shares: fields refused as secrets emptied rather than sent back,
and a search box that refuses nothing."""

from __future__ import annotations

from django import forms


class ForgetSecretsMixin:
    """A field refused because it looks like a password is emptied, so the page sent back does not repeat it."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        refused = [name for name, errors in self.errors.as_data().items() if any(e.code == "secret" for e in errors)]
        if refused:
            self.data = self.data.copy()
            for name in refused:
                self.data[self.add_prefix(name)] = ""


class SearchForm(forms.Form):
    """A search box: anything a CharField refuses (a NUL byte, over-long text) means no search."""

    q = forms.CharField(max_length=100, required=False)

    def query(self) -> str:
        return self.cleaned_data["q"].strip() if self.is_valid() else ""
