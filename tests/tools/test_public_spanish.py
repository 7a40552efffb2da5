"""The public list of approved tools is read by families without signing in: it is in English and
in Spanish, every word of it (grade bands included), with a switch between the two that keeps the
page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import District
from tests.factories import ToolFactory
from tests.translation import LanguageSwitch, compile_catalogs, sentences, untranslated
from tools.models import Tool

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}
LANGUAGE_NAMES = {"English", "Español"}  # each language's own name, on the switch: the same in both


@pytest.fixture(scope="module", autouse=True)
def _catalogs():
    compile_catalogs()


def publish(district: District) -> str:
    district.tool_list_visibility = "public"
    district.save()
    return reverse("tools:public_tool_list", args=[district.slug])


@pytest.fixture
def tool_list(world):
    """North's public list with each kind of row (parents' consent needed or not, conditions or none,
    every way of writing a grade band) and more tools than one page holds."""
    ToolFactory(
        district=world.district,
        name="Padlet",
        status="approved_with_conditions",
        conditions="Class accounts only.\nNo student surnames.",
        lowest_grade=-1,
        highest_grade=5,
    )
    ToolFactory(district=world.district, name="Instagram", is_public_social_media=True, lowest_grade=0, highest_grade=0)
    ToolFactory(district=world.district, name="Kahoot", lowest_grade=None, highest_grade=None)
    ToolFactory.create_batch(98, district=world.district)
    return publish(world.district)


def database_words() -> list[str]:
    """What the page shows from the database, not from the template: left out of the comparison."""
    return [
        *District.objects.values_list("name", flat=True),
        *Tool.objects.values_list("name", flat=True),
        *(line for conditions in Tool.objects.values_list("conditions", flat=True) for line in conditions.splitlines()),
    ]


def test_a_spanish_browser_gets_the_tool_list_in_spanish(client, world, tool_list):
    response = client.get(tool_list, **SPANISH)

    assert response.status_code == 200
    assert '<html lang="es"' in response.text
    assert '<h1 class="h3">Herramientas en línea aprobadas por North District</h1>' in response.text
    assert "Consentimiento de los padres" in response.text
    assert "<td>Se necesita</td>" in response.text and "<td>No se necesita</td>" in response.text
    for band in ("Grados Prekínder–5", "Grado Kínder", "Todos los grados", "Grados 6–12"):
        assert f'<td class="text-nowrap">{band}</td>' in response.text
    assert "Class accounts only." in response.text  # the district's own words are shown as written


def test_an_english_browser_gets_it_in_english(client, world, tool_list):
    response = client.get(tool_list, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert '<html lang="en"' in response.text
    assert "Online tools approved by North District" in response.text
    for band in ("Grades Pre-K–5", "Grade K", "Any grade", "Grades 6–12"):
        assert f'<td class="text-nowrap">{band}</td>' in response.text


@pytest.mark.parametrize("min_words", [3, 1], ids=["sentences", "every-label"])
@pytest.mark.parametrize(
    "params",
    [{}, {"page": "2"}, {"q": "zzzz"}],
    ids=["first-page", "second-page", "nothing-found"],
)
def test_nothing_on_the_tool_list_stays_in_english(client, world, tool_list, params, min_words):
    english = client.get(tool_list, params).text
    spanish = client.get(tool_list, params, **SPANISH).text
    data = [*database_words(), *params.values()]

    assert "Online tools approved by …" in sentences(english, data=data)  # the comparison sees the page
    left = untranslated(english, spanish, data=data, min_words=min_words, same=LANGUAGE_NAMES)
    assert not left, f"untranslated on the Spanish page: {sorted(left)}"


def test_an_empty_tool_list_is_in_spanish_too(client, world):
    url = publish(world.other_district)
    english = client.get(url).text
    spanish = client.get(url, **SPANISH).text

    assert "The district has not listed any approved tools yet." in english
    assert "El distrito todavía no ha publicado ninguna herramienta aprobada." in spanish
    assert not untranslated(english, spanish, data=database_words(), min_words=1, same=LANGUAGE_NAMES)


def test_the_switch_names_each_language_in_its_own_language(client, world, tool_list):
    switch = LanguageSwitch(client.get(tool_list, {"q": "pad"}).text)

    assert (switch.action, switch.method) == (reverse("set_language"), "post")
    assert switch.label == "Language"
    assert [(b["value"], b["lang"], b["text"]) for b in switch.buttons] == [
        ("en", "en", "English"),
        ("es", "es", "Español"),
    ]
    assert [b["value"] for b in switch.buttons if b.get("aria-current") == "true"] == ["en"]
    assert switch.hidden["next"] == f"{tool_list}?q=pad"


def test_a_visitor_switches_to_spanish_and_back_on_the_same_page(world, tool_list):
    browser = Client(enforce_csrf_checks=True)  # the real form, CSRF token and all
    page = f"{tool_list}?q=pad"

    switch = LanguageSwitch(browser.get(page).text)
    to_spanish = browser.post(switch.action, {**switch.hidden, "language": "es"})

    assert to_spanish.status_code == 302 and to_spanish["Location"] == page
    spanish = browser.get(to_spanish["Location"])
    assert '<html lang="es"' in spanish.text and "Herramientas en línea aprobadas por North District" in spanish.text
    assert [tool.name for tool in spanish.context["page"]] == ["Padlet"]

    switch = LanguageSwitch(spanish.text)
    to_english = browser.post(switch.action, {**switch.hidden, "language": "en"})

    assert to_english["Location"] == page
    assert "Online tools approved by North District" in browser.get(page).text
