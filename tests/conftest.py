import os
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# Browser fixtures (page, phone_page) and the screenshot helper, for the portal's and the desk's pages.
pytest_plugins = ["tests.browser"]


def _skip_or_fail(reason: str) -> None:
    # A newcomer without the service may skip; CI runs on the real services and must not.
    if IN_CI:
        pytest.fail(f"{reason} (CI must run this test on the real service)")
    pytest.skip(reason)


def redis_reachable() -> bool:
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://…")
    if item.get_closest_marker("redis") and not redis_reachable():
        _skip_or_fail("needs Redis: set CELERY_BROKER_URL=redis://…")


@pytest.fixture(autouse=True)
def _email_backend(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _celery_in_process(request, settings):
    """Deliver synchronously right after commit in every test but the real-worker and background ones.

    With CELERY_BROKER_URL set, `.delay()` would otherwise queue tasks in Redis for a worker that these
    tests do not start, and leave them there for the next run; without it, the background sender
    (apps/notifications/background.py) would deliver on a thread after the test has looked.
    """
    from apps.notifications.background import outbox_background_stop
    from portal.celery import app as celery_app

    settings.OUTBOX_DELIVERY_IN_BACKGROUND = False  # the background tests turn it on again
    if request.node.get_closest_marker("redis"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous
        outbox_background_stop(timeout=30)
