"""Actions on disclosures: each checks who may act and from which state, runs in one
transaction and leaves history naming the person. A refused action raises DisclosureRefused
with a message the employee or reviewer can act on, and changes nothing."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import District, User
from core.history import attribute, save_attributed
from core.notify import Notice, notify
from disclosures import access, selectors
from disclosures.models import (
    AWAITING_REVIEW_STATES,
    DisclosedNetwork,
    Disclosure,
    DisclosureComment,
    DisclosureCycle,
    DisclosureState,
    ReviewVisibility,
    attestation_digest,
    signature_matches,
)

CYCLE_FIELDS = ("opens_on", "due_on", "attestation_text", "required_roles", "new_hire_grace_days")
NETWORK_FIELDS = ("platform", "name", "url", "school", "program", "run_by", "part", "students_are_members")


class DisclosureRefused(ValidationError):
    """An action the disclosure's state or the person's role does not allow."""


def _now_and_today() -> tuple[datetime.datetime, datetime.date]:
    now = timezone.now()
    return now, timezone.localdate(now)


# --- Cycles -----------------------------------------------------------------------------------


def disclosure_cycle_create(
    *, acting_user: User, district: District, school_year_start: int, **fields: Any
) -> DisclosureCycle:
    if not access.can_manage_cycles(acting_user, district):
        raise PermissionDenied
    cycle = DisclosureCycle(district=district, school_year_start=school_year_start, created_by=acting_user)
    for name in CYCLE_FIELDS:
        if name in fields:
            setattr(cycle, name, fields[name])
    cycle.attestation_hash = attestation_digest(cycle.attestation_text)
    cycle.full_clean(exclude=["created_by"])
    with transaction.atomic():
        save_attributed(cycle, acting_user, "Cycle opened")
    return cycle


def disclosure_cycle_update(*, acting_user: User, cycle: DisclosureCycle, **fields: Any) -> int:
    """Change a cycle. Returns how many people must sign again because the attestation changed."""
    if not access.can_manage_cycles(acting_user, cycle.district):
        raise PermissionDenied
    for name in CYCLE_FIELDS:
        if name in fields:
            setattr(cycle, name, fields[name])
    text_changed = attestation_digest(cycle.attestation_text) != cycle.attestation_hash
    cycle.attestation_hash = attestation_digest(cycle.attestation_text)
    cycle.full_clean(exclude=["created_by"])
    with transaction.atomic():
        save_attributed(cycle, acting_user, "Attestation text changed" if text_changed else "Cycle changed")
    return selectors.must_sign_again(cycle).count() if text_changed else 0


# --- Filing -----------------------------------------------------------------------------------


def _own_draft(acting_user: User, disclosure: Disclosure) -> None:
    if disclosure.employee_id != acting_user.pk:
        raise PermissionDenied
    if not disclosure.is_draft:
        raise DisclosureRefused("This version has been submitted; change it through an amendment.")


def _current_draft(cycle: DisclosureCycle, employee: User) -> Disclosure | None:
    return Disclosure.objects.filter(cycle=cycle, employee=employee, state=DisclosureState.DRAFT).first()


def _new_draft(cycle: DisclosureCycle, employee: User, amends: Disclosure | None, reason: str) -> Disclosure:
    latest = selectors.versions(Disclosure(cycle=cycle, employee=employee)).values_list("version", flat=True).first()
    draft = Disclosure(
        cycle=cycle,
        employee=employee,
        version=(latest or 0) + 1,
        amends=amends,
        takes_part_in_none=amends.takes_part_in_none if amends else False,
    )
    try:
        with transaction.atomic():
            save_attributed(draft, employee, reason)
    except IntegrityError:
        # Another tab started the same draft a moment ago: continue with that one.
        existing = _current_draft(cycle, employee)
        if existing is None:
            raise
        return existing
    return draft


def _copy_networks(source: Disclosure, target: Disclosure, *, confirmed: bool) -> None:
    for position, network in enumerate(source.networks.all()):
        copy = DisclosedNetwork(
            disclosure=target,
            carried_from=network,
            confirmed=confirmed,
            position=position,
            **{name: getattr(network, name) for name in NETWORK_FIELDS},
        )
        save_attributed(copy, target.employee, "Carried forward" if not confirmed else "Copied into the amendment")


def disclosure_start(*, acting_user: User, cycle: DisclosureCycle) -> Disclosure:
    """Open the employee's draft for the cycle, offering last year's networks to confirm or
    remove. Returns the existing draft if there is one."""
    if not access.enabled(cycle.district) or acting_user.district_id != cycle.district_id:
        raise PermissionDenied
    if not cycle.is_open(timezone.localdate()):
        raise DisclosureRefused(f"This cycle opens on {cycle.opens_on:%B %-d, %Y}.")
    with transaction.atomic():
        existing = _current_draft(cycle, acting_user)
        if existing is not None:
            return existing
        if selectors.standing_filings(cycle).filter(employee=acting_user).exists():
            raise DisclosureRefused("You have already filed this year's disclosure; change it through an amendment.")
        draft = _new_draft(cycle, acting_user, None, "Started")
        previous = selectors.previous_cycle(cycle)
        last_year = selectors.standing_filings(previous).filter(employee=acting_user).first() if previous else None
        if last_year is not None and not draft.networks.exists():
            _copy_networks(last_year, draft, confirmed=False)
    return draft


def disclosure_amend(*, acting_user: User, disclosure: Disclosure) -> Disclosure:
    """Start a new version of a filed disclosure; the filed one stands until this is submitted."""
    if disclosure.employee_id != acting_user.pk:
        raise PermissionDenied
    if not disclosure.is_standing:
        raise DisclosureRefused("Only the disclosure on file can be amended.")
    with transaction.atomic():
        existing = _current_draft(disclosure.cycle, acting_user)
        if existing is not None:
            return existing
        reason = "Revision started" if disclosure.state == DisclosureState.RETURNED else "Amendment started"
        draft = _new_draft(disclosure.cycle, acting_user, disclosure, reason)
        if not draft.networks.exists():
            _copy_networks(disclosure, draft, confirmed=True)
    return draft


def disclosure_discard_draft(*, acting_user: User, disclosure: Disclosure) -> None:
    """Throw away an amendment that was never submitted; the filing on file stays as it was."""
    _own_draft(acting_user, disclosure)
    if not disclosure.is_amendment:
        raise DisclosureRefused("A first draft is kept until it is submitted.")
    with transaction.atomic():
        # One by one, so each network's deletion is recorded with the person (a cascade would not say who).
        for network in disclosure.networks.all():
            attribute(network, acting_user, "Draft discarded")
            network.delete()
        attribute(disclosure, acting_user, "Draft discarded")
        disclosure.delete()


def disclosure_set_none(*, acting_user: User, disclosure: Disclosure, takes_part_in_none: bool) -> Disclosure:
    _own_draft(acting_user, disclosure)
    if takes_part_in_none and disclosure.networks.exists():
        raise DisclosureRefused("Remove the networks listed before stating that you take part in none.")
    disclosure.takes_part_in_none = takes_part_in_none
    with transaction.atomic():
        save_attributed(disclosure, acting_user, "Draft saved")
    return disclosure


def _check_network(disclosure: Disclosure, values: dict[str, Any]) -> None:
    district_id = disclosure.cycle.district_id
    program = values.get("program")
    school = values.get("school")
    if program is not None:
        if program.school.district_id != district_id:
            raise DisclosureRefused({"program": "Choose a program of your district."})
        values["school"] = program.school
    elif school is not None and school.district_id != district_id:
        raise DisclosureRefused({"school": "Choose a school of your district."})


def network_add(*, acting_user: User, disclosure: Disclosure, **values: Any) -> DisclosedNetwork:
    _own_draft(acting_user, disclosure)
    _check_network(disclosure, values)
    last = disclosure.networks.order_by("-position").values_list("position", flat=True).first()
    network = DisclosedNetwork(disclosure=disclosure, position=(last or 0) + 1, confirmed=True)
    for name in NETWORK_FIELDS:
        setattr(network, name, values.get(name, getattr(network, name)))
    network.full_clean(exclude=["disclosure", "carried_from"])
    with transaction.atomic():
        save_attributed(network, acting_user, "Network added")
        if disclosure.takes_part_in_none:
            disclosure.takes_part_in_none = False
            save_attributed(disclosure, acting_user, "Network added")
    return network


def network_update(*, acting_user: User, network: DisclosedNetwork, **values: Any) -> DisclosedNetwork:
    """Change a network on a draft. Saving a carried-forward network confirms it."""
    _own_draft(acting_user, network.disclosure)
    _check_network(network.disclosure, values)
    for name in NETWORK_FIELDS:
        if name in values:
            setattr(network, name, values[name])
    network.confirmed = True
    network.full_clean(exclude=["disclosure", "carried_from"])
    with transaction.atomic():
        save_attributed(network, acting_user, "Network changed")
    return network


def network_confirm(*, acting_user: User, network: DisclosedNetwork) -> DisclosedNetwork:
    _own_draft(acting_user, network.disclosure)
    network.confirmed = True
    with transaction.atomic():
        save_attributed(network, acting_user, "Confirmed from last year")
    return network


def network_remove(*, acting_user: User, network: DisclosedNetwork) -> None:
    _own_draft(acting_user, network.disclosure)
    with transaction.atomic():
        attribute(network, acting_user)
        network.delete()


def submission_problems(disclosure: Disclosure) -> list[str]:
    """What stops a draft from being submitted, in words the employee can act on."""
    networks = list(disclosure.networks.all())
    problems = []
    unconfirmed = [network for network in networks if not network.confirmed]
    if unconfirmed:
        names = ", ".join(network.name for network in unconfirmed)
        problems.append(f"Confirm or remove each network carried from last year ({names}).")
    if not networks and not disclosure.takes_part_in_none:
        problems.append("List the networks you take part in, or state that you take part in none.")
    if networks and disclosure.takes_part_in_none:
        problems.append("You stated that you take part in none but listed networks.")
    return problems


def _check_signature(employee: User, cycle: DisclosureCycle, signed_name: str, signed_hash: str) -> None:
    if signed_hash != cycle.attestation_hash:
        raise DisclosureRefused("The district changed the attestation while you were signing. Read it again and sign.")
    if not signature_matches(signed_name, employee.full_name):
        raise DisclosureRefused(
            {"signed_name": f"Type your full name as the district has it: {employee.full_name or employee.email}."}
        )


def disclosure_submit(*, acting_user: User, disclosure: Disclosure, signed_name: str, signed_hash: str) -> Disclosure:
    """Sign and file a draft. A first filing after the employee's due date is marked late; an
    amendment or revision replaces the version on file and keeps it."""
    _own_draft(acting_user, disclosure)
    problems = submission_problems(disclosure)
    if problems:
        raise DisclosureRefused(problems)
    cycle = disclosure.cycle
    _check_signature(acting_user, cycle, signed_name, signed_hash)
    now, today = _now_and_today()
    with transaction.atomic():
        previous = disclosure.amends
        if previous is not None:
            previous = Disclosure.objects.select_for_update().get(pk=previous.pk)
            if not previous.is_standing:
                raise DisclosureRefused("A newer version was filed in the meantime.")
            previous.superseded_at = now
            save_attributed(previous, acting_user, f"Replaced by version {disclosure.version}")
        elif selectors.standing_filings(cycle).filter(employee=acting_user).exists():
            raise DisclosureRefused("You have already filed this year's disclosure.")
        revision = previous is not None and previous.state == DisclosureState.RETURNED
        disclosure.state = DisclosureState.RESUBMITTED if revision else DisclosureState.SUBMITTED
        disclosure.signed_name = " ".join(signed_name.split())
        disclosure.signed_at = now
        disclosure.submitted_at = now
        disclosure.attestation_hash = cycle.attestation_hash
        disclosure.filed_late = previous.filed_late if previous else today > cycle.due_on_for(acting_user.started_on)
        save_attributed(
            disclosure, acting_user, "Resubmitted" if revision else ("Amended" if previous else "Submitted")
        )
    return disclosure


def disclosure_sign_again(
    *, acting_user: User, disclosure: Disclosure, signed_name: str, signed_hash: str
) -> Disclosure:
    """Sign the cycle's new attestation text for a filing whose content has not changed."""
    if disclosure.employee_id != acting_user.pk:
        raise PermissionDenied
    if not disclosure.is_standing:
        raise DisclosureRefused("Only the disclosure on file can be signed again.")
    if disclosure.signed_current_text():
        raise DisclosureRefused("You have already signed the current attestation.")
    _check_signature(acting_user, disclosure.cycle, signed_name, signed_hash)
    disclosure.signed_name = " ".join(signed_name.split())
    disclosure.signed_at = timezone.now()
    disclosure.attestation_hash = disclosure.cycle.attestation_hash
    with transaction.atomic():
        save_attributed(disclosure, acting_user, "Signed the new attestation")
    return disclosure


