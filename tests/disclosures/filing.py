"""Filing disclosures through the services, as an employee would: shared by the disclosure tests."""

from __future__ import annotations

from disclosures import services
from disclosures.models import Disclosure, NetworkPart, NetworkPlatform, NetworkRunBy


def add_network(user, disclosure, name="Band parents", **values):
    fields = {
        "platform": NetworkPlatform.FACEBOOK,
        "name": name,
        "run_by": NetworkRunBy.PARENTS,
        "part": NetworkPart.MEMBER,
        **values,
    }
    return services.network_add(acting_user=user, disclosure=disclosure, **fields)


def sign(user, disclosure, name=None, signed_hash=None):
    return services.disclosure_submit(
        acting_user=user,
        disclosure=disclosure,
        signed_name=user.full_name if name is None else name,
        signed_hash=disclosure.cycle.attestation_hash if signed_hash is None else signed_hash,
    )


def file_none(user, cycle):
    draft = services.disclosure_start(acting_user=user, cycle=cycle)
    services.disclosure_set_none(acting_user=user, disclosure=draft, takes_part_in_none=True)
    return sign(user, draft)


def file_networks(user, cycle, *names):
    draft = services.disclosure_start(acting_user=user, cycle=cycle)
    for name in names:
        add_network(user, draft, name=name)
    return sign(user, draft)


def reload(disclosure):
    return Disclosure.objects.get(pk=disclosure.pk)


def revise(user, disclosure):
    """File a new version of the employee's standing filing (a revision or an amendment)."""
    draft = services.disclosure_amend(acting_user=user, disclosure=reload(disclosure))
    return sign(user, draft)
