"""Celery wiring: settings come from Django's settings module (CELERY_* names)."""

import logging
import os

from celery import Celery, Task
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("registry")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
logger = logging.getLogger(__name__)


def enqueue(task: Task, *args: object) -> bool:
    """Queues a task, or logs and returns False when the broker cannot be reached, so that a web
    request or a planner never fails because Redis is down; the caller leaves the work findable."""
    try:
        task.delay(*args)
    except OperationalError as error:
        logger.warning("Could not queue %s: %s", task.name, error)
        return False
    return True
