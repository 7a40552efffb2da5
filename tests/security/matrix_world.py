"""The world the permission matrix runs in: two districts alike in every way, each with two schools,
the six roles, and at least one of every object a page's address names.

Each district is a `Place`. A persona's "own" objects are those of its own place; "other school" is the
second school of the same district; "other district" is the same object in the other place. District
roles hold a staff post at the first school, as in tests/conftest.py. Disclosures go to the school
(so principals see their staff's filings), both districts publish the directory and the tool list,
and a third district, published nowhere, answers the public pages' "unpublished" case.
"""

from __future__ import annotations

import datetime
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from accounts.models import (
    District,
    Membership,
    Program,
    ProgramMembership,
    Role,
    RosterImport,
    RosterImportStatus,
    School,
    Student,
    User,
)
from authorizations import services as authorization_services
from authorizations.models import Authorization
from consent import services as consent_services
from consent.family_links import new_nonce, token_for
from consent.models import ConsentImport, ConsentScope, FamilyLink, ScopeKind
from disclosures import services as disclosure_services
from disclosures.models import DisclosedNetwork, Disclosure, DisclosureCycle
from evidence.models import EvidencePack, PackStatus
from registry.models import AccountAdministrator, SocialAccount
from tests.disclosures.filing import file_networks
from tests.factories import (
    AdministratorFactory,
    DistrictFactory,
    ProgramFactory,
    SchoolFactory,
    SocialAccountFactory,
    StudentFactory,
    ToolFactory,
    ToolRequestFactory,
    guardian_of,
    staff_at,
)
from tools import services as tool_services
from tools.models import Designee, Tool, ToolRequest

TODAY = datetime.date(2026, 11, 21)
ROLES = (Role.DIRECTOR, Role.SUPERINTENDENT, Role.COMMUNICATIONS, Role.PRINCIPAL, Role.CLERK, Role.STAFF)


@dataclass
class Place:
    """One district and everything in it the matrix points at."""

    key: str
    district: District
    school: School  # where the personas work
    other_school: School
    personas: dict[str, User]
    teacher: User  # a colleague at the personas' school, not a persona
    other_teacher: User  # a teacher at the other school
    other_clerk: User  # the other school's office clerk
    program: Program
    other_program: Program
    student: Student
    other_student: Student
    teacher_membership: Membership
    other_teacher_membership: Membership
    roster_import: RosterImport
    evidence_pack: EvidencePack  # built, ready to download
    scope: ConsentScope
    consent_import: ConsentImport  # uploaded by the personas' clerk
    other_consent_import: ConsentImport  # uploaded by the other school's clerk
    account: SocialAccount  # the first school's page, run by the staff persona
    other_account: SocialAccount  # the other school's page, run by the other teacher
    district_account: SocialAccount  # the district's own page
    administrator: AccountAdministrator  # the staff persona's designation on `account`
    other_administrator: AccountAdministrator
    cycle: DisclosureCycle
    filings: dict[int, Disclosure]  # everyone's filed disclosure, by user id
    networks: dict[int, DisclosedNetwork]  # the network on each filing, by user id
    tool: Tool
    tool_request: ToolRequest  # the staff persona's, for the first school
    other_tool_request: ToolRequest  # the other teacher's, for the other school
    designee: Designee
    authorization: Authorization  # the staff persona's club at the first school
    other_authorization: Authorization  # the other teacher's club at the other school
    family_link: FamilyLink  # a parent's consent link for `student`
    other_family_link: FamilyLink  # for `other_student`


def family_link_for(student: Student) -> FamilyLink:
    """A link a parent of `student` answers on (made directly: no persona issues it here)."""
    guardian = guardian_of(student)
    return FamilyLink.objects.create(
        district=student.district,
        student=student,
        guardian=guardian,
        school_year=2026,
        nonce=new_nonce(),
        expires_at=timezone.now() + datetime.timedelta(days=3650),
    )


