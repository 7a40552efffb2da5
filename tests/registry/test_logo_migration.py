"""The move of logo permissions from four account fields to their own records keeps every grant."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("registry", "0005_tools_requests_authorizations_logo_permissions")]
AFTER = [("registry", "0006_logo_permissions_move_to_their_own_records")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_turns_each_recorded_grant_into_a_permission():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    district = apps.get_model("accounts", "District").objects.create(name="North", slug="north-migration")
    platform = apps.get_model("registry", "Platform").objects.get(slug="instagram")
    accounts = apps.get_model("registry", "SocialAccount").objects

    def account(handle: str, **logo: object):
        return accounts.create(
            district=district,
            platform=platform,
            handle=handle,
            handle_key=handle,
            display_name=handle,
            owner_kind="district",
            purpose="News.",
            **logo,
        )

    granted = account(
        "granted",
        logo_permission_granted=True,
        logo_permission_granted_by="School Board",
        logo_permission_granted_on=datetime.date(2026, 3, 9),
        logo_permission_form="board_minutes",
    )
    account("never")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    permissions = apps.get_model("registry", "LogoPermission").objects.filter(district_id=district.pk)
    assert list(permissions.values_list("account_id", "decided_as", "granted_by_name", "granted_on", "written_as")) == [
        (granted.pk, "school_board", "School Board", datetime.date(2026, 3, 9), "board_minutes")
    ]
    MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
