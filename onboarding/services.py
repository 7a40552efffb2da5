"""Creating a district: from an empty installation to a district with its policy profile (from one
of the seed policies, or blank), its consent questions and its first technology director, invited.
Only the installation's operators (superusers), or a scripted install (`manage.py create_district`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import US_TIME_ZONES, District, Membership, MembershipSource, PolicyDocument, Role, User
from accounts.policy_templates import TEMPLATES_BY_KEY
from consent.services import consent_scopes_set_up
from core.history import attribute, save_attributed
from core.notify import Notice, notify

NAME_MAX = District._meta.get_field("name").max_length or 200
SLUG_MAX = District._meta.get_field("slug").max_length or 50


@dataclass(frozen=True)
class NewDistrict:
    name: str
    slug: str
    time_zone: str
    school_year_start_month: int
    template: str
    director_email: str
    director_first_name: str = ""
    director_last_name: str = ""


def _problems(new: NewDistrict) -> dict[str, str]:
    """Every problem with `new`, by field, before anything is written (one query per lookup)."""
    problems: dict[str, str] = {}
    name = new.name.strip()
    if not name:
        problems["name"] = "Give the district's name."
    elif len(name) > NAME_MAX:
        problems["name"] = f"At most {NAME_MAX} characters."
    slug = new.slug.strip()
    try:
        validate_slug(slug)
    except ValidationError:
        problems["slug"] = "Letters, digits and hyphens only, e.g. “willmar” or “isd-271”."
    else:
        if len(slug) > SLUG_MAX:
            problems["slug"] = f"At most {SLUG_MAX} characters."
        elif slug != slug.lower():
            problems["slug"] = "Use lower-case letters: the short name is part of every address."
        else:
            taken = District.objects.filter(slug=slug).values_list("name", flat=True).first()
            if taken is not None:
                problems["slug"] = f"“{slug}” is already the short name of {taken}."
    if new.time_zone not in dict(US_TIME_ZONES):
        problems["time_zone"] = "Choose one of the listed time zones."
    if not 1 <= new.school_year_start_month <= 12:
        problems["school_year_start_month"] = "Choose a month."
    if new.template not in TEMPLATES_BY_KEY:
        problems["template"] = "Choose one of the seed policies, or a blank profile."
    email = new.director_email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        problems["director_email"] = "Give the technology director's e-mail address."
    else:
        existing = User.objects.filter(email__iexact=email).select_related("district").first()
        if existing is not None:
            where = existing.district.name if existing.district else "this installation"
            problems["director_email"] = f"{email} already has an account in {where}."
    for field in ("director_first_name", "director_last_name"):
        if len(getattr(new, field)) > 150:
            problems[field] = "At most 150 characters."
    return problems


def district_create(*, acting_user: User | None, new: NewDistrict) -> District:
    """The district, its profile from the chosen template (and the template's policy document), its
    consent questions, and its first technology director, invited once. All or nothing."""
    if acting_user is not None and not acting_user.is_superuser:
        raise PermissionDenied
    problems = _problems(new)
    if problems:
        raise ValidationError(problems)
    template = TEMPLATES_BY_KEY[new.template]
    with transaction.atomic():
        district = District(
            **template.values,
            name=new.name.strip(),
            slug=new.slug.strip(),
            time_zone=new.time_zone,
            school_year_start_month=new.school_year_start_month,
        )
        attribute(district, acting_user, f"Created from the template {template.key}")
        district.save()
        # Fields the database fills (db_default) are read back before the whole row is checked; a
        # template a check refuses rolls everything back.
        district.refresh_from_db()
        district.full_clean()
        if template.document is not None:
            document = PolicyDocument(district=district, **template.document)
            document.full_clean()
            save_attributed(document, acting_user, "Recorded from the template")
        consent_scopes_set_up(acting_user=None, district=district, attributed_to=acting_user)
        director = User(
            email=new.director_email.strip().lower(),
            district=district,
            first_name=new.director_first_name.strip(),
            last_name=new.director_last_name.strip(),
            job_title="Director of Technology",
            invited_at=timezone.now(),
        )
        director.set_unusable_password()  # they choose one, or sign in with the district's provider
        save_attributed(director, acting_user, "Named the district's first technology director")
        for role in (Role.STAFF, Role.DIRECTOR):
            membership = Membership(user=director, district=district, role=role, source=MembershipSource.MANUAL)
            save_attributed(membership, acting_user, "First technology director")
        # Once, ever: the reminder log's key names the first director, not the day.
        notify(
            Notice(
                kind="invitation",
                district_id=district.pk,
                recipient_id=director.pk,
                object_key=f"staff:{director.pk}",
                period="first-director",
                path=reverse("account_login"),
            )
        )
    return district
