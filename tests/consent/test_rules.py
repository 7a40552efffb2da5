"""The one function that decides: every model × public arena × rollover × answer."""

from __future__ import annotations

import datetime

import pytest

from consent import rules
from consent.models import ConsentScope
from tests.factories import ConsentRecordFactory, ConsentScopeFactory, DistrictFactory, SchoolFactory, StudentFactory

# The district's school year starts on July 1; the answer was received in the 2025–26 year.
RECEIVED = datetime.date(2026, 3, 2)
BEFORE_ROLLOVER = datetime.date(2026, 6, 30)
AFTER_ROLLOVER = datetime.date(2026, 7, 1)
ANSWERS = ("granted", "refused", "withdrawn", None)


def expected(model: str, public_arena: bool, after_rollover: bool, answer: str | None) -> bool:
    if public_arena:
        return True  # the scope has the exception
    counted = None if after_rollover else answer  # a renewed scope forgets last year
    if model == "written_consent":
        return counted == "granted"
    return counted in ("granted", None)


CASES = [
    pytest.param(
        model,
        public_arena,
        after,
        answer,
        id=f"{model}-{'arena' if public_arena else 'ordinary'}-{'after' if after else 'before'}-{answer or 'nothing'}",
    )
    for model in ("written_consent", "opt_out")
    for public_arena in (False, True)
    for after in (False, True)
    for answer in ANSWERS
]


@pytest.fixture
def school(db):
    return SchoolFactory(district=DistrictFactory(school_year_start_month=7))


def renewed_scope(school, model: str) -> ConsentScope:
    return ConsentScopeFactory(
        district=school.district, model=model, public_arena_exception=True, renewed_each_school_year=True
    )


@pytest.mark.parametrize(("model", "public_arena", "after_rollover", "answer"), CASES)
def test_it_decides_every_combination(school, model, public_arena, after_rollover, answer):
    scope = renewed_scope(school, model)
    student = StudentFactory(school=school)
    if answer:
        ConsentRecordFactory(student=student, scope=scope, decision=answer, received_on=RECEIVED)
    on = AFTER_ROLLOVER if after_rollover else BEFORE_ROLLOVER

    answer_given = rules.posting_answer(student, scope, on, public_arena=public_arena)

    assert answer_given.allowed is expected(model, public_arena, after_rollover, answer)
    assert answer_given.reason


@pytest.mark.parametrize("model", ["written_consent", "opt_out"])
@pytest.mark.parametrize("public_arena", [False, True])
@pytest.mark.parametrize("on", [BEFORE_ROLLOVER, AFTER_ROLLOVER])
def test_it_lists_exactly_the_students_the_single_answer_refuses(school, model, public_arena, on):
    scope = renewed_scope(school, model)
    students = {}
    for answer in ANSWERS:
        students[answer] = StudentFactory(school=school)
        if answer:
            ConsentRecordFactory(student=students[answer], scope=scope, decision=answer, received_on=RECEIVED)

    listed = set(rules.do_not_post(school.students.all(), scope, on, public_arena=public_arena))

    refused_one_by_one = {
        student
        for student in students.values()
        if not rules.posting_answer(student, scope, on, public_arena=public_arena).allowed
    }
    assert listed == refused_one_by_one


def test_it_keeps_counting_last_years_answer_when_the_scope_is_not_renewed(school):
    scope = ConsentScopeFactory(district=school.district, model="written_consent", renewed_each_school_year=False)
    student = StudentFactory(school=school)
    ConsentRecordFactory(student=student, scope=scope, decision="granted", received_on=RECEIVED)

    assert rules.posting_answer(student, scope, AFTER_ROLLOVER).allowed


def test_it_says_last_years_answer_no_longer_counts_after_rollover(school):
    scope = renewed_scope(school, "written_consent")
    student = StudentFactory(school=school)
    ConsentRecordFactory(student=student, scope=scope, decision="granted", received_on=RECEIVED)

    answer = rules.posting_answer(student, scope, AFTER_ROLLOVER)

    assert not answer.allowed
    assert "2026–27" in answer.reason and "no longer counts" in answer.reason


def test_it_applies_a_withdrawal_the_day_it_is_received(school):
    scope = renewed_scope(school, "written_consent")
    student = StudentFactory(school=school)
    ConsentRecordFactory(student=student, scope=scope, decision="granted", received_on=datetime.date(2026, 2, 1))
    ConsentRecordFactory(student=student, scope=scope, decision="withdrawn", received_on=RECEIVED)

    assert rules.posting_answer(student, scope, RECEIVED - datetime.timedelta(days=1)).allowed
    assert not rules.posting_answer(student, scope, RECEIVED).allowed
    assert student in rules.do_not_post(school.students.all(), scope, RECEIVED)


def test_it_keeps_a_newer_withdrawal_when_an_older_form_is_entered_later(school):
    scope = renewed_scope(school, "written_consent")
    student = StudentFactory(school=school)
    ConsentRecordFactory(student=student, scope=scope, decision="withdrawn", received_on=RECEIVED)
    ConsentRecordFactory(student=student, scope=scope, decision="granted", received_on=datetime.date(2026, 1, 15))

    assert not rules.posting_answer(student, scope, BEFORE_ROLLOVER).allowed


def test_it_keeps_scopes_apart_so_refusing_social_media_keeps_the_yearbook(school):
    social = renewed_scope(school, "written_consent")
    yearbook = ConsentScopeFactory(district=school.district, model="opt_out")
    student = StudentFactory(school=school)
    ConsentRecordFactory(student=student, scope=social, decision="refused", received_on=RECEIVED)

    assert not rules.posting_answer(student, social, BEFORE_ROLLOVER).allowed
    assert rules.posting_answer(student, yearbook, BEFORE_ROLLOVER).allowed


def test_it_cautions_when_the_exception_covers_a_student_whose_family_refused(school):
    scope = renewed_scope(school, "opt_out")
    student = StudentFactory(school=school)
    ConsentRecordFactory(student=student, scope=scope, decision="refused", received_on=RECEIVED)

    answer = rules.posting_answer(student, scope, BEFORE_ROLLOVER, public_arena=True)

    assert answer.allowed and "public-arena" in answer.reason and answer.caution


def test_it_ignores_the_public_arena_when_the_scope_has_no_exception(school):
    scope = ConsentScopeFactory(district=school.district, model="opt_out", public_arena_exception=False)
    student = StudentFactory(school=school)
    ConsentRecordFactory(student=student, scope=scope, decision="refused", received_on=RECEIVED)

    assert not rules.posting_answer(student, scope, BEFORE_ROLLOVER, public_arena=True).allowed
