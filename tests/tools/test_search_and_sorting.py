"""The approved-tool list found the way people ask (by what a tool is for, its kind, a grade) and
sorted by its columns; the queue of tool requests sorted too. Queries stay the same sorted or not."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import District
from tests.factories import ToolFactory, ToolRequestFactory
from tests.pages import queries_for

pytestmark = pytest.mark.django_db


def names_on(response) -> list[str]:
    return [tool.name for tool in response.context["page"]]


@pytest.fixture
def shelf(world):
    return [
        ToolFactory(
            district=world.district,
            name="Quizlet",
            category="assessment",
            lowest_grade=3,
            highest_grade=8,
            description="Flashcards and practice games.",
        ),
        ToolFactory(
            district=world.district,
            name="WeVideo",
            category="creation",
            lowest_grade=9,
            highest_grade=12,
            description="Students edit short videos of their projects.",
        ),
        ToolFactory(
            district=world.district,
            name="Edpuzzle",
            category="video",
            lowest_grade=None,
            highest_grade=None,
            status="approved_with_conditions",
            conditions="Teacher-made quiz questions only.",
        ),
        ToolFactory(district=world.other_district, name="Video South", category="video"),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("video", ["Edpuzzle", "WeVideo"]),  # its kind ("Video and streaming"), its use (“short videos”)
        ("quiz", ["Edpuzzle", "Quizlet"]),  # its conditions (“quiz questions”), its kind ("Quizzes …")
        ("flashcards", ["Quizlet"]),  # what it is used for
        ("QUIZZES AND", ["Quizlet"]),  # the kind's name, whatever the case
        ("vi", ["WeVideo"]),  # two letters match names and uses, not every kind's name
    ],
)
def test_it_finds_tools_by_what_they_are_for_and_their_kind(client, world, shelf, query, expected):
    client.force_login(world.staff)

    assert names_on(client.get(reverse("tools:tool_list"), {"q": query})) == expected


@pytest.mark.parametrize(
    ("grade", "expected"),
    [
        ("-1", ["Edpuzzle"]),  # Pre-K: only the tool with no band
        ("3", ["Edpuzzle", "Quizlet"]),  # the lowest grade of a band is in it
        ("8", ["Edpuzzle", "Quizlet"]),  # and so is the highest
        ("9", ["Edpuzzle", "WeVideo"]),
        ("12", ["Edpuzzle", "WeVideo"]),
        ("13", ["Edpuzzle", "Quizlet", "WeVideo"]),  # not a grade: ignored
        ("x", ["Edpuzzle", "Quizlet", "WeVideo"]),
    ],
)
def test_it_lists_the_tools_whose_grade_band_includes_a_grade(client, world, shelf, grade, expected):
    client.force_login(world.staff)

    assert names_on(client.get(reverse("tools:tool_list"), {"grade": grade})) == expected


def test_it_combines_search_grade_and_sort(client, world, shelf):
    client.force_login(world.staff)

    response = client.get(reverse("tools:tool_list"), {"q": "video", "grade": "10", "sort": "-name"})

    assert names_on(response) == ["WeVideo", "Edpuzzle"]
    assert 'aria-sort="descending"' in response.text
    assert '<input type="hidden" name="sort" value="-name">' in response.text


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Edpuzzle", "Quizlet", "WeVideo"]),
        ("-name", ["WeVideo", "Quizlet", "Edpuzzle"]),
        ("kind", ["Quizlet", "WeVideo", "Edpuzzle"]),  # assessment, creation, video
        ("grades", ["Edpuzzle", "Quizlet", "WeVideo"]),  # no band (every grade) first
        ("-grades", ["WeVideo", "Quizlet", "Edpuzzle"]),
        ("status", ["Quizlet", "WeVideo", "Edpuzzle"]),  # approved, approved with conditions
        ("nonsense", ["Edpuzzle", "Quizlet", "WeVideo"]),
    ],
)
def test_it_sorts_the_list_by_its_columns(client, world, shelf, sort, expected):
    client.force_login(world.staff)

    assert names_on(client.get(reverse("tools:tool_list"), {"sort": sort})) == expected


def test_the_export_follows_the_filters_and_the_sort(client, world, shelf):
    client.force_login(world.director)

    response = client.get(reverse("tools:tool_export"), {"q": "video", "sort": "-name"})

    rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert [row.split(",")[0] for row in rows[1:]] == ["WeVideo", "Edpuzzle"]


def test_the_list_costs_the_same_queries_sorted_filtered_or_not_at_any_size(
    client, world, shelf, django_assert_num_queries
):
    client.force_login(world.director)
    url = reverse("tools:tool_list")
    plain = queries_for(client, url)
    filtered = queries_for(client, url + "?q=video&grade=9&sort=-kind")
    ToolFactory.create_batch(60, district=world.district, description="More videos")

    for sort in ("name", "-kind", "status", "grades", "-consent", "agreement"):
        with django_assert_num_queries(plain):
            client.get(url + f"?sort={sort}")
    with django_assert_num_queries(filtered):
        client.get(url + "?q=video&grade=9&sort=-kind")


def test_the_request_queue_sorts_by_its_columns_and_keeps_its_own_order_by_default(client, world, colleague):
    first = ToolRequestFactory(requested_by=colleague, tool_name="Zoom")
    second = ToolRequestFactory(requested_by=world.staff, tool_name="Answer Garden")
    first.requested_at = second.requested_at - datetime.timedelta(days=2)
    first.save()
    client.force_login(world.superintendent)
    url = reverse("tools:request_list")

    def queue(query: str = "") -> list[str]:
        return [r.tool_name for r in client.get(url + query).context["page"]]

    assert queue() == ["Zoom", "Answer Garden"]  # oldest first
    assert queue("?sort=tool") == ["Answer Garden", "Zoom"]
    assert queue("?sort=-asked_on") == ["Answer Garden", "Zoom"]
    assert queue("?sort=asked_by") == sorted(
        ["Zoom", "Answer Garden"], key=lambda n: {"Zoom": colleague, "Answer Garden": world.staff}[n].last_name
    )


def test_the_demo_tools_are_found_by_video_and_quiz(client):
    call_command("load_demo")
    district = District.objects.filter(tools__isnull=False).order_by("pk").first()
    director = district.staff.get(email=f"director@{district.slug}.example.org")
    client.force_login(director)
    url = reverse("tools:tool_list")

    video = names_on(client.get(url, {"q": "video"}))
    quiz = names_on(client.get(url, {"q": "quiz"}))

    assert {"YouTube", "Canva for Education", "Seesaw"} <= set(video)
    assert "Kahoot!" in quiz
