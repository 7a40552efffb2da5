"""Which page of a long list to show, as the address asks for it (?page=3).

A list read from a query is a Paginator's page (page_of). A page built another way, such as an
object's history or the audit log, needs only the number (page_number). Either way a missing or
nonsense number shows the first page rather than an error.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest

_M = TypeVar("_M", bound=Model)


def page_of(request: HttpRequest, items: Any, per_page: int, parameter: str = "page") -> Page[Any]:
    """The page of `items` the address asks for: the first when the number is missing or not a
    number, the last when it is past the end. The template _pagination.html links the others."""
    return Paginator(items, per_page).get_page(request.GET.get(parameter))


def page_number(request: HttpRequest, parameter: str = "page", *, last: int | None = None) -> int:
    """The page number asked for in the address (1 when missing or nonsense), at most `last`."""
    value = request.GET.get(parameter, "")
    if not (value.isascii() and value.isdigit()) or len(value) > 6:  # "²" is a digit to isdigit()
        return 1
    number = max(1, int(value))
    return number if last is None else min(number, last)


def page_by_ids(queryset: QuerySet[_M], page: str | None, per_page: int, *, count: int | None = None) -> Page[_M]:
    """A page of a long, wide list in two short steps: the page's ids in the list's order (a narrow
    sort, without the joins and columns the rows need), then those rows. `count`, when the page
    already knows how many the list holds, spares counting it again."""
    paginator: Paginator[Any] = Paginator(queryset.values_list("pk", flat=True), per_page)
    if count is not None:
        paginator.count = count  # Paginator.count is a cached property: set, it is not counted
    chosen = paginator.get_page(page)
    ids = list(chosen.object_list)
    rows = {row.pk: row for row in queryset.filter(pk__in=ids)}
    chosen.object_list = [rows[pk] for pk in ids if pk in rows]
    return chosen
