"""Every page of the site, for every role in two districts and a visitor who is not signed in.

The pages come from the URL configuration itself, so a new page without a row in PAGES fails
`test_it_has_a_row_for_every_page`. Each row says, per object the address can name, what each role gets.
The objects, as seen from the persona (tests/security/matrix_world.py builds them):

    own_school      in the persona's own school (an account the staff member runs, a colleague's filing)
    other_school    in the other school of the persona's district
    district_level  the district's own (an account owned by the district, no school)
    other_district  the same kind of object in the other district
    own_district    district-wide objects (a cycle, a tool, the district's pages) of the persona's district
    own / self      the persona's own disclosure (or the network on it), their own staff page
    unpublished     a district that publishes neither its directory nor its tool list

The outcomes:

    ALLOWED    the page, or the view's own redirect after an action (a 400 for a POST's form errors)
    SIGN_IN    a redirect to the sign-in page (the admin's, for admin pages)
    HOME       a redirect to the home page (a sign-in page asked for by someone signed in)
    FORBIDDEN  403: the role may not use this page or take this action on something it can see
    NOT_FOUND  404: the object is out of the role's reach (another school, another district)

The roles read as in DESIGN.md "Roles and what they may see", the finer points as the apps' own page
tests pin them. The two districts are alike, so one row holds for North's director and South's director
alike, each on their own district's objects; a visitor is pointed at North's. Action endpoints are
posted with an empty body; every request runs in a transaction rolled back afterwards, so no persona
sees another's changes. Any other answer (a 500, a 405, an exception) is always unexpected.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role
from tests.security.matrix_world import ROLES, MatrixWorld, build_matrix_world

pytestmark = pytest.mark.django_db

ALLOWED, SIGN_IN, FORBIDDEN, NOT_FOUND = "allowed", "sign-in", "forbidden", "not found"
UNAUTHORIZED = "401"  # allauth's page for a sign-in with a provider that failed
HOME = "sent home"  # the sign-in pages send someone already signed in to the home page
GET, POST = "GET", "POST"
DIR, SUP, COM, PRI, CLE, STA = ROLES
ANONYMOUS = "anonymous"
PERSONAS = (*(f"{district}.{role}" for district in ("north", "south") for role in ROLES), ANONYMOUS)

# --- Compact helpers for the table -------------------------------------------------------------------

Outcomes = dict[str, str]  # role (or "anonymous") -> outcome


def everyone(outcome: str = ALLOWED) -> Outcomes:
    """Every role of the district gets `outcome` (a visitor is sent to sign in unless said otherwise)."""
    return dict.fromkeys(ROLES, outcome)


def only(*roles: str, otherwise: str = FORBIDDEN) -> Outcomes:
    """`roles` get the page, the others `otherwise`."""
    return {role: ALLOWED if role in roles else otherwise for role in ROLES}


def act(*, allowed: tuple[str, ...], sees: tuple[str, ...]) -> Outcomes:
    """An action on an object: `allowed` take it; `sees` can see the object but may not (403);
    to everyone else the object does not exist (404)."""
    return {role: ALLOWED if role in allowed else FORBIDDEN if role in sees else NOT_FOUND for role in ROLES}


def public(outcome: str = ALLOWED) -> Outcomes:
    """The same for every role and for a visitor who is not signed in."""
    return {**everyone(outcome), ANONYMOUS: outcome}


NOWHERE = everyone(NOT_FOUND)  # another district's object: as if it did not exist


@dataclass(frozen=True)
class Page:
    kind: str | None  # what the address names (see MatrixWorld.address); None: no object
    method: str
    variants: dict[str, Outcomes]  # which object ("own_school", "other_district"...) -> outcomes
    extra: dict[str, str] = field(default_factory=dict)  # fixed parts of the address (a step, a table)


def page(outcomes: Outcomes, *, method: str = GET) -> Page:
    """A page whose address names no object."""
    return Page(None, method, {"page": outcomes})


def on(kind: str, *, method: str = GET, extra: dict[str, str] | None = None, **variants: Outcomes) -> Page:
    """A page about one object of `kind`, tried with each of `variants`."""
    return Page(kind, method, variants, extra or {})


def post(kind: str, **variants: Outcomes) -> Page:
    return on(kind, method=POST, **variants)


# Who sees what, once, for the rows below (DESIGN.md "Roles and what they may see").
SCHOOL_READERS_ELSEWHERE = only(DIR, SUP, COM, otherwise=NOT_FOUND)  # district-wide roles see every school
LEADERS = (DIR, SUP)
# An official account: leadership and communications see all; the principal their school's; the
# staff member the one they administer (the first school's page); the clerk none.
ACCOUNT_SEEN = {
    "own_school": only(DIR, SUP, COM, PRI, STA, otherwise=NOT_FOUND),
    "other_school": SCHOOL_READERS_ELSEWHERE,
    "district_level": SCHOOL_READERS_ELSEWHERE,
    "other_district": NOWHERE,
}


def on_account(*, method: str = POST, extra: dict[str, str] | None = None, allowed: tuple[str, ...]) -> Page:
    """An action on an account: those allowed take it on every account they see (a principal on their
    school's, the administrator on the one they run), the others who see the account get 403. (The
    district's own page answers as the other school's: only district-wide roles see either.)"""
    district_wide = (DIR, SUP, COM)
    return on(
        "account",
        method=method,
        extra=extra,
        own_school=act(allowed=allowed, sees=(DIR, SUP, COM, PRI, STA)),
        other_school=act(allowed=tuple(role for role in allowed if role in district_wide), sees=district_wide),
        other_district=NOWHERE,
    )


def district_page(*roles: str, method: str = GET) -> Page:
    """A page of the district's settings: `roles` of the district, 403 for its other roles, 404 next door."""
    return on("district", method=method, own_district=only(*roles), other_district=NOWHERE)


