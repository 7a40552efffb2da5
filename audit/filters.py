"""The audit log's filters beside its period, read from the address: who acted (?person=<e-mail>),
the kind of record (?kind=official-account) and the school (?school=<id>).

The log is merged from many history tables (audit.selectors), so the filter set does not filter one
queryset of rows: its queryset is the people who may be named, and `audit_filters()` turns what it
parsed into the selectors' AuditFilters. A person is looked up among the district's own staff and the
site's operators only, so naming someone of another district finds nothing, and shows nothing.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from accounts.models import District, School, User
from audit.selectors import KINDS, AuditFilters, kind_key
from core.forms import LongSelect, field_of

_SELECT = {"class": "form-select"}


def people_of(district: District) -> QuerySet[User]:
    """Who may have acted on the district's records: its staff and the site's operators (no district)."""
    return User.objects.filter(Q(district=district) | Q(district__isnull=True))


class AuditFilter(django_filters.FilterSet):
    person = django_filters.CharFilter(
        label=_("Who acted (e-mail)"),
        method="by_email",
        widget=forms.EmailInput(attrs={"class": "form-control", "maxlength": 254}),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of record"),
        choices=[(kind_key(kind), _(kind)) for kind in KINDS],
        empty_label=_("Every kind"),
        method="parsed_only",
        widget=forms.Select(attrs=_SELECT),
    )
    school = django_filters.ModelChoiceFilter(
        label=_("School"),
        queryset=School.objects.none(),
        empty_label=_("Every school and the district"),
        method="parsed_only",
        widget=LongSelect(attrs=_SELECT),
    )

    def __init__(self, data: Any, *, district: District, **kwargs: Any) -> None:
        super().__init__(data, queryset=people_of(district), **kwargs)
        schools = School.objects.filter(district=district).order_by("name", "pk")
        field_of(self.filters, "school", django_filters.ModelChoiceFilter).queryset = schools

    def by_email(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        # Lower(email) is the unique index of the address (accounts.User): one row read, found or not.
        return queryset.alias(email_lower=Lower("email")).filter(email_lower=value.strip().lower())

    def parsed_only(self, queryset: QuerySet[User], name: str, value: Any) -> QuerySet[User]:
        return queryset  # read by audit_filters(), not a condition on the people

    def audit_filters(self) -> AuditFilters:
        """What the log is narrowed to. Filters the address gets wrong are ignored (and said so);
        a person who is not one of the district's matches nothing."""
        if not self.is_valid():
            data = {name: value for name, value in self.form.cleaned_data.items() if name not in self.form.errors}
        else:
            data = self.form.cleaned_data
        person_id = None
        nobody = False
        if data.get("person"):
            person = self.qs.values_list("pk", flat=True).first()
            person_id, nobody = person, person is None
        school = data.get("school")
        return AuditFilters(
            person_id=person_id,
            kinds=frozenset({data["kind"]}) if data.get("kind") else frozenset(),
            school_id=school.pk if school is not None else None,
            nobody=nobody,
        )

    @property
    def active(self) -> bool:
        return any(self.form.data.get(name) for name in self.filters)
