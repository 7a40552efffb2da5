"""After a failed submit the page says so (issue 26, WCAG 3.3.1 and 4.1.3): an error summary at the top
with role="alert", each problem a link to its field, and "Error:" at the start of the page title."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_summarises_a_forms_errors_at_the_top_with_links_to_the_fields(client, world):
    client.force_login(world.director)

    page = client.post(reverse("district_edit", args=[world.district.slug]), {"name": ""}).content.decode()

    assert re.search(r"<title>Error: ", page)
    summary = page.split('id="error-summary"')[1].split("</div>")[0]
    assert 'role="alert"' in page.split('id="error-summary"')[0][-80:]
    assert 'href="#id_name"' in summary


def test_it_summarises_a_refused_sign_in(client, world):
    page = client.post(
        reverse("account_login"), {"login": world.staff.email, "password": "not the password"}
    ).content.decode()

    assert re.search(r"<title>Error: ", page) and 'id="error-summary"' in page


def test_it_shows_no_summary_on_a_page_without_errors(client, world):
    client.force_login(world.director)

    page = client.get(reverse("district_edit", args=[world.district.slug])).content.decode()

    assert 'id="error-summary"' not in page and "<title>Error:" not in page


def test_it_summarises_a_refused_form_whatever_the_view_calls_it(client, world):
    from tests.factories import ToolRequestFactory

    tool_request = ToolRequestFactory(requested_by=world.staff)
    client.force_login(world.superintendent)

    page = client.post(reverse("tools:request_decline", args=[tool_request.pk]), {}).content.decode()

    assert re.search(r"<title>Error: ", page) and 'id="error-summary"' in page
    assert page.count('id="error-summary"') == 1
    assert 'href="#decline_' in page  # the decline form's own fields, not the approve form's