def own_disclosure_only(kind: str, *, method: str = POST, extra: dict[str, str] | None = None) -> Page:
    """Changing a disclosure or its networks: only the employee; to anyone else, even the director, it is
    not there."""
    return on(
        kind,
        method=method,
        extra=extra,
        own=everyone(ALLOWED),
        own_school=NOWHERE,
        other_school=NOWHERE,
        other_district=NOWHERE,
    )


# --- The table ---------------------------------------------------------------------------------------

PAGES: dict[str, Page] = {
    # The site
    "home": page(everyone()),
    "healthz": page(public()),
    # The language switch of the family pages: anyone may choose a language; with no page to return
    # to (the matrix posts nothing), Django's set_language sends the browser to the home page.
    "set_language": page(public(HOME), method=POST),
    # The district directory: districts, schools, staff, students, roster imports
    "district_detail": on("district", own_district=everyone(), other_district=NOWHERE),
    "district_edit": district_page(DIR, SUP),
    # The district's policy documents: every staff member reads them; who edits the policy records them.
    "policy_document_list": on("district", own_district=everyone(), other_district=NOWHERE),
    "policy_document_new": district_page(DIR, SUP),
    "policy_document_new [record]": district_page(DIR, SUP, method=POST),
    "district_sign_in": district_page(DIR),
    "district_invite": district_page(DIR, method=POST),
    "roster_import_list": district_page(DIR),
    "roster_import_detail": on("roster_import", own_district=only(DIR, otherwise=NOT_FOUND), other_district=NOWHERE),
    # A preview's names and applying it, the sync settings (where a client secret is entered): the director.
    "roster_import_changes_csv": on(
        "roster_import", own_district=only(DIR, otherwise=NOT_FOUND), other_district=NOWHERE
    ),
    "roster_import_apply": post("roster_import", own_district=only(DIR, otherwise=NOT_FOUND), other_district=NOWHERE),
    "roster_sync_settings": district_page(DIR),
    "roster_sync_run_now": district_page(DIR, method=POST),
    "school_list": page(everyone()),
    # Schools and staff added by hand between roster syncs: the technology director.
    "school_new": page(only(DIR)),
    "school_new [record]": page(only(DIR), method=POST),
    "staff_new": page(only(DIR)),
    "staff_new [record]": page(only(DIR), method=POST),
    "school_detail": on("school", own_school=everyone(), other_school=SCHOOL_READERS_ELSEWHERE, other_district=NOWHERE),
    "staff_list": page(only(DIR, SUP, COM, PRI)),
    "staff_detail": on(
        "staff",
        self=everyone(),
        own_school=only(DIR, SUP, COM, PRI, otherwise=NOT_FOUND),
        other_school=SCHOOL_READERS_ELSEWHERE,
        other_district=NOWHERE,
    ),
    **{
        name: post(
            "staff",
            self=only(DIR),
            own_school=act(allowed=(DIR,), sees=(SUP, COM, PRI)),
            other_school=act(allowed=(DIR,), sees=(SUP, COM)),
            other_district=NOWHERE,
        )
        for name in ("staff_grant_role", "staff_set_active", "staff_employment")
    },
    "staff_invite": post(
        "staff",
        self=only(DIR),
        own_school=act(allowed=(DIR,), sees=(SUP, COM, PRI)),
        other_school=act(allowed=(DIR,), sees=(SUP, COM)),
        other_district=NOWHERE,
    ),
    "school_invite": post(
        "school",
        own_school=act(allowed=(DIR,), sees=(SUP, COM, PRI, CLE, STA)),
        other_school=act(allowed=(DIR,), sees=(SUP, COM)),
        other_district=NOWHERE,
    ),
    "membership_end": post(
        "membership",
        own_school=act(allowed=(DIR,), sees=(SUP, COM, PRI)),
        other_school=act(allowed=(DIR,), sees=(SUP, COM)),
        other_district=NOWHERE,
    ),
    # The district's roles, and ending several at once (preview, then the confirm with an empty selection).
    "membership_list": page(only(DIR)),
    "membership_bulk_end [preview]": page(only(DIR)),
    "membership_bulk_end [confirm]": page(only(DIR), method=POST),
    "student_list": page(only(DIR, SUP, PRI, CLE)),
    # The pickers' suggestions (issue 28): everyone may ask, and gets only what they see (the pickers'
    # own tests pin that); students only where the role reads students.
    "pick_staff": page(everyone()),
    "pick_students": page(only(DIR, SUP, PRI, CLE)),
    "pick_schools": page(everyone()),
    "student_detail": on(
        "student",
        own_school=only(DIR, SUP, PRI, CLE, otherwise=NOT_FOUND),
        other_school=only(DIR, SUP, otherwise=NOT_FOUND),
        other_district=NOWHERE,
    ),
    # Official accounts
    "registry:account_list": page(everyone()),  # each sees the accounts in their reach only
    "registry:account_export": page(everyone()),
    "registry:my_accounts": page(everyone()),
    "registry:account_request": page(everyone()),
    "registry:pick_program": page(everyone()),
    "registry:account_detail": on("account", **ACCOUNT_SEEN),
    "registry:account_edit": on_account(method=GET, allowed=(DIR, PRI, STA)),
    "registry:account_review": on_account(method=GET, allowed=(DIR, PRI, STA)),
    "registry:account_logo": on_account(allowed=(SUP,)),  # the policy: the Superintendent or designee
    "registry:account_logo_withdraw": on_account(allowed=(SUP,)),
    "registry:administrator_add": on_account(allowed=(DIR, PRI)),
    **{
        f"registry:account_transition [{step}]": on_account(extra={"step": step}, allowed=(DIR,))
        for step in ("approve", "reject", "suspend", "reinstate", "retire")
    },
    # Several accounts at once (the preview, then the confirm posted with the selection): anyone who sees
    # the list may ask; each account they may not act on is listed as skipped. An empty post changes nothing.
    **{
        f"registry:account_bulk [{action}] {method}": Page(None, method, {"page": everyone()}, {"action": action})
        for action in ("approve", "recertify")
        for method in (GET, POST)
    },
    "registry:account_transition [communications]": on_account(extra={"step": "communications"}, allowed=(COM,)),
    # Every account here is already live: nobody marks it launched again.
    "registry:account_transition [activate]": on_account(extra={"step": "activate"}, allowed=()),
    "registry:administrator_end": post(
        "administrator",
        own_school=act(allowed=(DIR, PRI), sees=(SUP, COM, STA)),
        other_school=act(allowed=(DIR,), sees=(SUP, COM)),
        other_district=NOWHERE,
    ),
    "registry:administrator_acknowledge": post(
        "administrator",
        own_school=act(allowed=(STA,), sees=(DIR, SUP, COM, PRI)),  # the administrator themselves
        other_school=act(allowed=(), sees=(DIR, SUP, COM)),
        other_district=NOWHERE,
    ),
    "registry:public_directory": on(
        "district", own_district=public(), other_district=public(), unpublished=public(NOT_FOUND)
    ),
    # Reports of pages claiming to be the district's: anyone reports (families from the public
    # directory, staff from inside); only the director reads and follows them up. The public form is
    # tried with GET: its POSTs are counted per network address (registry.report_guard).
    "registry:public_report": on(
        "district", own_district=public(), other_district=public(), unpublished=public(NOT_FOUND)
    ),
    "registry:public_report_thanks": on(
        "district", own_district=public(), other_district=public(), unpublished=public(NOT_FOUND)
    ),
    "registry:fake_report_new": page(everyone()),
    "registry:fake_report_list": page(only(DIR)),
    "registry:fake_report_detail": on(
        "fake_report", own_district=only(DIR, otherwise=NOT_FOUND), other_district=NOWHERE
    ),
    **{
        f"registry:fake_report_step [{step}]": on(
            "fake_report",
            method=POST,
            extra={"step": step},
            own_district=only(DIR, otherwise=NOT_FOUND),
            other_district=NOWHERE,
        )
        for step in ("verdict", "platform", "outcome")
    },
    # Photo consent
    "consent:home": page(everyone()),
    "consent:check": page(everyone()),
    "consent:record_entry": page(only(DIR, SUP, PRI, CLE)),
    **{
        f"consent:{name}": on(
            "school", own_school=everyone(), other_school=SCHOOL_READERS_ELSEWHERE, other_district=NOWHERE
        )
        for name in ("school_do_not_post", "school_export", "school_print")
    },
    "consent:no_answer": on(
        "school",
        own_school=only(DIR, SUP, PRI, CLE),
        other_school=act(allowed=(DIR, SUP), sees=(COM,)),
        other_district=NOWHERE,
    ),
    # The same answer for several students of that list: the preview, then the confirm (an empty post
    # records nothing and shows the form's errors).
    **{
        f"consent:no_answer_record [{step}]": on(
            "school",
            method=method,
            own_school=only(DIR, SUP, PRI, CLE),
            other_school=act(allowed=(DIR, SUP), sees=(COM,)),
            other_district=NOWHERE,
        )
        for step, method in (("preview", GET), ("confirm", POST))
    },
    "consent:program_do_not_post": on(
        "program", own_school=everyone(), other_school=SCHOOL_READERS_ELSEWHERE, other_district=NOWHERE
    ),
    "consent:account_do_not_post": on("account", **ACCOUNT_SEEN),
    "consent:student": on(
        "student", own_school=everyone(), other_school=SCHOOL_READERS_ELSEWHERE, other_district=NOWHERE
    ),
    "consent:student [record an answer]": post(
        "student",
        own_school=act(allowed=(DIR, SUP, PRI, CLE), sees=(COM, STA)),
        other_school=act(allowed=(DIR, SUP), sees=(COM,)),
        other_district=NOWHERE,
    ),
    # The upload is offered to those who record answers; to the others it is not there (as in
    # tests/consent/test_views.py).
    "consent:import_upload": on(
        "district", own_district=only(DIR, SUP, PRI, CLE, otherwise=NOT_FOUND), other_district=NOWHERE
    ),
    "consent:import_template": on(
        "district", own_district=only(DIR, SUP, PRI, CLE, otherwise=NOT_FOUND), other_district=NOWHERE
    ),
    # The clerk's whole paper form: those who record for the student's school.
    "consent:paper_form": on(
        "student",
        own_school=act(allowed=(DIR, SUP, PRI, CLE), sees=(COM, STA)),
        other_school=act(allowed=(DIR, SUP), sees=(COM,)),
        other_district=NOWHERE,
    ),
    **{
        name: on(
            "consent_import",
            method=method,
            own_school=only(DIR, SUP, CLE, otherwise=NOT_FOUND),  # its uploader and the consent managers
            other_school=only(DIR, SUP, otherwise=NOT_FOUND),
            other_district=NOWHERE,
        )
        for name, method in (("consent:import_detail", GET), ("consent:import_detail [apply]", POST))
    },
    "consent:scope_list": district_page(DIR, SUP),
    "consent:scope_list [set up the standard scopes]": district_page(DIR, SUP, method=POST),
    "consent:scope_new": district_page(DIR, SUP),
    "consent:scope_edit": on(
        "scope",
        own_district=only(DIR, SUP),
        # Leadership: that scope is not theirs (404); the others are refused the settings page first (403).
        another_districts_scope_at_own_address=everyone(FORBIDDEN) | dict.fromkeys(LEADERS, NOT_FOUND),
        other_district=NOWHERE,
    ),
    "consent:privacy_log": district_page(DIR, SUP),
    # Families answering online: the school office sends and cancels links; a family needs only the link.
    "consent:family_links": page(only(DIR, SUP, PRI, CLE)),
    "consent:family_link_revoke": post(
        "family_link",
        own_school=act(allowed=(DIR, SUP, PRI, CLE), sees=()),
        other_school=act(allowed=(DIR, SUP), sees=()),
        other_district=NOWHERE,
    ),
    "family:answer": on("family_token", own_school=public(), other_district=public()),
    # Setting districts up: only the installation's operators create them (tested apart, as superusers);
    # a district's directors see its checklist, nobody else of any district does.
    "accessibility": page(public()),
    "onboarding:district_list": page(everyone(FORBIDDEN)),
    "onboarding:district_new": page(everyone(FORBIDDEN)),
    "onboarding:district_checklist": on(
        "district", own_district=only(DIR, otherwise=NOT_FOUND), other_district=NOWHERE
    ),
    # Staff disclosures (this world's policy sends them to the school: principals see their staff's)
    "disclosures:home": page(everyone()),
    "disclosures:review_queue": page(everyone()),
    "disclosures:detail": on(
        "disclosure",
        own=everyone(),
        own_school=only(DIR, SUP, PRI, otherwise=NOT_FOUND),
        other_school=only(DIR, SUP, otherwise=NOT_FOUND),
        other_district=NOWHERE,
    ),
    "disclosures:edit": own_disclosure_only("disclosure", method=GET),
    **{
        f"disclosures:{name}": own_disclosure_only("disclosure")
        for name in ("network_add", "set_none", "submit", "amend", "discard", "sign_again")
    },
    **{
        f"disclosures:{name}": post(
            "disclosure",
            own=everyone(FORBIDDEN),  # nobody reviews their own
            own_school=act(allowed=(DIR, SUP, PRI), sees=()),
            other_school=act(allowed=(DIR, SUP), sees=()),
            other_district=NOWHERE,
        )
        for name in ("review", "comment")
    },
    "disclosures:network_edit": own_disclosure_only("network", method=GET),
    **{
        f"disclosures:network_action [{action}]": own_disclosure_only("network", extra={"action": action})
        for action in ("confirm", "remove")
    },
    "disclosures:cycle_list": page(only(DIR, SUP, PRI)),  # PRI: receives disclosures under this policy
    "disclosures:cycle_new": district_page(DIR, SUP),
    "disclosures:cycle_detail": on("cycle", own_district=only(DIR, SUP, PRI), other_district=NOWHERE),
    "disclosures:cycle_edit": on("cycle", own_district=only(DIR, SUP), other_district=NOWHERE),
    "disclosures:start": post("cycle", own_district=everyone(), other_district=NOWHERE),
    # Reminders and the audit log: the district's director and superintendent
    "reminders:log": district_page(DIR, SUP),
    # What one staff member owes, and "Send now": the district's leaders, and the principal of their school.
    **{
        name: on(
            "staff",
            method=method,
            self={**only(DIR, SUP, PRI), COM: FORBIDDEN, CLE: FORBIDDEN, STA: FORBIDDEN},
            own_school=act(allowed=(DIR, SUP, PRI), sees=(COM,)),
            other_school=act(allowed=(DIR, SUP), sees=(COM,)),
            other_district=NOWHERE,
        )
        for name, method in (("reminders:person", GET), ("reminders:send_now", POST))
    },
    # Reminding several people of a cycle now: who manages the cycles (the preview, then the confirm).
    **{
        f"reminders:disclosure_remind [{step}]": on(
            "cycle", method=method, own_district=only(DIR, SUP), other_district=NOWHERE
        )
        for step, method in (("preview", GET), ("confirm", POST))
    },
    "audit:log": district_page(DIR, SUP),
    "audit:export": district_page(DIR, SUP),
    # Evidence packs: the district's director and superintendent ask for them and download them.
    "evidence:list": district_page(DIR, SUP),
    "evidence:list [request]": district_page(DIR, SUP, method=POST),
    "evidence:detail": on("evidence_pack", own_district=only(DIR, SUP), other_district=NOWHERE),
    "evidence:download": on("evidence_pack", own_district=only(DIR, SUP), other_district=NOWHERE),
    # Authorizations to use a tool with students (the staff persona runs the first school's club)
    "authorizations:list": page(everyone()),
    "authorizations:new": page(everyone()),
    "authorizations:pick_program": page(everyone()),
    "authorizations:detail": on(
        "authorization",
        own_school=only(DIR, SUP, PRI, CLE, STA, otherwise=NOT_FOUND),
        other_school=only(DIR, SUP, otherwise=NOT_FOUND),
        other_district=NOWHERE,
    ),
    **{
        f"authorizations:{name}": post(
            "authorization",
            own_school=act(allowed=allowed, sees=(DIR, SUP, PRI, CLE, STA)),
            other_school=act(allowed=tuple(r for r in allowed if r in LEADERS), sees=LEADERS),
            other_district=NOWHERE,
        )
        for name, allowed in (
            ("decide", (SUP,)),  # the policy: the Superintendent or designee
            ("revoke", (SUP,)),
            ("withdraw", (STA,)),  # the staff member who asked
            ("record_consent", (DIR, SUP, PRI, CLE)),  # whoever records the school's answers
            ("ask_families", (DIR, SUP, PRI, CLE)),  # and sends the families their links
        )
    },
    # Approved tools, tool requests, designees
    "tools:tool_list": page(everyone()),
    "tools:tool_export": page(everyone()),
    "tools:tool_new": page(only(DIR, SUP)),
    "tools:public_tool_list": on(
        "district", own_district=public(), other_district=public(), unpublished=public(NOT_FOUND)
    ),
    # The families' technology notice: published by the director, followed by district leadership; its
    # public page shows a district's published notice to anyone (none published: 404).
    "tools:public_technology_notice": on(
        "district", own_district=public(), other_district=public(), unpublished=public(NOT_FOUND)
    ),
    "tools:technology_notice": page(only(DIR, SUP, COM)),
    "tools:technology_notice_publish": page(only(DIR), method=POST),
    "tools:technology_notice_send": page(only(DIR), method=POST),
    "tools:request_list": page(everyone()),
    "tools:request_new": page(everyone()),
    "tools:request_detail": on(
        "tool_request",
        own_school=only(DIR, SUP, PRI, STA, otherwise=NOT_FOUND),  # STA asked for it
        other_school=only(DIR, SUP, otherwise=NOT_FOUND),
        other_district=NOWHERE,
    ),
    **{
        f"tools:{name}": post(
            "tool_request",
            own_school=act(allowed=allowed, sees=(DIR, SUP, PRI, STA)),
            other_school=act(allowed=tuple(r for r in allowed if r in LEADERS), sees=LEADERS),
            other_district=NOWHERE,
        )
        for name, allowed in (("request_approve", (SUP,)), ("request_decline", (SUP,)), ("request_withdraw", (STA,)))
    },
    "tools:designee_list": page(only(DIR, SUP, COM)),
    # Who speaks for the district: every staff member reads the register; whom the policy names keeps it.
    "tools:spokesperson_list": page(everyone()),
    "tools:spokesperson_grant": page(only(SUP), method=POST),
    "tools:spokesperson_withdraw": page(only(SUP), method=POST),
    "tools:designee_add": page(only(SUP), method=POST),
    # Only the Superintendent names and ends designations; to anyone else one is not there
    # (as in tests/registry/test_tool_pages.py).
    "tools:designee_end": post("designee", own_district=only(SUP, otherwise=NOT_FOUND), other_district=NOWHERE),
    "tools:tool_detail": on("tool", own_district=everyone(), other_district=NOWHERE),
    "tools:tool_edit": on("tool", own_district=only(DIR, SUP), other_district=NOWHERE),
    "tools:tool_decide": post("tool", own_district=only(SUP), other_district=NOWHERE),
    "tools:tool_set_aside": post("tool", own_district=only(DIR, SUP), other_district=NOWHERE),
    "tools:tool_logo": post("tool", own_district=only(SUP), other_district=NOWHERE),
    "tools:tool_logo_withdraw": post("tool", own_district=only(SUP), other_district=NOWHERE),
    # Dashboards: a school's for its principal and leadership, the district's for leadership
    **{
        name: on(
            "school",
            extra=extra,
            own_school=only(DIR, SUP, PRI),
            other_school=act(allowed=LEADERS, sees=(COM,)),
            other_district=NOWHERE,
        )
        for name, extra in (("dashboards:school", {}), ("dashboards:school_export", {"table": "consent"}))
    },
    "dashboards:district": district_page(DIR, SUP),
    "dashboards:district_export": district_page(DIR, SUP),
    # Signing in (django-allauth). Staff come from the roster: nobody signs up.
    "account_login": page(everyone(HOME) | {ANONYMOUS: ALLOWED}),
    "account_logout": page(everyone() | {ANONYMOUS: SIGN_IN}),  # asks to confirm; a visitor has nothing to leave
    "account_inactive": page(public()),
    "account_signup": page(everyone(HOME) | {ANONYMOUS: ALLOWED}),  # says sign-up is closed
    "account_reauthenticate": page(everyone()),
    # allauth's page to add or switch an address is shadowed by ours, which says who changes it.
    "account_email": page(everyone()),
    "account_email_closed": page(everyone()),
    "account_email_verification_sent": page(public()),
    "account_change_password": page(everyone()),
    "account_set_password": page(everyone()),  # has a password: sent on to change it
    "account_reset_password": page(public()),
    "account_reset_password_done": page(public()),
    "account_confirm_login_code": page(everyone(HOME)),  # a visitor with no sign-in under way: to sign in
    "account_confirm_email": on("email_key", any_key=public()),  # an unknown key: the page says so
    "account_reset_password_from_key": on("reset_key", any_key=public()),
    "account_reset_password_from_key_done": page(public()),
    # Signing in with Google, Microsoft or the district's provider (django-allauth's social accounts).
    # Accounts are linked by signing in, never by hand: the management page says so.
    "socialaccount_connections": page(everyone()),
    "socialaccount_connections_closed": page(everyone()),
    "socialaccount_login_cancelled": page(public()),
    "socialaccount_login_error": page(public(UNAUTHORIZED)),
    "socialaccount_signup": page(public(SIGN_IN)),  # nobody signs up: to sign in
    **{
        f"<unnamed account/social/{old}/>": page(public())
        for old in ("connections", "login/cancelled", "login/error", "signup")
    },
    # No provider is configured here (the sign-in tests configure one): the district's is not found.
    "openid_connect_login": on("oidc", any=public(NOT_FOUND)),
    "openid_connect_callback": on("oidc", any=public(NOT_FOUND)),
}

