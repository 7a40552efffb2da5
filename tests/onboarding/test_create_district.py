"""Creating a district without the admin site or a shell (issue 30): from a page for the
installation's operators and from `manage.py create_district`, starting from a seed policy exactly as
it states, with its first technology director invited once, and nothing written on bad input."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import District, Membership, PolicyDocument, Role, User
from accounts.policy_templates import BLANK, TEMPLATES, TEMPLATES_BY_KEY
from consent.models import ConsentScope
from reminders.models import Reminder
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db) -> User:
    return UserFactory(email="operator@cooperative.example.org", district=None, is_superuser=True, is_staff=True)


def create(**changes: str) -> None:
    options = {
        "name": "Willmar Public Schools",
        "slug": "willmar",
        "template": "willmar-460",
        "director_email": "Director@Willmar.k12.mn.us",
        **changes,
    }
    call_command("create_district", *[f"--{key.replace('_', '-')}={value}" for key, value in options.items()])


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.key)
def test_it_applies_a_seed_policy_template_exactly_as_the_policy_states(template):
    create(template=template.key)

    district = District.objects.get(slug="willmar")
    assert {name: getattr(district, name) for name in template.values} == template.values
    assert template.document is not None
    document = PolicyDocument.objects.get(district=district)
    assert (document.number, document.title, document.current) == (
        template.document["number"],
        template.document["title"],
        True,
    )
    assert ConsentScope.objects.filter(district=district).exists()
    history = district.history.earliest()
    assert history.history_change_reason == f"Created from the template {template.key}"


def test_it_starts_a_blank_profile_with_the_products_defaults():
    create(template=BLANK.key)

    district = District.objects.get(slug="willmar")
    assert district.photo_model == District._meta.get_field("photo_model").default
    assert not PolicyDocument.objects.filter(district=district).exists()


def test_it_names_and_invites_the_first_director_once(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    create()

    director = User.objects.get(email="director@willmar.k12.mn.us")
    assert not director.has_usable_password()
    roles = set(Membership.objects.filter(user=director, ended_on__isnull=True).values_list("role", flat=True))
    assert roles == {Role.STAFF, Role.DIRECTOR}
    invitations = Reminder.objects.filter(kind="invitation", recipient=director)
    assert invitations.count() == 1 and invitations.get().period == "first-director"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", "Give the district's name"),
        ({"slug": "Willmar Schools!"}, "slug", "Letters, digits and hyphens only"),
        ({"slug": "Willmar"}, "slug", "lower-case"),
        ({"director_email": "not an address"}, "director_email", "e-mail address"),
        ({"time_zone": "Europe/Paris"}, "time_zone", "listed time zones"),
        ({"school_year_starts": "13"}, "school_year_start_month", "Choose a month"),
        ({"name": "W" * 201}, "name", "At most 200 characters"),
    ],
)
def test_it_refuses_bad_input_and_creates_nothing(changes, field, message):
    with pytest.raises(CommandError, match=message) as refused:
        create(**changes)

    assert f"{field}:" in str(refused.value) and "Nothing was created" in str(refused.value)
    assert not District.objects.exists() and not User.objects.exists()


def test_it_refuses_a_short_name_already_taken():
    create()

    with pytest.raises(CommandError, match="already the short name of Willmar Public Schools"):
        create(name="Another Willmar", director_email="other@example.org")
    assert District.objects.count() == 1


def test_it_refuses_a_director_who_already_has_an_account():
    create()

    with pytest.raises(CommandError, match="already has an account in Willmar Public Schools"):
        create(slug="willmar-2", name="Willmar Two")
    assert District.objects.count() == 1


def test_it_refuses_an_unknown_template():
    with pytest.raises(CommandError):
        create(template="policy-999")
    assert not District.objects.exists()


# --- The operators' pages ---------------------------------------------------------------------------


def test_it_lets_an_operator_create_a_district_from_the_page(client, operator):
    client.force_login(operator)

    response = client.post(
        reverse("onboarding:district_new"),
        {
            "name": "Bloomington Public Schools ISD 271",
            "slug": "isd-271",
            "time_zone": "America/Chicago",
            "school_year_start_month": "7",
            "template": "bloomington-458",
            "director_email": "tech@isd271.example.org",
            "director_first_name": "Robin",
            "director_last_name": "Lee",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("onboarding:district_checklist", args=["isd-271"])
    district = District.objects.get(slug="isd-271")
    assert district.communications_review_before_launch is True
    assert district.history.earliest().history_user == operator
    listed = client.get(reverse("onboarding:district_list"))
    assert b"Bloomington Public Schools ISD 271" in listed.content
    assert b"0 of 7" in listed.content  # 458 asks for no annual disclosure: seven steps


def test_it_shows_what_each_seed_policy_implies_on_the_page(client, operator):
    client.force_login(operator)

    page = client.get(reverse("onboarding:district_new")).content.decode()

    for template in [*TEMPLATES, BLANK]:
        assert template.title in page
    assert "Community Relations Office before launch" in page


def test_it_refuses_a_taken_short_name_on_the_page_with_the_form_kept(client, operator):
    create()
    client.force_login(operator)

    response = client.post(
        reverse("onboarding:district_new"),
        {"name": "X", "slug": "willmar", "time_zone": "America/Chicago", "school_year_start_month": "7",
         "template": "blank", "director_email": "x@example.org"},
    )  # fmt: skip

    assert response.status_code == 400
    assert "already the short name" in response.content.decode()
    assert District.objects.count() == 1


def test_it_lets_only_operators_create_districts(client, world):
    for persona in ("director", "superintendent", "staff"):
        client.force_login(world.persona(persona))
        assert client.get(reverse("onboarding:district_new")).status_code == 403
        assert client.get(reverse("onboarding:district_list")).status_code == 403


def test_it_lists_districts_in_a_fixed_number_of_queries_per_page(client, operator, django_assert_max_num_queries):
    for n in range(3):
        create(slug=f"d{n}", name=f"District {n}", director_email=f"d{n}@example.org")
    client.force_login(operator)
    client.get(reverse("onboarding:district_list"))

    with django_assert_max_num_queries(4 + 3 * 14):
        assert client.get(reverse("onboarding:district_list")).status_code == 200


def test_every_template_names_a_seed_policy():
    assert [t.key for t in TEMPLATES] == [
        "willmar-460",
        "henning-436",
        "wisconsin-547",
        "bloomington-458",
        "litchfield-4118-51",
    ]
    assert TEMPLATES_BY_KEY["blank"] is BLANK
