import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.models import District, Membership, Role, Student, User

pytestmark = pytest.mark.django_db


def every_table_count() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_loading_the_demo_twice_changes_nothing():
    call_command("load_demo", stdout=None)
    first = every_table_count()

    call_command("load_demo")

    assert every_table_count() == first


def test_the_demo_has_one_district_per_seed_policy_with_its_profile():
    call_command("load_demo")

    profiles = {
        d.slug: (d.photo_model, d.public_arena_exception, d.disclosure_required, d.communications_review_before_launch)
        for d in District.objects.all()
    }
    assert profiles == {
        "willmar": ("written_consent", True, True, False),  # 460
        "henning": ("written_consent", True, True, False),  # 436
        "lakeshore": ("opt_out", True, True, False),  # 547
        "bloomington": ("opt_out", False, False, True),  # 458
        "litchfield": ("written_consent", True, False, False),  # 4118.51
    }
    lakeshore = District.objects.get(slug="lakeshore")
    assert (lakeshore.min_account_administrators, lakeshore.preferred_account_administrators) == (1, 2)
    assert District.objects.get(slug="willmar").disclosure_recipient == "school"


def test_every_demo_district_has_every_role_and_students():
    call_command("load_demo")

    for district in District.objects.all():
        roles = set(Membership.objects.filter(district=district, ended_on__isnull=True).values_list("role", flat=True))
        assert roles == set(Role.values), district
        assert Student.objects.filter(district=district).exists()


def test_the_demo_prints_a_sign_in_for_every_role(capsys):
    call_command("load_demo")

    printed = capsys.readouterr().out
    assert "director@willmar.example.org" in printed
    assert "clerk.s1@bloomington.example.org" in printed
    assert User.objects.get(email="director@willmar.example.org").check_password("demo-password-2026")