# The Django admin is for platform operators only (is_staff); none of the six roles is one, so every
# persona is sent to the admin's sign-in. One rule covers every admin:* page, checked on this sample.
ADMIN_SAMPLE: dict[str, Page] = {
    "admin:index": page(public(SIGN_IN)),
    "admin:app_list": on("app_label", any=public(SIGN_IN)),
    "admin:accounts_school_changelist": page(public(SIGN_IN)),
    "admin:accounts_school_change": on("admin_school", any=public(SIGN_IN)),
    "admin:accounts_user_change": on("admin_user", any=public(SIGN_IN)),
    "admin:registry_socialaccount_add": page(public(SIGN_IN)),
    "admin:disclosures_disclosure_delete": on("admin_disclosure", any=public(SIGN_IN)),
}


def covered_by_a_rule(name: str) -> bool:
    return name.startswith("admin:")  # one rule, tested with ADMIN_SAMPLE


# --- Enumerating the URL configuration ---------------------------------------------------------------


def url_names(resolver: URLResolver | None = None, namespace: str = "", prefix: str = "") -> Iterator[str]:
    """Every pattern of the project, named "namespace:name" (unnamed ones by their route)."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
            yield from url_names(pattern, inner, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"<unnamed {prefix}{pattern.pattern}>"
            yield f"{namespace}:{name}" if namespace else name


def base_name(row: str) -> str:
    return row.split(" [")[0]


# --- Asking and judging -----------------------------------------------------------------------------

SIGN_IN_PAGES = ("account_login", "admin:login")


@dataclass
class Matrix:
    world: MatrixWorld
    sessions: dict[str, str]  # persona -> session key
    browser: Client = field(default_factory=Client)  # one client: its middleware is set up once

    def client(self, persona: str) -> Client:
        """The client as `persona`, with nothing left from the request before (cookies, messages)."""
        self.browser.cookies.clear()
        if persona != ANONYMOUS:
            self.browser.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[persona]
        return self.browser


def outcome_of(response, method: str) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"]).path
        if target in {reverse(name) for name in SIGN_IN_PAGES}:
            return SIGN_IN
        return HOME if target == reverse("home") else ALLOWED
    if 200 <= status < 300 or (status == 400 and method == POST):
        return ALLOWED
    return {401: UNAUTHORIZED, 403: FORBIDDEN, 404: NOT_FOUND}.get(status, f"status {status}")


def ask(matrix: Matrix, persona: str, method: str, url: str) -> tuple[str, str]:
    """The outcome of one request and what was seen (status, where it led), nothing kept."""
    client = matrix.client(persona)
    try:
        with transaction.atomic():
            response = client.get(url) if method == GET else client.post(url, {})
            if response.streaming:
                b"".join(response.streaming_content)
            transaction.set_rollback(True)
    except Exception as error:  # a view that fails is a 500 in production: always unexpected
        return f"error {type(error).__name__}", str(error)[:200]
    seen = f"{response.status_code}"
    if response.has_header("Location"):
        seen += f" → {response['Location']}"
    if persona != ANONYMOUS and "no-store" not in response.get("Cache-Control", ""):
        # A signed-in page kept by the browser outlives the sign-out on a shared school computer.
        return "kept by the browser (no Cache-Control: no-store)", seen
    return outcome_of(response, method), seen


def expected_for(outcomes: Outcomes, persona: str) -> str:
    if persona == ANONYMOUS:
        return outcomes.get(ANONYMOUS, SIGN_IN)
    return outcomes[persona.split(".")[1]]


def url_of(matrix: Matrix, row: str, spec: Page, variant: str, persona: str) -> str:
    if row.startswith("<unnamed "):  # a pattern without a name (allauth's old addresses): its route is its address
        return "/" + row.removeprefix("<unnamed ").removesuffix(">")
    kwargs = {**matrix.world.address(spec.kind, variant, persona), **spec.extra} if spec.kind else spec.extra or None
    return reverse(base_name(row), kwargs=kwargs)


def check(matrix: Matrix, row: str, spec: Page) -> list[str]:
    """Every persona on every object of the row; one line per unexpected result."""
    unexpected = []
    for variant, outcomes in spec.variants.items():
        for persona in PERSONAS:
            url = url_of(matrix, row, spec, variant, persona)
            wanted = expected_for(outcomes, persona)
            got, seen = ask(matrix, persona, spec.method, url)
            if got != wanted:
                unexpected.append(f"{row} | {variant} | {persona} | expected {wanted} | got {got} ({seen}) {url}")
    return unexpected


def report(unexpected: list[str]) -> str:
    return "unexpected results (page | object | persona | expected | got):\n" + "\n".join(unexpected)


# --- Fixtures -----------------------------------------------------------------------------------------


@contextmanager
def quiet_refusals() -> Iterator[None]:
    """The matrix asks for thousands of 403s and 404s on purpose: log only errors (a 500 still shows)."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


