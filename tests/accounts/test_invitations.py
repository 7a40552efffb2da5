"""Bringing staff in: a district that signs in only with Google or Microsoft, invitations sent once
through the reminder log, the staff list saying who never signed in, and mail that comes from the
district."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accounts import services
from accounts.models import User
from reminders.models import Reminder
from tests.factories import TEST_PASSWORD, staff_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def sso_district(world, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    world.district.sign_in_domains = "north.example.org"
    world.district.password_sign_in = False
    world.district.save()
    return world.district


# --- Single sign-on only -----------------------------------------------------------------------------


def test_a_district_that_switched_passwords_off_refuses_the_right_password(client, world, sso_district):
    response = client.post(reverse("account_login"), {"login": world.staff.email, "password": TEST_PASSWORD})

    assert response.status_code == 200
    assert "North District signs in with its Google or Microsoft accounts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_learns_nothing_about_the_districts_setting(client, world, sso_district):
    response = client.post(reverse("account_login"), {"login": world.staff.email, "password": "wrong-password"})

    assert "Google or Microsoft" not in response.content.decode()


def test_an_operator_keeps_a_password_for_break_glass_access(client, superuser, sso_district):
    superuser.set_password(TEST_PASSWORD)
    superuser.save()

    response = client.post(reverse("account_login"), {"login": superuser.email, "password": TEST_PASSWORD})

    assert response.status_code == 302


def test_no_reset_mail_is_sent_where_passwords_are_off(client, world, sso_district, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": world.staff.email})

    assert mailoutbox == []


def test_passwords_cannot_be_switched_off_before_staff_can_sign_in_another_way(client, world):
    client.force_login(world.director)
    response = client.get(reverse("district_sign_in", args=["north"]))
    data = {**{k: v for k, v in response.context["form"].initial.items() if v is not None}, "password_sign_in": ""}

    response = client.post(reverse("district_sign_in", args=["north"]), data)

    assert response.status_code == 200
    assert "Keep passwords until staff can sign in" in response.content.decode()
    world.district.refresh_from_db()
    assert world.district.password_sign_in is True


def test_the_director_lists_domains_and_tenant_and_the_change_is_in_the_history(client, world, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    client.force_login(world.director)
    data = {
        "sign_in_domains": "North.Example.org, staff.north.example.org",
        "microsoft_tenant_ids": "72F988BF-86F1-41AF-91AB-2D7CD011DB47",
        "mail_sender_name": "North District Technology",
        "mail_reply_to": "tech@north.example.org",
    }

    response = client.post(reverse("district_sign_in", args=["north"]), data)

    assert response.status_code == 302
    world.district.refresh_from_db()
    assert world.district.sign_in_domain_list == ["north.example.org", "staff.north.example.org"]
    assert world.district.microsoft_tenant_list == ["72f988bf-86f1-41af-91ab-2d7cd011db47"]
    assert world.district.history.latest().history_user == world.director


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("sign_in_domains", "not a domain!", "Not a domain"), ("microsoft_tenant_ids", "contoso", "Not a tenant id")],
)
def test_it_refuses_what_is_not_a_domain_or_a_tenant(client, world, field, value, message):
    client.force_login(world.director)

    response = client.post(reverse("district_sign_in", args=["north"]), {field: value, "password_sign_in": "on"})

    assert response.status_code == 200
    assert message in response.content.decode()


# --- Invitations -------------------------------------------------------------------------------------


def invitations() -> list[Reminder]:
    return list(Reminder.objects.filter(kind="invitation").order_by("recipient_id"))


def test_a_director_invites_everyone_who_never_signed_in_once_however_often_asked(
    client, world, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=world.director.pk).update(last_login="2026-11-01T09:00:00Z")
    never = set(User.objects.filter(district=world.district, is_active=True, last_login__isnull=True))
    client.force_login(world.director)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("district_invite", args=["north"]))
        client.post(reverse("district_invite", args=["north"]))  # a double click, a retried request

    assert {reminder.recipient for reminder in invitations()} == never
    assert len(mail.outbox) == len(never)
    # The sending task retried, and the next tick of the dispatcher: nothing is sent twice.
    from reminders.tasks import dispatch, send_reminders

    send_reminders.apply(args=[[reminder.pk for reminder in invitations()]])
    dispatch()
    assert len(mail.outbox) == len(never)
    assert world.director.email not in {address for message in mail.outbox for address in message.to}


def test_the_invitation_says_how_to_sign_in_and_comes_from_the_district(client, world, sso_district, settings):
    settings.DEFAULT_FROM_EMAIL = "Social Media Registry <no-reply@registry.example.org>"
    settings.SITE_URL = "https://registry.example.org"
    world.district.mail_sender_name = "North District Technology"
    world.district.mail_reply_to = "tech@north.example.org"
    world.district.save()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("accounts.selectors.sign_in_providers", lambda: [type("P", (), {"name": "North Sign-in"})()])
        services.staff_invite(
            acting_user=world.director, district=world.district, people=User.objects.filter(pk=world.staff.pk)
        )
        from reminders.tasks import dispatch

        dispatch()

    [message] = mail.outbox
    assert message.from_email == "North District Technology <no-reply@registry.example.org>"
    assert message.reply_to == ["tech@north.example.org"]
    assert "North District invites you" in message.subject
    assert "Sign in with North Sign-in" in message.body
    assert "https://registry.example.org/account/login/" in message.body
    assert "choose a password" not in message.body  # passwords are off in this district


def test_someone_who_left_is_not_invited(world):
    world.staff.is_active = False
    world.staff.save()

    added = services.staff_invite(
        acting_user=world.director, district=world.district, people=User.objects.filter(pk=world.staff.pk)
    )

    assert added == 0 and invitations() == []


def test_only_the_districts_director_invites(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.staff_invite(acting_user=world.principal, district=world.district, people=User.objects.all())
    with pytest.raises(PermissionDenied):
        services.staff_invite(acting_user=world.foreign_director, district=world.district, people=User.objects.all())


def test_a_school_invitation_reaches_only_that_schools_staff_who_never_signed_in(client, world):
    elsewhere = staff_at(world.other_school, email="elsewhere@north.example.org")
    client.force_login(world.director)

    client.post(reverse("school_invite", args=[world.school.pk]))

    invited = {reminder.recipient for reminder in invitations()}
    assert world.staff in invited and elsewhere not in invited


def test_the_staff_list_shows_who_never_signed_in_and_when_they_were_invited(client, world):
    services.staff_invite(
        acting_user=world.director, district=world.district, people=User.objects.filter(pk=world.staff.pk)
    )
    client.force_login(world.director)

    response = client.get(reverse("staff_list") + "?signed_in=false&q=teacher")

    body = response.content.decode()
    assert "teacher@north.example.org" in body and "invited" in body
    assert "Invite everyone who never signed in" in body


def test_the_staff_list_costs_the_same_queries_with_invitations(client, world, django_assert_max_num_queries):
    client.force_login(world.director)
    client.get(reverse("staff_list"))
    for n in range(20):
        staff_at(world.school, email=f"new{n}@north.example.org")

    with django_assert_max_num_queries(12):
        client.get(reverse("staff_list"))
