"""Which page of a long list to show, as the address asks for it (?page=3).

A list read from a query is a Paginator's page (page_of). A page built another way, such as an
object's history or the audit log, needs only the number (page_number). Either way a missing or
nonsense number shows the first page rather than an error.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


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
