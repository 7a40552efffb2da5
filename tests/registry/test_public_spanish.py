"""The public directory of official accounts is read by families without signing in: it is in
English and in Spanish, every word of it, with a switch between the two that keeps the page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import District, School
from registry.models import Platform, Program, SocialAccount
from tests.factories import ProgramFactory, SocialAccountFactory
from tests.translation import LanguageSwitch, compile_catalogs, sentences, untranslated

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es"}
# The one text rightly the same in both: each language's own name, on the switch.
LANGUAGE_NAMES = {"English", "Español"}


@pytest.fixture(scope="module", autouse=True)
def _catalogs():
    compile_catalogs()


@pytest.fixture
def directory(world):
    """North's directory with every kind of row (a school's, a club's, the district's own) and more
    accounts than one page holds, so the page links on to the next."""
    SocialAccountFactory(school=world.school, display_name="North High Official", handle="@northhigh")
    club = ProgramFactory(school=world.school, name="Robotics")
    SocialAccountFactory(school=world.school, program=club, owner_kind="program", display_name="North Robotics")
    SocialAccountFactory(school=None, district=world.district, owner_kind="district", display_name="North Schools")
    SocialAccountFactory.create_batch(98, school=world.other_school)
    return reverse("registry:public_directory", args=[world.district.slug])


def database_words() -> list[str]:
    """What the page shows from the database, not from the template: left out of the comparison."""
    return [
        *District.objects.values_list("name", flat=True),
        *SocialAccount.objects.values_list("display_name", flat=True),
        *SocialAccount.objects.values_list("handle", flat=True),
        *Program.objects.values_list("name", flat=True),
        *Platform.objects.values_list("name", flat=True),
        *School.objects.values_list("name", flat=True),
    ]


def test_a_spanish_browser_gets_the_directory_in_spanish(client, world, directory):
    response = client.get(directory, **SPANISH)

    assert response.status_code == 200
    assert '<html lang="es"' in response.text
    assert '<h1 class="h3">Redes sociales oficiales de North District</h1>' in response.text
    assert "<title>Redes sociales oficiales de North District · Registro de redes sociales</title>" in response.text
    assert "Saltar al contenido" in response.text
    assert "Página 1 de 2" in response.text
    # The district's own account comes last (no school): its row says whose it is in Spanish too.
    assert "<td>Distrito</td>" in client.get(directory, {"page": "2"}, **SPANISH).text


def test_an_english_browser_gets_it_in_english(client, world, directory):
    response = client.get(directory, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert '<html lang="en"' in response.text
    assert "Official social media of North District" in response.text
    assert "Skip to content" in response.text


@pytest.mark.parametrize("min_words", [3, 1], ids=["sentences", "every-label"])
@pytest.mark.parametrize(
    "params",
    [{}, {"page": "2"}, {"q": "zzzz"}],
    ids=["first-page", "second-page", "nothing-found"],
)
def test_nothing_on_the_directory_stays_in_english(client, world, directory, params, min_words):
    english = client.get(directory, params).text
    spanish = client.get(directory, params, **SPANISH).text
    data = [*database_words(), *params.values()]

    assert "Official social media of …" in sentences(english, data=data)  # the comparison sees the page
    left = untranslated(english, spanish, data=data, min_words=min_words, same=LANGUAGE_NAMES)
    assert not left, f"untranslated on the Spanish page: {sorted(left)}"


def test_an_empty_directory_is_in_spanish_too(client, world):
    url = reverse("registry:public_directory", args=[world.other_district.slug])
    english = client.get(url).text
    spanish = client.get(url, **SPANISH).text

    assert "The district has not listed any accounts yet." in english
    assert "El distrito todavía no ha publicado ninguna cuenta." in spanish
    assert not untranslated(english, spanish, data=database_words(), min_words=1, same=LANGUAGE_NAMES)


def test_the_switch_names_each_language_in_its_own_language(client, world, directory):
    switch = LanguageSwitch(client.get(directory, {"q": "north"}, **SPANISH).text)

    assert (switch.action, switch.method) == (reverse("set_language"), "post")
    assert switch.label == "Idioma"
    assert [(b["value"], b["lang"], b["text"]) for b in switch.buttons] == [
        ("en", "en", "English"),
        ("es", "es", "Español"),
    ]
    assert [b["value"] for b in switch.buttons if b.get("aria-current") == "true"] == ["es"]
    assert all(b.get("type") == "submit" and "disabled" not in b for b in switch.buttons)  # reachable with Tab
    assert switch.hidden["next"] == f"{directory}?q=north"


@pytest.mark.django_db
def test_a_visitor_switches_to_spanish_and_back_on_the_same_page(world, directory):
    browser = Client(enforce_csrf_checks=True)  # the real form, CSRF token and all
    page = f"{directory}?q=north&page=1"

    switch = LanguageSwitch(browser.get(page).text)
    to_spanish = browser.post(switch.action, {**switch.hidden, "language": "es"})

    assert to_spanish.status_code == 302 and to_spanish["Location"] == page
    spanish = browser.get(to_spanish["Location"])
    assert '<html lang="es"' in spanish.text and "Redes sociales oficiales de North District" in spanish.text
    assert [a.display_name for a in spanish.context["page"]] == [
        "North High Official",
        "North Robotics",
        "North Schools",
    ]

    switch = LanguageSwitch(spanish.text)
    to_english = browser.post(switch.action, {**switch.hidden, "language": "en"})

    assert to_english["Location"] == page
    assert '<html lang="en"' in browser.get(page).text
