from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import F, QuerySet

from accounts import selectors
from accounts.models import District, Membership, Role, School, Student, User
from core.forms import LongSelect, field_of
from core.sorting import SortColumns


def _yes_no() -> forms.Select:
    return forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")], attrs={"class": "form-select"})


def _school_filter(**kwargs: Any) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        queryset=School.objects.none(),
        label="School",
        empty_label="All schools",
        widget=LongSelect(attrs={"class": "form-select"}),
        **kwargs,
    )


# The staff list's sortable columns (core.sorting): key in the address -> order, written ascending.
STAFF_SORTS: SortColumns = {
    "name": ["last_name", "first_name"],
    "email": ["email"],
    "employee_id": ["employee_id"],
    "status": ["-is_active", F("left_on").desc(nulls_first=True)],
    "signed_in": [F("last_login").asc(nulls_first=True)],
}
# The schools' list: the counts are annotations of accounts.selectors.schools_with_counts.
SCHOOL_SORTS: SortColumns = {
    "name": ["name"],
    "district": ["district__name", "name"],
    "students": ["student_count", "name"],
    "staff": ["staff_count", "name"],
    "principal": ["has_principal", "name"],
}
# The students' list: name, student id, grade, school.
STUDENT_SORTS: SortColumns = {
    "name": ["last_name", "first_name"],
    "sis_id": ["sis_id"],
    "grade": ["grade", "last_name", "first_name"],
    "school": ["school__name", "last_name", "first_name"],
}


class StaffFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    school = _school_filter(method="at_school")
    is_active = django_filters.BooleanFilter(label="Active", widget=_yes_no())
    signed_in = django_filters.BooleanFilter(label="Signed in", method="has_signed_in", widget=_yes_no())
    supervisor = django_filters.ChoiceFilter(
        label="Supervisor",
        choices=[("missing", "None, or one who has left")],
        empty_label="Any",
        method="without_supervisor",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = User
        fields = ["q", "school", "is_active", "signed_in", "supervisor"]

    def __init__(self, *args: Any, schools: QuerySet[School], district: District | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self.filters, "school", django_filters.ModelChoiceFilter).queryset = schools
        self.district = district

    def search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return selectors.staff_search(queryset, value)

    def has_signed_in(self, queryset: QuerySet[User], name: str, value: bool) -> QuerySet[User]:
        return queryset.filter(last_login__isnull=not value)

    def at_school(self, queryset: QuerySet[User], name: str, value: School) -> QuerySet[User]:
        return queryset.filter(memberships__school=value, memberships__ended_on__isnull=True).distinct()

    def without_supervisor(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        if value != "missing" or self.district is None:
            return queryset
        return queryset.filter(pk__in=selectors.without_current_supervisor(self.district).values("pk"))


class StudentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search by name or student id", method="search")
    school = _school_filter()
    grade = django_filters.CharFilter(label="Grade")
    active = django_filters.BooleanFilter(label="Enrolled", widget=_yes_no())

    class Meta:
        model = Student
        fields = ["q", "school", "grade", "active"]

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self.filters, "school", django_filters.ModelChoiceFilter).queryset = schools

    def search(self, queryset: QuerySet[Student], name: str, value: str) -> QuerySet[Student]:
        return selectors.student_search(queryset, value)


class MembershipFilter(django_filters.FilterSet):
    """The current roles of a district, by role, school or person (the roles list)."""

    q = django_filters.CharFilter(label="Search", method="search")
    role = django_filters.ChoiceFilter(
        choices=Role.choices, empty_label="Any role", widget=forms.Select(attrs={"class": "form-select"})
    )
    school = _school_filter()

    class Meta:
        model = Membership
        fields = ["q", "role", "school"]

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self.filters, "school", django_filters.ModelChoiceFilter).queryset = schools

    def search(self, queryset: QuerySet[Membership], name: str, value: str) -> QuerySet[Membership]:
        return queryset.filter(user__in=selectors.staff_search(User.objects.all(), value[:100]).values("pk"))
