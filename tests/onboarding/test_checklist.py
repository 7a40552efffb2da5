"""The director's setup checklist reads each step from the data (issue 30): nothing is ticked by
hand, a step names who did it and when, a step that breaks later (three failed syncs) comes back, and
a district's director sees only their own checklist."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import RosterImport, RosterImportStatus, RosterSource, SignInEvent, SignInOutcome
from compliance import setup
from consent import services as consent_services
from consent.models import ConsentScope
from tests.disclosures.conftest import open_cycle
from tests.factories import StudentFactory, UserFactory, guardian_of

pytestmark = pytest.mark.django_db


def step(world, key: str) -> setup.Step:
    world.district.refresh_from_db()
    return {s.key: s for s in setup.setup_steps(world.district)}[key]


def test_it_counts_the_policy_reviewed_once_the_director_saves_it_and_a_document_is_attached(world):
    assert not step(world, "policy").done

    account_services.district_policy_save(acting_user=world.director, district=world.district, values={})
    assert not step(world, "policy").done  # reviewed, but the policy itself is not in the product
    account_services.policy_document_record(
        acting_user=world.director,
        district=world.district,
        values={"number": "460", "title": "Social Media", "version": "2024", "text": "The policy."},
    )

    done = step(world, "policy")
    assert done.done and done.by == world.director.full_name and done.at is not None


def test_it_counts_sign_in_once_domains_are_listed_and_the_director_signed_in_with_them(world):
    world.district.sign_in_domains = "north.example.org"
    world.district.save()
    assert not step(world, "sign_in").done
    assert "test it" in step(world, "sign_in").detail

    SignInEvent.objects.create(
        district=world.district, user=world.director, email=world.director.email, provider="google",
        outcome=SignInOutcome.LINKED,
    )  # fmt: skip

    assert step(world, "sign_in").done


def test_it_counts_the_roster_once_an_import_is_applied_and_reopens_it_after_three_failed_syncs(world):
    assert not step(world, "roster").done
    RosterImport.objects.create(
        district=world.district, file_name="roster.zip", status=RosterImportStatus.SUCCEEDED, uploaded_by=world.director
    )
    assert step(world, "roster").done

    for _ in range(3):
        RosterImport.objects.create(
            district=world.district, file_name="sync", status=RosterImportStatus.FAILED, source=RosterSource.API
        )

    reopened = step(world, "roster")
    assert not reopened.done and "failed 3 times in a row" in reopened.detail
    RosterImport.objects.create(
        district=world.district, file_name="sync", status=RosterImportStatus.SUCCEEDED, source=RosterSource.API
    )
    assert step(world, "roster").done


def test_it_counts_the_consent_questions_once_someone_of_the_district_saved_one(world):
    consent_services.consent_scopes_set_up(acting_user=None, district=world.district)
    assert not step(world, "consent").done

    scope = ConsentScope.objects.filter(district=world.district).first()
    scope.description_es = "Fotos en las redes sociales."
    consent_services.consent_scope_save(acting_user=world.director, scope=scope)

    assert step(world, "consent").done


def test_it_asks_for_the_disclosure_cycle_only_where_the_policy_requires_disclosures(world):
    world.district.disclosure_required = False
    world.district.save()
    assert "disclosures" not in {s.key for s in setup.setup_steps(world.district)}

    open_cycle(world)

    assert step(world, "disclosures").done


def test_it_counts_staff_invited_once_nobody_was_left_out(world):
    assert not step(world, "staff").done

    people = world.district.staff.filter(is_active=True)
    account_services.staff_invite(acting_user=world.director, district=world.district, people=people)

    assert step(world, "staff").done
    UserFactory(district=world.district)  # a new hire the roster brought
    assert not step(world, "staff").done


def test_it_counts_families_once_their_links_were_sent(world):
    consent_services.consent_scopes_set_up(acting_user=None, district=world.district)
    student = StudentFactory(school=world.school)
    guardian_of(student)

    consent_services.family_links_issue(
        acting_user=world.clerk, students=[student], school_year=world.district.school_year_for().start_year
    )

    done = step(world, "families")
    assert done.done and done.by == world.clerk.full_name


def test_it_shows_the_public_pages_as_decided_once_the_profile_was_reviewed(world):
    assert not step(world, "public_pages").done

    account_services.district_policy_save(
        acting_user=world.director, district=world.district, values={"public_directory_enabled": True}
    )

    decided = step(world, "public_pages")
    assert decided.done and "Directory of official accounts: public" in decided.detail


# --- Who sees it ------------------------------------------------------------------------------------


def test_it_shows_a_director_their_own_checklist_and_nobody_elses(client, world):
    url = reverse("onboarding:district_checklist", args=[world.district.slug])
    client.force_login(world.director)
    assert client.get(url).status_code == 200

    client.force_login(world.foreign_director)
    assert client.get(url).status_code == 404
    client.force_login(world.principal)
    assert client.get(url).status_code == 404


def test_it_draws_the_checklist_in_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    url = reverse("onboarding:district_checklist", args=[world.district.slug])
    client.force_login(world.director)
    client.get(url)

    with django_assert_num_queries(13):
        assert client.get(url).status_code == 200


def test_it_names_when_each_step_was_done(world):
    account_services.district_policy_save(acting_user=world.director, district=world.district, values={})

    reviewed = step(world, "public_pages")
    assert reviewed.at is not None and reviewed.at <= timezone.now()


def test_it_shows_the_checklist_on_the_directors_home_page_until_every_step_is_done(client, world, monkeypatch):
    client.force_login(world.director)
    assert b"Set up North District" in client.get(reverse("home")).content

    client.force_login(world.superintendent)
    assert b"Set up North District" not in client.get(reverse("home")).content

    monkeypatch.setattr(setup, "progress", lambda steps: setup.Progress(len(steps), len(steps)))
    client.force_login(world.director)
    assert b"Set up North District" not in client.get(reverse("home")).content