NOW = datetime.datetime(2026, 11, 21, 15, 0, tzinfo=datetime.UTC)
MEMORY_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "matrix"}}


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker) -> Iterator[Matrix]:
    """The world, built once for the module inside a transaction rolled back at its end; each test
    (and each request in it) runs in a savepoint of its own."""
    with (
        quiet_refusals(),
        time_machine.travel(NOW, tick=False),
        override_settings(CACHES=MEMORY_CACHE),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        world = build_matrix_world()
        sessions = {}
        for persona, user in world.users.items():
            client = Client()
            client.force_login(user)
            sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield Matrix(world, sessions)
        transaction.set_rollback(True)


# --- Tests ---------------------------------------------------------------------------------------------


def test_it_has_a_row_for_every_page():
    names = set(url_names())
    rows = {base_name(row) for row in PAGES}
    missing = sorted(name for name in names - rows if not covered_by_a_rule(name))
    gone = sorted(rows - names)
    assert not missing, f"pages with no row in PAGES (add one): {missing}"
    assert not gone, f"rows in PAGES for pages that no longer exist: {gone}"
    assert set(ADMIN_SAMPLE) <= names


@pytest.mark.parametrize("row", [*PAGES, *ADMIN_SAMPLE])
def test_it_gives_each_persona_the_expected_answer(matrix, row):
    unexpected = check(matrix, row, PAGES.get(row) or ADMIN_SAMPLE[row])
    assert not unexpected, report(unexpected)


def test_it_covers_every_role():
    assert set(ROLES) == set(Role.values)