@dataclass
class MatrixWorld:
    places: dict[str, Place]
    unpublished: District  # publishes neither its directory nor its tool list
    users: dict[str, User] = field(default_factory=dict)  # persona name -> user

    def place_of(self, persona: str) -> Place:
        """The persona's own place; anonymous visitors are pointed at the first district's objects."""
        return self.places[persona.split(".")[0]] if persona != "anonymous" else self.places["north"]

    def other_place(self, persona: str) -> Place:
        own = self.place_of(persona)
        return next(place for place in self.places.values() if place is not own)

    def address(self, kind: str, variant: str, persona: str) -> dict[str, object]:
        """The address arguments naming the `variant` object of `kind` as seen from `persona`:
        "own..." is in the persona's place, "other_school" in its district's other school,
        "other_district" in the other place."""
        own, other = self.place_of(persona), self.other_place(persona)
        me = self.users.get(persona, own.teacher)  # a visitor is pointed at a teacher's things
        by_school = {
            # kind: (own school, other school, other district)
            "school": (own.school, own.other_school, other.school),
            "staff": (own.teacher, own.other_teacher, other.teacher),
            "membership": (own.teacher_membership, own.other_teacher_membership, other.teacher_membership),
            "student": (own.student, own.other_student, other.student),
            "program": (own.program, own.other_program, other.program),
            "consent_import": (own.consent_import, own.other_consent_import, other.consent_import),
            "account": (own.account, own.other_account, other.account),
            "administrator": (own.administrator, own.other_administrator, other.administrator),
            "disclosure": (
                own.filings[own.teacher.pk],
                own.filings[own.other_teacher.pk],
                other.filings[other.teacher.pk],
            ),
            "network": (
                own.networks[own.teacher.pk],
                own.networks[own.other_teacher.pk],
                other.networks[other.teacher.pk],
            ),
            "tool_request": (own.tool_request, own.other_tool_request, other.tool_request),
            "authorization": (own.authorization, own.other_authorization, other.authorization),
            "family_link": (own.family_link, own.other_family_link, other.family_link),
        }
        by_district = {
            # kind: (own district, other district)
            "roster_import": (own.roster_import, other.roster_import),
            "evidence_pack": (own.evidence_pack, other.evidence_pack),
            "cycle": (own.cycle, other.cycle),
            "tool": (own.tool, other.tool),
            "designee": (own.designee, other.designee),
        }
        if kind == "district":
            district = {"own_district": own.district, "other_district": other.district}.get(variant, self.unpublished)
            return {"slug": district.slug}
        if kind == "scope":
            slug, scope = {
                "own_district": (own.district, own.scope),
                "another_districts_scope_at_own_address": (own.district, other.scope),
                "other_district": (other.district, other.scope),
            }[variant]
            return {"slug": slug.slug, "pk": scope.pk}
        if variant == "self":
            return {"pk": me.pk}
        if variant == "own":  # the persona's own disclosure, or the network on it
            return {"pk": (own.filings if kind == "disclosure" else own.networks)[me.pk].pk}
        if variant == "district_level":
            return {"pk": own.district_account.pk}
        if kind == "family_token":  # a family's link: the signed address is the key, not a sign-in
            index = ("own_school", "other_school", "other_district").index(variant)
            link = by_school["family_link"][index]
            assert isinstance(link, FamilyLink)
            return {"token": token_for(link)}
        if kind in by_school:
            index = ("own_school", "other_school", "other_district").index(variant)
            return {"pk": by_school[kind][index].pk}
        if kind in by_district:
            return {"pk": by_district[kind][("own_district", "other_district").index(variant)].pk}
        # Sign-in pages and the admin: addresses that do not depend on the persona's reach.
        return {
            "email_key": {"key": "not-a-real-key"},
            "oidc": {"provider_id": "district"},
            "reset_key": {"uidb36": "1", "key": "not-a-real-key"},
            "app_label": {"app_label": "accounts"},
            "admin_school": {"object_id": own.school.pk},
            "admin_user": {"object_id": me.pk},
            "admin_disclosure": {"object_id": own.filings[own.teacher.pk].pk},
        }[kind]


def ready_evidence_pack(district: District, director: User) -> EvidencePack:
    """A pack as the build leaves it (a small ZIP under MEDIA_ROOT), without building one."""
    folder = Path(settings.MEDIA_ROOT) / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{district.slug}.zip"
    with zipfile.ZipFile(stored, "w") as bundle:
        bundle.writestr("summary.pdf", b"%PDF-1.7")
    today = timezone.localdate()
    return EvidencePack.objects.create(
        district=district,
        requested_by=director,
        first_day=today.replace(day=1),
        last_day=today,
        status=PackStatus.READY,
        progress=100,
        stored_path=str(stored),
        size_bytes=stored.stat().st_size,
        finished_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )


