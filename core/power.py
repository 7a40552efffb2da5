"""Whether a person may be given a power: designated an official account's administrator, or allowed
to use a tool with students.

The policy may say that nobody holds such a power before they have filed this school year's
disclosure (District.disclosure_before_power). The registry and authorizations give the powers; the
disclosures app, on their layer or above, knows who has filed. Neither may import it, so they ask
here, and the app that knows registers its gate when Django starts (its AppConfig.ready), as
core.policy does for the rules that follow the profile. The rule itself lives in one place:
disclosures.selectors.power_refusal.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html


class PowerRefused(ValidationError):
    """A refusal that links to the page where the missing step is done (`url`, labelled `link_label`):
    its message is safe HTML, so a form's errors and the page's messages show the link as it is."""

    def __init__(self, message: str, *, url: str, link_label: str) -> None:
        self.url = url
        self.link_label = link_label
        self.text = message
        super().__init__(format_html('{} <a href="{}">{}</a>', message, url, link_label), code="power_refused")


# gate(user, district, on) -> the refusal, or None when the gate lets the person through
Gate = Callable[[Any, Any, datetime.date], PowerRefused | None]

_gates: dict[str, Gate] = {}


def register(name: str, gate: Gate) -> None:
    """`name` keeps registration idempotent (ready() may run more than once in tests)."""
    _gates[name] = gate


def refusal(user: Any, district: Any, on: datetime.date | None = None) -> PowerRefused | None:
    """The first gate's refusal of giving `user` a power in `district`, or None."""
    on = on or timezone.localdate()
    for gate in _gates.values():
        if (refused := gate(user, district, on)) is not None:
            return refused
    return None


def require_allowed(user: Any, district: Any, on: datetime.date | None = None) -> None:
    if (refused := refusal(user, district, on)) is not None:
        raise refused
