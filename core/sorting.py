"""A long list sorted by one of its visible columns, as the address asks: ?sort=name, ?sort=-name.

Each list names its sortable columns once, a key for the address and the order_by terms that key
means (a whitelist: what the address says is only ever looked up in it, never handed to the
database). The primary key ends every order, so rows that tie keep one order from page to page.
A key the list does not know shows the list in its usual order. The template _sort_header.html
draws a column's header: a link that sorts by it (or reverses it), aria-sort on the sorted column,
an arrow and words for screen readers. The other parameters of the address (filters) are kept,
and _pagination.html keeps the sort, so a sorted, filtered page can be bookmarked and shared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import F, OrderBy, QuerySet
from django.http import HttpRequest

_Q = TypeVar("_Q", bound=QuerySet[Any])
OrderTerm = str | OrderBy
SortColumns = Mapping[str, Sequence[OrderTerm]]  # a list's sortable columns: key -> order, written ascending
PARAMETER = "sort"
ASCENDING = "ascending"
DESCENDING = "descending"


def _reversed(term: OrderTerm) -> OrderBy:
    if isinstance(term, str):
        name = term.removeprefix("-")
        return F(name).asc() if term.startswith("-") else F(name).desc()
    flipped = term.copy()
    flipped.reverse_ordering()
    return flipped


@dataclass(frozen=True)
class SortHeader:
    """What a column's header needs: the address that sorts by it, and how the list is sorted now."""

    key: str
    href: str
    state: str  # "ascending", "descending" or "" (not sorted by this column)


class Sorting:
    """The order a list is read in, chosen from `columns` by the address's `sort` parameter.

    `columns` maps a key to its order_by terms, written ascending ("last_name", "-pk",
    F("decided_at").asc(nulls_last=True)); "-key" in the address reverses every term.
    `default` is the key (optionally "-key") used when the address names none or an unknown one;
    None keeps the queryset's own order then (a list whose usual order is no single column).
    A page with several sorted lists gives each its own `parameter`, `page_parameter` and `anchor`."""

    def __init__(
        self,
        request: HttpRequest,
        columns: SortColumns,
        default: str | None,
        *,
        parameter: str = PARAMETER,
        page_parameter: str = "page",
        anchor: str = "",
    ) -> None:
        default_key = default.removeprefix("-") if default is not None else None
        if default_key is not None and default_key not in columns:
            raise ValueError(f"The default sort {default!r} is not one of the columns.")
        self.request = request
        self.columns = columns
        self.parameter = parameter
        self.page_parameter = page_parameter
        self.anchor = anchor
        asked = request.GET.get(parameter, "")
        key = asked.removeprefix("-")
        self.asked = key in columns
        self.key: str | None
        if self.asked:
            self.key, self.descending = key, asked.startswith("-")
        else:
            self.key, self.descending = default_key, default is not None and default.startswith("-")

    @property
    def value(self) -> str:
        """The sort as the address writes it ("name" or "-name"; "" for the list's own order)."""
        if self.key is None:
            return ""
        return f"-{self.key}" if self.descending else self.key

    @property
    def order(self) -> list[OrderTerm]:
        """The order_by terms: the column's, reversed when descending, then the primary key."""
        if self.key is None:
            return []
        terms = list(self.columns[self.key])
        if self.descending:
            return [*(_reversed(term) for term in terms), "-pk"]
        return [*terms, "pk"]

    def apply(self, queryset: _Q) -> _Q:
        """The queryset in the chosen order; with no default and nothing asked, in its own order."""
        return queryset.order_by(*self.order) if self.key is not None else queryset

    def header(self, key: str) -> SortHeader:
        if key not in self.columns:
            raise KeyError(key)
        params = self.request.GET.copy()
        params.pop(self.page_parameter, None)
        sorted_here = key == self.key
        params[self.parameter] = key if not sorted_here or self.descending else f"-{key}"
        state = (DESCENDING if self.descending else ASCENDING) if sorted_here else ""
        anchor = f"#{self.anchor}" if self.anchor else ""
        return SortHeader(key=key, href=f"?{params.urlencode()}{anchor}", state=state)

    @property
    def headers(self) -> dict[str, SortHeader]:
        """Every column's header, for the template:
        {% include "_sort_header.html" with header=sorting.headers.name label=_("Name") %}."""
        return {key: self.header(key) for key in self.columns}