# --- Review -----------------------------------------------------------------------------------


def _review(acting_user: User, disclosure: Disclosure) -> Disclosure:
    if not access.can_review(acting_user, disclosure):
        raise PermissionDenied
    current = Disclosure.objects.select_for_update().get(pk=disclosure.pk)
    if current.superseded_at is not None or current.state not in AWAITING_REVIEW_STATES:
        raise DisclosureRefused("This disclosure is not waiting for review.")
    return current


def _comment(disclosure: Disclosure, author: User, text: str, visibility: str, action: str = "") -> None:
    if text.strip():
        if visibility not in ReviewVisibility.values:
            raise DisclosureRefused({"visibility": "Choose who may read the comment."})
        DisclosureComment.objects.create(
            disclosure=disclosure, author=author, text=text.strip(), visibility=visibility, action=action
        )


def disclosure_accept(
    *, acting_user: User, disclosure: Disclosure, comment: str = "", visibility: str = ReviewVisibility.EMPLOYEE
) -> Disclosure:
    with transaction.atomic():
        current = _review(acting_user, disclosure)
        current.state = DisclosureState.ACCEPTED
        current.decided_by = acting_user
        current.decided_at = timezone.now()
        save_attributed(current, acting_user, "Accepted")
        _comment(current, acting_user, comment, visibility, DisclosureState.ACCEPTED)
    return current


