from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import School
from core.forms import LongSelect, field_of
from core.sorting import SortColumns
from registry import selectors
from registry.models import AccountStatus, Platform, SocialAccount

ATTENTION_CHOICES = [
    ("any", _("Anything needing attention")),
    ("below_minimum", _("Fewer administrators than the minimum")),
    ("below_preferred", _("Fewer administrators than preferred")),
    ("review_overdue", _("Review overdue")),
    ("review_due_soon", _("Review due within 30 days")),
    ("awaiting_approval", _("Awaiting approval")),
    ("awaiting_communications", _("Awaiting communications review")),
    ("awaiting_launch", _("Approved, not yet launched")),
    ("unapproved_network", _("On a network the tool list does not approve")),
    ("unseen_by_communications", _("Live, never seen by the communications office")),
    ("left_by_their_people", _("Its owner or primary administrator has left")),
]

_SELECT = {"class": "form-select"}

# The list's sortable columns (core.sorting); administrator_count is selectors.with_attention's.
ACCOUNT_SORTS: SortColumns = {
    "name": ["display_name"],
    "represents": [
        F("school__name").asc(nulls_first=True),
        F("program__name").asc(nulls_first=True),
        F("owner_staff__last_name").asc(nulls_first=True),
        "display_name",
    ],
    "status": ["status", "display_name"],
    "administrators": ["administrator_count", "display_name"],
    "next_review": [F("next_review_on").asc(nulls_last=True), "display_name"],
}


class AccountFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    school = django_filters.ModelChoiceFilter(
        queryset=School.objects.none(), empty_label=_("All schools"), widget=LongSelect(attrs=_SELECT)
    )
    platform = django_filters.ModelChoiceFilter(
        queryset=Platform.objects.all(), empty_label=_("All platforms"), widget=forms.Select(attrs=_SELECT)
    )
    status = django_filters.ChoiceFilter(
        choices=AccountStatus.choices, empty_label=_("Any status"), widget=forms.Select(attrs=_SELECT)
    )
    attention = django_filters.ChoiceFilter(
        label=_("Needs attention"),
        choices=ATTENTION_CHOICES,
        empty_label=_("Everything"),
        method="needing",
        widget=forms.Select(attrs=_SELECT),
    )

    class Meta:
        model = SocialAccount
        fields = ["q", "school", "platform", "status", "attention"]

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self.filters, "school", django_filters.ModelChoiceFilter).queryset = schools

    def search(self, queryset: QuerySet[SocialAccount], name: str, value: str) -> QuerySet[SocialAccount]:
        return selectors.account_search(queryset, value[:100])

    def needing(self, queryset: QuerySet[SocialAccount], name: str, value: str) -> QuerySet[SocialAccount]:
        # The queryset is already annotated by selectors.with_attention.
        if value == "any":
            return selectors.needs_attention(queryset)
        if value in ("unapproved_network", "unseen_by_communications", "left_by_their_people"):
            district = getattr(getattr(self.request, "user", None), "district", None)
            if district is None:
                return queryset.none()
            if value == "unapproved_network":
                return selectors.on_unapproved_networks(district, queryset)
            if value == "left_by_their_people":
                return selectors.left_by_their_people(district, queryset)
            return selectors.live_unseen_by_communications(district, queryset)
        if value in ("below_minimum", "below_preferred", "review_overdue", "review_due_soon"):
            return queryset.filter(**{f"is_{value}": True})
        return {
            "awaiting_approval": selectors.awaiting_approval,
            "awaiting_communications": selectors.awaiting_communications,
            "awaiting_launch": selectors.awaiting_launch,
        }[value](queryset)
