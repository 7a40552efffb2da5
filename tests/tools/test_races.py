"""Two approvers deciding at the same moment: the list still holds each tool once (PostgreSQL row locks)."""

import contextlib
import threading

import pytest
from django.db import connection, connections

from tests.factories import ToolRequestFactory, UserFactory, staff_at
from tools import services as tool_services
from tools.models import DecidedAs, Tool, ToolRequestStatus


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_requests_for_the_same_new_tool_approved_at_once_add_it_once(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time anyway")
    designee = staff_at(world.school, "staff", email="designee@north.example.org")
    tool_services.designee_add(acting_user=world.superintendent, district=world.district, user=designee, power="tools")
    requests = [
        ToolRequestFactory(requested_by=UserFactory(district=world.district), tool_name="Book Creator"),
        ToolRequestFactory(requested_by=UserFactory(district=world.district), tool_name="book creator"),
    ]
    deciders = [(world.superintendent, DecidedAs.SUPERINTENDENT), (designee, DecidedAs.DESIGNEE)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    # Hold each approver just after it looked for the tool, so both look before either adds it
    # unless a lock makes the second wait (then the pause times out and the first goes on alone).
    looked = threading.Barrier(2)
    look_for_tool = tool_services._same_name

    def look_then_pause(*args, **kwargs):
        found = look_for_tool(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            looked.wait(timeout=2)
        return found

    monkeypatch.setattr(tool_services, "_same_name", look_then_pause)

    def approve(tool_request, decider, capacity) -> None:
        try:
            barrier.wait(timeout=10)
            tool_services.tool_request_approve(acting_user=decider, tool_request=tool_request, decided_as=capacity)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=approve, args=(tool_request, *decider))
        for tool_request, decider in zip(requests, deciders, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert Tool.objects.filter(district=world.district, name__iexact="book creator").count() == 1
    for tool_request in requests:
        tool_request.refresh_from_db()
        assert tool_request.status == ToolRequestStatus.APPROVED
