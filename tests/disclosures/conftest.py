"""Disclosure fixtures: the persona world with an open cycle for the 2026–27 school year."""

from __future__ import annotations

import datetime

import pytest

from disclosures.models import DisclosureCycle
from disclosures.services import disclosure_cycle_create


def open_cycle(world, **district_settings: object) -> DisclosureCycle:
    """North's 2026–27 cycle: opened September 1, due December 1, 30 days' grace for new staff."""
    world.district.disclosure_required = True
    world.district.school_year_start_month = 7
    for name, value in district_settings.items():
        setattr(world.district, name, value)
    world.district.save()
    return disclosure_cycle_create(
        acting_user=world.director,
        district=world.district,
        school_year_start=2026,
        opens_on=datetime.date(2026, 9, 1),
        due_on=datetime.date(2026, 12, 1),
        new_hire_grace_days=30,
    )


@pytest.fixture
def cycle(world, today) -> DisclosureCycle:
    return open_cycle(world)