def disclosure_return(
    *, acting_user: User, disclosure: Disclosure, comment: str, visibility: str = ReviewVisibility.EMPLOYEE
) -> Disclosure:
    if not comment.strip():
        raise DisclosureRefused({"comment": "Say what the employee should change."})
    with transaction.atomic():
        current = _review(acting_user, disclosure)
        current.state = DisclosureState.RETURNED
        current.decided_by = acting_user
        current.decided_at = timezone.now()
        save_attributed(current, acting_user, "Returned for revision")
        _comment(current, acting_user, comment, visibility, DisclosureState.RETURNED)
        # The employee hears it at once, with the comment meant for them (one e-mail per returned version).
        notify(
            Notice(
                kind="disclosure_returned",
                district_id=current.cycle.district_id,
                recipient_id=current.employee_id,
                object_key=f"disclosure:{current.pk}",
                period=f"returned-{timezone.localtime(current.decided_at):%Y%m%d%H%M%S%f}",
                path=current.get_absolute_url(),
            )
        )
    return current


def disclosure_comment_add(
    *, acting_user: User, disclosure: Disclosure, text: str, visibility: str = ReviewVisibility.INTERNAL
) -> None:
    """A reviewer's note without a decision."""
    if not access.can_review(acting_user, disclosure):
        raise PermissionDenied
    if not text.strip():
        raise DisclosureRefused({"text": "Write the comment."})
    with transaction.atomic():
        _comment(disclosure, acting_user, text, visibility)
