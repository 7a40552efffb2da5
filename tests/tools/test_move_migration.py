"""Tools and authorizations left the registry for apps of their own (registry 0008 and 0009, tools 0001,
authorizations 0001 and 0002, consent 0006). Records written under the old schema are all still there
afterwards, with their history, their links and their ids: an account's logo permission in the
registry's own table, a tool's in the tools app, an authorization pointing at the consent form it
opened."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("accounts", "0006_roster_deactivation_limit"),
    ("registry", "0007_authorization_end_recorded"),
    ("consent", "0005_privacy_log_kinds"),
]
NOW = timezone.make_aware(datetime.datetime(2026, 10, 1, 9, 0))


def history(apps, model_name: str, row, **extra) -> None:
    """A history row as django-simple-history writes one, for a row made through the old schema."""
    historical = apps.get_model("registry", f"Historical{model_name}")
    fields = {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}
    historical.objects.create(**fields, history_date=NOW, history_type="+", history_change_reason="Created", **extra)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_tool_request_designee_logo_permission_and_authorization_survives_the_move():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    District, School, Program, User = (
        old.get_model("accounts", name) for name in ("District", "School", "Program", "User")
    )
    district = District.objects.create(name="North", slug="north-move")
    school = School.objects.create(district=district, name="North High")
    club = Program.objects.create(school=school, kind="club", name="Robotics")
    boss = User.objects.create(email="boss@north-move.example.org", district=district, password="!")
    teacher = User.objects.create(email="teacher@north-move.example.org", district=district, password="!")
    registry = {name: old.get_model("registry", name) for name in (
        "Tool", "ToolRequest", "Designee", "LogoPermission", "InstructionalUse", "SocialAccount", "Platform",
    )}  # fmt: skip
    tool = registry["Tool"].objects.create(
        district=district, name="Instagram", status="approved", decided_on=datetime.date(2026, 9, 1),
        is_public_social_media=True, parental_consent_required=True,
    )  # fmt: skip
    history(old, "Tool", tool)
    request = registry["ToolRequest"].objects.create(
        district=district, requested_by=teacher, tool_name="Padlet", purpose="Boards.", students="7th grade."
    )
    history(old, "ToolRequest", request)
    designee = registry["Designee"].objects.create(
        district=district, user=teacher, power="tools", designated_by=boss, starts_on=datetime.date(2026, 9, 1)
    )
    history(old, "Designee", designee)
    account = registry["SocialAccount"].objects.create(
        district=district, platform=registry["Platform"].objects.get(slug="instagram"), handle="@north",
        handle_key="north", display_name="North", owner_kind="district", purpose="News.",
    )  # fmt: skip
    logo = {"district": district, "decided_as": "superintendent", "granted_by_name": "Dr. Ada",
            "granted_on": datetime.date(2026, 9, 2), "written_as": "letter"}  # fmt: skip
    for_account = registry["LogoPermission"].objects.create(account=account, **logo)
    for_tool = registry["LogoPermission"].objects.create(tool=tool, **logo)
    history(old, "LogoPermission", for_account)
    history(old, "LogoPermission", for_tool)
    use = registry["InstructionalUse"].objects.create(
        district=district, tool=tool, program=club, staff_member=teacher, requested_by=teacher, purpose="Posts.",
        starts_on=datetime.date(2026, 9, 1), ends_on=datetime.date(2027, 6, 10), status="authorized",
        decided_by=boss, decided_as="superintendent", decided_at=NOW,
    )  # fmt: skip
    history(old, "InstructionalUse", use)
    scope = old.get_model("consent", "ConsentScope").objects.create(
        district=district, kind="participation", name="Instagram with Robotics", model="written_consent",
        instructional_use=use, position=1000,
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps

    Tool = new.get_model("tools", "Tool")
    assert list(Tool.objects.filter(district_id=district.pk).values_list("pk", "name", "status")) == [
        (tool.pk, "Instagram", "approved")
    ]
    assert new.get_model("tools", "ToolRequest").objects.get(pk=request.pk).tool_name == "Padlet"
    assert new.get_model("tools", "Designee").objects.get(pk=designee.pk).user_id == teacher.pk
    assert new.get_model("tools", "ToolLogoPermission").objects.get(pk=for_tool.pk).subject_id == tool.pk
    assert new.get_model("registry", "AccountLogoPermission").objects.get(pk=for_account.pk).subject_id == account.pk
    assert not new.get_model("tools", "ToolLogoPermission").objects.filter(pk=for_account.pk).exists()
    authorization = new.get_model("authorizations", "Authorization").objects.get(pk=use.pk)
    assert (authorization.tool_id, authorization.program_id, authorization.participation_scope_id) == (
        tool.pk, club.pk, scope.pk,
    )  # fmt: skip
    for app, model, pk in [
        ("tools", "HistoricalTool", tool.pk),
        ("tools", "HistoricalToolRequest", request.pk),
        ("tools", "HistoricalDesignee", designee.pk),
        ("tools", "HistoricalToolLogoPermission", for_tool.pk),
        ("registry", "HistoricalAccountLogoPermission", for_account.pk),
        ("authorizations", "HistoricalAuthorization", use.pk),
    ]:
        assert new.get_model(app, model).objects.filter(id=pk).count() == 1, model
    assert new.get_model("authorizations", "HistoricalAuthorization").objects.get(id=use.pk).participation_scope_id == (
        scope.pk
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_account_logo_permission_after_the_move_takes_a_fresh_id():
    """The ids were copied into the new table: its sequence starts after them."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    District = old.get_model("accounts", "District")
    district = District.objects.create(name="South", slug="south-move")
    platform = old.get_model("registry", "Platform").objects.get(slug="instagram")
    saved = old.get_model("registry", "SocialAccount").objects.create(
        district=district, platform=platform, handle="@south", handle_key="south", display_name="South",
        owner_kind="district", purpose="News.",
    )  # fmt: skip
    first = old.get_model("registry", "LogoPermission").objects.create(
        account=saved, district=district, decided_as="superintendent", granted_by_name="Dr. Ada",
        granted_on=datetime.date(2026, 9, 2), written_as="letter", withdrawn_on=datetime.date(2026, 9, 3),
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
    second = new.get_model("registry", "AccountLogoPermission").objects.create(
        subject_id=saved.pk, district_id=district.pk, decided_as="superintendent", granted_by_name="Dr. Ada",
        granted_on=datetime.date(2026, 9, 4), written_as="letter",
    )  # fmt: skip

    assert second.pk > first.pk
