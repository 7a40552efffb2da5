import datetime
from disclosures import selectors, services, access
from disclosures.models import DisclosureState, NetworkPlatform, NetworkRunBy, NetworkPart


def test_it_smoke(world, cycle, today):
    staff = world.staff
    draft = services.disclosure_start(acting_user=staff, cycle=cycle)
    services.network_add(acting_user=staff, disclosure=draft, platform=NetworkPlatform.FACEBOOK, name="Band parents", run_by=NetworkRunBy.PARENTS, part=NetworkPart.MEMBER)
    services.disclosure_submit(acting_user=staff, disclosure=draft, signed_name=staff.full_name, signed_hash=cycle.attestation_hash)
    assert draft.state == DisclosureState.SUBMITTED
    assert access.can_review(world.director, draft)
    assert not access.can_review(world.principal, draft)
    services.disclosure_return(acting_user=world.director, disclosure=draft, comment="Add the URL")
    v2 = services.disclosure_amend(acting_user=staff, disclosure=draft)
    assert v2.version == 2 and v2.networks.count() == 1
    services.disclosure_submit(acting_user=staff, disclosure=v2, signed_name=staff.full_name, signed_hash=cycle.attestation_hash)
    v2.refresh_from_db()
    assert v2.state == DisclosureState.RESUBMITTED
    totals = selectors.tracking_totals(selectors.staff_who_must_file(cycle, today), cycle, today)
    print(totals)
    print(selectors.tracking_by_school(selectors.staff_who_must_file(cycle, today), cycle, world.district.schools.all(), today))
    assert list(selectors.due_within(cycle, today, 14))
    assert not list(selectors.late(cycle, today))
    assert list(selectors.late(cycle, datetime.date(2026, 12, 5)))
    print(list(access.visible_disclosures(world.principal)), list(access.visible_disclosures(world.director)))
