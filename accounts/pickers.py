"""Choosing a person, a school or a program by typing part of its name (issue 28): the form fields, the
text each suggestion shows, and the answer of the small search pages behind them.

A picker's page answers htmx with the suggestions alone (an HTML fragment, static/js/picker.js shows it
as a listbox) and a browser without JavaScript with a whole page. The fields accept what the picker
writes (an e-mail address, a program and its school) or an exact name typed by hand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import selectors
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Program, School, Student, User
from core.forms import PickerField, SearchForm

_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True)
class Suggestion:
    value: str  # what choosing it writes in the box, and what the field resolves
    name: str
    details: str  # enough to tell two of the same name apart


def picker_query(request: AuthenticatedHttpRequest) -> str:
    """What was typed, or "" before the second letter (one letter would match half the district)."""
    query = SearchForm(request.GET).query()
    return query if len(query) >= selectors.PICKER_MIN_LENGTH else ""


def picker_response(
    request: AuthenticatedHttpRequest, *, title: str, query: str, suggestions: list[Suggestion]
) -> HttpResponse:
    template = "accounts/_picker_options.html" if request.htmx else "accounts/picker.html"
    return render(request, template, {"title": title, "query": query, "suggestions": suggestions})


def staff_suggestion(user: User) -> Suggestion:
    roles = getattr(user, "current_roles", [])
    where = [
        f"{membership.get_role_display()}, {membership.school.name}"
        if membership.school is not None
        else membership.get_role_display()
        for membership in roles
    ]
    details = " · ".join(part for part in (user.email, user.job_title, "; ".join(where)) if part)
    return Suggestion(value=user.email, name=user.full_name or user.email, details=details)


def student_suggestion(student: Student) -> Suggestion:
    grade = _("grade %(grade)s") % {"grade": student.grade} if student.grade else ""
    details = " · ".join(part for part in (student.sis_id, grade, student.school.name) if part)
    return Suggestion(value=student.sis_id, name=student.full_name, details=details)


def school_suggestion(school: School) -> Suggestion:
    return Suggestion(value=selectors.school_label(school), name=school.name, details=school.code)


def program_suggestion(program: Program) -> Suggestion:
    return Suggestion(
        value=selectors.program_label(program),
        name=program.name,
        details=f"{program.get_kind_display()} · {program.school.name}",
    )


def staff_picker_field(**kwargs: Any) -> PickerField[User]:
    """An active staff member of the district (the form sets the queryset), by e-mail or whole name."""
    kwargs.setdefault("help_text", gettext_lazy("Type part of their name or e-mail address, then choose."))
    kwargs.setdefault("not_found", gettext_lazy("%(field)s: no active staff member of the district is “%(text)s”."))
    return PickerField(
        queryset=User.objects.none(),
        exact=selectors.staff_picker_exact,
        text_of=lambda user: user.email,
        url=reverse_lazy("pick_staff"),
        **kwargs,
    )


def school_picker_field(**kwargs: Any) -> PickerField[School]:
    return PickerField(
        queryset=School.objects.none(),
        exact=selectors.school_picker_exact,
        text_of=selectors.school_label,
        url=reverse_lazy("pick_schools"),
        accepts_key=True,
        **kwargs,
    )


def program_picker_field(*, url: str | Promise, **kwargs: Any) -> PickerField[Program]:
    return PickerField(
        queryset=Program.objects.none(),
        exact=selectors.program_picker_exact,
        text_of=selectors.program_label,
        url=url,
        accepts_key=True,
        **kwargs,
    )


def first_suggestions(
    queryset: QuerySet[_M],
    query: str,
    search: Callable[[QuerySet[_M], str], QuerySet[_M]],
    suggestion: Callable[[_M], Suggestion],
) -> list[Suggestion]:
    """The best matches, at most PICKER_RESULTS of them, as suggestions."""
    if not query:
        return []
    return [suggestion(row) for row in search(queryset, query)[: selectors.PICKER_RESULTS]]
