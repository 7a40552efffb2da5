"""Queueing Celery tasks without letting a broker outage fail the caller."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue(task: Task[..., Any], *args: object) -> bool:
    """Queues a task, or logs and returns False when the broker cannot be reached, so that a web
    request or a planner never fails because Redis is down; the caller leaves the work findable."""
    try:
        task.delay(*args)
    except OperationalError as error:
        logger.warning("Could not queue %s: %s", task.name, error)
        return False
    return True