def _place(key: str, name: str) -> Place:
    district = DistrictFactory(
        slug=key,
        name=name,
        photo_model="written_consent",
        disclosure_required=True,
        disclosure_recipient="school",
        school_year_start_month=7,
        tool_list_visibility="public",
        public_directory_enabled=True,
        min_account_administrators=1,
        preferred_account_administrators=2,
    )
    school = SchoolFactory(district=district, name=f"{name} High")
    other_school = SchoolFactory(district=district, name=f"{name} Elementary")
    personas = {role: staff_at(school, role, email=f"{role}@{key}.example.org") for role in ROLES}
    teacher = staff_at(school, email=f"teacher@{key}.example.org")
    other_teacher = staff_at(other_school, email=f"teacher2@{key}.example.org")
    other_clerk = staff_at(other_school, Role.CLERK, email=f"clerk2@{key}.example.org")
    director, superintendent, staff = personas[Role.DIRECTOR], personas[Role.SUPERINTENDENT], personas[Role.STAFF]

    program = ProgramFactory(school=school, name="Robotics Club")
    other_program = ProgramFactory(school=other_school, name="Chess Club")
    student = StudentFactory(school=school, first_name="Ana", last_name=f"{name}son")
    other_student = StudentFactory(school=other_school, first_name="Bea", last_name=f"{name}dottir")
    ProgramMembership.objects.create(program=program, student=student)
    ProgramMembership.objects.create(program=other_program, student=other_student)
    ProgramMembership.objects.create(program=program, user=staff, role="advisor")
    ProgramMembership.objects.create(program=other_program, user=other_teacher, role="advisor")

    roster_import = RosterImport.objects.create(
        district=district, uploaded_by=director, file_name="oneroster.zip", status=RosterImportStatus.SUCCEEDED
    )
    consent_services.consent_scopes_set_up(acting_user=None, district=district)
    scope = ConsentScope.objects.get(district=district, kind=ScopeKind.SOCIAL_MEDIA)

    def answers(by: User, pupil: Student) -> ConsentImport:
        data = f"sis_id,scope,decision,date\n{pupil.sis_id},social_media,granted,2026-11-02\n".encode()
        return consent_services.consent_import_check(
            acting_user=by, district=district, file_name="answers.csv", data=data
        )

    account = SocialAccountFactory(school=school, display_name=f"{name} High")
    other_account = SocialAccountFactory(school=other_school, display_name=f"{name} Elementary")
    district_account = SocialAccountFactory(school=None, district=district, owner_kind="district", display_name=name)

    cycle = disclosure_services.disclosure_cycle_create(
        acting_user=director,
        district=district,
        school_year_start=2026,
        opens_on=datetime.date(2026, 9, 1),
        due_on=datetime.date(2026, 12, 1),
        new_hire_grace_days=30,
    )
    filings = {
        person.pk: file_networks(person, cycle, "Band parents")
        for person in [*personas.values(), teacher, other_teacher]
    }

    tool = ToolFactory(district=district, name="Seesaw", parental_consent_required=True)

    def authorized(by: User, club: Program) -> Authorization:
        authorization = authorization_services.authorization_request(
            acting_user=by,
            tool=tool,
            program=club,
            purpose="The club posts build updates.",
            starts_on=datetime.date(2026, 11, 23),
            ends_on=datetime.date(2027, 6, 10),
        )
        authorization = Authorization.objects.select_related("district", "tool", "program__school").get(
            pk=authorization.pk
        )
        return authorization_services.authorization_grant(
            acting_user=superintendent, authorization=authorization, decided_as="superintendent"
        )

    return Place(
        key=key,
        district=district,
        school=school,
        other_school=other_school,
        personas=personas,
        teacher=teacher,
        other_teacher=other_teacher,
        other_clerk=other_clerk,
        program=program,
        other_program=other_program,
        student=student,
        other_student=other_student,
        family_link=family_link_for(student),
        other_family_link=family_link_for(other_student),
        teacher_membership=teacher.memberships.get(school=school),
        other_teacher_membership=other_teacher.memberships.get(school=other_school),
        roster_import=roster_import,
        evidence_pack=ready_evidence_pack(district, director),
        scope=scope,
        consent_import=answers(personas[Role.CLERK], student),
        other_consent_import=answers(other_clerk, other_student),
        account=account,
        other_account=other_account,
        district_account=district_account,
        administrator=AdministratorFactory(account=account, user=staff, role="primary"),
        other_administrator=AdministratorFactory(account=other_account, user=other_teacher, role="primary"),
        cycle=cycle,
        filings=filings,
        networks={pk: filing.networks.get() for pk, filing in filings.items()},
        tool=tool,
        tool_request=ToolRequestFactory(requested_by=staff, school=school, tool_name="Flip"),
        other_tool_request=ToolRequestFactory(requested_by=other_teacher, school=other_school, tool_name="Padlet"),
        designee=tool_services.designee_add(
            acting_user=superintendent, district=district, user=teacher, power="instructional_use"
        ),
        authorization=authorized(staff, program),
        other_authorization=authorized(other_teacher, other_program),
    )


def build_matrix_world() -> MatrixWorld:
    """Builds both districts through the factories and services (time must be frozen on TODAY)."""
    world = MatrixWorld(
        places={"north": _place("north", "North"), "south": _place("south", "South")},
        unpublished=DistrictFactory(
            slug="west", name="West", public_directory_enabled=False, tool_list_visibility="staff"
        ),
    )
    for place in world.places.values():
        for role, user in place.personas.items():
            world.users[f"{place.key}.{role}"] = user
    return world
