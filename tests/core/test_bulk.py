"""The shared piece of bulk actions: the selection, and running each item all-or-nothing or on its own."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict

from accounts.models import School
from core import bulk
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def rename(school: School) -> None:
    if school.name.startswith("Refused"):
        raise ValidationError("Not this one.")
    if school.name.startswith("Forbidden"):
        raise PermissionDenied
    School.objects.filter(pk=school.pk).update(name=f"{school.name} (renamed)")


def schools(*names: str) -> list[School]:
    return [SchoolFactory(name=name) for name in names]


def names() -> set[str]:
    return set(School.objects.values_list("name", flat=True))


def test_it_does_each_item_on_its_own_and_lists_the_refused_with_their_reason():
    chosen = schools("Oak", "Refused Elm", "Forbidden Ash", "Pine")

    result = bulk.run(chosen, rename, all_or_nothing=False, refused="You may not rename it.")

    assert [s.name for s in result.done] == ["Oak", "Pine"]
    assert [(f.item.name, f.reason) for f in result.failed] == [
        ("Refused Elm", "Not this one."),
        ("Forbidden Ash", "You may not rename it."),
    ]
    assert names() == {"Oak (renamed)", "Refused Elm", "Forbidden Ash", "Pine (renamed)"}
    assert not result.rolled_back


def test_all_or_nothing_changes_nothing_when_one_item_is_refused():
    chosen = schools("Oak", "Refused Elm", "Pine")

    result = bulk.run(chosen, rename, all_or_nothing=True)

    assert result.rolled_back and result.done == []
    assert [s.name for s in result.held_back] == ["Oak", "Pine"]
    assert [f.item.name for f in result.failed] == ["Refused Elm"]
    assert names() == {"Oak", "Refused Elm", "Pine"}


def test_all_or_nothing_does_everything_when_nothing_is_refused():
    result = bulk.run(schools("Oak", "Pine"), rename, all_or_nothing=True)

    assert len(result.done) == 2 and not result.rolled_back
    assert names() == {"Oak (renamed)", "Pine (renamed)"}


def test_a_check_refuses_an_item_before_its_action_runs():
    result = bulk.run(
        schools("Oak", "Pine"), rename, all_or_nothing=False, check=lambda s: "Skip" if s.name == "Oak" else None
    )

    assert [(f.item.name, f.reason) for f in result.failed] == [("Oak", "Skip")]
    assert names() == {"Oak", "Pine (renamed)"}


def test_the_selection_keeps_the_filter_not_ids_for_all_matching():
    selection = bulk.selection_from(QueryDict("all=1&pk=3&status=active&q=band&page=2&other=x"), ["q", "status"])

    assert selection.everything and selection.ids == ()
    assert selection.hidden_fields() == [("all", "1"), ("q", "band"), ("status", "active")]
    assert selection.filter_data().dict() == {"q": "band", "status": "active"}


def test_the_selection_drops_ids_that_are_not_numbers_and_refuses_too_many():
    assert bulk.selection_from(QueryDict("pk=3&pk=x&pk=3&pk=-1&pk=²&pk=7"), []).ids == (3, 7)

    with pytest.raises(bulk.TooMany):
        bulk.selection_from(QueryDict("&".join(f"pk={n}" for n in range(bulk.MAX_TICKED + 1))), [])


def test_chosen_reads_ticked_ids_only_among_what_the_user_may_see():
    seen, hidden = schools("Oak", "Pine")
    visible = School.objects.filter(pk=seen.pk)

    assert bulk.chosen(bulk.Selection(ids=(seen.pk, hidden.pk)), matching=School.objects.all(), visible=visible) == [
        seen
    ]
    assert bulk.chosen(bulk.Selection(), matching=School.objects.all(), visible=visible) == []


def test_chosen_refuses_more_than_the_limit(monkeypatch):
    monkeypatch.setattr(bulk, "LIMIT", 1)
    schools("Oak", "Pine")

    with pytest.raises(bulk.TooMany):
        bulk.chosen(bulk.Selection(everything=True), matching=School.objects.all(), visible=School.objects.all())
